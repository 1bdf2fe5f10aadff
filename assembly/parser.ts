// The HTTP/1.1 response parser: one state machine, sans-IO (RFC 9112).
//
// This file owns the parser's whole state; it lives in module globals, so one instance of the
// module is one parser. The host drives it with a small protocol:
//
//   parser_expect(flags)   arm for the next response (EXPECT_HEAD, EXPECT_CONNECT)
//   parser_reserve(n)      make room for n bytes at R_INPUT_PTR
//   parser_feed(n)         n bytes were written at R_INPUT_PTR; parse up to the first event
//   parser_next()          parse up to the next event
//   parser_skip(n)         the host passed n body bytes by itself (n <= RF_BLIND)
//   parser_finish()        the peer closed the connection
//
// Events (EV_*) come back as return values, with everything else in the result block. Body
// bytes are never copied: they come back as spans (offset in the current feed, length). A head
// or trailer section is always contiguous in the input area: when a feed ends inside one, its
// bytes are moved to the start of the input area and the next feed is written after them.
//
// States are named for what they read next. Section states (status line, fields) are bounded
// by the section limit; body states by the framing.

import {
  C_DIGIT,
  C_FIELD,
  C_HEX,
  C_TOKEN,
  C_WS,
  byteClass,
} from "./tables";
import {
  SPAN_PTR,
  headerCap,
  headerTable,
  inputCap,
  inputPtr,
  relayout,
  setF,
  setR,
  writerCap,
} from "./layout";
import {
  DEFAULT_CHUNK_EXTENSION_BYTES,
  DEFAULT_HEAD_BYTES,
  DEFAULT_TRAILER_BYTES,
  ERR_CHUNK_EXTENSION_TOO_LARGE,
  ERR_CHUNK_SIZE_OVERFLOW,
  ERR_CLOSED_BEFORE_RESPONSE,
  ERR_CONFLICTING_CONTENT_LENGTH,
  ERR_CONTENT_LENGTH_OVERFLOW,
  ERR_HEAD_TOO_LARGE,
  ERR_INCOMPLETE_BODY,
  ERR_INCOMPLETE_HEAD,
  ERR_INVALID_CHUNK_DATA_END,
  ERR_INVALID_CHUNK_EXTENSION,
  ERR_INVALID_CHUNK_SIZE,
  ERR_INVALID_CONTENT_LENGTH,
  ERR_INVALID_HEADER_NAME,
  ERR_INVALID_HEADER_VALUE,
  ERR_INVALID_LIMIT,
  ERR_INVALID_REASON,
  ERR_INVALID_STATE,
  ERR_INVALID_STATUS,
  ERR_INVALID_TRANSFER_ENCODING,
  ERR_INVALID_VERSION,
  ERR_LEADING_WHITESPACE,
  ERR_LF_EXPECTED,
  ERR_NONE,
  ERR_OUT_OF_MEMORY,
  ERR_TOO_MANY_HEADERS,
  ERR_TRAILERS_TOO_LARGE,
  ERR_TRANSFER_ENCODING_WITH_LENGTH,
  ERR_UNSOLICITED_RESPONSE,
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
  F_TRANSFER_ENCODING,
  F_UPGRADE,
  LIMIT_CHUNK_EXTENSION_BYTES,
  LIMIT_HEADER_COUNT,
  LIMIT_HEAD_BYTES,
  LIMIT_TRAILER_BYTES,
  MAX_HEADER_COUNT,
  MAX_SECTION_BYTES,
  R_ERROR,
  R_ERROR_POS,
  R_FLAGS,
  R_HEADER_COUNT,
  R_INPUT_CAP,
  R_INPUT_PTR,
  R_POS,
  R_REASON_LEN,
  R_REASON_OFF,
  R_SECTION_ASCII,
  R_SECTION_LEN,
  R_SECTION_PTR,
  R_SPAN_COUNT,
  R_STATUS,
  R_VERSION,
  RF_BLIND,
  RF_BODY_BYTES,
  RF_CONTENT_LENGTH,
  SPAN_CAPACITY,
} from "./constants";

// ---- bytes ----------------------------------------------------------------------------------

const HT: u32 = 9;
const LF: u32 = 10;
const CR: u32 = 13;
const SP: u32 = 32;
const H: u32 = 72;
const COMMA: u32 = 44;
const COLON: u32 = 58;
const SEMICOLON: u32 = 59;
const EQUALS: u32 = 61;
const DQUOTE: u32 = 34;
const BACKSLASH: u32 = 92;

const LIT_HTTP1 = memory.data<u8>([72, 84, 84, 80, 47, 49, 46]); // "HTTP/1."
const LIT_CONTENT_LENGTH = memory.data<u8>([99, 111, 110, 116, 101, 110, 116, 45, 108, 101, 110, 103, 116, 104]);
const LIT_TRANSFER_ENCODING = memory.data<u8>([
  116, 114, 97, 110, 115, 102, 101, 114, 45, 101, 110, 99, 111, 100, 105, 110, 103,
]);
const LIT_CONNECTION = memory.data<u8>([99, 111, 110, 110, 101, 99, 116, 105, 111, 110]);
const LIT_CHUNKED = memory.data<u8>([99, 104, 117, 110, 107, 101, 100]);
const LIT_CLOSE = memory.data<u8>([99, 108, 111, 115, 101]);
const LIT_KEEP_ALIVE = memory.data<u8>([107, 101, 101, 112, 45, 97, 108, 105, 118, 101]);

/** 2^53 - 1: the largest length a JS number holds exactly. */
const MAX_LENGTH: u64 = 9007199254740991;

// ---- states ---------------------------------------------------------------------------------

const S_IDLE: i32 = 0; // no response expected
const S_EMPTY_LINE_LF: i32 = 1; // LF of an empty line before a status line
const S_STATUS_PREFIX: i32 = 2; // "HTTP/1." (sub counts the bytes matched)
const S_STATUS_MINOR: i32 = 3; // the minor version digit
const S_STATUS_SP: i32 = 4; // SP after the version
const S_STATUS_CODE: i32 = 5; // three digits (sub counts them)
const S_STATUS_AFTER_CODE: i32 = 6; // SP before the reason, or CR
const S_REASON: i32 = 7; // reason phrase up to CR
const S_STATUS_LF: i32 = 8; // LF ending the status line
const S_LINE_START: i32 = 9; // first byte of a field line, or CR of the blank line
const S_NAME: i32 = 10; // field name up to ':'
const S_VALUE_LWS: i32 = 11; // whitespace before a field value
const S_VALUE: i32 = 12; // field value up to CR
const S_VALUE_LF: i32 = 13; // LF ending a field line
const S_SECTION_LF: i32 = 14; // LF of the blank line ending the section
const S_MESSAGE_DONE: i32 = 15; // nothing left to read; EV_DONE is next
const S_BODY_LENGTH: i32 = 16; // body delimited by Content-Length
const S_BODY_CLOSE: i32 = 17; // body delimited by the connection closing
const S_CHUNK_SIZE_START: i32 = 18; // first hex digit of a chunk size
const S_CHUNK_SIZE: i32 = 19; // more hex digits, ';' or CR
const S_CHUNK_EXT: i32 = 20; // chunk extensions up to CR
const S_CHUNK_SIZE_LF: i32 = 21; // LF ending the chunk-size line
const S_CHUNK_DATA: i32 = 22; // chunk data
const S_CHUNK_DATA_CR: i32 = 23; // CR after chunk data
const S_CHUNK_DATA_LF: i32 = 24; // LF after chunk data
const S_UPGRADED: i32 = 25; // the connection belongs to another protocol now
const S_ERROR: i32 = 26; // an error was reported; only parser_reset leaves this state

// Inside S_CHUNK_EXT (RFC 9112 §7.1.1):
//   chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ), ext-name = token,
//   ext-val = token / quoted-string
const X_BEFORE_SEMI: i32 = 0; // BWS after the size; only ';' may follow
const X_NAME_START: i32 = 1; // BWS, then the first byte of a name
const X_NAME: i32 = 2; // more of the name
const X_AFTER_NAME: i32 = 3; // BWS, then '=', ';' or CR
const X_VALUE_START: i32 = 4; // BWS, then a token or '"'
const X_TOKEN: i32 = 5; // more of a token value
const X_QUOTED: i32 = 6; // inside a quoted-string
const X_QUOTED_PAIR: i32 = 7; // the byte after a backslash
const X_AFTER_QUOTE: i32 = 8; // just after a closing '"': BWS, ';' or CR
const X_AFTER_VALUE: i32 = 9; // BWS after a value: more BWS, then ';' (BWS only comes before ';' or '=')

// ---- state ----------------------------------------------------------------------------------

let state: i32 = S_IDLE;
let pos: usize = 0; // next byte to read
let end: usize = 0; // end of the bytes fed
let feedBase: usize = 0; // where the current feed starts (offsets reported to the host)
let writePtr: usize = 0; // where the next feed goes

let expectFlags: i32 = 0;
let responseStarted: bool = false; // a byte of a status line arrived (empty lines before one do not count)

// section (head or trailers)
let inSection: bool = false;
let inTrailers: bool = false;
let secStart: usize = 0;
let secLimit: usize = 0;
let sub: i32 = 0;
let status: i32 = 0;
let versionMinor: i32 = 0;
let reasonStart: usize = 0;
let reasonLen: i32 = 0;
let fieldCount: i32 = 0;
let fieldPending: bool = false; // a complete field line waits for the next line (obs-fold)
let nameStart: usize = 0;
let nameLen: i32 = 0;
let valueStart: usize = 0;
let valueEnd: usize = 0;

// framing facts from the head
let contentLength: i64 = -1;
let teSeen: bool = false;
let chunkedCount: i32 = 0;
let lastChunked: bool = false;
let connClose: bool = false;
let connKeepAlive: bool = false;

// body
let remaining: u64 = 0; // body bytes left (Content-Length) or chunk bytes left
let chunkSize: u64 = 0;
let extBytes: i32 = 0;
let extSub: i32 = X_BEFORE_SEMI;
let bodyBytes: u64 = 0;
let spanCount: i32 = 0;

// limits
let maxHeadBytes: i32 = DEFAULT_HEAD_BYTES;
let maxChunkExtBytes: i32 = DEFAULT_CHUNK_EXTENSION_BYTES;
let maxTrailerBytes: i32 = DEFAULT_TRAILER_BYTES;

writePtr = inputPtr;
pos = inputPtr;
end = inputPtr;
feedBase = inputPtr;

// ---- helpers --------------------------------------------------------------------------------

/** Compares n bytes at p, ASCII case-folded, with a lower-case literal. */
// @ts-ignore: decorator
@inline
function eqLower(p: usize, lit: usize, n: i32): bool {
  for (let i = 0; i < n; i++) {
    if ((<u32>load<u8>(p + i) | 0x20) != <u32>load<u8>(lit + i)) return false;
  }
  return true;
}

/**
 * Marks (bit 7 of each byte) the bytes of x below 0x20 or equal to 0x7F. A mark above the lowest
 * one may be spurious (a borrow), but the lowest mark is always a real one, and there is a mark
 * whenever there is such a byte.
 */
// @ts-ignore: decorator
@inline
function controlMask(x: u64): u64 {
  const lows: u64 = 0x0101010101010101;
  const highs: u64 = 0x8080808080808080;
  const y = x ^ (lows * 0x7f);
  return (((x - lows * 0x20) & ~x) | ((y - lows) & ~y)) & highs;
}

/**
 * The first byte in [p, lim) of a field value that is a control other than HTAB, or DEL (so a
 * CR, or an error), or lim. Eight bytes at a time.
 */
// @ts-ignore: decorator
@inline
function scanValue(p: usize, lim: usize): usize {
  while (p + 8 <= lim) {
    const m = controlMask(load<u64>(p));
    if (m == 0) {
      p += 8;
      continue;
    }
    p += <usize>(ctz(m) >> 3);
    if (<u32>load<u8>(p) != HT) return p;
    p++;
  }
  while (p < lim) {
    const c = <u32>load<u8>(p);
    if ((byteClass(c) & (C_FIELD | C_WS)) == 0) return p;
    p++;
  }
  return lim;
}

/** Where a value ends once trailing whitespace before `cr` is dropped. */
// @ts-ignore: decorator
@inline
function trimValueEnd(cr: usize): usize {
  let ve = cr;
  while (ve > valueStart && isWs(<u32>load<u8>(ve - 1))) ve--;
  return ve;
}

// @ts-ignore: decorator
@inline
function isWs(c: u32): bool {
  return c == SP || c == HT;
}

function fail(code: i32, p: usize): i32 {
  state = S_ERROR;
  pos = p;
  setR(R_ERROR, code);
  setR(R_ERROR_POS, <i32>(p - feedBase));
  setR(R_SPAN_COUNT, spanCount);
  setF(RF_BLIND, 0);
  return EV_ERROR;
}

// @ts-ignore: decorator
@inline
function addSpan(p: usize, n: usize): void {
  const s = SPAN_PTR + (<usize>spanCount << 3);
  store<i32>(s, <i32>(p - feedBase));
  store<i32>(s, <i32>n, 4);
  spanCount++;
  bodyBytes += <u64>n;
}

// @ts-ignore: decorator
@inline
function blindBytes(): f64 {
  if (state == S_BODY_LENGTH || state == S_CHUNK_DATA) return <f64>remaining;
  if (state == S_BODY_CLOSE) return Infinity;
  return 0;
}

/** All input is consumed: keep an unfinished section's bytes and say where the next feed goes. */
function needMore(p: usize): i32 {
  pos = p;
  if (inSection) {
    const carry = p - secStart;
    if (secStart != inputPtr) {
      memory.copy(inputPtr, secStart, carry);
      const delta = secStart - inputPtr;
      nameStart -= delta;
      valueStart -= delta;
      valueEnd -= delta;
      reasonStart -= delta;
      secStart = inputPtr;
      secLimit -= delta;
    }
    writePtr = inputPtr + carry;
  } else {
    writePtr = inputPtr;
  }
  pos = writePtr;
  end = writePtr;
  feedBase = writePtr;
  setR(R_INPUT_PTR, <i32>writePtr);
  setR(R_INPUT_CAP, <i32>(inputPtr + <usize>inputCap - writePtr));
  setR(R_SPAN_COUNT, spanCount);
  setF(RF_BLIND, blindBytes());
  setF(RF_BODY_BYTES, <f64>bodyBytes);
  return EV_NEED_MORE;
}

// @ts-ignore: decorator
@inline
function yieldEvent(ev: i32, p: usize): i32 {
  pos = p;
  setR(R_POS, <i32>(p - feedBase));
  setR(R_SPAN_COUNT, spanCount);
  setF(RF_BLIND, 0);
  setF(RF_BODY_BYTES, <f64>bodyBytes);
  return ev;
}

function messageDone(p: usize): i32 {
  state = S_IDLE;
  inSection = false;
  return yieldEvent(EV_DONE, p);
}

function resetHead(p: usize): void {
  inSection = true;
  inTrailers = false;
  secStart = p;
  secLimit = p + <usize>maxHeadBytes;
  sub = 0;
  status = 0;
  versionMinor = 0;
  reasonStart = p;
  reasonLen = 0;
  fieldCount = 0;
  fieldPending = false;
  contentLength = -1;
  teSeen = false;
  chunkedCount = 0;
  lastChunked = false;
  connClose = false;
  connKeepAlive = false;
  state = S_STATUS_PREFIX;
}

/** Where a section state stalls: the limit is reached, or the input ends. */
function sectionStall(p: usize): i32 {
  if (p >= secLimit) return fail(inTrailers ? ERR_TRAILERS_TOO_LARGE : ERR_HEAD_TOO_LARGE, p);
  return needMore(p);
}

// ---- field values that decide framing -----------------------------------------------------

/** Content-Length: 1*DIGIT, or a list of identical values (RFC 9110 §8.6). */
function readContentLength(vs: usize, ve: usize): i32 {
  let p = vs;
  if (p == ve) return ERR_INVALID_CONTENT_LENGTH;
  while (true) {
    while (p < ve && isWs(<u32>load<u8>(p))) p++;
    const digits = p;
    let v: u64 = 0;
    while (p < ve) {
      const c = <u32>load<u8>(p);
      if ((byteClass(c) & C_DIGIT) == 0) break;
      const d = <u64>(c - 48);
      if (v > (MAX_LENGTH - d) / 10) return ERR_CONTENT_LENGTH_OVERFLOW;
      v = v * 10 + d;
      p++;
    }
    if (p == digits) return ERR_INVALID_CONTENT_LENGTH;
    if (contentLength >= 0 && <u64>contentLength != v) return ERR_CONFLICTING_CONTENT_LENGTH;
    contentLength = <i64>v;
    while (p < ve && isWs(<u32>load<u8>(p))) p++;
    if (p == ve) return ERR_NONE;
    if (<u32>load<u8>(p) != COMMA) return ERR_INVALID_CONTENT_LENGTH;
    p++;
  }
  return ERR_NONE;
}

/** Transfer-Encoding: a list of codings; only whether chunked is there, and last, matters. */
function readTransferEncoding(vs: usize, ve: usize): void {
  teSeen = true;
  let p = vs;
  while (p < ve) {
    while (p < ve && (isWs(<u32>load<u8>(p)) || <u32>load<u8>(p) == COMMA)) p++;
    if (p == ve) break;
    const s = p;
    while (p < ve && <u32>load<u8>(p) != COMMA) p++;
    let e = p;
    while (e > s && isWs(<u32>load<u8>(e - 1))) e--;
    const isChunked = e - s == 7 && eqLower(s, LIT_CHUNKED, 7);
    if (isChunked) chunkedCount++;
    lastChunked = isChunked;
  }
}

/** Connection: the close and keep-alive options. */
function readConnection(vs: usize, ve: usize): void {
  let p = vs;
  while (p < ve) {
    while (p < ve && (isWs(<u32>load<u8>(p)) || <u32>load<u8>(p) == COMMA)) p++;
    const s = p;
    while (p < ve && <u32>load<u8>(p) != COMMA) p++;
    let e = p;
    while (e > s && isWs(<u32>load<u8>(e - 1))) e--;
    const n = <i32>(e - s);
    if (n == 5 && eqLower(s, LIT_CLOSE, 5)) connClose = true;
    else if (n == 10 && eqLower(s, LIT_KEEP_ALIVE, 10)) connKeepAlive = true;
  }
}

/** Stores the pending field in the header table; head fields that decide framing are read. */
function flushField(): i32 {
  fieldPending = false;
  if (fieldCount >= <i32>headerCap) return ERR_TOO_MANY_HEADERS;
  const t = headerTable + (<usize>fieldCount << 4);
  store<i32>(t, <i32>(nameStart - secStart));
  store<i32>(t, nameLen, 4);
  store<i32>(t, <i32>(valueStart - secStart), 8);
  store<i32>(t, <i32>(valueEnd - valueStart), 12);
  fieldCount++;
  if (inTrailers) return ERR_NONE; // trailers never change framing
  if (nameLen == 14 && eqLower(nameStart, LIT_CONTENT_LENGTH, 14)) {
    return readContentLength(valueStart, valueEnd);
  }
  if (nameLen == 17 && eqLower(nameStart, LIT_TRANSFER_ENCODING, 17)) {
    readTransferEncoding(valueStart, valueEnd);
  } else if (nameLen == 10 && eqLower(nameStart, LIT_CONNECTION, 10)) {
    readConnection(valueStart, valueEnd);
  }
  return ERR_NONE;
}

/** Whether [s, e) has no byte above 0x7F (eight bytes at a time). */
function isAscii(s: usize, e: usize): bool {
  let acc: u64 = 0;
  let p = s;
  for (; p + 8 <= e; p += 8) acc |= load<u64>(p);
  for (; p < e; p++) acc |= <u64>load<u8>(p);
  return (acc & 0x8080808080808080) == 0;
}

function publishSection(p: usize): void {
  setR(R_HEADER_COUNT, fieldCount);
  setR(R_SECTION_PTR, <i32>secStart);
  setR(R_SECTION_LEN, <i32>(p - secStart));
  setR(R_SECTION_ASCII, isAscii(secStart, p) ? 1 : 0);
}

/** The blank line ending the head was read: decide framing (RFC 9112 §6.3). */
function headComplete(p: usize): i32 {
  inSection = false;
  publishSection(p);
  setR(R_STATUS, status);
  setR(R_VERSION, versionMinor);
  setR(R_REASON_OFF, <i32>(reasonStart - secStart));
  setR(R_REASON_LEN, reasonLen);
  setF(RF_CONTENT_LENGTH, contentLength >= 0 ? <f64>contentLength : -1);
  let flags = 0;
  if (contentLength >= 0) flags |= F_CONTENT_LENGTH;
  if (teSeen) flags |= F_TRANSFER_ENCODING;
  bodyBytes = 0;
  if (status < 200) {
    if (status == 101) {
      flags |= F_UPGRADE | F_NO_BODY;
      state = S_UPGRADED;
    } else {
      flags |= F_INFORMATIONAL | F_NO_BODY;
      setR(R_FLAGS, flags);
      resetHead(p);
      return yieldEvent(EV_HEAD, p);
    }
  } else if ((expectFlags & EXPECT_CONNECT) != 0 && status < 300) {
    flags |= F_UPGRADE | F_NO_BODY;
    state = S_UPGRADED;
  } else {
    if (teSeen) {
      if (chunkedCount > 1) return fail(ERR_INVALID_TRANSFER_ENCODING, p - 1);
      if (contentLength >= 0) return fail(ERR_TRANSFER_ENCODING_WITH_LENGTH, p - 1);
    }
    if ((expectFlags & EXPECT_HEAD) != 0 || status == 204 || status == 304) {
      flags |= F_NO_BODY;
      state = S_MESSAGE_DONE;
    } else if (teSeen) {
      if (lastChunked) {
        flags |= F_CHUNKED;
        extBytes = 0;
        state = S_CHUNK_SIZE_START;
      } else {
        flags |= F_READ_TO_CLOSE;
        state = S_BODY_CLOSE;
      }
    } else if (contentLength >= 0) {
      remaining = <u64>contentLength;
      state = remaining == 0 ? S_MESSAGE_DONE : S_BODY_LENGTH;
    } else {
      flags |= F_READ_TO_CLOSE;
      state = S_BODY_CLOSE;
    }
    let keepAlive = versionMinor == 1 ? !connClose : connKeepAlive && !connClose;
    if ((flags & F_READ_TO_CLOSE) != 0) keepAlive = false;
    if (versionMinor == 0 && teSeen) keepAlive = false; // RFC 9112 §6.1: close after it
    if (keepAlive) flags |= F_KEEP_ALIVE;
  }
  setR(R_FLAGS, flags);
  return yieldEvent(EV_HEAD, p);
}

function trailersComplete(p: usize): i32 {
  inSection = false;
  if (fieldCount == 0) return messageDone(p);
  publishSection(p);
  state = S_MESSAGE_DONE;
  return yieldEvent(EV_TRAILERS, p);
}

// ---- the machine ----------------------------------------------------------------------------

function run(): i32 {
  spanCount = 0;
  let p = pos;
  const e = end;
  while (true) {
    switch (state) {
      case S_IDLE: {
        if (p < e) return fail(ERR_UNSOLICITED_RESPONSE, p);
        return needMore(p);
      }
      case S_STATUS_PREFIX: {
        if (sub == 0) {
          // The first byte: only when it is not the "H" of "HTTP/1." does it cost a second look.
          if (p >= e) return needMore(p);
          const c = <u32>load<u8>(p);
          if (c != H) {
            // RFC 9112 §2.2: empty lines (CRLF, or a bare LF) before a status line are skipped,
            // as llhttp does (some servers send one after a 100 Continue). They are not part of
            // the head, which starts after them, but they count toward its byte limit: secLimit
            // stays where parser_expect (or the 1xx before) put it.
            if (c == CR) state = S_EMPTY_LINE_LF;
            else if (c != LF) return fail(ERR_INVALID_VERSION, p);
            if (p >= secLimit) return fail(ERR_HEAD_TOO_LARGE, p);
            secStart = ++p; // nothing to carry: the state remembers a CR
            break;
          }
          responseStarted = true;
          p++;
          sub = 1;
        }
        while (sub < 7) {
          if (p >= e) return needMore(p);
          if (load<u8>(p) != load<u8>(LIT_HTTP1 + sub)) return fail(ERR_INVALID_VERSION, p);
          p++;
          sub++;
        }
        state = S_STATUS_MINOR;
        break;
      }
      case S_EMPTY_LINE_LF: {
        if (p >= e || p >= secLimit) return sectionStall(p);
        if (<u32>load<u8>(p) != LF) return fail(ERR_LF_EXPECTED, p);
        secStart = ++p;
        state = S_STATUS_PREFIX;
        break;
      }
      case S_STATUS_MINOR: {
        if (p >= e) return needMore(p);
        const c = <u32>load<u8>(p);
        if ((byteClass(c) & C_DIGIT) == 0) return fail(ERR_INVALID_VERSION, p);
        // RFC 9110 §2.5: a higher minor version is processed as the highest we implement, 1.1
        versionMinor = c == 48 ? 0 : 1;
        p++;
        state = S_STATUS_SP;
        break;
      }
      case S_STATUS_SP: {
        if (p >= e) return needMore(p);
        if (<u32>load<u8>(p) != SP) return fail(ERR_INVALID_VERSION, p);
        p++;
        sub = 0;
        state = S_STATUS_CODE;
        break;
      }
      case S_STATUS_CODE: {
        while (sub < 3) {
          if (p >= e) return needMore(p);
          const c = <u32>load<u8>(p);
          if ((byteClass(c) & C_DIGIT) == 0 || (sub == 0 && c == 48)) {
            return fail(ERR_INVALID_STATUS, p);
          }
          status = status * 10 + <i32>(c - 48);
          p++;
          sub++;
        }
        state = S_STATUS_AFTER_CODE;
        break;
      }
      case S_STATUS_AFTER_CODE: {
        if (p >= e) return needMore(p);
        const c = <u32>load<u8>(p);
        if (c == SP) {
          p++;
          reasonStart = p;
          state = S_REASON;
        } else if (c == CR) {
          reasonStart = p;
          reasonLen = 0;
          p++;
          state = S_STATUS_LF;
        } else {
          return fail(ERR_INVALID_STATUS, p);
        }
        break;
      }
      case S_REASON: {
        const lim = e < secLimit ? e : secLimit;
        while (p < lim) {
          const c = <u32>load<u8>(p);
          if ((byteClass(c) & (C_FIELD | C_WS)) != 0) {
            p++;
            continue;
          }
          if (c != CR) return fail(ERR_INVALID_REASON, p);
          reasonLen = <i32>(p - reasonStart);
          p++;
          state = S_STATUS_LF;
          break;
        }
        if (state == S_REASON) return sectionStall(p);
        break;
      }
      case S_STATUS_LF: {
        if (p >= e || p >= secLimit) return sectionStall(p);
        if (<u32>load<u8>(p) != LF) return fail(ERR_LF_EXPECTED, p);
        p++;
        fieldPending = false;
        state = S_LINE_START;
        break;
      }
      case S_LINE_START: {
        // Whole field lines are read here, one after another, while their bytes are all in;
        // a line cut short goes on in the state that reads the part where it stopped.
        while (true) {
          if (p >= e || p >= secLimit) return sectionStall(p);
          const c = <u32>load<u8>(p);
          if (isWs(c)) {
            if (!fieldPending) return fail(ERR_LEADING_WHITESPACE, p);
            // obs-fold (RFC 9112 §5.2): a user agent replaces it with SP. The CRLF that ended
            // the previous line becomes two SP and the field value goes on.
            store<u8>(p - 2, <u8>SP);
            store<u8>(p - 1, <u8>SP);
            fieldPending = false;
            p++;
            state = valueEnd > valueStart ? S_VALUE : S_VALUE_LWS;
            break;
          }
          if (fieldPending) {
            const err = flushField();
            if (err != ERR_NONE) return fail(err, p);
          }
          if (c == CR) {
            p++;
            state = S_SECTION_LF;
            break;
          }
          if ((byteClass(c) & C_TOKEN) == 0) return fail(ERR_INVALID_HEADER_NAME, p);
          nameStart = p;
          p++;
          const lim = e < secLimit ? e : secLimit;
          while (p < lim && (byteClass(<u32>load<u8>(p)) & C_TOKEN) != 0) p++;
          if (p == lim) {
            state = S_NAME;
            break;
          }
          if (<u32>load<u8>(p) != COLON) return fail(ERR_INVALID_HEADER_NAME, p);
          nameLen = <i32>(p - nameStart);
          p++;
          while (p < lim && isWs(<u32>load<u8>(p))) p++;
          if (p == lim) {
            state = S_VALUE_LWS;
            break;
          }
          const v = <u32>load<u8>(p);
          if (v == CR) {
            valueStart = p;
            valueEnd = p;
          } else {
            if ((byteClass(v) & C_FIELD) == 0) return fail(ERR_INVALID_HEADER_VALUE, p);
            valueStart = p;
            p = scanValue(p + 1, lim);
            if (p == lim) {
              valueEnd = p;
              state = S_VALUE;
              break;
            }
            if (<u32>load<u8>(p) != CR) return fail(ERR_INVALID_HEADER_VALUE, p);
            valueEnd = trimValueEnd(p);
          }
          p++;
          if (p >= lim) {
            state = S_VALUE_LF;
            break;
          }
          if (<u32>load<u8>(p) != LF) return fail(ERR_LF_EXPECTED, p);
          p++;
          fieldPending = true;
        }
        break;
      }
      case S_NAME: {
        const lim = e < secLimit ? e : secLimit;
        while (p < lim) {
          const c = <u32>load<u8>(p);
          if ((byteClass(c) & C_TOKEN) != 0) {
            p++;
            continue;
          }
          if (c != COLON) return fail(ERR_INVALID_HEADER_NAME, p);
          nameLen = <i32>(p - nameStart);
          p++;
          state = S_VALUE_LWS;
          break;
        }
        if (state == S_NAME) return sectionStall(p);
        break;
      }
      case S_VALUE_LWS: {
        const lim = e < secLimit ? e : secLimit;
        while (p < lim) {
          const c = <u32>load<u8>(p);
          if (isWs(c)) {
            p++;
            continue;
          }
          if (c == CR) {
            valueStart = p;
            valueEnd = p;
            p++;
            state = S_VALUE_LF;
          } else if ((byteClass(c) & C_FIELD) != 0) {
            valueStart = p;
            p++;
            valueEnd = p;
            state = S_VALUE;
          } else {
            return fail(ERR_INVALID_HEADER_VALUE, p);
          }
          break;
        }
        if (state == S_VALUE_LWS) return sectionStall(p);
        break;
      }
      case S_VALUE: {
        const lim = e < secLimit ? e : secLimit;
        p = scanValue(p, lim);
        if (p == lim) {
          valueEnd = p; // provisional; the CR sets it (the value is never empty here)
          return sectionStall(p);
        }
        if (<u32>load<u8>(p) != CR) return fail(ERR_INVALID_HEADER_VALUE, p);
        valueEnd = trimValueEnd(p);
        p++;
        state = S_VALUE_LF;
        break;
      }
      case S_VALUE_LF: {
        if (p >= e || p >= secLimit) return sectionStall(p);
        if (<u32>load<u8>(p) != LF) return fail(ERR_LF_EXPECTED, p);
        p++;
        fieldPending = true;
        state = S_LINE_START;
        break;
      }
      case S_SECTION_LF: {
        if (p >= e || p >= secLimit) return sectionStall(p);
        if (<u32>load<u8>(p) != LF) return fail(ERR_LF_EXPECTED, p);
        p++;
        return inTrailers ? trailersComplete(p) : headComplete(p);
      }
      case S_MESSAGE_DONE: {
        return messageDone(p);
      }
      case S_BODY_LENGTH: {
        if (p >= e) return needMore(p);
        if (spanCount == SPAN_CAPACITY) return yieldEvent(EV_BODY, p);
        const avail = <u64>(e - p);
        const n = remaining < avail ? remaining : avail;
        addSpan(p, <usize>n);
        p += <usize>n;
        remaining -= n;
        if (remaining == 0) return messageDone(p);
        return needMore(p);
      }
      case S_BODY_CLOSE: {
        if (p < e) {
          if (spanCount == SPAN_CAPACITY) return yieldEvent(EV_BODY, p);
          addSpan(p, e - p);
          p = e;
        }
        return needMore(p);
      }
      case S_CHUNK_SIZE_START: {
        if (p >= e) return needMore(p);
        const c = <u32>load<u8>(p);
        if ((byteClass(c) & C_HEX) == 0) return fail(ERR_INVALID_CHUNK_SIZE, p);
        chunkSize = <u64>((c & 0xf) + (c >> 6) * 9);
        p++;
        state = S_CHUNK_SIZE;
        break;
      }
      case S_CHUNK_SIZE: {
        while (p < e) {
          const c = <u32>load<u8>(p);
          if ((byteClass(c) & C_HEX) != 0) {
            if (chunkSize > MAX_LENGTH >> 4) return fail(ERR_CHUNK_SIZE_OVERFLOW, p);
            chunkSize = (chunkSize << 4) | <u64>((c & 0xf) + (c >> 6) * 9);
            p++;
            continue;
          }
          if (c == CR) {
            p++;
            state = S_CHUNK_SIZE_LF;
          } else if (c == SEMICOLON || isWs(c)) {
            extSub = X_BEFORE_SEMI;
            state = S_CHUNK_EXT; // reads this byte too
          } else {
            return fail(ERR_INVALID_CHUNK_SIZE, p);
          }
          break;
        }
        if (state == S_CHUNK_SIZE) return needMore(p);
        break;
      }
      case S_CHUNK_EXT: {
        while (p < e) {
          const c = <u32>load<u8>(p);
          const cls = byteClass(c);
          if (c == CR) {
            // a line may end right after a name or a value, not inside or before one, nor after BWS
            if (extSub != X_NAME && extSub != X_TOKEN && extSub != X_AFTER_QUOTE) {
              return fail(extSub == X_BEFORE_SEMI ? ERR_INVALID_CHUNK_SIZE : ERR_INVALID_CHUNK_EXTENSION, p);
            }
            p++;
            state = S_CHUNK_SIZE_LF;
            break;
          }
          if (++extBytes > maxChunkExtBytes) return fail(ERR_CHUNK_EXTENSION_TOO_LARGE, p);
          let ok = true;
          if (extSub == X_QUOTED) {
            if (c == DQUOTE) extSub = X_AFTER_QUOTE;
            else if (c == BACKSLASH) extSub = X_QUOTED_PAIR;
            else ok = (cls & (C_FIELD | C_WS)) != 0;
          } else if (extSub == X_QUOTED_PAIR) {
            ok = (cls & (C_FIELD | C_WS)) != 0;
            extSub = X_QUOTED;
          } else if (isWs(c)) {
            if (extSub == X_NAME) extSub = X_AFTER_NAME;
            else if (extSub == X_TOKEN || extSub == X_AFTER_QUOTE) extSub = X_AFTER_VALUE;
          } else if (c == SEMICOLON) {
            ok = extSub != X_NAME_START && extSub != X_VALUE_START;
            extSub = X_NAME_START;
          } else if (c == EQUALS) {
            ok = extSub == X_NAME || extSub == X_AFTER_NAME;
            extSub = X_VALUE_START;
          } else if (c == DQUOTE) {
            ok = extSub == X_VALUE_START;
            extSub = X_QUOTED;
          } else if ((cls & C_TOKEN) != 0) {
            if (extSub == X_NAME_START) extSub = X_NAME;
            else if (extSub == X_VALUE_START) extSub = X_TOKEN;
            else ok = extSub == X_NAME || extSub == X_TOKEN;
          } else {
            ok = false;
          }
          if (!ok) return fail(extSub == X_BEFORE_SEMI ? ERR_INVALID_CHUNK_SIZE : ERR_INVALID_CHUNK_EXTENSION, p);
          p++;
        }
        if (state == S_CHUNK_EXT) return needMore(p);
        break;
      }
      case S_CHUNK_SIZE_LF: {
        if (p >= e) return needMore(p);
        if (<u32>load<u8>(p) != LF) return fail(ERR_LF_EXPECTED, p);
        p++;
        if (chunkSize == 0) {
          inSection = true;
          inTrailers = true;
          secStart = p;
          secLimit = p + <usize>maxTrailerBytes;
          fieldCount = 0;
          fieldPending = false;
          state = S_LINE_START;
        } else {
          remaining = chunkSize;
          state = S_CHUNK_DATA;
        }
        break;
      }
      case S_CHUNK_DATA: {
        if (p >= e) return needMore(p);
        if (spanCount == SPAN_CAPACITY) return yieldEvent(EV_BODY, p);
        const avail = <u64>(e - p);
        const n = remaining < avail ? remaining : avail;
        addSpan(p, <usize>n);
        p += <usize>n;
        remaining -= n;
        if (remaining == 0) state = S_CHUNK_DATA_CR;
        break;
      }
      case S_CHUNK_DATA_CR: {
        if (p >= e) return needMore(p);
        if (<u32>load<u8>(p) != CR) return fail(ERR_INVALID_CHUNK_DATA_END, p);
        p++;
        state = S_CHUNK_DATA_LF;
        break;
      }
      case S_CHUNK_DATA_LF: {
        if (p >= e) return needMore(p);
        if (<u32>load<u8>(p) != LF) return fail(ERR_INVALID_CHUNK_DATA_END, p);
        p++;
        state = S_CHUNK_SIZE_START;
        break;
      }
      case S_UPGRADED: {
        return yieldEvent(EV_UPGRADE, p);
      }
      default: {
        // S_ERROR: the error stays until parser_reset
        setR(R_SPAN_COUNT, 0);
        return EV_ERROR;
      }
    }
  }
  return EV_ERROR; // unreachable
}

// ---- exports --------------------------------------------------------------------------------

/** Arms the parser for the response to the next request (EXPECT_* flags). */
export function parser_expect(flags: i32): i32 {
  if (state != S_IDLE) return ERR_INVALID_STATE;
  expectFlags = flags;
  responseStarted = false;
  bodyBytes = 0;
  resetHead(pos);
  return ERR_NONE;
}

/** Makes room for a feed of n bytes at R_INPUT_PTR (memory may grow: views must be renewed). */
export function parser_reserve(n: i32): i32 {
  if (n < 0 || pos != end) return ERR_INVALID_STATE;
  const carry = <u32>(writePtr - inputPtr);
  const need = carry + <u32>n;
  if (need > inputCap) {
    let cap = inputCap;
    while (cap < need) cap <<= 1;
    // The header table keeps its size, so the input area keeps its address and its carry:
    // only the writer area after it moves.
    if (!relayout(headerCap, cap, writerCap, carry)) return ERR_OUT_OF_MEMORY;
  }
  setR(R_INPUT_PTR, <i32>writePtr);
  setR(R_INPUT_CAP, <i32>(inputPtr + <usize>inputCap - writePtr));
  return ERR_NONE;
}

/** n bytes were written at R_INPUT_PTR: parse them up to the first event. */
export function parser_feed(n: i32): i32 {
  if (state == S_ERROR) return run();
  if (pos != end || n < 0 || <usize>n > inputPtr + <usize>inputCap - writePtr) {
    return fail(ERR_INVALID_STATE, pos);
  }
  feedBase = writePtr;
  pos = writePtr;
  end = writePtr + <usize>n;
  return run();
}

/** Parses up to the next event. */
export function parser_next(): i32 {
  return run();
}

/** The host passed n body bytes without feeding them (n <= RF_BLIND, all input consumed). */
export function parser_skip(n: i32): i32 {
  if (state == S_ERROR) return EV_ERROR;
  spanCount = 0;
  if (pos != end || n < 0 || <f64>n > blindBytes()) return fail(ERR_INVALID_STATE, pos);
  bodyBytes += <u64>n;
  if (state == S_BODY_LENGTH) {
    remaining -= <u64>n;
    if (remaining == 0) return messageDone(pos);
  } else if (state == S_CHUNK_DATA) {
    remaining -= <u64>n;
    if (remaining == 0) state = S_CHUNK_DATA_CR;
  }
  return needMore(pos);
}

/** The peer closed the connection: finish a read-to-close body, or say what was cut short. */
export function parser_finish(): i32 {
  spanCount = 0;
  if (state == S_ERROR) return EV_ERROR;
  if (state == S_UPGRADED) return EV_NEED_MORE; // the bytes after the head are not ours
  if (pos != end) return fail(ERR_INVALID_STATE, pos);
  if (state == S_BODY_CLOSE || state == S_MESSAGE_DONE) return messageDone(pos);
  if (state == S_IDLE) return needMore(pos);
  if (inSection && !inTrailers) {
    return fail(responseStarted ? ERR_INCOMPLETE_HEAD : ERR_CLOSED_BEFORE_RESPONSE, pos);
  }
  return fail(ERR_INCOMPLETE_BODY, pos);
}

/** Forgets everything about the current message (after an error, or to reuse the parser). */
export function parser_reset(): void {
  state = S_IDLE;
  inSection = false;
  inTrailers = false;
  spanCount = 0;
  expectFlags = 0;
  writePtr = inputPtr;
  pos = inputPtr;
  end = inputPtr;
  feedBase = inputPtr;
  setR(R_ERROR, ERR_NONE);
  setR(R_INPUT_PTR, <i32>inputPtr);
  setR(R_INPUT_CAP, <i32>inputCap);
  setF(RF_BLIND, 0);
}

/** Sets a limit (LIMIT_*). The header count can change only while the parser is idle. */
export function parser_set_limit(which: i32, value: i32): i32 {
  if (which == LIMIT_HEADER_COUNT) {
    if (value < 1 || value > MAX_HEADER_COUNT) return ERR_INVALID_LIMIT;
    if (state != S_IDLE || pos != end) return ERR_INVALID_STATE;
    if (!relayout(<u32>value, inputCap, writerCap, 0)) return ERR_OUT_OF_MEMORY;
    parser_reset();
    return ERR_NONE;
  }
  if (value < 1 || value > MAX_SECTION_BYTES) return ERR_INVALID_LIMIT;
  if (which == LIMIT_HEAD_BYTES) maxHeadBytes = value;
  else if (which == LIMIT_CHUNK_EXTENSION_BYTES) maxChunkExtBytes = value;
  else if (which == LIMIT_TRAILER_BYTES) maxTrailerBytes = value;
  else return ERR_INVALID_LIMIT;
  return ERR_NONE;
}

/** The current value of a limit (LIMIT_*), or -1. */
export function parser_get_limit(which: i32): i32 {
  if (which == LIMIT_HEADER_COUNT) return <i32>headerCap;
  if (which == LIMIT_HEAD_BYTES) return maxHeadBytes;
  if (which == LIMIT_CHUNK_EXTENSION_BYTES) return maxChunkExtBytes;
  if (which == LIMIT_TRAILER_BYTES) return maxTrailerBytes;
  return -1;
}
