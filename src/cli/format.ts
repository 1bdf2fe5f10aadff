// What the CLI prints: request and response heads, bodies, JSON indented (by 4, as httpie) and
// coloured with ANSI codes. Pure functions over strings and bytes; main.ts decides where the
// output goes and whether colours and formatting are on.
import type { PreparedRequest, Response } from "../entry/node.js";

/** Colours and formatting of the output. */
export interface Style {
  /** ANSI colours. */
  colors: boolean;
  /** JSON re-indented. */
  format: boolean;
}

const SGR = {
  reset: "\x1b[0m",
  bold: "\x1b[1m",
  method: "\x1b[1;32m",
  target: "\x1b[36m",
  protocol: "\x1b[34m",
  name: "\x1b[36m",
  ok: "\x1b[1;32m",
  redirect: "\x1b[1;33m",
  failure: "\x1b[1;31m",
  key: "\x1b[1;34m",
  string: "\x1b[33m",
  number: "\x1b[36m",
  literal: "\x1b[35m",
} as const;

function paint(on: boolean, code: string, text: string): string {
  return on ? `${code}${text}${SGR.reset}` : text;
}

/** The box httpie prints instead of binary data on a terminal. */
export const BINARY_NOTE =
  "+-----------------------------------------+\n" +
  "| NOTE: binary data not shown in terminal |\n" +
  "+-----------------------------------------+\n";

/** Whether bytes look binary (a NUL byte in the first 8 KiB), as httpie decides. */
export function isBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8192).includes(0);
}

/** Whether a media type is JSON: application/json, text/json, anything+json. */
export function isJsonType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]+\/(?:json|[a-z0-9!#$&^_.+-]*\+json)$/.test(type);
}

// ---- JSON ---------------------------------------------------------------------------------------

// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings may not hold raw control characters
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;
const SPACE = /[ \t\n\r]*/y;

class NotJson extends Error {}

/**
 * JSON text re-indented by `indent` spaces (`": "` after keys, one member per line), colours
 * optional. Tokens are copied as written, so numbers keep their digits (no rounding of big
 * integers, 1.0 stays 1.0) and duplicate keys stay. Undefined when the text is not JSON.
 */
export function formatJson(text: string, indent = 4, colors = false): string | undefined {
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const out: string[] = [];
  const match = (re: RegExp): string | undefined => {
    re.lastIndex = at;
    const m = re.exec(text);
    if (m === null) return undefined;
    at = re.lastIndex;
    return m[0];
  };
  const space = () => {
    match(SPACE);
  };
  const expect = (c: string) => {
    space();
    if (text[at] !== c) throw new NotJson();
    at++;
  };
  const value = (depth: number): void => {
    space();
    const c = text[at];
    const pad = " ".repeat(indent * (depth + 1));
    const close = " ".repeat(indent * depth);
    if (c === "{") {
      at++;
      space();
      if (text[at] === "}") {
        at++;
        out.push("{}");
        return;
      }
      out.push("{\n");
      for (let first = true; ; first = false) {
        if (!first) out.push(",\n");
        space();
        const key = match(STRING);
        if (key === undefined) throw new NotJson();
        out.push(pad, paint(colors, SGR.key, key), ": ");
        expect(":");
        value(depth + 1);
        space();
        if (text[at] === ",") {
          at++;
          continue;
        }
        expect("}");
        break;
      }
      out.push("\n", close, "}");
      return;
    }
    if (c === "[") {
      at++;
      space();
      if (text[at] === "]") {
        at++;
        out.push("[]");
        return;
      }
      out.push("[\n");
      for (let first = true; ; first = false) {
        if (!first) out.push(",\n");
        out.push(pad);
        value(depth + 1);
        space();
        if (text[at] === ",") {
          at++;
          continue;
        }
        expect("]");
        break;
      }
      out.push("\n", close, "]");
      return;
    }
    let token = match(STRING);
    if (token !== undefined) {
      out.push(paint(colors, SGR.string, token));
      return;
    }
    token = match(NUMBER);
    if (token !== undefined) {
      out.push(paint(colors, SGR.number, token));
      return;
    }
    token = match(LITERAL);
    if (token !== undefined) {
      out.push(paint(colors, SGR.literal, token));
      return;
    }
    throw new NotJson();
  };
  try {
    value(0);
    space();
    if (at !== text.length) return undefined;
  } catch (err) {
    if (err instanceof NotJson || err instanceof RangeError) return undefined; // RangeError: nested too deep
    throw err;
  }
  return out.join("");
}

// ---- heads --------------------------------------------------------------------------------------

function headerLines(pairs: Iterable<readonly [string, string]>, colors: boolean): string {
  let s = "";
  for (const [name, value] of pairs) s += `${paint(colors, SGR.name, name)}: ${value}\n`;
  return s;
}

/**
 * The request line and headers as sent: Host first when the request has none (as reqwire
 * writes it), then the prepared headers in order.
 */
export function requestHead(request: PreparedRequest, style: Style): string {
  const url = new URL(request.url);
  const target = `${url.pathname || "/"}${url.search}`;
  const pairs: Array<readonly [string, string]> = [];
  for (const [name, value] of request.headers) pairs.push([name, value]);
  if (!request.headers.has("host")) pairs.unshift(["Host", url.port === "" ? url.hostname : url.host]);
  const c = style.colors;
  const line = `${paint(c, SGR.method, request.method)} ${paint(c, SGR.target, target)} ${paint(c, SGR.protocol, "HTTP/1.1")}\n`;
  return line + headerLines(pairs, c);
}

/** The status line and the headers as received (a repeated field on a line of its own each time). */
export function responseHead(r: Response, style: Style): string {
  const c = style.colors;
  const code = r.status_code;
  const tone = code >= 400 ? SGR.failure : code >= 300 ? SGR.redirect : SGR.ok;
  const status = `${code}${r.reason === "" ? "" : ` ${r.reason}`}`;
  const line = `${paint(c, SGR.protocol, `HTTP/${r.http_version}`)} ${paint(c, tone, status)}\n`;
  const pairs: Array<readonly [string, string]> = [];
  for (const [name] of r.headers) for (const value of r.headers.getAll(name)) pairs.push([name, value]);
  return line + headerLines(pairs, c);
}

/**
 * JSON text coloured in place: whitespace and punctuation kept as written (for
 * `--pretty=colors`, which colours without reformatting). The text must be valid JSON.
 */
export function colorJson(text: string): string {
  const token = /"(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false|null/g;
  const colon = /\s*:/y;
  return text.replace(token, (t, offset: number) => {
    if (t.startsWith('"')) {
      colon.lastIndex = offset + t.length;
      return paint(true, colon.test(text) ? SGR.key : SGR.string, t);
    }
    return paint(true, t.startsWith("t") || t.startsWith("f") || t.startsWith("n") ? SGR.literal : SGR.number, t);
  });
}

/**
 * A body as text for display: JSON formatted and coloured as asked when the type says JSON,
 * otherwise the text as decoded. Undefined for binary data (the caller shows BINARY_NOTE or
 * the raw bytes).
 */
export function bodyForDisplay(
  bytes: Uint8Array,
  text: () => string,
  contentType: string | undefined,
  style: Style,
): string | undefined {
  if (isBinary(bytes)) return undefined;
  const s = text();
  if ((style.format || style.colors) && isJsonType(contentType)) {
    const pretty = formatJson(s, 4, style.colors);
    if (pretty !== undefined) return style.format ? pretty : colorJson(s);
  }
  return s;
}
