// Decompression with node:zlib (Node, Deno and Bun all provide it): gzip, deflate, br, and zstd
// where the runtime has it. The decompressors themselves (zlib-inflate.ts) load with the first
// body that has a Content-Encoding.
import * as zlib from "node:zlib";
import { lazy } from "../lazy.js";
import type { Decompression } from "./platform.js";

const zstd = typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress === "function";

/** node:zlib's decompressors. */
export const zlibDecompression: Decompression = {
  codings: zstd ? ["gzip", "deflate", "br", "zstd"] : ["gzip", "deflate", "br"],
  load: lazy(() => import("./zlib-inflate.js").then((m) => m.openZlibInflater), "decompression"),
};
