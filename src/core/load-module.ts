// Engine source for runtimes that forbid compiling WebAssembly at run time (workerd, edge): the
// bundler or runtime turns the .wasm import into a compiled WebAssembly.Module.
import engine from "./generated/core.wasm";

/** The engine as the runtime compiled it at load time. */
export function importedEngine(): WebAssembly.Module {
  return engine;
}
