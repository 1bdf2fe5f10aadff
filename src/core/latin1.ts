// Bytes ⇒ string, one byte per UTF-16 code unit (ISO-8859-1), as HTTP fields are read.
// TextDecoder's "latin1" label means windows-1252, which differs for 0x80-0x9F, so it is never
// used. ASCII-only input (the engine says which) takes the native UTF-8 decoder, which is the
// same mapping there and far faster than building a string in JS.

const utf8 = new TextDecoder("utf-8");

/** Decodes bytes[start, end) as ISO-8859-1. */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = "";
  for (let i = start; i < end; i += 8192) {
    const stop = Math.min(end, i + 8192);
    s += String.fromCharCode.apply(null, bytes.subarray(i, stop) as unknown as number[]);
  }
  return s;
}

/** Decodes bytes[start, end) of a field section; `ascii` says it has no byte above 0x7F. */
export function decodeSection(bytes: Uint8Array, start: number, end: number, ascii: boolean): string {
  return ascii ? utf8.decode(bytes.subarray(start, end)) : latin1(bytes, start, end);
}
