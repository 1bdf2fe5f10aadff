// JSON text as Python's json.dumps writes it by default (what requests sends for json=): a space
// after every "," and ":" between values, and every character of a string outside printable
// ASCII written as \uXXXX in lowercase hex (ensure_ascii; a character beyond U+FFFF as its two
// surrogates), so that the result is ASCII.
//
// The input is the UTF-8 encoding of JSON.stringify's output: well-formed JSON whose strings
// escape only with backslashes followed by ASCII, and with no lone surrogate (JSON.stringify
// escapes those), so every byte at or above 0x80 starts or continues a valid UTF-8 sequence.
//
// Long text goes in pieces: the host passes the state the previous piece ended in (between
// strings, inside one, or just after a backslash inside one) and gets the new one back. A piece
// never ends inside a UTF-8 sequence (TextEncoder.encodeInto writes whole characters).
//
// The host writes the bytes into the writer area and calls json_python:
//
//   +--------------------------------------+ writerPtr
//   | UTF-8 JSON text (len)                |
//   +--------------------------------------+ (8-byte aligned)
//   | output: ASCII JSON text              |  at most 6 * len bytes; R_OUT_PTR says where
//   +--------------------------------------+
//
// The host reserves len + 8 + 6 * len bytes first (writer_reserve). Worst cases per input byte:
// DEL becomes six bytes (\u007f), "," two, a two-byte sequence six, a four-byte one twelve.

import { R_OUT_PTR } from "./constants";
import { setR, writerPtr } from "./layout";

/** Lowercase hex digit of the low four bits of `n`. */
// @ts-ignore: decorator
@inline
function hex(n: u32): u8 {
  const d = n & 15;
  return <u8>(d < 10 ? 0x30 + d : 0x57 + d);
}

/** Writes \uXXXX for the code unit `u` at `o`; returns the new end. */
function escapeUnit(o: usize, u: u32): usize {
  store<u8>(o, 0x5c);
  store<u8>(o + 1, 0x75);
  store<u8>(o + 2, hex(u >> 12));
  store<u8>(o + 3, hex(u >> 8));
  store<u8>(o + 4, hex(u >> 4));
  store<u8>(o + 5, hex(u));
  return o + 6;
}

/** Where a piece of text ended: between strings. */
const BETWEEN: i32 = 0;
/** Where a piece of text ended: inside a string. */
const IN_STRING: i32 = 1;
/** Where a piece of text ended: inside a string, just after a backslash. */
const ESCAPED: i32 = 2;

/**
 * Rewrites `len` bytes of JSON text at the start of the writer area as json.dumps writes it,
 * starting in `state` (0 at the start of the text). Returns the number of bytes written after
 * them (R_OUT_PTR says where) times 4, plus the state it ended in.
 */
export function json_python(len: i32, state: i32): i32 {
  let p = writerPtr;
  const end = writerPtr + <usize>len;
  const out = (end + 7) & ~(<usize>7);
  let o = out;
  if (state == ESCAPED && p < end) {
    store<u8>(o++, load<u8>(p++));
    state = IN_STRING;
  }
  while (p < end) {
    if (state == BETWEEN) {
      // between strings: a space after each separator
      while (p < end) {
        const c = load<u8>(p++);
        store<u8>(o++, c);
        if (c == 0x22) {
          state = IN_STRING;
          break;
        }
        if (c == 0x2c || c == 0x3a) store<u8>(o++, 0x20);
      }
      continue;
    }
    // inside a string, up to its closing quote
    while (p < end) {
      const c = <u32>load<u8>(p++);
      if (c < 0x7f) {
        store<u8>(o++, <u8>c);
        if (c == 0x22) {
          state = BETWEEN;
          break;
        }
        if (c == 0x5c) {
          // an escape's second byte (ASCII), unless the piece ends here
          if (p == end) {
            state = ESCAPED;
            break;
          }
          store<u8>(o++, load<u8>(p++));
        }
      } else {
        // DEL, or a UTF-8 sequence (two to four bytes): its code point, as one or two units
        let cp = c;
        if (c >= 0xc0) {
          const more: u32 = c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
          cp = c & (0x3f >> more);
          for (let k: u32 = 0; k < more; k++) cp = (cp << 6) | (<u32>load<u8>(p++) & 0x3f);
        }
        if (cp < 0x10000) {
          o = escapeUnit(o, cp);
        } else {
          o = escapeUnit(o, 0xd800 | ((cp - 0x10000) >> 10));
          o = escapeUnit(o, 0xdc00 | (cp & 0x3ff));
        }
      }
    }
  }
  setR(R_OUT_PTR, <i32>out);
  return (<i32>(o - out) << 2) | state;
}
