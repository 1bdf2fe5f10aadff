// Where --download saves a body: the name from Content-Disposition, else the URL's last path
// segment (with an extension from the Content-Type when it has none), made safe (no directories,
// no control characters, no leading dots) and never overwriting: "name-1.ext", "name-2.ext"…
import { type FileHandle, open } from "node:fs/promises";

/** A file name safe to create in the current directory, or undefined if nothing is left. */
export function safeFilename(name: string): string | undefined {
  const last = name.split(/[/\\]/).pop() ?? "";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  let s = last.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  s = s.replace(/^[.\s]+/, "");
  if (s.length > 200) {
    const ext = /\.[A-Za-z0-9]{1,10}$/.exec(s)?.[0] ?? "";
    s = s.slice(0, 200 - ext.length) + ext;
  }
  return s === "" ? undefined : s;
}

/** The file name a Content-Disposition value gives (filename* preferred, RFC 6266). */
export function contentDispositionFilename(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ext = /(?:^|;)\s*filename\*\s*=\s*([^']*)'[^']*'([^;\s]*)/i.exec(value);
  if (ext !== null) {
    const charset = (ext[1] as string).toLowerCase();
    const encoded = ext[2] as string;
    try {
      if (charset === "utf-8" || charset === "") return safeFilename(decodeURIComponent(encoded));
      // ISO-8859-1: each %XX is one character
      return safeFilename(
        encoded.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      );
    } catch {
      // a malformed escape: fall back to filename=
    }
  }
  const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(value);
  if (plain === null) return undefined;
  const name = plain[1] !== undefined ? plain[1].replace(/\\(.)/g, "$1") : (plain[2] as string);
  return safeFilename(name);
}

const EXTENSIONS: Record<string, string> = {
  "application/json": ".json",
  "text/html": ".html",
  "text/plain": ".txt",
  "text/csv": ".csv",
  "text/css": ".css",
  "text/javascript": ".js",
  "application/javascript": ".js",
  "application/xml": ".xml",
  "text/xml": ".xml",
  "application/pdf": ".pdf",
  "application/zip": ".zip",
  "application/gzip": ".gz",
  "image/png": ".png",
  "image/jpeg": ".jpg",
  "image/gif": ".gif",
  "image/svg+xml": ".svg",
  "image/webp": ".webp",
};

/** The name after the URL's last path segment ("index" for none), with an extension from the type. */
export function urlFilename(url: string, contentType: string | undefined): string {
  let segment = "";
  try {
    const path = new URL(url).pathname.replace(/\/+$/, "");
    segment = path.slice(path.lastIndexOf("/") + 1);
    segment = decodeURIComponent(segment);
  } catch {
    // keep what was found (undecodable escapes stay as they are)
  }
  let name = safeFilename(segment) ?? "index";
  if (!/\.[A-Za-z0-9]{1,10}$/.test(name) && contentType !== undefined) {
    const type = (contentType.split(";")[0] ?? "").trim().toLowerCase();
    name += EXTENSIONS[type] ?? "";
  }
  return name;
}

/** `name` with "-n" before its extension ("a.tar.gz" ⇒ "a-1.tar.gz"). */
export function numbered(name: string, n: number): string {
  if (n === 0) return name;
  const ext = /(?:\.tar)?\.[A-Za-z0-9]{1,10}$/.exec(name)?.[0] ?? "";
  const stem = name.slice(0, name.length - ext.length);
  return stem === "" ? `${name}-${n}` : `${stem}-${n}${ext}`;
}

/**
 * Creates a new file named `name` in the current directory, or `name-1`, `name-2`… (an existing
 * file is never touched); `path` is the name it got.
 */
export async function createUnique(name: string): Promise<{ handle: FileHandle; path: string }> {
  for (let n = 0; ; n++) {
    const path = numbered(name, n);
    try {
      return { handle: await open(path, "wx"), path };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || n >= 9999) throw err;
    }
  }
}
