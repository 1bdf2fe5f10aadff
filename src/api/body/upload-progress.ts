// Upload progress (on_upload_progress): the body in pieces, each reported once the socket took
// it. Loaded by the first request that asks for it.
import type { Progress } from "../settings.js";

/** A body that reports how much of it was handed to the socket. */
export function withUploadProgress(
  body: Uint8Array | AsyncIterable<Uint8Array>,
  total: number | undefined,
  report: (p: Progress) => void,
): AsyncIterable<Uint8Array> {
  const PIECE = 64 * 1024;
  return {
    async *[Symbol.asyncIterator]() {
      let loaded = 0;
      report({ loaded, total });
      if (body instanceof Uint8Array) {
        for (let at = 0; at < body.length; at += PIECE) {
          const piece = body.subarray(at, Math.min(at + PIECE, body.length));
          yield piece; // resumes once the piece was written
          loaded += piece.length;
          report({ loaded, total });
        }
        return;
      }
      for await (const chunk of body) {
        yield chunk;
        loaded += chunk.length;
        report({ loaded, total });
      }
    },
  };
}
