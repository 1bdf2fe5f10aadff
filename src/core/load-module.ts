// Engine loader for runtimes that forbid compiling WebAssembly at run time (workerd, edge):
// the bundler or runtime turns the .wasm import into a compiled WebAssembly.Module.
import { setEngineSource } from "./engine.js";
import engine from "./generated/core.wasm";

setEngineSource(() => engine);
