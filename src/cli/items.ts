// Request items, as httpie writes them: `key=value`, `key:=json`, `key=@file`, `key:=@file`,
// `field@file`, `Header:value`, `Header:` (remove), `Header;` (empty), `name==value`. Parsing
// checks syntax (and raw JSON) only; building the request reads the files.
import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { UsageError } from "./usage.js";

export type Item =
  /** `Header:value`; a null value (`Header:`) removes the header, "" (`Header;`) sends it empty. */
  | { kind: "header"; name: string; value: string | null }
  /** `name==value` */
  | { kind: "query"; name: string; value: string }
  /** `key=value` */
  | { kind: "data"; name: string; value: string }
  /** `key:=json` */
  | { kind: "json"; name: string; value: unknown }
  /** `key=@file` */
  | { kind: "data-file"; name: string; path: string }
  /** `key:=@file` */
  | { kind: "json-file"; name: string; path: string }
  /** `field@file[;type=mime]` */
  | { kind: "file"; name: string; path: string; type: string | undefined };

/** Separators, longest first among those starting with the same character. */
const SEPARATORS = [":=@", "=@", "==", ":=", "@", "=", ":", ";"] as const;
const ESCAPABLE = "\\:=@;";

const ITEM_HELP = "(KEY=VALUE, KEY:=JSON, Header:value, name==value, field@file)";

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what}: invalid JSON: ${(err as Error).message}`);
  }
}

/**
 * Parses one item: the key runs up to the first separator not escaped with a backslash (a
 * backslash before a separator character or another backslash stands for that character).
 */
export function parseItem(arg: string): Item {
  let key = "";
  for (let i = 0; i < arg.length; i++) {
    const c = arg[i] as string;
    const next = arg[i + 1];
    if (c === "\\" && next !== undefined && ESCAPABLE.includes(next)) {
      key += next;
      i++;
      continue;
    }
    const sep = SEPARATORS.find((s) => arg.startsWith(s, i));
    if (sep !== undefined) return makeItem(arg, sep, key, arg.slice(i + sep.length));
    key += c;
  }
  throw new UsageError(`${JSON.stringify(arg)} is not a request item ${ITEM_HELP}`);
}

function makeItem(arg: string, sep: (typeof SEPARATORS)[number], name: string, value: string): Item {
  if (name === "") throw new UsageError(`${JSON.stringify(arg)}: the item has no name ${ITEM_HELP}`);
  switch (sep) {
    case ":":
      return { kind: "header", name, value: value === "" ? null : value };
    case ";":
      if (value !== "") {
        throw new UsageError(`${JSON.stringify(arg)}: "Header;" sends an empty header and takes no value`);
      }
      return { kind: "header", name, value: "" };
    case "==":
      return { kind: "query", name, value };
    case "=":
      return { kind: "data", name, value };
    case ":=":
      return { kind: "json", name, value: parseJson(value, JSON.stringify(arg)) };
    case "=@":
      if (value === "") throw new UsageError(`${JSON.stringify(arg)}: no file name after "=@"`);
      return { kind: "data-file", name, path: value };
    case ":=@":
      if (value === "") throw new UsageError(`${JSON.stringify(arg)}: no file name after ":=@"`);
      return { kind: "json-file", name, path: value };
    case "@": {
      const typed = /^(.*);type=([^;]+)$/s.exec(value);
      const path = typed === null ? value : (typed[1] as string);
      if (path === "") throw new UsageError(`${JSON.stringify(arg)}: no file name after "@"`);
      return { kind: "file", name, path, type: typed === null ? undefined : (typed[2] as string) };
    }
  }
}

/** Whether an item puts something in the body (and so makes POST the default method). */
export function isBodyItem(item: Item): boolean {
  return item.kind !== "header" && item.kind !== "query";
}

const TYPES: Record<string, string> = {
  ".txt": "text/plain",
  ".csv": "text/csv",
  ".html": "text/html",
  ".htm": "text/html",
  ".css": "text/css",
  ".js": "text/javascript",
  ".json": "application/json",
  ".xml": "application/xml",
  ".pdf": "application/pdf",
  ".zip": "application/zip",
  ".gz": "application/gzip",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".svg": "image/svg+xml",
  ".webp": "image/webp",
};

/** A content type guessed from a file name's extension. */
export function guessType(path: string): string | undefined {
  return TYPES[extname(path).toLowerCase()];
}

/** The parts of a request the items give. */
export interface Built {
  /** Headers over the session's; null removes one. */
  headers: Array<[string, string | null]>;
  params: Array<[string, string]>;
  /** The JSON body, when there are JSON fields. */
  json: Record<string, unknown> | undefined;
  /** Form fields (urlencoded, or the text fields of a multipart body). */
  data: Array<[string, string]> | undefined;
  /** Files: a multipart body. */
  files: Array<[string, [string, Uint8Array, string | null]]> | undefined;
}

async function read(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UsageError(`cannot read ${JSON.stringify(path)}: ${e.code ?? e.message}`);
  }
}

const utf8 = new TextDecoder();

/**
 * The headers, query, and body of the request the items describe: JSON fields by default,
 * form fields with `form`, multipart as soon as there is a file.
 */
export async function buildRequest(items: readonly Item[], mode: { form: boolean; json: boolean }): Promise<Built> {
  const headers = new Map<string, [string, string | null]>();
  const params: Array<[string, string]> = [];
  const fields: Array<[string, unknown, "text" | "json"]> = [];
  const files: Array<[string, [string, Uint8Array, string | null]]> = [];
  for (const item of items) {
    switch (item.kind) {
      case "header": {
        const key = item.name.toLowerCase();
        const had = headers.get(key);
        if (had !== undefined && had[1] !== null && item.value !== null) had[1] = `${had[1]}, ${item.value}`;
        else headers.set(key, [item.name, item.value]);
        break;
      }
      case "query":
        params.push([item.name, item.value]);
        break;
      case "data":
        fields.push([item.name, item.value, "text"]);
        break;
      case "json":
        fields.push([item.name, item.value, "json"]);
        break;
      case "data-file":
        fields.push([item.name, utf8.decode(await read(item.path)), "text"]);
        break;
      case "json-file":
        fields.push([item.name, parseJson(utf8.decode(await read(item.path)), item.path), "json"]);
        break;
      case "file":
        files.push([
          item.name,
          [basename(item.path), await read(item.path), item.type ?? guessType(item.path) ?? null],
        ]);
        break;
    }
  }

  const built: Built = { headers: [...headers.values()], params, json: undefined, data: undefined, files: undefined };
  const asForm = mode.form || files.length > 0;
  if (asForm) {
    if (mode.json) throw new UsageError("--json cannot send files: they go in a multipart form");
    const raw = fields.find((f) => f[2] === "json");
    if (raw !== undefined) {
      throw new UsageError(`raw JSON field ${JSON.stringify(raw[0])} (:=) cannot be sent in a form`);
    }
    if (fields.length > 0) built.data = fields.map(([k, v]) => [k, v as string]);
    if (files.length > 0) built.files = files;
    return built;
  }
  if (fields.length > 0) {
    const json: Record<string, unknown> = {};
    const repeated = new Set<string>();
    for (const [k, v] of fields) {
      if (!Object.hasOwn(json, k)) {
        Object.defineProperty(json, k, { value: v, enumerable: true, writable: true, configurable: true });
      } else if (repeated.has(k)) {
        (json[k] as unknown[]).push(v);
      } else {
        json[k] = [json[k], v];
        repeated.add(k);
      }
    }
    built.json = json;
  }
  if (fields.length > 0 || mode.json) {
    const accept = headers.get("accept");
    if (accept === undefined) built.headers.unshift(["Accept", "application/json, */*;q=0.5"]);
  }
  return built;
}
