// reqwire on Cloudflare workerd: sockets from connect() in cloudflare:sockets, the web's
// DecompressionStream, no file system, and the engine imported as a compiled `.wasm` module
// (workerd forbids compiling WebAssembly at run time).
import { setEngineSource } from "../core/engine.js";
import { importedEngine } from "../core/load-module.js";
import { setPlatform } from "../runtime/platform.js";
import { webDecompression } from "../runtime/web-decompression.js";
import { deferredTransport } from "../transport/deferred.js";

setEngineSource(importedEngine);
setPlatform({
  name: "workerd",
  transport: deferredTransport(() => import("../transport/workerd.js").then((m) => m.workerdTransport), true),
  decompression: webDecompression,
});

export * from "../main.js";
export { default } from "../main.js";
