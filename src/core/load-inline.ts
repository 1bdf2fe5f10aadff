// Engine source for runtimes that may compile WebAssembly from bytes (Node, Deno, Bun, browsers).
import { WASM_BASE64 } from "./generated/wasm-inline.js";

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Compiles the engine from the bytes inlined at build time. */
export function inlineEngine(): WebAssembly.Module {
  return new WebAssembly.Module(decodeBase64(WASM_BASE64));
}
