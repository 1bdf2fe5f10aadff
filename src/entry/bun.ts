// reqwire on Bun: sockets from Bun.connect (faster than Bun's node:net on small requests, see
// bench/bun-transport.ts), node:zlib and node:fs, and the engine compiled from inline bytes.

import { readFileSync } from "node:fs";
import { setEngineSource } from "../core/engine.js";
import { inlineEngine } from "../core/load-inline.js";
import { setPlatform } from "../runtime/platform.js";
import { zlibDecompression } from "../runtime/zlib.js";
import { deferredTransport } from "../transport/deferred.js";

setEngineSource(inlineEngine);
setPlatform({
  name: "bun",
  transport: deferredTransport(() => import("../transport/bun.js").then((m) => m.bunTransport), true),
  decompression: zlibDecompression,
  readTextFile: (path) => readFileSync(path, "utf8"),
  env: (name) => process.env[name],
});

export * from "../main.js";
export { default } from "../main.js";
