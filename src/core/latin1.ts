// Bytes ⇒ string, one byte per UTF-16 code unit (ISO-8859-1). TextDecoder's "latin1" label is
// windows-1252, which differs for 0x80-0x9F, so it is not used here.

/** Decodes bytes[start, end) as ISO-8859-1. */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n <= 0) return "";
  if (n < 32) {
    let s = "";
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i] as number);
    return s;
  }
  let s = "";
  for (let i = start; i < end; i += 8192) {
    const stop = Math.min(end, i + 8192);
    s += String.fromCharCode.apply(null, bytes.subarray(i, stop) as unknown as number[]);
  }
  return s;
}
