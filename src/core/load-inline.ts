// Engine loader for runtimes that may compile WebAssembly from bytes (Node, Deno, Bun).
import { setEngineSource } from "./engine.js";
import { WASM_BASE64 } from "./generated/wasm-inline.js";

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

setEngineSource(() => new WebAssembly.Module(decodeBase64(WASM_BASE64)));
