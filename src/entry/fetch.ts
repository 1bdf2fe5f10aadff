// reqwire where there are no raw sockets (browsers, edge-light, unknown runtimes): requests go
// through the runtime's fetch, with the same API on top. The engine (inline bytes) is compiled
// only if the parser or writer is used directly.
import { setEngineSource } from "../core/engine.js";
import { inlineEngine } from "../core/load-inline.js";
import { setPlatform } from "../runtime/platform.js";
import { webDecompression } from "../runtime/web-decompression.js";
import { fetchTransport } from "../transport/fetch.js";

setEngineSource(inlineEngine);
setPlatform({
  name: "fetch",
  transport: fetchTransport(),
  decompression: webDecompression,
});

export * from "../main.js";
export { default } from "../main.js";
