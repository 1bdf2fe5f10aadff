// The web's DecompressionStream decompressors (src/runtime/web-decompression.ts says which
// codings). Output can reach the sink a little after the
// write that caused it resolves; the decoder collects it in order on its next call, and
// `finish` resolves only after the last of it.
//
// A DecompressionStream may turn one write into one piece of output however large (Deno's does:
// 16 KiB of a gzip bomb come out as one 16 MiB array), which no check on the output can stop
// halfway. So chunks are written in pieces of PIECE bytes, and no more once the decoder has
// closed the stream: gzip and deflate decode to at most ~1032 times their size, so a burst stays
// under ~4 MiB.
import type { Coding, Inflater } from "./platform.js";

const PIECE = 4 * 1024;

export function openWebInflater(kind: Coding, raw: boolean, sink: (out: Uint8Array) => void): Inflater {
  const format = kind === "gzip" ? "gzip" : raw ? "deflate-raw" : "deflate";
  const stream = new DecompressionStream(format as CompressionFormat);
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  let failure: unknown;
  let closed = false;
  // One loop reads everything the stream produces, from the first write to the end.
  const drained = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (!closed) sink(value);
    }
  })();
  drained.catch((err: unknown) => {
    failure ??= err;
  });
  const check = () => {
    if (failure !== undefined) throw failure;
  };
  return {
    async write(chunk) {
      for (let at = 0; at < chunk.length; at += PIECE) {
        check();
        const piece = chunk.length <= PIECE ? chunk : chunk.subarray(at, at + PIECE);
        await writer.write(piece as Uint8Array<ArrayBuffer>);
      }
      check();
    },
    async finish() {
      check();
      await writer.close();
      await drained;
      check();
    },
    close() {
      if (closed) return;
      closed = true;
      failure ??= new Error("closed");
      writer.abort(failure).catch(() => {});
      reader.cancel(failure).catch(() => {});
    },
  };
}
