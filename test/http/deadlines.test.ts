// Deadlines and bounds against hostile servers (raw node:net on 127.0.0.1): a head trickled a byte
// at a time, interim (1xx) responses that never end, a full pool that never frees up, and calls
// bounded as a whole by `timeout: { total }` — across redirects, on a streamed body nobody reads,
// and on an upload the server never reads. Each ends with a typed error within its bound (the
// bounds are generous: these are deadlines, not speed measurements).
import { afterEach, describe, expect, it } from "vitest";
import { PoolTimeout, ProtocolError, ReadTimeout, RequestAborted, Timeout } from "../../src/index.js";
import { raw, rejectionOf, runCleanups, session } from "../api/helpers.js";
import type { RawServer } from "../support/raw-server.js";

afterEach(runCleanups);

/** How long `promise` takes to reject, and with what. */
async function timed(promise: Promise<unknown>): Promise<[Error, number]> {
  const start = performance.now();
  const err = await rejectionOf(promise);
  return [err, (performance.now() - start) / 1000];
}

/** A server that reads the request and never answers. */
function silent(): Promise<RawServer> {
  return raw(
    async (conn) => {
      await conn.readRequest();
      await conn.closed;
    },
    { tolerateErrors: true },
  );
}

/** A server that answers with `message` (an interim response) every `ms`, `times` times, and nothing else. */
function interim(message: string, ms: number, times: number): Promise<RawServer> {
  return raw(
    async (conn) => {
      await conn.readRequest();
      for (let i = 0; i < times && !conn.peerClosed; i++) {
        conn.write(message);
        await new Promise((resolve) => setTimeout(resolve, ms));
      }
    },
    { tolerateErrors: true },
  );
}

const HEAD =
  "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Padding: abcdefghijklmnopqrstuvwxyz\r\nContent-Length: 2\r\n\r\nok";

describe("the response head has a deadline", () => {
  it("a head trickled one byte every 150 ms fails at the read timeout, though bytes keep coming", async () => {
    const srv = await raw(
      async (conn) => {
        await conn.readRequest();
        await conn.writeSlowly(HEAD, { chunkSize: 1, delayMs: 150 });
      },
      { tolerateErrors: true },
    );
    const s = session();
    const [err, seconds] = await timed(s.get(`${srv.url}/`, { timeout: 1 }));
    expect(err).toBeInstanceOf(ReadTimeout);
    expect(err.message).toContain("response head did not arrive within 1 s");
    expect(seconds).toBeGreaterThan(0.9);
    expect(seconds).toBeLessThan(4); // the whole head would take over 16 s
  });

  it("timeout.head sets it apart from the read timeout", async () => {
    const srv = await raw(
      async (conn) => {
        await conn.readRequest();
        await conn.writeSlowly(HEAD, { chunkSize: 4, delayMs: 100 });
      },
      { tolerateErrors: true },
    );
    const s = session();
    const [err, seconds] = await timed(s.get(`${srv.url}/`, { timeout: { read: 5, head: 0.5 } }));
    expect(err).toBeInstanceOf(ReadTimeout);
    expect(seconds).toBeLessThan(3);
    // a head that arrives in time is fine
    const ok = await raw(async (conn) => {
      await conn.readRequest();
      conn.write(HEAD);
    });
    expect((await s.get(`${ok.url}/`, { timeout: { read: 5, head: 0.5 } })).text).toBe("ok");
  });
});

describe("interim (1xx) responses are bounded", () => {
  it("100 Continue every 50 ms: refused after 10, with a ProtocolError naming them", async () => {
    const srv = await interim("HTTP/1.1 100 Continue\r\n\r\n", 50, 400);
    const s = session();
    const [err, seconds] = await timed(s.get(`${srv.url}/`, { timeout: 1 }));
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err.message).toContain("interim (1xx) responses");
    expect(seconds).toBeLessThan(4);
  });

  it("slower 1xx responses never extend the head deadline", async () => {
    const srv = await interim("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n", 200, 40);
    const s = session();
    const [err, seconds] = await timed(s.get(`${srv.url}/`, { timeout: 1 }));
    expect(err).toBeInstanceOf(ReadTimeout);
    expect(seconds).toBeLessThan(4); // 9 interim responses in, each within the read timeout
  });
});

describe("a full pool's queue is bounded", () => {
  it("pool_block with 2 connections and a silent server: 8 requests with timeout 0.5 all settle in time", async () => {
    const srv = await silent();
    const s = session({ pool_maxsize: 2, pool_block: true });
    const start = performance.now();
    const settled = await Promise.all(
      Array.from({ length: 8 }, () =>
        rejectionOf(s.get(`${srv.url}/`, { timeout: 0.5 })).then(
          (e) => [e, (performance.now() - start) / 1000] as const,
        ),
      ),
    );
    const kinds = settled.map(([e]) =>
      e instanceof PoolTimeout ? "pool" : e instanceof ReadTimeout ? "read" : e.name,
    );
    expect(kinds.filter((k) => k === "read")).toHaveLength(2);
    expect(kinds.filter((k) => k === "pool")).toHaveLength(6);
    for (const [, seconds] of settled) expect(seconds).toBeLessThan(3);
    expect(settled[7]?.[0]).toBeInstanceOf(Timeout); // PoolTimeout is a ConnectTimeout, a Timeout
  });

  it("timeout.pool bounds the wait apart from connecting", async () => {
    const srv = await silent();
    const s = session({ pool_maxsize: 1, pool_block: true });
    const first = rejectionOf(s.get(`${srv.url}/`, { timeout: { read: 3 } }));
    const [err, seconds] = await timed(s.get(`${srv.url}/`, { timeout: { read: 3, pool: 0.3 } }));
    expect(err).toBeInstanceOf(PoolTimeout);
    expect(err.message).toContain("freed up within 0.3 s");
    expect(seconds).toBeLessThan(2);
    expect(await first).toBeInstanceOf(ReadTimeout);
  });
});

describe("timeout.total bounds the whole call", () => {
  it("a body trickled within the read timeout fails at the total, naming the phase", async () => {
    const srv = await raw(
      async (conn) => {
        await conn.readRequest();
        conn.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
        await conn.writeSlowly("x".repeat(100_000), { chunkSize: 10, delayMs: 100 });
      },
      { tolerateErrors: true },
    );
    const s = session();
    const [err, seconds] = await timed(s.get(`${srv.url}/`, { timeout: { read: 1, total: 1 } }));
    expect(err).toBeInstanceOf(Timeout);
    expect(err).not.toBeInstanceOf(RequestAborted);
    expect(err.message).toContain("total timeout of 1 s (while reading the body)");
    expect(seconds).toBeLessThan(4);
  });

  it("spans redirects: five hops of 300 ms each exceed a total of 1 s", async () => {
    let hops = 0;
    const srv = await raw(
      async (conn) => {
        for (;;) {
          const req = await conn.nextRequest({ timeoutMs: Number.POSITIVE_INFINITY });
          if (req === null) return;
          hops++;
          await new Promise((resolve) => setTimeout(resolve, 300));
          conn.write(`HTTP/1.1 302 Found\r\nLocation: /hop${hops}\r\nContent-Length: 0\r\n\r\n`);
        }
      },
      { tolerateErrors: true },
    );
    const s = session();
    const [err, seconds] = await timed(s.get(`${srv.url}/start`, { timeout: { read: 1, total: 1 } }));
    expect(err).toBeInstanceOf(Timeout);
    expect(err.message).toContain("waiting for the response head");
    expect(seconds).toBeLessThan(4);
    expect(hops).toBeGreaterThanOrEqual(3);
    expect(hops).toBeLessThanOrEqual(5);
  });

  it("a streamed response whose body is never read ends at the total", async () => {
    const srv = await raw(
      async (conn) => {
        await conn.readRequest();
        conn.write("HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\nfirst bytes");
        await conn.closed;
      },
      { tolerateErrors: true },
    );
    const s = session();
    const r = await s.get(`${srv.url}/`, { stream: true, timeout: { total: 0.5 } });
    expect(r.status_code).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 800));
    const err = await rejectionOf(
      (async () => {
        for await (const _ of r.iter_content(1024)) {
          // read what arrived; the rest never comes
        }
      })(),
    );
    expect(err).toBeInstanceOf(Timeout);
    expect(err.message).toContain("reading the body");
  });

  it("an upload the server never reads ends at the total", async () => {
    const srv = await raw(
      async (conn) => {
        await conn.readRequestHead();
        await conn.closed; // reads nothing more
      },
      { tolerateErrors: true },
    );
    const s = session();
    const body = new Uint8Array(64 * 1024 * 1024);
    const [err, seconds] = await timed(s.put(`${srv.url}/`, { data: body, timeout: { total: 1 } }));
    expect(err).toBeInstanceOf(Timeout);
    expect(err.message).toContain("sending the request");
    expect(seconds).toBeLessThan(4);
  });

  it("a caller's own signal still aborts with RequestAborted", async () => {
    const srv = await silent();
    const s = session();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const err = await rejectionOf(s.get(`${srv.url}/`, { signal: ac.signal, timeout: { total: 5 } }));
    expect(err).toBeInstanceOf(RequestAborted);
  });

  it("refuses a timeout that is not a positive number of seconds, before any connection", async () => {
    const s = session();
    for (const timeout of [{ total: -1 }, { read: 0 }, { head: "1" as unknown as number }]) {
      expect(await rejectionOf(s.get("http://127.0.0.1:9/", { timeout }))).toBeInstanceOf(TypeError);
    }
  });
});
