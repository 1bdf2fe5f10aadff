// Decompression with the web's DecompressionStream (workerd, browsers, edge runtimes): gzip and
// deflate, the two codings every one of them has. The decompressors themselves (web-inflate.ts)
// load with the first body that has a Content-Encoding.
import { lazy } from "../lazy.js";
import type { Decompression } from "./platform.js";

/** The web platform's decompressors. */
export const webDecompression: Decompression = {
  codings: ["gzip", "deflate"],
  load: lazy(() => import("./web-inflate.js").then((m) => m.openWebInflater), "decompression"),
};
