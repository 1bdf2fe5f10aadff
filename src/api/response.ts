// Response, as in requests.models.Response: status, headers, body as bytes / text / JSON, and,
// for `stream: true`, the body as it arrives (iter_content, iter_lines, read, close).

import { latin1 } from "../core/latin1.js";
import { sharedUtf8Decoder } from "../core/text.js";
import { type ErrorResponse, HTTPError, JSONDecodeError, RequestException, StreamConsumedError } from "../errors.js";
import type { HeaderFields } from "../http/connection.js";
import { platform } from "../runtime/platform.js";
import { type BodyQueue, concat } from "./body/queue.js";
import { RequestsCookieJar } from "./cookies/jar.js";
import { CaseInsensitiveDict, type ProxiedDict } from "./headers.js";
import type { PreparedRequest } from "./request.js";

const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);
const NONE: readonly string[] = Object.freeze([]);
const LATIN1_LABELS = new Set([
  "iso-8859-1",
  "latin-1",
  "latin1",
  "l1",
  "iso8859-1",
  "iso_8859-1",
  "us-ascii",
  "ascii",
]);

/** Time from sending the request to receiving the response head (requests' `elapsed`). */
export class Elapsed {
  /** Milliseconds. */
  readonly milliseconds: number;
  constructor(milliseconds: number) {
    this.milliseconds = milliseconds;
  }
  /** Seconds, like `timedelta.total_seconds()`. */
  total_seconds(): number {
    return this.milliseconds / 1000;
  }
  valueOf(): number {
    return this.milliseconds;
  }
  toString(): string {
    return `${this.total_seconds()}s`;
  }
}

/** One entry of `Response.links`. */
export interface Link {
  url: string;
  rel?: string;
  [param: string]: string | undefined;
}

/** Content-Type values seen lately and their encodings: servers send the same few again and again. */
const encodings = new Map<string, string | undefined>();
const ENCODINGS_KEPT = 64;

/** The charset parameter of a Content-Type, or requests' default for its type. */
export function encodingFromContentType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  if (encodings.has(contentType)) return encodings.get(contentType);
  const encoding = parseEncoding(contentType);
  if (encodings.size >= ENCODINGS_KEPT) encodings.clear();
  encodings.set(contentType, encoding);
  return encoding;
}

function parseEncoding(contentType: string): string | undefined {
  const [type = "", ...params] = contentType.split(";");
  for (const p of params) {
    const eq = p.indexOf("=");
    if (eq < 0) continue;
    if (p.slice(0, eq).trim().toLowerCase() === "charset") {
      return p
        .slice(eq + 1)
        .trim()
        .replace(/^["']|["']$/g, "");
    }
  }
  const t = type.trim().toLowerCase();
  if (t.startsWith("text/")) return "ISO-8859-1"; // RFC 2616's default, as requests keeps it
  if (t === "application/json") return "utf-8"; // RFC 4627 §3
  return undefined;
}

const CP1252_LABELS = new Set(["windows-1252", "cp1252", "x-cp1252"]);
/**
 * windows-1252 for 0x80-0x9F (the rest is ISO-8859-1). The five bytes it leaves undefined decode
 * to U+FFFD, as Python's cp1252 with errors="replace" does. Node 20's TextDecoder treats the label
 * as ISO-8859-1, so this table is used everywhere.
 */
const CP1252_HIGH =
  "\u20ac\ufffd\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\ufffd\u017d\ufffd" +
  "\ufffd\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\ufffd\u017e\u0178";

function cp1252(bytes: Uint8Array): string {
  return latin1(bytes).replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] as string);
}

/** A TextDecoder per label used so far (a decoder keeps no state between whole decodes). */
const decoders = new Map<string, TextDecoder>();

function decoderFor(label: string): TextDecoder {
  let decoder = decoders.get(label);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(label);
    } catch {
      decoder = decoderFor("utf-8");
    }
    // bounded: labels come from servers
    if (decoders.size < 32) decoders.set(label, decoder);
  }
  return decoder;
}

/**
 * UTF-8 text from this long up to ENGINE_TEXT_MAX is decoded by the engine where the runtime
 * allows (see Platform.utf16le); longer text would grow the engine's memory for good (three bytes
 * of it per byte of text), so TextDecoder takes it.
 */
const ENGINE_TEXT_MIN = 1024;
const ENGINE_TEXT_MAX = 4 * 1024 * 1024;

/** Long UTF-8 text with non-ASCII characters, decoded by the engine; undefined where it does not apply. */
function engineUtf8(bytes: Uint8Array): string | undefined {
  const fromUtf16 = platform().utf16le;
  if (fromUtf16 === undefined) return undefined;
  const units = sharedUtf8Decoder().decode(bytes);
  return units === undefined ? undefined : fromUtf16(units);
}

/** Decodes bytes with an encoding label; ISO-8859-1 and windows-1252 exactly, others by TextDecoder (lenient). */
export function decodeText(bytes: Uint8Array, encoding: string | undefined): string {
  const label = encoding === undefined || encoding === "utf-8" ? "utf-8" : encoding.trim().toLowerCase();
  const n = bytes.length;
  if (n >= ENGINE_TEXT_MIN && n <= ENGINE_TEXT_MAX && (label === "utf-8" || label === "utf8")) {
    const text = engineUtf8(bytes);
    if (text !== undefined) return text;
  }
  if (LATIN1_LABELS.has(label)) return latin1(bytes);
  if (CP1252_LABELS.has(label)) return cp1252(bytes);
  return decoderFor(label).decode(bytes);
}

/** Parses a Link header (RFC 8288) in one linear pass. */
export function parseLinks(value: string): Link[] {
  const links: Link[] = [];
  let i = 0;
  const n = value.length;
  while (i < n) {
    const open = value.indexOf("<", i);
    if (open < 0) break;
    const close = value.indexOf(">", open + 1);
    if (close < 0) break;
    const link: Link = { url: value.slice(open + 1, close).trim() };
    i = close + 1;
    // parameters up to the next top-level comma
    for (;;) {
      while (i < n && (value[i] === " " || value[i] === "\t")) i++;
      if (i >= n || value[i] === ",") {
        i++;
        break;
      }
      if (value[i] !== ";") {
        i++;
        continue;
      }
      i++;
      const eqOrEnd = scanUntil(value, i, "=;,");
      const key = value.slice(i, eqOrEnd).trim().toLowerCase();
      i = eqOrEnd;
      let val = "";
      if (value[i] === "=") {
        i++;
        while (i < n && (value[i] === " " || value[i] === "\t")) i++;
        if (value[i] === '"') {
          const endQuote = value.indexOf('"', i + 1);
          const stop = endQuote < 0 ? n : endQuote;
          val = value.slice(i + 1, stop);
          i = endQuote < 0 ? n : endQuote + 1;
        } else {
          const stop = scanUntil(value, i, ";,");
          val = value.slice(i, stop).trim();
          i = stop;
        }
      }
      if (key !== "" && link[key] === undefined) link[key] = val;
    }
    links.push(link);
  }
  return links;
}

function scanUntil(s: string, from: number, stops: string): number {
  let i = from;
  while (i < s.length && !stops.includes(s[i] as string)) i++;
  return i;
}

export interface ResponseInit {
  status: number;
  reason: string;
  httpVersion: string;
  /** The header fields as received; the dict is made from them on first use. */
  fields: HeaderFields;
  url: string;
  request: PreparedRequest;
  elapsed: number;
  body: BodyQueue;
  streaming: boolean;
}

/** An HTTP response (and what an error's `response` is). */
export class Response implements ErrorResponse {
  /** The status code, e.g. 200. */
  readonly status_code: number;
  /** The reason phrase, e.g. "OK". */
  readonly reason: string;
  /** "1.0" or "1.1". */
  readonly http_version: string;
  readonly #fields: HeaderFields;
  #headers: ProxiedDict | undefined;
  /** The final URL of the response. */
  readonly url: string;
  /** The request this is the response to. */
  readonly request: PreparedRequest;
  readonly #elapsed: number;
  /** Responses of the redirects that led here, oldest first (never this one). */
  history: Response[] = [];
  /** Trailer fields of a chunked body, when the server sent any. */
  trailers: ProxiedDict | undefined;
  readonly #body: BodyQueue;
  readonly #streaming: boolean;
  #content: Uint8Array | undefined;
  #encoding: string | undefined;
  #encodingSet = false;
  #consumed = false;

  constructor(init: ResponseInit) {
    this.status_code = init.status;
    this.reason = init.reason;
    this.http_version = init.httpVersion;
    this.#fields = init.fields;
    this.url = init.url;
    this.request = init.request;
    this.#elapsed = init.elapsed;
    this.#body = init.body;
    this.#streaming = init.streaming;
  }

  /** Sets the whole body (buffered responses). @internal */
  _setContent(content: Uint8Array): void {
    this.#content = content;
    this.#consumed = true;
  }

  /** Every value of a field, as received (Set-Cookie fields are never joined). @internal */
  _fieldValues(lowerName: string): readonly string[] {
    if (this.#fields.indexOf(lowerName) < 0) return NONE;
    const out: string[] = [];
    for (const [name, value] of this.#fields.entries()) if (name.toLowerCase() === lowerName) out.push(value);
    return out;
  }

  /** The cookies this response set (its Set-Cookie fields), as a jar. */
  get cookies(): RequestsCookieJar {
    const jar = new RequestsCookieJar();
    const values = this._fieldValues("set-cookie");
    if (values.length > 0) jar._extract(this.request._url, values);
    return jar;
  }

  /** Response headers; case-insensitive, also by bracket: `r.headers['content-type']`. */
  get headers(): ProxiedDict {
    if (this.#headers === undefined) this.#headers = CaseInsensitiveDict._fromReceived(this.#fields);
    return this.#headers;
  }

  /** Time from sending the request to receiving the head. */
  get elapsed(): Elapsed {
    return new Elapsed(this.#elapsed);
  }

  /** True for status codes below 400. */
  get ok(): boolean {
    return this.status_code < 400;
  }

  /** A redirect with a Location to follow. */
  get is_redirect(): boolean {
    return REDIRECT_CODES.has(this.status_code) && this.headers.has("location");
  }

  /** A permanent redirect (301, 308) with a Location. */
  get is_permanent_redirect(): boolean {
    return (this.status_code === 301 || this.status_code === 308) && this.headers.has("location");
  }

  /**
   * The text encoding: the Content-Type charset, else requests' defaults (ISO-8859-1 for text/*,
   * UTF-8 for JSON). Settable, as in requests.
   */
  get encoding(): string | undefined {
    if (!this.#encodingSet) {
      // read from the fields as received: the headers dict is not made for this
      const type = this.#headers === undefined ? this.#fields.get("content-type") : this.#headers.get("content-type");
      this.#encoding = encodingFromContentType(type);
      this.#encodingSet = true;
    }
    return this.#encoding;
  }

  set encoding(value: string | undefined) {
    this.#encoding = value;
    this.#encodingSet = true;
  }

  /** The encoding guessed from the body when none is declared (UTF-8 or ISO-8859-1). */
  get apparent_encoding(): string {
    const bytes = this.content;
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      return "utf-8";
    } catch {
      return "ISO-8859-1";
    }
  }

  /** The body as bytes (decompressed). For `stream: true`, only after `await r.read()`. */
  get content(): Uint8Array {
    if (this.#content !== undefined) return this.#content;
    if (this.#consumed) {
      throw new StreamConsumedError("the body was already read with iter_content()/iter_lines()", {
        request: this.request,
        response: this,
      });
    }
    throw new RequestException("the body of a streamed response is not read yet: call `await r.read()` first", {
      request: this.request,
      response: this,
    });
  }

  /** The body decoded with `encoding` (or `apparent_encoding`). */
  get text(): string {
    const bytes = this.content;
    return decodeText(bytes, this.encoding ?? this.apparent_encoding);
  }

  /** The body parsed as JSON; JSONDecodeError if it is not JSON. */
  json<T = unknown>(): T {
    const text = this.encoding === undefined ? decodeText(this.content, "utf-8") : this.text;
    try {
      return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as T;
    } catch (err) {
      throw new JSONDecodeError(`the response body is not valid JSON: ${(err as Error).message}`, {
        request: this.request,
        response: this,
        cause: err,
      });
    }
  }

  /** Raises HTTPError for a 4xx or 5xx status. */
  raise_for_status(): void {
    const s = this.status_code;
    let kind: string | undefined;
    if (s >= 400 && s < 500) kind = "Client Error";
    else if (s >= 500 && s < 600) kind = "Server Error";
    if (kind !== undefined) {
      throw new HTTPError(`${s} ${kind}: ${this.reason} for url: ${this.url}`, {
        request: this.request,
        response: this,
      });
    }
  }

  /** The Link header parsed, keyed by `rel` (or by URL when a link has no rel). */
  get links(): Record<string, Link> {
    const out: Record<string, Link> = {};
    const value = this.headers.get("link");
    if (value === undefined) return out;
    for (const link of parseLinks(value)) out[link.rel ?? link.url] = link;
    return out;
  }

  /** Reads the rest of a streamed body; afterwards `content`, `text` and `json()` work. */
  async read(): Promise<Uint8Array> {
    if (this.#content !== undefined) return this.#content;
    if (this.#consumed)
      throw new StreamConsumedError("the body was already read", { request: this.request, response: this });
    this.#consumed = true;
    const parts: Uint8Array[] = [];
    for await (const c of this.#body.chunks()) parts.push(c);
    this.#content = concat(parts);
    return this.#content;
  }

  /**
   * The body in pieces of `chunk_size` bytes (the last may be shorter), or as they arrive when
   * `chunk_size` is omitted. Unlike requests (which defaults to 1 byte), the default is
   * "as received".
   */
  async *iter_content(chunk_size?: number | null): AsyncGenerator<Uint8Array, void, undefined> {
    let source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
    if (this.#content !== undefined) {
      source = [this.#content];
    } else {
      if (this.#consumed)
        throw new StreamConsumedError("the body was already read", { request: this.request, response: this });
      this.#consumed = true;
      source = this.#body.chunks();
    }
    if (chunk_size === undefined || chunk_size === null) {
      for await (const c of source) yield c;
      return;
    }
    if (!Number.isInteger(chunk_size) || chunk_size <= 0) {
      throw new TypeError(`chunk_size must be a positive integer, got ${chunk_size}`);
    }
    let pending: Uint8Array[] = [];
    let size = 0;
    for await (let c of source) {
      while (size + c.length >= chunk_size) {
        const take = chunk_size - size;
        pending.push(c.subarray(0, take));
        yield concat(pending);
        pending = [];
        size = 0;
        c = c.subarray(take);
      }
      if (c.length > 0) {
        pending.push(c);
        size += c.length;
      }
    }
    if (size > 0) yield concat(pending);
  }

  /**
   * The body line by line, without line endings (\n, \r\n). Bytes by default; strings with
   * `decode_unicode: true` (decoded with `encoding`, else UTF-8).
   */
  iter_lines(options: {
    chunk_size?: number;
    decode_unicode: true;
    delimiter?: string;
  }): AsyncGenerator<string, void, undefined>;
  iter_lines(options?: {
    chunk_size?: number;
    decode_unicode?: false;
    delimiter?: string;
  }): AsyncGenerator<Uint8Array, void, undefined>;
  async *iter_lines(
    options: { chunk_size?: number; decode_unicode?: boolean; delimiter?: string } = {},
  ): AsyncGenerator<Uint8Array | string, void, undefined> {
    const delimiter = options.delimiter === undefined ? undefined : new TextEncoder().encode(options.delimiter);
    const decode = options.decode_unicode === true;
    const encoding = this.encoding ?? "utf-8";
    const emit = (line: Uint8Array): Uint8Array | string => (decode ? decodeText(line, encoding) : line);
    let carry: Uint8Array = new Uint8Array(0);
    for await (const chunk of this.iter_content(options.chunk_size)) {
      let buf = carry.length === 0 ? chunk : concat([carry, chunk]);
      let start = 0;
      for (;;) {
        const at = delimiter === undefined ? buf.indexOf(10, start) : indexOfBytes(buf, delimiter, start);
        if (at < 0) break;
        let end = at;
        if (delimiter === undefined && end > start && buf[end - 1] === 13) end--;
        yield emit(buf.subarray(start, end));
        start = at + (delimiter === undefined ? 1 : delimiter.length);
      }
      buf = buf.subarray(start);
      carry = buf.slice();
    }
    if (carry.length > 0) {
      const end = delimiter === undefined && carry[carry.length - 1] === 13 ? carry.length - 1 : carry.length;
      yield emit(carry.subarray(0, end));
    }
  }

  /** Releases the connection: an unread streamed body is abandoned (the connection is closed). */
  close(): void {
    if (this.#content !== undefined && !this.#streaming) return;
    if (!this.#body.done) this.#body.abandon("response closed");
  }

  toString(): string {
    return `<Response [${this.status_code}]>`;
  }
}

function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0] as number;
  for (let i = hay.indexOf(first, from); i >= 0 && i + needle.length <= hay.length; i = hay.indexOf(first, i + 1)) {
    let ok = true;
    for (let k = 1; k < needle.length; k++) {
      if (hay[i + k] !== needle[k]) {
        ok = false;
        break;
      }
    }
    if (ok) return i;
  }
  return -1;
}
