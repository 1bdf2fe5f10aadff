// reqwire/core on workerd: the engine imported as a .wasm module (compiled when the Worker loads).
import { setEngineSource } from "./engine.js";
import { importedEngine } from "./load-module.js";

setEngineSource(importedEngine);

export * from "./api.js";
