// reqwire on Node: sockets from node:net/node:tls, node:zlib, PEM files from node:fs, and the
// engine compiled from inline bytes.

import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import { setEngineSource } from "../core/engine.js";
import { inlineEngine } from "../core/load-inline.js";
import { setPlatform } from "../runtime/platform.js";
import { zlibDecompression } from "../runtime/zlib.js";
import { deferredTransport } from "../transport/deferred.js";

setEngineSource(inlineEngine);
setPlatform({
  name: "node",
  transport: deferredTransport(() => import("../transport/node.js").then((m) => m.nodeTransport), true),
  decompression: zlibDecompression,
  readTextFile: (path) => readFileSync(path, "utf8"),
  env: (name) => process.env[name],
  // one copy into a two-byte string (TextDecoder's UTF-8 decoding of non-ASCII text is several
  // times slower than the engine's plus this)
  utf16le: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf16le"),
});

export * from "../main.js";
export { default } from "../main.js";
