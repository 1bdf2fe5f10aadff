// multipart/form-data bodies as urllib3's encode_multipart_formdata writes them (what requests
// sends for `files`). Loaded by prepareMultipart on the first request with files.

import {
  type FileContent,
  type FileSpec,
  type FileValue,
  isBlob,
  isStream,
  type MultipartBody,
  type PartHeaders,
  readAny,
  type Stream,
  toBytes,
  utf8,
} from "./encode.js";
import { fieldPairs, type Params } from "./params.js";
import { concat } from "./queue.js";

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
