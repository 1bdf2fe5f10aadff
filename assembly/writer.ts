// The request writer: validates request fields and serializes an HTTP/1.1 request head.
//
// The host writes a spec into the writer area (R_WRITER_PTR) and calls writer_head:
//
//   +--------------------------------------+ R_WRITER_PTR
//   | i32 lengths x (2 + 2n)               |  method, target, name 0, value 0, name 1, ...
//   +--------------------------------------+
//   | field bytes, back to back            |  in the same order
//   +--------------------------------------+ (16-byte aligned)
//   | output: the serialized head          |  R_OUT_PTR, R_OUT_LEN
//   +--------------------------------------+
//
// Nothing is written out unless every field is valid, so a bad field never leaves half a
// request behind. The writer keeps no state between calls.

import { C_FIELD, C_TARGET, C_TOKEN, C_WS, byteClass } from "./tables";
import { relayout, headerCap, inputCap, setR, writerCap, writerPtr } from "./layout";
import {
  ERR_INVALID_METHOD,
  ERR_INVALID_REQUEST_HEADER_NAME,
  ERR_INVALID_REQUEST_HEADER_VALUE,
  ERR_INVALID_STATE,
  ERR_INVALID_TARGET,
  ERR_NONE,
  ERR_OUT_OF_MEMORY,
  R_ERROR,
  R_ERROR_FIELD,
  R_ERROR_POS,
  R_OUT_LEN,
  R_OUT_PTR,
} from "./constants";

const LIT_VERSION_CRLF = memory.data<u8>([32, 72, 84, 84, 80, 47, 49, 46, 49, 13, 10]); // " HTTP/1.1\r\n"
const HEX_DIGITS = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

/** Index of the first byte in [p, p+n) whose class has none of `mask`'s bits, or -1. */
function firstNotIn(p: usize, n: i32, mask: u8): i32 {
  for (let i = 0; i < n; i++) {
    if ((byteClass(<u32>load<u8>(p + <usize>i)) & mask) == 0) return i;
  }
  return -1;
}

function writerError(code: i32, field: i32, at: i32): i32 {
  setR(R_ERROR, code);
  setR(R_ERROR_FIELD, field);
  setR(R_ERROR_POS, at);
  setR(R_OUT_LEN, 0);
  return -1;
}

/** Makes the writer area at least n bytes (memory may grow: views must be renewed). */
export function writer_reserve(n: i32): i32 {
  if (n < 0) return ERR_INVALID_STATE;
  if (<u32>n <= writerCap) return ERR_NONE;
  let cap = writerCap;
  while (cap < <u32>n) cap <<= 1;
  // The writer area is last, so growing it moves nothing else (the carry argument is unused).
  return relayout(headerCap, inputCap, cap, 0) ? ERR_NONE : ERR_OUT_OF_MEMORY;
}

/**
 * Validates the spec of a request with `headerCount` fields and writes its head.
 * Returns the head's length, or -1 with R_ERROR, R_ERROR_FIELD and R_ERROR_POS set.
 */
export function writer_head(headerCount: i32): i32 {
  if (headerCount < 0) return writerError(ERR_INVALID_STATE, -1, 0);
  const fields = 2 + 2 * headerCount;
  const lens = writerPtr;
  let p = writerPtr + (<usize>fields << 2);
  let total: usize = 0;
  for (let i = 0; i < fields; i++) total += <usize>load<i32>(lens + (<usize>i << 2));
  const specEnd = p + total;
  const out = (specEnd + 15) & ~(<usize>15);
  const outLen = total + 2 * <usize>headerCount * 2 + 14;
  if (out + outLen > writerPtr + <usize>writerCap) return writerError(ERR_INVALID_STATE, -1, 0);

  // validate everything first
  for (let i = 0; i < fields; i++) {
    const n = load<i32>(lens + (<usize>i << 2));
    let mask: u8 = C_TOKEN;
    let code = ERR_INVALID_REQUEST_HEADER_NAME;
    if (i == 0) code = ERR_INVALID_METHOD;
    else if (i == 1) {
      mask = C_TARGET;
      code = ERR_INVALID_TARGET;
    } else if ((i & 1) == 1) {
      mask = C_FIELD | C_WS;
      code = ERR_INVALID_REQUEST_HEADER_VALUE;
    }
    if (n == 0 && mask != (C_FIELD | C_WS)) return writerError(code, i, 0);
    const bad = firstNotIn(p, n, mask);
    if (bad >= 0) return writerError(code, i, bad);
    p += <usize>n;
  }

  // then write
  let src = writerPtr + (<usize>fields << 2);
  let dst = out;
  const methodLen = <usize>load<i32>(lens);
  memory.copy(dst, src, methodLen);
  dst += methodLen;
  src += methodLen;
  store<u8>(dst++, 32);
  const targetLen = <usize>load<i32>(lens, 4);
  memory.copy(dst, src, targetLen);
  dst += targetLen;
  src += targetLen;
  memory.copy(dst, LIT_VERSION_CRLF, 11);
  dst += 11;
  for (let h = 0; h < headerCount; h++) {
    const nameLen = <usize>load<i32>(lens + (<usize>(2 + 2 * h) << 2));
    const valueLen = <usize>load<i32>(lens + (<usize>(3 + 2 * h) << 2));
    memory.copy(dst, src, nameLen);
    dst += nameLen;
    src += nameLen;
    store<u16>(dst, 0x203a); // ": "
    dst += 2;
    memory.copy(dst, src, valueLen);
    dst += valueLen;
    src += valueLen;
    store<u16>(dst, 0x0a0d); // CRLF
    dst += 2;
  }
  store<u16>(dst, 0x0a0d);
  dst += 2;
  const len = <i32>(dst - out);
  setR(R_ERROR, ERR_NONE);
  setR(R_OUT_PTR, <i32>out);
  setR(R_OUT_LEN, len);
  return len;
}

/** Writes a chunk-size line ("HEX CRLF") for a chunk of `size` bytes at R_WRITER_PTR. */
export function writer_chunk_head(size: f64): i32 {
  let v = <u64>size;
  let digits = 1;
  for (let t = v >> 4; t != 0; t >>= 4) digits++;
  let q = writerPtr + <usize>digits;
  for (let i = 0; i < digits; i++) {
    q--;
    store<u8>(q, load<u8>(HEX_DIGITS + <usize>(v & 15)));
    v >>= 4;
  }
  store<u16>(writerPtr + <usize>digits, 0x0a0d);
  setR(R_OUT_PTR, <i32>writerPtr);
  setR(R_OUT_LEN, digits + 2);
  return digits + 2;
}

/** Writes the last chunk with an empty trailer section ("0 CRLF CRLF") at R_WRITER_PTR. */
export function writer_last_chunk(): i32 {
  store<u32>(writerPtr, 0x0d0a0d30); // "0\r\n\r" (little-endian)
  store<u8>(writerPtr + 4, 10); // "\n"
  setR(R_OUT_PTR, <i32>writerPtr);
  setR(R_OUT_LEN, 5);
  return 5;
}
