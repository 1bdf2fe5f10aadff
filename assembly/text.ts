// UTF-8 to UTF-16: the decoding of response text, as the WHATWG Encoding Standard's UTF-8 decoder
// does it (TextDecoder("utf-8") with its defaults): a leading BOM is dropped, and each maximal
// invalid subpart becomes one U+FFFD. Runs of ASCII go eight bytes at a time.
//
// The host writes the bytes into the writer area and calls text_decode_utf8:
//
//   +--------------------------------------+ writerPtr
//   | UTF-8 bytes (len)                    |
//   +--------------------------------------+ (8-byte aligned)
//   | output: UTF-16LE code units          |  at most len of them; R_OUT_PTR, R_OUT_LEN (bytes)
//   +--------------------------------------+
//
// The host reserves len + 8 + 2 * len bytes first (writer_reserve).

import { setR, writerPtr } from "./layout";
import { R_OUT_LEN, R_OUT_PTR } from "./constants";

const HIGH_BITS: u64 = 0x8080808080808080;

/** Four bytes (the low 32 bits of `x`) widened to four 16-bit code units. */
// @ts-ignore: decorator
@inline
function widen(x: u64): u64 {
  return (x & 0xff) | ((x & 0xff00) << 8) | ((x & 0xff0000) << 16) | ((x & 0xff000000) << 24);
}

/**
 * Decodes `len` UTF-8 bytes at the start of the writer area into UTF-16LE after them; returns the
 * number of bytes written (R_OUT_PTR says where), or -1 when every byte is ASCII (nothing written:
 * ASCII is its own decoding).
 */
export function text_decode_utf8(len: i32): i32 {
  let p = writerPtr;
  const end = writerPtr + <usize>len;
  // ASCII only: nothing to do here (the host's own decoder makes a one-byte string of it)
  let any: u64 = 0;
  while (p + 8 <= end) {
    any |= load<u64>(p);
    p += 8;
  }
  while (p < end) {
    any |= <u64>load<u8>(p);
    p++;
  }
  if ((any & HIGH_BITS) == 0 && (any & 0x80) == 0) return -1;
  p = writerPtr;
  const out = (end + 7) & ~(<usize>7);
  let o = out;
  // a BOM at the start is not text
  if (len >= 3 && load<u8>(p) == 0xef && load<u8>(p + 1) == 0xbb && load<u8>(p + 2) == 0xbf) p += 3;
  let needed: u32 = 0;
  let seen: u32 = 0;
  let cp: u32 = 0;
  let lower: u32 = 0x80;
  let upper: u32 = 0xbf;
  while (p < end) {
    if (needed == 0) {
      // eight ASCII bytes at a time
      while (p + 8 <= end) {
        const v = load<u64>(p);
        const high = v & HIGH_BITS;
        if (high != 0) {
          // the ASCII bytes before the first high one, then that one below
          const k = <usize>(ctz(high) >> 3);
          for (let i: usize = 0; i < k; i++) store<u16>(o + (i << 1), <u16>load<u8>(p + i));
          p += k;
          o += k << 1;
          break;
        }
        store<u64>(o, widen(v));
        store<u64>(o + 8, widen(v >> 32));
        p += 8;
        o += 16;
      }
      if (p >= end) break;
      const b = <u32>load<u8>(p);
      // whole valid two- and three-byte sequences at once (the state machine below is for the rest)
      if (b >= 0xc2 && b <= 0xdf && p + 1 < end) {
        const c1 = <u32>load<u8>(p + 1);
        if ((c1 & 0xc0) == 0x80) {
          store<u16>(o, <u16>(((b & 0x1f) << 6) | (c1 & 0x3f)));
          o += 2;
          p += 2;
          continue;
        }
      } else if (b >= 0xe0 && b <= 0xef && p + 2 < end) {
        const c1 = <u32>load<u8>(p + 1);
        const c2 = <u32>load<u8>(p + 2);
        const lo: u32 = b == 0xe0 ? 0xa0 : 0x80;
        const hi: u32 = b == 0xed ? 0x9f : 0xbf;
        if (c1 >= lo && c1 <= hi && (c2 & 0xc0) == 0x80) {
          store<u16>(o, <u16>(((b & 0xf) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f)));
          o += 2;
          p += 3;
          continue;
        }
      }
      p++;
      if (b < 0x80) {
        store<u16>(o, <u16>b);
        o += 2;
      } else if (b >= 0xc2 && b <= 0xdf) {
        needed = 1;
        cp = b & 0x1f;
      } else if (b >= 0xe0 && b <= 0xef) {
        if (b == 0xe0) lower = 0xa0;
        else if (b == 0xed) upper = 0x9f;
        needed = 2;
        cp = b & 0xf;
      } else if (b >= 0xf0 && b <= 0xf4) {
        if (b == 0xf0) lower = 0x90;
        else if (b == 0xf4) upper = 0x8f;
        needed = 3;
        cp = b & 0x7;
      } else {
        store<u16>(o, 0xfffd);
        o += 2;
      }
      continue;
    }
    const b = <u32>load<u8>(p);
    if (b < lower || b > upper) {
      // the sequence so far is one U+FFFD; this byte starts again (it is not consumed)
      needed = 0;
      seen = 0;
      cp = 0;
      lower = 0x80;
      upper = 0xbf;
      store<u16>(o, 0xfffd);
      o += 2;
      continue;
    }
    p++;
    lower = 0x80;
    upper = 0xbf;
    cp = (cp << 6) | (b & 0x3f);
    seen++;
    if (seen == needed) {
      if (cp > 0xffff) {
        const v = cp - 0x10000;
        store<u16>(o, <u16>(0xd800 | (v >> 10)));
        store<u16>(o + 2, <u16>(0xdc00 | (v & 0x3ff)));
        o += 4;
      } else {
        store<u16>(o, <u16>cp);
        o += 2;
      }
      needed = 0;
      seen = 0;
      cp = 0;
    }
  }
  if (needed != 0) {
    store<u16>(o, 0xfffd);
    o += 2;
  }
  setR(R_OUT_PTR, <i32>out);
  setR(R_OUT_LEN, <i32>(o - out));
  return <i32>(o - out);
}
