// Request bodies and query strings, encoded as Python requests encodes them: params and forms
// with urlencode(doseq=True), json with json.dumps(allow_nan=False), files with urllib3's
// encode_multipart_formdata, Basic credentials as _basic_auth_str. Web-standard APIs only.

/** A query or form value. `null`/`undefined` are left out; booleans are written "true"/"false". */
export type ParamValue = string | number | boolean | bigint | null | undefined;

/** Form fields: an object, `[name, value]` pairs, a Map or URLSearchParams; arrays repeat the name. */
export type FormFields =
  | URLSearchParams
  | ReadonlyMap<string, ParamValue | readonly ParamValue[]>
  | ReadonlyArray<readonly [string, ParamValue | readonly ParamValue[]]>
  | Readonly<Record<string, ParamValue | readonly ParamValue[]>>;

/** Query parameters: form fields, or a string used as it is. */
export type Params = string | FormFields;

/** The content of a file part. */
export type FileContent =
  | string
  | ArrayBuffer
  | ArrayBufferView
  | Blob
  | AsyncIterable<Uint8Array>
  | ReadableStream<Uint8Array>;

/** Extra headers of a file part. */
export type PartHeaders = Readonly<Record<string, string>> | Iterable<readonly [string, string]>;

/**
 * One file: its content (named after the field, or after a File's `name`), or
 * `[filename, content, contentType?, headers?]`. A null filename sends a plain field; a null
 * content leaves the part out.
 */
export type FileValue =
  | FileContent
  | readonly [
      filename: string | null,
      content: FileContent | null,
      contentType?: string | null,
      headers?: PartHeaders | null,
    ];

/** The `files` of a request: field ⇒ file, or `[field, file]` pairs to repeat a field. */
export type FileSpec =
  | Readonly<Record<string, FileValue | null | undefined>>
  | ReadonlyArray<readonly [string, FileValue | null | undefined]>;

/** What `data` may be. */
export type RequestData =
  | string
  | ArrayBuffer
  | ArrayBufferView
  | Blob
  | FormFields
  | AsyncIterable<Uint8Array | string>
  | ReadableStream<Uint8Array>
  | Iterable<Uint8Array | string>;

/** A body ready to send. */
export interface PreparedBody {
  /** The bytes, a stream of them, or null for no body. */
  body: Uint8Array | AsyncIterable<Uint8Array> | null;
  /** Its length in bytes, or undefined when unknown (send it chunked). 0 for no body. */
  length: number | undefined;
  /** The Content-Type it implies, if any. */
  contentType: string | undefined;
  /** Whether it can be sent again (for a redirect or a retry); false for one-shot streams. */
  replayable: boolean;
}

/** A multipart/form-data body. */
export interface MultipartBody {
  /** `multipart/form-data; boundary=…` */
  contentType: string;
  /** All of it, or a one-shot stream of it when some part is a stream. */
  body: Uint8Array | AsyncIterable<Uint8Array>;
  /** The length, or undefined for a stream. */
  length: number | undefined;
}

const FORM = "application/x-www-form-urlencoded";
const utf8 = new TextEncoder();
const EMPTY: PreparedBody = Object.freeze({ body: null, length: 0, contentType: undefined, replayable: true });

// Python's quote_plus(s, safe=""): everything but A-Z a-z 0-9 _ . - ~ is %XX of its UTF-8 bytes,
// space is "+". encodeURIComponent also leaves ! ' ( ) * alone.
function quotePlus(s: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(s);
  } catch {
    throw new TypeError(`Cannot encode ${JSON.stringify(s)}: it has a lone surrogate`);
  }
  return encoded.replace(/[!'()*]|%20/g, (m) => (m === "%20" ? "+" : `%${m.charCodeAt(0).toString(16).toUpperCase()}`));
}

function scalar(name: string, value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    default:
      throw new TypeError(`The value of "${name}" must be a string, number, boolean or bigint, not ${typeof value}`);
  }
}

// Yields [name, value] for every value of `fields`, in order, arrays flattened, nullish skipped.
function* fieldPairs(fields: FormFields): Generator<[string, string]> {
  const entries: Iterable<unknown> =
    fields instanceof URLSearchParams || fields instanceof Map || Array.isArray(fields)
      ? (fields as Iterable<unknown>)
      : Object.entries(fields);
  for (const pair of entries) {
    if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError("Fields must be [name, value] pairs");
    const name = String(pair[0]);
    const value: unknown = pair[1];
    if (Array.isArray(value)) {
      for (const v of value) if (v != null) yield [name, scalar(name, v)];
    } else if (value != null) {
      yield [name, scalar(name, value)];
    }
  }
}

/**
 * The query string for `params` (without "?"), as requests writes it: UTF-8, percent-encoded
 * except A-Z a-z 0-9 `_.-~`, spaces as "+", arrays as repeated names, null/undefined left out.
 * A string is returned unchanged.
 * @throws TypeError for a value that is not a string, number, boolean or bigint.
 * @example encodeParams({ q: "a b", tag: ["x", "y"] }) // "q=a+b&tag=x&tag=y"
 */
export function encodeParams(params: Params | null | undefined): string {
  if (params == null) return "";
  if (typeof params === "string") return params;
  const parts: string[] = [];
  for (const [name, value] of fieldPairs(params)) parts.push(`${quotePlus(name)}=${quotePlus(value)}`);
  return parts.join("&");
}

/**
 * `url` with `params` added to its query (after any already there, joined by "&"), the fragment
 * kept at the end, as requests' prepare_url merges them. Nothing else in the URL is changed.
 * @example appendParams("http://h/p?a=1#top", { b: 2 }) // "http://h/p?a=1&b=2#top"
 */
export function appendParams(url: string, params: Params | null | undefined): string {
  const query = encodeParams(params);
  if (query === "") return url;
  const hash = url.indexOf("#");
  const base = hash < 0 ? url : url.slice(0, hash);
  const fragment = hash < 0 ? "" : url.slice(hash);
  const mark = base.indexOf("?");
  const joiner = mark < 0 ? "?" : mark === base.length - 1 ? "" : "&";
  return `${base}${joiner}${query}${fragment}`;
}

/**
 * A form body: the fields encoded as by {@link encodeParams}, with its content type.
 * @example encodeForm({ a: "1" }) // { body: bytes of "a=1", contentType: "application/x-www-form-urlencoded" }
 */
export function encodeForm(data: FormFields): { body: Uint8Array; contentType: string } {
  return { body: utf8.encode(encodeParams(data)), contentType: FORM };
}

// JSON.stringify's output rewritten as json.dumps writes it by default: ", " and ": " between
// items, and every character outside printable ASCII in strings as \uXXXX (ensure_ascii).
function pythonSpacing(json: string): string {
  let out = "";
  let from = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      else if (c > 0x7e) {
        out += `${json.slice(from, i)}\\u${c.toString(16).padStart(4, "0")}`;
        from = i + 1;
      }
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x2c || c === 0x3a) {
      out += `${json.slice(from, i + 1)} `;
      from = i + 1;
    }
  }
  return out + json.slice(from);
}

function finiteOnly(this: unknown, key: string, value: unknown): unknown {
  const n = typeof value === "number" ? value : value instanceof Number ? value.valueOf() : 0;
  if (!Number.isFinite(n)) {
    throw new TypeError(`Out of range float values are not JSON compliant: ${n}${key === "" ? "" : ` (at "${key}")`}`);
  }
  return value;
}

/**
 * A JSON body with the bytes requests sends for `json=` (json.dumps with allow_nan=False:
 * `{"a": 1, "b": [1, 2]}`, non-ASCII escaped as \uXXXX), in the JSON.stringify data model
 * (toJSON is honoured, undefined members are left out).
 * @throws TypeError when the value cannot be sent as JSON: undefined, a function or a symbol at
 *   the top, a BigInt, a cycle, NaN or ±Infinity.
 */
export function encodeJson(value: unknown): { body: Uint8Array; contentType: string } {
  let json: string | undefined;
  try {
    json = JSON.stringify(value, finiteOnly);
  } catch (err) {
    throw new TypeError(`Cannot encode the value as JSON: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  if (json === undefined) throw new TypeError(`Cannot encode ${typeof value} as JSON`);
  return { body: utf8.encode(pythonSpacing(json)), contentType: "application/json" };
}

// ---- streams and blobs -------------------------------------------------------------------------

function isBlob(value: unknown): value is Blob {
  return typeof Blob !== "undefined" && value instanceof Blob;
}

function isReadableStream(value: object): value is ReadableStream<unknown> {
  return typeof (value as ReadableStream).getReader === "function";
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === "string") return utf8.encode(chunk);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError(`A body stream must yield bytes or strings, not ${chunk === null ? "null" : typeof chunk}`);
}

async function* readStream(stream: ReadableStream<unknown>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      yield toBytes(next.value);
    }
    done = true;
  } finally {
    // Stopped early (the request failed or was aborted): let the source know.
    if (!done) reader.cancel().catch(() => {});
    else reader.releaseLock();
  }
}

async function* readIterable(source: AsyncIterable<unknown> | Iterable<unknown>): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) yield toBytes(chunk);
}

type Stream = ReadableStream<unknown> | AsyncIterable<unknown>;

function isStream(value: object): value is Stream {
  return isReadableStream(value) || Symbol.asyncIterator in value;
}

function readAny(source: Stream | Blob): AsyncGenerator<Uint8Array> {
  if (isBlob(source)) return readStream(source.stream());
  return isReadableStream(source) ? readStream(source) : readIterable(source);
}

// ---- multipart ---------------------------------------------------------------------------------

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BOUNDARY = /^[0-9A-Za-z'()+_,./:=?-]{1,70}$/;

function checkHeader(name: string, value: string): void {
  if (!TOKEN.test(name)) throw new TypeError(`Invalid part header name ${JSON.stringify(name)}`);
  if (/[\r\n\0]/.test(value)) throw new TypeError(`Invalid value of part header ${name}: it has CR, LF or NUL`);
}

// How browsers and urllib3 2 write a name or filename parameter: quoted, with " CR LF as %XX.
function param(name: string, value: string): string {
  return `; ${name}="${value.replace(/["\r\n]/g, (c) => (c === '"' ? "%22" : c === "\r" ? "%0D" : "%0A"))}"`;
}

function partHead(name: string, filename: string | null, headers: Array<[string, string]>): string {
  let head = `Content-Disposition: form-data${param("name", name)}`;
  if (filename !== null) head += param("filename", filename);
  head += "\r\n";
  for (const [k, v] of headers) if (v !== "") head += `${k}: ${v}\r\n`;
  return `${head}\r\n`;
}

// The headers of a file part in urllib3's order: Content-Type, Content-Location, then the rest.
// Content-Disposition is always generated; a contentType argument replaces a Content-Type header.
function fileHeaders(
  contentType: string | null | undefined,
  extra: PartHeaders | null | undefined,
  content: FileContent,
): Array<[string, string]> {
  let type = contentType ?? undefined;
  let location: string | undefined;
  const rest: Array<[string, string]> = [];
  const pairs = extra == null ? [] : Symbol.iterator in extra ? extra : Object.entries(extra);
  for (const [name, value] of pairs as Iterable<readonly [string, string]>) {
    checkHeader(name, value);
    const lower = name.toLowerCase();
    if (lower === "content-type") type ||= value;
    else if (lower === "content-location") location = value;
    else if (lower !== "content-disposition") rest.push([name, value]);
  }
  if (!type && isBlob(content)) type = content.type;
  const headers: Array<[string, string]> = [];
  if (type) {
    checkHeader("Content-Type", type);
    headers.push(["Content-Type", type]);
  }
  if (location) headers.push(["Content-Location", location]);
  return headers.concat(rest);
}

function contentPart(content: FileContent): Uint8Array | Blob | Stream {
  if (typeof content === "string") return utf8.encode(content);
  if (content instanceof ArrayBuffer || ArrayBuffer.isView(content) || isBlob(content)) {
    return isBlob(content) ? content : toBytes(content);
  }
  if (typeof content === "object" && content !== null && isStream(content)) return content;
  throw new TypeError("A file's content must be a string, bytes, a Blob, an AsyncIterable or a ReadableStream");
}

function concat(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function* streamParts(segments: Array<Uint8Array | Blob | Stream>): AsyncGenerator<Uint8Array> {
  for (const segment of segments) {
    if (segment instanceof Uint8Array) yield segment;
    else yield* readAny(segment);
  }
}

/**
 * A multipart/form-data body as requests builds it: the `data` fields first, then the files,
 * each part `--boundary`, Content-Disposition (name, filename), Content-Type when one is known,
 * any extra headers, then the content. The boundary is 32 random hex digits unless given.
 *
 * A file's content type is the one given, else a Content-Type in its headers, else a Blob's
 * `type`; requests sends none otherwise, and neither does this. When every part is in memory
 * (Blobs are read), the body is one Uint8Array with its length; when a part is a stream, it is a
 * one-shot async iterable and the length is undefined.
 * @throws TypeError when `files` is empty, `data` is a string (as requests refuses it), or a header
 *   or content is invalid.
 */
export async function encodeMultipart(
  files: FileSpec,
  data?: Params | null,
  options?: { boundary?: string },
): Promise<MultipartBody> {
  const fileEntries = Array.isArray(files) ? files : Object.entries(files);
  if (fileEntries.length === 0) throw new TypeError("Files must be provided");
  if (typeof data === "string") throw new TypeError("Data must not be a string when files are sent");
  let boundary = options?.boundary;
  if (boundary === undefined) {
    const random = crypto.getRandomValues(new Uint8Array(16));
    boundary = Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("");
  } else if (!BOUNDARY.test(boundary)) {
    throw new TypeError(`Invalid multipart boundary ${JSON.stringify(boundary)}`);
  }

  // Text is gathered until a part that is not a string, then flushed as one segment.
  const segments: Array<Uint8Array | Blob | Stream> = [];
  let text = "";
  let streaming = false;
  if (data != null) {
    for (const [name, value] of fieldPairs(data)) text += `--${boundary}\r\n${partHead(name, null, [])}${value}\r\n`;
  }
  for (const entry of fileEntries as Iterable<unknown>) {
    if (!Array.isArray(entry) || entry.length !== 2) throw new TypeError("Files must be [field, file] pairs");
    const field = String(entry[0]);
    const file = entry[1] as FileValue | null | undefined;
    if (file == null) continue;
    let filename: string | null;
    let content: FileContent | null | undefined;
    let headers: Array<[string, string]>;
    if (Array.isArray(file)) {
      const [fn, fc, ft, fh] = file as Extract<FileValue, readonly unknown[]>;
      if (fc == null) continue;
      filename = fn ?? null;
      content = fc;
      headers = fileHeaders(ft, fh, fc);
    } else {
      content = file as FileContent;
      const own = isBlob(content) ? (content as Blob & { name?: unknown }).name : undefined;
      filename = typeof own === "string" && own !== "" ? own : field;
      headers = fileHeaders(undefined, undefined, content);
    }
    text += `--${boundary}\r\n${partHead(field, filename, headers)}`;
    const part = contentPart(content);
    segments.push(utf8.encode(text), part);
    if (!(part instanceof Uint8Array || isBlob(part))) streaming = true;
    text = "\r\n";
  }
  segments.push(utf8.encode(`${text}--${boundary}--\r\n`));

  const contentType = `multipart/form-data; boundary=${boundary}`;
  if (streaming) return { contentType, body: streamParts(segments), length: undefined };
  const bytes: Uint8Array[] = [];
  for (const s of segments) bytes.push(s instanceof Uint8Array ? s : new Uint8Array(await (s as Blob).arrayBuffer()));
  const body = concat(bytes);
  return { contentType, body, length: body.length };
}

// ---- data= -------------------------------------------------------------------------------------

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function bytesBody(bytes: Uint8Array, contentType?: string): PreparedBody {
  if (bytes.length === 0) return EMPTY;
  return { body: bytes, length: bytes.length, contentType, replayable: true };
}

/**
 * Normalises `data=` as requests does: a string is sent as UTF-8 and bytes as they are, both with
 * no Content-Type; form fields (object, pairs, Map, URLSearchParams) are form-urlencoded; a Blob
 * is read when sent, with its `type` as Content-Type; an async iterable (a Node Readable too), a
 * ReadableStream or another iterable of chunks is streamed, its length unknown. Empty data
 * (empty string, bytes or form) is no body, as in requests.
 * @throws TypeError for anything else (FormData included: use `files` for multipart).
 */
export function bodyFromData(data: RequestData | null | undefined): PreparedBody {
  if (data == null) return EMPTY;
  if (typeof data === "string") return bytesBody(utf8.encode(data));
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return bytesBody(toBytes(data));
  if (isBlob(data)) {
    const blob = data;
    const contentType = blob.type || undefined;
    if (blob.size === 0) return { ...EMPTY, contentType };
    // Each iteration reads the Blob afresh, so the body can be sent again.
    const body = { [Symbol.asyncIterator]: () => readStream(blob.stream()) };
    return { body, length: blob.size, contentType, replayable: true };
  }
  if (typeof data !== "object") throw new TypeError(`Cannot send ${typeof data} as a body`);
  if (typeof FormData !== "undefined" && data instanceof FormData) {
    throw new TypeError("FormData cannot be sent as data: pass its fields as data and its files as files");
  }
  if (data instanceof URLSearchParams || data instanceof Map || Array.isArray(data) || isPlainObject(data)) {
    return bytesBody(encodeForm(data as FormFields).body, FORM);
  }
  if (isStream(data)) return { body: readAny(data), length: undefined, contentType: undefined, replayable: false };
  if (Symbol.iterator in data) {
    return {
      body: readIterable(data as Iterable<unknown>),
      length: undefined,
      contentType: undefined,
      replayable: false,
    };
  }
  throw new TypeError(`Cannot send ${data.constructor?.name ?? "this object"} as a body`);
}

/**
 * The Authorization value for Basic auth, as requests makes it: `Basic base64(user:pass)` with
 * the text in ISO-8859-1, or in UTF-8 when it has a character beyond U+00FF (where requests fails).
 * @example basicAuth("user", "pass") // "Basic dXNlcjpwYXNz"
 */
export function basicAuth(username: string, password: string): string {
  const text = `${username}:${password}`;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0xff) {
      const bytes = utf8.encode(text);
      let binary = "";
      for (const b of bytes) binary += String.fromCharCode(b);
      return `Basic ${btoa(binary)}`;
    }
  }
  return `Basic ${btoa(text)}`;
}
