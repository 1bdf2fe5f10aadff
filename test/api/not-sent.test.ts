// A write the runtime refuses before sending anything (NotSentError; workerd does this for a
// socket opened during another Worker request) is retried once on a new connection for any
// method whose body can be replayed: the server saw nothing, so nothing is sent twice.
import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import "../../src/index.js";
import { ConnectionError } from "../../src/errors.js";
import { nodeTransport } from "../../src/transport/node.js";
import { NotSentError, type SocketHandlers, type Transport, type TransportSocket } from "../../src/transport/types.js";
import { runCleanups, session } from "./helpers.js";

afterEach(runCleanups);

/** Sockets whose writes fail with NotSentError from their second exchange on (a reused socket). */
function refusingTransport(): { transport: Transport; connects: () => number } {
  let connects = 0;
  const transport: Transport = {
    async connect(o) {
      connects++;
      const inner = await nodeTransport.connect(o);
      let handlers: SocketHandlers | undefined;
      let heads = 0;
      let refusing = false;
      const refuse = (): boolean => {
        if (!refusing) {
          refusing = true;
          queueMicrotask(() => {
            handlers?.error(new NotSentError("Cannot perform I/O on behalf of a different request"));
            inner.destroy();
          });
        }
        return false;
      };
      // a request head starts every exchange: from the second one on, writes are refused
      const startsExchange = (c: Uint8Array) =>
        /^[A-Z]+ \S+ HTTP\/1\.1\r\n/.test(String.fromCharCode(...c.subarray(0, 64)));
      const gate = (first: Uint8Array) => {
        if (startsExchange(first)) heads++;
        return refusing || heads > 1;
      };
      const sock: TransportSocket = {
        write: (d) => (gate(d) ? refuse() : inner.write(d)),
        writev: (cs) => (gate(cs[0] as Uint8Array) ? refuse() : inner.writev(cs)),
        end: () => inner.end(),
        destroy: (e) => inner.destroy(e),
        pause: () => inner.pause(),
        resume: () => inner.resume(),
        ref: () => inner.ref(),
        unref: () => inner.unref(),
        setHandlers: (h) => {
          handlers = h;
          inner.setHandlers(h);
        },
        get destroyed() {
          return inner.destroyed;
        },
      };
      return sock;
    },
  };
  return { transport, connects: () => connects };
}

async function countingServer(): Promise<{ url: string; posts: () => number }> {
  let posts = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.method === "POST") posts++;
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { onCleanup } = await import("./helpers.js");
  onCleanup(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/`, posts: () => posts };
}

describe("NotSentError", () => {
  it("retries a POST with a bytes body once on a new connection; the server gets each POST once", async () => {
    const srv = await countingServer();
    const t = refusingTransport();
    const s = session({ transport: t.transport });
    expect((await s.post(srv.url, { data: "one" })).text).toBe("ok");
    expect((await s.post(srv.url, { data: "two" })).text).toBe("ok"); // refused on the reused socket
    expect(srv.posts()).toBe(2);
    expect(t.connects()).toBe(2);
  });

  it("does not retry a POST whose streamed body cannot be replayed", async () => {
    const srv = await countingServer();
    const t = refusingTransport();
    const s = session({ transport: t.transport });
    await s.post(srv.url, { data: "one" });
    async function* body() {
      yield new TextEncoder().encode("streamed");
    }
    const err = await s.post(srv.url, { data: body() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(srv.posts()).toBe(1);
  });
});
