// HTTP/1.1 as the mock server side sees it, bytes only: requests read from what reqwire writes
// (request line, header fields, a body framed by Content-Length or chunked), and responses written
// as bytes (status line, fields, chunk frames). No I/O: the mock socket (socket.ts) moves the bytes.

import { concat } from "../api/body/queue.js";

/** One request as read from the wire. */
export interface WireRequest {
  method: string;
  /** The request-target as sent: origin-form (`/path?q`) or, to a forward proxy, absolute-form. */
  target: string;
  /** Header fields in order, names as sent. */
  fields: Array<[string, string]>;
  /** The body, de-chunked. */
  body: Uint8Array;
  /** Every byte of the request as it was sent (head, body and its framing). */
  raw: Uint8Array;
}

/** reqwire wrote something that is not an HTTP/1.1 request (a bug the mock reports, never hides). */
export class WireError extends Error {
  constructor(message: string) {
    super(`reqwire/testing: malformed request: ${message}`);
    this.name = "WireError";
  }
}

const CR = 13;
const LF = 10;
const EMPTY = new Uint8Array(0);

enum State {
  Head = 0,
  Fixed = 1, // a body of known length
  Size = 2, // a chunk-size line
  Data = 3, // chunk data
  DataEnd = 4, // the CRLF after chunk data
  Trailers = 5, // trailer fields, up to an empty line
}

interface Head {
  method: string;
  target: string;
  fields: Array<[string, string]>;
}

function latin1(bytes: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i += 4096) {
    s += String.fromCharCode(...bytes.subarray(i, Math.min(to, i + 4096)));
  }
  return s;
}

/** The header fields' value of `name` (lowercase), repeated fields joined with ", ". */
function fieldValue(fields: Array<[string, string]>, name: string): string | undefined {
  let value: string | undefined;
  for (const [n, v] of fields) {
    if (n.toLowerCase() === name) value = value === undefined ? v : `${value}, ${v}`;
  }
  return value;
}

function parseHead(text: string): Head {
  const lines = text.split("\r\n");
  const requestLine = lines[0] as string;
  const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.[01]$/.exec(requestLine);
  if (m === null) throw new WireError(`request line ${JSON.stringify(requestLine)}`);
  const fields: Array<[string, string]> = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new WireError(`header line ${JSON.stringify(line)}`);
    fields.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return { method: m[1] as string, target: m[2] as string, fields };
}

/**
 * Reads requests from the bytes a client writes, in any pieces: `push` the bytes, then take each
 * complete request with `next`.
 */
export class RequestReader {
  #data = new Uint8Array(4096);
  /** Bytes held: [0, #len). The current request starts at 0. */
  #len = 0;
  /** Where parsing goes on. */
  #pos = 0;
  #state = State.Head;
  #head: Head | undefined;
  #body: Uint8Array[] = [];
  /** Bytes of the fixed body or of the chunk still to come. */
  #left = 0;

  /** Adds bytes the client wrote (copied: the writer may reuse its array). */
  push(bytes: Uint8Array): void {
    const need = this.#len + bytes.length;
    if (need > this.#data.length) {
      const grown = new Uint8Array(Math.max(need, this.#data.length * 2));
      grown.set(this.#data.subarray(0, this.#len));
      this.#data = grown;
    }
    this.#data.set(bytes, this.#len);
    this.#len = need;
  }

  /** Whether bytes of an unfinished request are held. */
  get partial(): boolean {
    return this.#len > 0;
  }

  /** The next complete request, or undefined until more bytes come. @throws WireError */
  next(): WireRequest | undefined {
    for (;;) {
      switch (this.#state) {
        case State.Head: {
          // empty lines before a request line are skipped (RFC 9112 §2.2)
          while (this.#pos === 0 && this.#len > 0 && (this.#data[0] === CR || this.#data[0] === LF)) this.#drop(1);
          const end = this.#find("\r\n\r\n", Math.max(0, this.#pos - 3));
          if (end < 0) {
            this.#pos = this.#len;
            return undefined;
          }
          const head = parseHead(latin1(this.#data, 0, end));
          this.#head = head;
          this.#pos = end + 4;
          const te = fieldValue(head.fields, "transfer-encoding");
          const cl = fieldValue(head.fields, "content-length");
          if (te !== undefined) {
            if (!/(?:^|,)\s*chunked\s*$/i.test(te)) throw new WireError(`Transfer-Encoding ${te}`);
            this.#state = State.Size;
          } else if (cl !== undefined) {
            if (!/^\d+$/.test(cl)) throw new WireError(`Content-Length ${cl}`);
            this.#left = Number(cl);
            this.#state = State.Fixed;
          } else {
            return this.#complete();
          }
          break;
        }
        case State.Fixed: {
          const n = Math.min(this.#left, this.#len - this.#pos);
          this.#take(n);
          if (this.#left > 0) return undefined;
          return this.#complete();
        }
        case State.Size: {
          const eol = this.#find("\r\n", this.#pos);
          if (eol < 0) return undefined;
          const line = latin1(this.#data, this.#pos, eol);
          const size = /^([0-9A-Fa-f]{1,12})[ \t]*(?:;.*)?$/.exec(line);
          if (size === null) throw new WireError(`chunk size ${JSON.stringify(line)}`);
          this.#left = Number.parseInt(size[1] as string, 16);
          this.#pos = eol + 2;
          this.#state = this.#left === 0 ? State.Trailers : State.Data;
          break;
        }
        case State.Data: {
          this.#take(Math.min(this.#left, this.#len - this.#pos));
          if (this.#left > 0) return undefined;
          this.#state = State.DataEnd;
          break;
        }
        case State.DataEnd: {
          if (this.#len - this.#pos < 2) return undefined;
          if (this.#data[this.#pos] !== CR || this.#data[this.#pos + 1] !== LF) {
            throw new WireError("no CRLF after chunk data");
          }
          this.#pos += 2;
          this.#state = State.Size;
          break;
        }
        case State.Trailers: {
          const eol = this.#find("\r\n", this.#pos);
          if (eol < 0) return undefined;
          const empty = eol === this.#pos;
          this.#pos = eol + 2;
          if (empty) return this.#complete();
          break;
        }
      }
    }
  }

  /** Index of `pattern` (ASCII) in the held bytes from `from`, or -1. */
  #find(pattern: string, from: number): number {
    const d = this.#data;
    const first = pattern.charCodeAt(0);
    outer: for (let i = from; i + pattern.length <= this.#len; i++) {
      if (d[i] !== first) continue;
      for (let j = 1; j < pattern.length; j++) if (d[i + j] !== pattern.charCodeAt(j)) continue outer;
      return i;
    }
    return -1;
  }

  /** Takes `n` body bytes at the parse position. */
  #take(n: number): void {
    if (n === 0) return;
    this.#body.push(this.#data.slice(this.#pos, this.#pos + n));
    this.#pos += n;
    this.#left -= n;
  }

  /** Forgets the first `n` bytes held. */
  #drop(n: number): void {
    this.#data.copyWithin(0, n, this.#len);
    this.#len -= n;
    this.#pos = Math.max(0, this.#pos - n);
  }

  #complete(): WireRequest {
    const head = this.#head as Head;
    const raw = this.#data.slice(0, this.#pos);
    const body = concat(this.#body);
    this.#drop(this.#pos);
    this.#pos = 0;
    this.#head = undefined;
    this.#body = [];
    this.#state = State.Head;
    return { method: head.method, target: head.target, fields: head.fields, body, raw };
  }
}

/** `text` as Latin-1 bytes (what a header field carries). @throws TypeError beyond U+00FF */
function latin1Bytes(text: string, what: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff)
      throw new TypeError(`reqwire/testing: ${what} has a character beyond Latin-1: ${JSON.stringify(text)}`);
    out[i] = c;
  }
  return out;
}

/** A response head: status line, the fields in order, the empty line. */
export function responseHead(
  status: number,
  reason: string,
  fields: ReadonlyArray<readonly [string, string]>,
): Uint8Array {
  let text = `HTTP/1.1 ${status} ${reason}\r\n`;
  for (const [name, value] of fields) text += `${name}: ${value}\r\n`;
  return latin1Bytes(`${text}\r\n`, "a response header");
}

const CRLF = new Uint8Array([CR, LF]);

/** One chunk of a chunked body: size line, data, CRLF (an empty `data` gives nothing: it would end the body). */
export function chunkFrame(data: Uint8Array): Uint8Array {
  if (data.length === 0) return EMPTY;
  const size = latin1Bytes(`${data.length.toString(16)}\r\n`, "a chunk size");
  return concat([size, data, CRLF]);
}

/** The last chunk of a chunked body, without trailers. */
export const LAST_CHUNK: Uint8Array = latin1Bytes("0\r\n\r\n", "the last chunk");
