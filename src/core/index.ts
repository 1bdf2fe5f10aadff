// The core with its engine loaded from inline bytes (Node, Deno, Bun), for code that uses the
// parser and writer alone.
import { setEngineSource } from "./engine.js";
import { inlineEngine } from "./load-inline.js";

setEngineSource(inlineEngine);

export * from "./api.js";
