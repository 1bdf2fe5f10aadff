// ResponseParser: the engine's response parser, driven from JS. No I/O.
//
//   const p = new ResponseParser();
//   p.expect();                       // a request was sent; its response comes next
//   p.feed(chunk);                    // bytes from the socket, as they come
//   for (let ev = p.next(); ev !== ParserEvent.NeedMore; ev = p.next()) {
//     if (ev === ParserEvent.Head) use(p.statusCode, p.headers);
//     else if (ev === ParserEvent.Body) use(p.body);      // a view into `chunk`, no copy
//     else if (ev === ParserEvent.Done) break;
//   }
//
// Each chunk is copied into wasm memory at most once; body bytes the parser does not need to
// see (the rest of a Content-Length body or of a chunk) are not copied at all.

import { ParseError } from "../errors.js";
import { type EngineExports, instantiateEngine } from "./engine.js";
import { FieldSection } from "./fields.js";
import {
  DEFAULT_CHUNK_EXTENSION_BYTES,
  DEFAULT_HEAD_BYTES,
  DEFAULT_HEADER_COUNT,
  DEFAULT_TRAILER_BYTES,
  ERR_INVALID_STATE,
  EV_BODY,
  EV_DONE,
  EV_ERROR,
  EV_HEAD,
  EV_NEED_MORE,
  EV_TRAILERS,
  EV_UPGRADE,
  EXPECT_CONNECT,
  EXPECT_HEAD,
  F_CHUNKED,
  F_CONTENT_LENGTH,
  F_INFORMATIONAL,
  F_KEEP_ALIVE,
  F_NO_BODY,
  F_READ_TO_CLOSE,
  F_UPGRADE,
  LIMIT_CHUNK_EXTENSION_BYTES,
  LIMIT_HEAD_BYTES,
  LIMIT_HEADER_COUNT,
  LIMIT_TRAILER_BYTES,
  R_ERROR,
  R_ERROR_POS,
  R_FLAGS,
  R_HEADER_COUNT,
  R_HEADER_TABLE,
  R_I32_SLOTS,
  R_INPUT_CAP,
  R_INPUT_PTR,
  R_POS,
  R_REASON_LEN,
  R_REASON_OFF,
  R_SECTION_ASCII,
  R_SECTION_LEN,
  R_SECTION_PTR,
  R_SPAN_COUNT,
  R_SPAN_TABLE,
  R_STATUS,
  R_VERSION,
  RF_BLIND,
  RF_BODY_BYTES,
  RF_CONTENT_LENGTH,
  RF_F64_SLOTS,
} from "./generated/constants.js";
import { decodeSection } from "./latin1.js";

/** What ResponseParser.next() found. */
export const ParserEvent = {
  /** Everything fed so far is parsed: feed the next chunk (or call finish() at EOF). */
  NeedMore: EV_NEED_MORE,
  /** A head is complete: statusCode, reason, headers, flags are set. Informational (1xx) heads come too. */
  Head: EV_HEAD,
  /** `body` holds the next piece of the body. */
  Body: EV_BODY,
  /** The trailer section of a chunked body is complete: `trailers` is set. */
  Trailers: EV_TRAILERS,
  /** The response is complete. Call expect() before the next one. */
  Done: EV_DONE,
  /** The connection now belongs to another protocol (101, or 2xx to CONNECT): see `upgradeOffset`. */
  Upgrade: EV_UPGRADE,
} as const;
export type ParserEvent = (typeof ParserEvent)[keyof typeof ParserEvent];

/** Limits of the parser. Exceeding one is a ParseError. */
export interface ParserLimits {
  /**
   * Bytes of a response head: status line, fields and the blank line, plus any empty lines
   * skipped before the status line.
   * @default 16384
   */
  maxHeadBytes?: number;
  /**
   * Fields in a head, and in a trailer section.
   * @default 128
   */
  maxHeaderCount?: number;
  /**
   * Chunk-extension bytes over a whole chunked body.
   * @default 16384
   */
  maxChunkExtensionBytes?: number;
  /**
   * Bytes of a trailer section.
   * @default 16384
   */
  maxTrailerBytes?: number;
}

/** What the request was, as far as its response's framing depends on it. */
export interface ExpectOptions {
  /** The request was HEAD: the response has no body whatever its headers say. */
  head?: boolean;
  /** The request was CONNECT: a 2xx response opens a tunnel. */
  connect?: boolean;
}

/** The largest piece of a chunk copied into wasm memory at once. */
const MAX_FEED = 65536;
/**
 * Inside a chunked body, at a chunk boundary, only this much is copied in: enough for the size
 * line (and for small chunks, several of them). The data of a large chunk is then passed by
 * (parser_skip) without ever being copied.
 */
const CHUNK_WINDOW = 512;
const EMPTY = new Uint8Array(0);
const NONE = -1;

export class ResponseParser {
  readonly #x: EngineExports;
  #u8!: Uint8Array;
  #i32!: Int32Array; // the result block's i32 slots
  #mem32!: Int32Array; // all of memory, for the span and header tables
  #f64!: Float64Array;
  readonly #resultI32: number;
  readonly #resultF64: number;

  #chunk: Uint8Array = EMPTY;
  #chunkPos = 0; // next byte of #chunk not yet given to the engine
  #copyBase = 0; // offset in #chunk of the engine's current feed
  #engineHasInput = false;
  #inChunkedBody = false; // between the head of a chunked response and its end
  #spanIndex = 0;
  #spanCount = 0;
  #pending = NONE;
  #streamBase = 0; // bytes of the chunks before #chunk

  #head: FieldSection = new FieldSection();
  #trailers: FieldSection | undefined;
  #reasonOff = 0;
  #reasonLen = 0;
  #reason: string | undefined;

  /** Status code of the last head. */
  statusCode = 0;
  /** HTTP minor version of the last head (0 or 1). */
  versionMinor = 1;
  /** F_* flags of the last head. */
  flags = 0;
  /** Content-Length of the last head, or -1. */
  contentLength = -1;
  /** After a Body event: the piece of body, a view into the chunk that was fed. */
  body: Uint8Array = EMPTY;
  /** After an Upgrade event: offset in the current chunk where the other protocol's bytes start. */
  upgradeOffset = -1;

  constructor(limits: ParserLimits = {}) {
    this.#x = instantiateEngine();
    const base = this.#x.result_ptr();
    this.#resultI32 = base >> 2;
    this.#resultF64 = (base + R_I32_SLOTS * 4) >> 3;
    this.#refreshViews();
    this.#setLimit(LIMIT_HEAD_BYTES, limits.maxHeadBytes, DEFAULT_HEAD_BYTES);
    this.#setLimit(LIMIT_CHUNK_EXTENSION_BYTES, limits.maxChunkExtensionBytes, DEFAULT_CHUNK_EXTENSION_BYTES);
    this.#setLimit(LIMIT_TRAILER_BYTES, limits.maxTrailerBytes, DEFAULT_TRAILER_BYTES);
    this.#setLimit(LIMIT_HEADER_COUNT, limits.maxHeaderCount, DEFAULT_HEADER_COUNT);
  }

  #setLimit(which: number, value: number | undefined, fallback: number): void {
    if (value === undefined || value === fallback) return;
    if (!Number.isInteger(value) || this.#x.parser_set_limit(which, value) !== 0) {
      throw new RangeError(`invalid parser limit: ${value}`);
    }
    this.#refreshViews();
  }

  #refreshViews(): void {
    const buffer = this.#x.memory.buffer;
    this.#u8 = new Uint8Array(buffer);
    this.#i32 = new Int32Array(buffer, this.#resultI32 << 2, R_I32_SLOTS);
    this.#mem32 = new Int32Array(buffer);
    this.#f64 = new Float64Array(buffer, this.#resultF64 << 3, RF_F64_SLOTS);
  }

  #r(slot: number): number {
    return this.#i32[slot] as number;
  }

  /** Arms the parser for the response to the request just sent. */
  expect(options?: ExpectOptions): void {
    const flags = (options?.head ? EXPECT_HEAD : 0) | (options?.connect ? EXPECT_CONNECT : 0);
    const err = this.#x.parser_expect(flags);
    if (err !== 0) throw new ParseError(err, this.#offsetHere());
    this.upgradeOffset = -1;
  }

  /** Gives the parser the next chunk. The previous one must be consumed (next() said NeedMore). */
  feed(chunk: Uint8Array): void {
    if (this.#chunkPos < this.#chunk.length || this.#engineHasInput || this.#spanIndex < this.#spanCount) {
      throw new ParseError(ERR_INVALID_STATE, this.#offsetHere());
    }
    this.#streamBase += this.#chunk.length;
    this.#chunk = chunk;
    this.#chunkPos = 0;
    this.#pending = NONE;
  }

  /** Parses up to the next event. Throws ParseError on bytes that break HTTP/1.1. */
  next(): ParserEvent {
    for (;;) {
      if (this.#spanIndex < this.#spanCount) {
        const t = (this.#r(R_SPAN_TABLE) >> 2) + (this.#spanIndex << 1);
        const off = this.#copyBase + (this.#mem32[t] as number);
        this.body = this.#view(off, this.#mem32[t + 1] as number);
        this.#spanIndex++;
        return EV_BODY as ParserEvent;
      }
      let ev = this.#pending;
      if (ev !== NONE) {
        this.#pending = NONE;
        return this.#settle(ev);
      }
      if (this.#engineHasInput) {
        ev = this.#x.parser_next();
      } else {
        const left = this.#chunk.length - this.#chunkPos;
        if (left === 0) return EV_NEED_MORE as ParserEvent;
        const blind = this.#f64[RF_BLIND] as number;
        if (blind > 0) {
          const n = Math.min(blind, left);
          this.body = this.#view(this.#chunkPos, n);
          this.#chunkPos += n;
          const after = this.#x.parser_skip(n);
          if (after !== EV_NEED_MORE) this.#pending = after;
          return EV_BODY as ParserEvent;
        }
        ev = this.#feedEngine(left);
      }
      const spans = this.#r(R_SPAN_COUNT);
      if (ev === EV_NEED_MORE) this.#engineHasInput = false;
      if (spans > 0) {
        this.#spanIndex = 0;
        this.#spanCount = spans;
        // NeedMore and a full span table (Body) need no event of their own after the spans.
        this.#pending = ev === EV_NEED_MORE || ev === EV_BODY ? NONE : ev;
        continue;
      }
      if (ev !== EV_NEED_MORE) return this.#settle(ev);
    }
  }

  /** The peer closed the connection. Returns Done when that ends a read-to-close body. */
  finish(): ParserEvent {
    if (this.#chunkPos < this.#chunk.length || this.#engineHasInput || this.#spanIndex < this.#spanCount) {
      throw new ParseError(ERR_INVALID_STATE, this.#offsetHere());
    }
    return this.#settle(this.#x.parser_finish());
  }

  /** Forgets the current message and any error, to reuse the parser. */
  reset(): void {
    this.#x.parser_reset();
    this.#streamBase = 0;
    this.#chunk = EMPTY;
    this.#chunkPos = 0;
    this.#engineHasInput = false;
    this.#inChunkedBody = false;
    this.#spanIndex = 0;
    this.#spanCount = 0;
    this.#pending = NONE;
  }

  #feedEngine(left: number): number {
    const n = Math.min(left, this.#inChunkedBody ? CHUNK_WINDOW : MAX_FEED);
    if (n > this.#r(R_INPUT_CAP)) {
      const err = this.#x.parser_reserve(n);
      if (err !== 0) throw new ParseError(err, this.#offsetHere());
      this.#refreshViews();
    }
    const start = this.#chunkPos;
    this.#u8.set(n === this.#chunk.length ? this.#chunk : this.#chunk.subarray(start, start + n), this.#r(R_INPUT_PTR));
    this.#copyBase = start;
    this.#chunkPos = start + n;
    this.#engineHasInput = true;
    return this.#x.parser_feed(n);
  }

  #offsetHere(): number {
    return this.#streamBase + this.#chunkPos;
  }

  #settle(ev: number): ParserEvent {
    switch (ev) {
      case EV_HEAD: {
        this.statusCode = this.#r(R_STATUS);
        this.versionMinor = this.#r(R_VERSION);
        this.flags = this.#r(R_FLAGS);
        this.#inChunkedBody = (this.flags & F_CHUNKED) !== 0;
        this.contentLength = this.#f64[RF_CONTENT_LENGTH] as number;
        this.#head = this.#section();
        this.#reasonOff = this.#r(R_REASON_OFF);
        this.#reasonLen = this.#r(R_REASON_LEN);
        this.#reason = undefined;
        this.#trailers = undefined;
        break;
      }
      case EV_TRAILERS:
        this.#inChunkedBody = false;
        this.#trailers = this.#section();
        break;
      case EV_DONE:
        this.#inChunkedBody = false;
        break;
      case EV_UPGRADE:
        this.upgradeOffset = this.#copyBase + this.#r(R_POS);
        this.#chunkPos = this.#chunk.length;
        this.#engineHasInput = false;
        break;
      case EV_ERROR: {
        const code = this.#r(R_ERROR);
        const at = this.#engineHasInput ? this.#copyBase + this.#r(R_ERROR_POS) : this.#chunkPos;
        this.#engineHasInput = false;
        this.#chunkPos = this.#chunk.length;
        throw new ParseError(code, this.#streamBase + at);
      }
      default:
        break;
    }
    return ev as ParserEvent;
  }

  /**
   * The head or trailer section the engine just published, decoded straight out of wasm memory
   * into one string, and its field table copied into a plain array (both live on the JS heap:
   * a typed-array copy of either would allocate outside it, which costs more than the parse).
   */
  #section(): FieldSection {
    const ptr = this.#r(R_SECTION_PTR);
    const text = decodeSection(this.#u8, ptr, ptr + this.#r(R_SECTION_LEN), this.#r(R_SECTION_ASCII) === 1);
    const n = this.#r(R_HEADER_COUNT) << 2;
    const t = this.#r(R_HEADER_TABLE) >> 2;
    const mem32 = this.#mem32;
    const table = new Array<number>(n);
    for (let i = 0; i < n; i++) table[i] = mem32[t + i] as number;
    return new FieldSection(text, table);
  }

  /** A plain Uint8Array view of the current chunk (a Buffer's subarray would be a slower Buffer). */
  #view(off: number, len: number): Uint8Array {
    const c = this.#chunk;
    return new Uint8Array(c.buffer, c.byteOffset + off, len);
  }

  /** The reason phrase of the last head. */
  get reason(): string {
    if (this.#reason === undefined) {
      this.#reason = this.#head.text.slice(this.#reasonOff, this.#reasonOff + this.#reasonLen);
    }
    return this.#reason;
  }

  /** The header fields of the last head. */
  get headers(): FieldSection {
    return this.#head;
  }

  /** The trailer fields of the last chunked body, if it had any. */
  get trailers(): FieldSection | undefined {
    return this.#trailers;
  }

  /** "1.0" or "1.1". */
  get httpVersion(): string {
    return this.versionMinor === 0 ? "1.0" : "1.1";
  }

  /** The connection may carry another request after this response. */
  get keepAlive(): boolean {
    return (this.flags & F_KEEP_ALIVE) !== 0;
  }

  /** The body is chunked. */
  get chunked(): boolean {
    return (this.flags & F_CHUNKED) !== 0;
  }

  /** A Content-Length was given (see contentLength). */
  get hasContentLength(): boolean {
    return (this.flags & F_CONTENT_LENGTH) !== 0;
  }

  /** The head was 1xx informational (not 101): the final head is still to come. */
  get informational(): boolean {
    return (this.flags & F_INFORMATIONAL) !== 0;
  }

  /** The connection is handed over (101, or 2xx to CONNECT). */
  get upgrade(): boolean {
    return (this.flags & F_UPGRADE) !== 0;
  }

  /** The response has no body (HEAD, 1xx, 204, 304). */
  get noBody(): boolean {
    return (this.flags & F_NO_BODY) !== 0;
  }

  /** The body ends when the connection closes. */
  get readToClose(): boolean {
    return (this.flags & F_READ_TO_CLOSE) !== 0;
  }

  /** Body bytes of the current response so far. */
  get bodyBytes(): number {
    return this.#f64[RF_BODY_BYTES] as number;
  }
}
