// Byte classes, one bit each, as one 256-byte static table (no start-up cost per instance).

/** tchar (RFC 9110 §5.6.2): a header name or a method byte. */
export const C_TOKEN: u8 = 1;
/** field-vchar: VCHAR or obs-text, a header value byte other than whitespace. */
export const C_FIELD: u8 = 2;
/** SP or HTAB. */
export const C_WS: u8 = 4;
/** A hexadecimal digit. */
export const C_HEX: u8 = 8;
/** A request-target byte: visible ASCII. */
export const C_TARGET: u8 = 16;
/** A decimal digit. */
export const C_DIGIT: u8 = 32;

const CLASS_TABLE = memory.data<u8>([
   0,  0,  0,  0,  0,  0,  0,  0,  0,  4,  0,  0,  0,  0,  0,  0, // 0x00
   0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, // 0x10
   4, 19, 18, 19, 19, 19, 19, 19, 18, 18, 19, 19, 18, 19, 19, 18, // 0x20
  59, 59, 59, 59, 59, 59, 59, 59, 59, 59, 18, 18, 18, 18, 18, 18, // 0x30
  18, 27, 27, 27, 27, 27, 27, 19, 19, 19, 19, 19, 19, 19, 19, 19, // 0x40
  19, 19, 19, 19, 19, 19, 19, 19, 19, 19, 19, 18, 18, 18, 19, 19, // 0x50
  19, 27, 27, 27, 27, 27, 27, 19, 19, 19, 19, 19, 19, 19, 19, 19, // 0x60
  19, 19, 19, 19, 19, 19, 19, 19, 19, 19, 19, 18, 19, 18, 19,  0, // 0x70
   2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2, // 0x80
   2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2, // 0x90
   2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2, // 0xa0
   2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2, // 0xb0
   2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2, // 0xc0
   2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2, // 0xd0
   2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2, // 0xe0
   2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2, // 0xf0
]);

/** The class bits of byte `c`. */
// @ts-ignore: decorator
@inline
export function byteClass(c: u32): u8 {
  return load<u8>(CLASS_TABLE + c);
}
