// node:zlib's decompressors (src/runtime/zlib.ts says which codings). node:zlib has no public
// synchronous streaming API, so each call resolves once zlib has consumed the chunk and
// delivered its output.
import * as zlib from "node:zlib";
import type { Coding, Inflater } from "./platform.js";

type ZstdFactory = (options?: zlib.ZlibOptions) => zlib.Gunzip;

const CHUNK = 64 * 1024;

export function openZlibInflater(kind: Coding, raw: boolean, sink: (out: Uint8Array) => void): Inflater {
  const options = { chunkSize: CHUNK };
  const z =
    kind === "gzip"
      ? zlib.createGunzip(options)
      : kind === "deflate"
        ? raw
          ? zlib.createInflateRaw(options)
          : zlib.createInflate(options)
        : kind === "br"
          ? zlib.createBrotliDecompress(options)
          : (zlib as unknown as { createZstdDecompress: ZstdFactory }).createZstdDecompress(options);
  let failure: Error | undefined;
  let ended = false;
  const waiting = new Set<(err?: Error | null) => void>();
  const settle = (err?: Error) => {
    for (const done of [...waiting]) done(err);
  };
  z.on("data", sink);
  z.on("error", (err: Error) => {
    failure = err;
    settle(err);
  });
  // After the end of the compressed stream zlib ignores what follows (as Python's zlib does).
  z.on("end", () => {
    ended = true;
    settle();
  });
  const wait = (start: (done: (err?: Error | null) => void) => void) =>
    new Promise<void>((resolve, reject) => {
      if (failure !== undefined) return reject(failure);
      if (ended) return resolve();
      const done = (err?: Error | null) => {
        if (!waiting.delete(done)) return;
        if (err) reject(err);
        else resolve();
      };
      waiting.add(done);
      start(done);
    });
  return {
    write: (chunk) => wait((done) => z.write(chunk, done)),
    finish: () => wait(() => z.end()),
    close() {
      failure ??= new Error("closed");
      z.destroy();
      settle(failure);
    },
  };
}
