// The engine module: how it is found (set once by a loader file) and instantiated.
// One instance per ResponseParser (its state lives in the instance's globals); writers share one,
// and so do the text passes.

import type { WasmModule } from "../platform-types.js";
/** The functions and memory the engine exports (see assembly/index.ts). */
export interface EngineExports {
  readonly memory: WebAssembly.Memory;
  result_ptr(): number;
  parser_expect(flags: number): number;
  parser_reserve(n: number): number;
  parser_feed(n: number): number;
  parser_next(): number;
  parser_skip(n: number): number;
  parser_finish(): number;
  parser_reset(): void;
  parser_set_limit(which: number, value: number): number;
  parser_get_limit(which: number): number;
  writer_reserve(n: number): number;
  writer_head(headerCount: number): number;
  writer_chunk_head(size: number): number;
  writer_last_chunk(): number;
  text_decode_utf8(len: number): number;
  json_python(len: number, state: number): number;
}

let source: (() => WebAssembly.Module) | undefined;
let compiled: WebAssembly.Module | undefined;

/**
 * Tells the core where its compiled module comes from. Each runtime family's loader calls this
 * once: inline bytes for Node, Deno and Bun; an imported `.wasm` module where compiling bytes at
 * run time is not allowed (workerd and other edge runtimes).
 */
export function setEngineSource(load: () => WasmModule): void {
  source = load;
  compiled = undefined;
}

/** The compiled module, compiled on first use. */
export function engineModule(): WebAssembly.Module {
  if (compiled === undefined) {
    if (source === undefined) {
      throw new Error("reqwire: no engine loader was imported (import 'reqwire' or its core entry)");
    }
    compiled = source();
  }
  return compiled;
}

/** A fresh engine instance (its own memory and state). */
export function instantiateEngine(): EngineExports {
  return new WebAssembly.Instance(engineModule(), {}).exports as unknown as EngineExports;
}

let textInstance: EngineExports | undefined;

/**
 * The one instance for the engine's text passes (UTF-8 decoding in text.ts, json.dumps' in
 * json.ts): each is synchronous and keeps nothing in it between calls, so they share its memory.
 */
export function textEngine(): EngineExports {
  if (textInstance === undefined) textInstance = instantiateEngine();
  return textInstance;
}
