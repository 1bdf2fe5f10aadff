// Writing a request body as it comes (a stream, or bytes too large for one write): chunked unless
// its length was declared. Loaded by the first request with such a body (connection.ts).
import { sharedWriter } from "../core/api.js";
import { ConnectionError } from "../errors.js";
import type { TransportSocket } from "../transport/types.js";

const CRLF = new Uint8Array([13, 10]);
/** Chunks of a streamed body larger than this are written in pieces of this size. */
const PIECE = 256 * 1024;

/**
 * Writes `body` to `socket`, chunked when `length` is undefined, and checks it against a declared
 * length. Stops as soon as `live()` is false (the exchange ended: a response, an error, an abort);
 * waits on `drained()` whenever the socket asks for it.
 */
export async function pumpBody(
  socket: TransportSocket,
  body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  length: number | undefined,
  live: () => boolean,
  drained: () => Promise<void>,
): Promise<void> {
  const chunked = length === undefined;
  const writer = sharedWriter();
  let sent = 0;
  for await (const whole of body) {
    // large chunks go in pieces, so that a server reading slowly is seen making progress
    for (let at = 0; at < whole.length; at += PIECE) {
      if (!live()) return;
      const chunk = whole.length <= PIECE ? whole : whole.subarray(at, at + PIECE);
      sent += chunk.length;
      if (!chunked && sent > length) {
        throw new ConnectionError(`request body is longer than its Content-Length (${length})`);
      }
      const ok = chunked ? socket.writev([writer.chunkHead(chunk.length), chunk, CRLF]) : socket.write(chunk);
      if (!ok) await drained();
    }
  }
  if (!live()) return;
  if (chunked) socket.write(writer.lastChunk());
  else if (sent !== length) {
    throw new ConnectionError(`request body is shorter than its Content-Length (${sent} of ${length})`);
  }
}
