// reqwire/core: the engine's parser and writer, with no I/O, its engine compiled from inline bytes
// (Node, Deno, Bun, browsers). workerd, which forbids compiling WebAssembly at run time, gets
// index-workerd.ts instead (package.json "exports").
import { setEngineSource } from "./engine.js";
import { inlineEngine } from "./load-inline.js";

setEngineSource(inlineEngine);

export * from "./api.js";
