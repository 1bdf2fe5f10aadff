// Security regression: response-queue poisoning. Bytes a server (or whoever sits on the
// connection) sends when no request is outstanding must never become the response to the next
// request: the connection that got them is closed, and the next request gets its own response on
// a new connection.
import { afterEach, describe, expect, it } from "vitest";
import { raw, runCleanups, session } from "../api/helpers.js";

afterEach(runCleanups);

const POISON = "HTTP/1.1 200 OK\r\nX-Poison: 1\r\nContent-Length: 6\r\n\r\npoison";
const ok = (text: string) => `HTTP/1.1 200 OK\r\nContent-Length: ${text.length}\r\n\r\n${text}`;

describe("response-queue poisoning", () => {
  it("response-queue poisoning (bytes on an idle socket)", async () => {
    let poisoned = 0;
    const srv = await raw(async (conn) => {
      for (;;) {
        const req = await conn.nextRequest({ timeoutMs: Number.POSITIVE_INFINITY });
        if (req === null) return;
        if (req.target === "/after-idle") {
          // the response, then, once the client has it, a whole second response nobody asked for
          conn.write(ok(req.target));
          await new Promise((resolve) => setTimeout(resolve, 20));
          conn.write(POISON);
          poisoned++;
          // the client must close this connection by itself
          expect(await conn.waitForClientClose(5000)).toBe(true);
          return;
        }
        if (req.target === "/same-segment") {
          // the poison glued to the response, in the same write
          conn.write(ok(req.target) + POISON);
          poisoned++;
          expect(await conn.waitForClientClose(5000)).toBe(true);
          return;
        }
        if (req.target === "/before-head") {
          // bytes on the idle socket before any request: the next request must not take them
          conn.write(ok(req.target));
          await new Promise((resolve) => setTimeout(resolve, 20));
          conn.write("HTTP/1.1 200 OK\r\nContent-Le");
          poisoned++;
          expect(await conn.waitForClientClose(5000)).toBe(true);
          return;
        }
        conn.write(ok(req.target));
      }
    });
    const s = session();
    s.trust_env = false;
    for (const first of ["/after-idle", "/same-segment", "/before-head"]) {
      expect((await s.get(`${srv.url}${first}`)).text).toBe(first);
      const before = srv.connections;
      // the poison arrives while the connection is idle in the pool; wait for the client to drop it
      await srv.idle(5000);
      for (const next of ["/next-1", "/next-2"]) {
        const r = await s.get(`${srv.url}${next}`);
        expect(r.text).toBe(next);
        expect(r.headers.has("x-poison")).toBe(false);
      }
      expect(srv.connections).toBe(before + 1);
    }
    expect(poisoned).toBe(3);
    expect(srv.errors).toEqual([]);
  });
});
