// What the node:http test servers share: each request read whole, recorded, then answered.
import type { IncomingMessage, ServerResponse } from "node:http";

/** A test server's answer to a request whose body has been read. */
export type BodyHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;

/**
 * Reads `req` whole, calls `record` with its body and its field lines as received (names as sent,
 * in order), then lets `handler` answer; a handler that fails destroys the response.
 */
export function readAndAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  record: (body: Buffer, rawHeaders: Array<[string, string]>) => void,
  handler: BodyHandler,
): void {
  const parts: Buffer[] = [];
  req.on("data", (c: Buffer) => parts.push(c));
  req.on("end", () => {
    const body = Buffer.concat(parts);
    const rawHeaders: Array<[string, string]> = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      rawHeaders.push([req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string]);
    }
    record(body, rawHeaders);
    Promise.resolve(handler(req, res, body)).catch((err: unknown) => {
      res.destroy(err instanceof Error ? err : new Error(String(err)));
    });
  });
}
