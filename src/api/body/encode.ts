// Request bodies encoded as Python requests encodes them: forms with urlencode(doseq=True), json
// with json.dumps(allow_nan=False), bytes, Blobs and streams as they are (files: multipart.ts).
// Web-standard APIs only. Loaded with the first request that has a data= or json= body.
import { pythonJson } from "../../core/json.js";
import type { BlobLike, ReadableStreamLike } from "../../platform-types.js";
import { encodeParams, type FormFields } from "./params.js";

/** The content of a file part. */
export type FileContent =
  | string
  | ArrayBuffer
  | ArrayBufferView
  | BlobLike
  | AsyncIterable<Uint8Array>
  | ReadableStreamLike<Uint8Array>;

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
  | BlobLike
  | FormFields
  | AsyncIterable<Uint8Array | string>
  | ReadableStreamLike<Uint8Array>
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
export const utf8 = new TextEncoder();
const EMPTY: PreparedBody = Object.freeze({ body: null, length: 0, contentType: undefined, replayable: true });

/**
 * A form body: the fields encoded as by {@link encodeParams}, with its content type.
 * @example encodeForm({ a: "1" }) // { body: bytes of "a=1", contentType: "application/x-www-form-urlencoded" }
 */
export function encodeForm(data: FormFields): { body: Uint8Array; contentType: string } {
  return { body: utf8.encode(encodeParams(data)), contentType: FORM };
}

enum Finite {
  Yes = 0,
  No = 1,
  Unknown = 2,
}

/**
 * Whether every number JSON.stringify would write of `value` is finite, looking at plain data
 * only: a toJSON method, a Number object or a deep nesting is Unknown (the replacer decides).
 */
function finiteness(value: unknown, depth: number): Finite {
  if (typeof value === "number") return Number.isFinite(value) ? Finite.Yes : Finite.No;
  if (value === null || typeof value !== "object") return Finite.Yes;
  if (depth > 64 || value instanceof Number || typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return Finite.Unknown;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const f = finiteness(value[i], depth + 1);
      if (f !== Finite.Yes) return f;
    }
    return Finite.Yes;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const f = finiteness((value as Record<string, unknown>)[key], depth + 1);
    if (f !== Finite.Yes) return f;
  }
  return Finite.Yes;
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
    // A replacer takes JSON.stringify off its fast path (several times slower). NaN and ±Infinity
    // come out as null: an output without one had none; with one, the value is walked for them,
    // and only where the walk cannot tell (toJSON, Number objects) does the replacer run.
    json = JSON.stringify(value);
    if (json?.includes("null") && finiteness(value, 0) !== Finite.Yes) json = JSON.stringify(value, finiteOnly);
  } catch (err) {
    throw new TypeError(`Cannot encode the value as JSON: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  if (json === undefined) throw new TypeError(`Cannot encode ${typeof value} as JSON`);
  return { body: pythonJson(json), contentType: "application/json" };
}

// ---- streams and blobs -------------------------------------------------------------------------

export function isBlob(value: unknown): value is Blob {
  return typeof Blob !== "undefined" && value instanceof Blob;
}

function isReadableStream(value: object): value is ReadableStream<unknown> {
  return typeof (value as ReadableStream).getReader === "function";
}

export function toBytes(chunk: unknown): Uint8Array {
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

export type Stream = ReadableStream<unknown> | AsyncIterable<unknown>;

export function isStream(value: object): value is Stream {
  return isReadableStream(value) || Symbol.asyncIterator in value;
}

export function readAny(source: Stream | Blob): AsyncGenerator<Uint8Array> {
  if (isBlob(source)) return readStream(source.stream());
  return isReadableStream(source) ? readStream(source) : readIterable(source);
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
