// reqwire on Deno: sockets from Deno.connect/Deno.connectTls (node:tls for verify=false;
// Deno.startTls through a proxy's tunnel),
// node:zlib (Deno provides it),
// PEM files from Deno.readTextFileSync, and the engine compiled from inline bytes.
import { setEngineSource } from "../core/engine.js";
import { inlineEngine } from "../core/load-inline.js";
import { setPlatform } from "../runtime/platform.js";
import { zlibDecompression } from "../runtime/zlib.js";
import { deferredTransport } from "../transport/deferred.js";
import type { DenoApi } from "../transport/deno.js";

const Deno = (globalThis as unknown as { Deno: DenoApi }).Deno;

setEngineSource(inlineEngine);
setPlatform({
  name: "deno",
  // verify=false needs node:tls (Deno.connectTls cannot skip verification), loaded when first asked
  transport: deferredTransport(
    () =>
      import("../transport/deno.js").then((m) =>
        m.denoTransport(
          Deno,
          deferredTransport(() => import("../transport/node.js").then((n) => n.nodeTransport), false),
        ),
      ),
    true,
  ),
  decompression: zlibDecompression,
  readTextFile: (path) => Deno.readTextFileSync(path),
  env: (name) => {
    try {
      return Deno.env.get(name);
    } catch {
      return undefined; // no --allow-env: no environment
    }
  },
  unrefTimer: (timer) => Deno.unrefTimer(timer as unknown as number),
});

export * from "../main.js";
export { default } from "../main.js";
