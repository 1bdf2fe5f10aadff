// Engine source for runtimes that may compile WebAssembly from bytes (Node, Deno, Bun, browsers).
import { WASM_HEX } from "./generated/wasm-inline.js";

/** Lowercase hex digits to bytes ("0"-"9" are 0x30-0x39, "a"-"f" are 0x61-0x66). */
function decodeHex(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(text.length >> 1);
  for (let i = 0, j = 0; i < bytes.length; i++, j += 2) {
    const hi = text.charCodeAt(j);
    const lo = text.charCodeAt(j + 1);
    bytes[i] = (((hi & 15) + (hi > 57 ? 9 : 0)) << 4) | ((lo & 15) + (lo > 57 ? 9 : 0));
  }
  return bytes;
}

/** Compiles the engine from the bytes inlined at build time. */
export function inlineEngine(): WebAssembly.Module {
  return new WebAssembly.Module(decodeHex(WASM_HEX));
}
