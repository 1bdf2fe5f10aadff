// The connection layer (src/http over src/transport/node.ts) seen through Session: keep-alive
// reuse, the pool's limits and expiry, stale connections, unsolicited bytes, faults, timeouts,
// aborts and close(), against scripted raw servers (exact bytes) and node:http servers.
import { spawn } from "node:child_process";
import { createServer as createHttpServer } from "node:http";
import { createServer as createNetServer, type Socket } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import requests, {
  ChunkedEncodingError,
  ConnectionError,
  ConnectTimeout,
  ProtocolError,
  ReadTimeout,
  RemoteDisconnected,
  RequestAborted,
  RequestException,
  Response,
  type Session,
  type SessionOptions,
  Timeout,
} from "../../src/index.js";
import {
  session as baseSession,
  FOREVER,
  gate,
  listen,
  ok,
  onCleanup,
  raw,
  rejectionOf,
  runCleanups,
  sleep,
  until,
  watchUnhandled,
  within,
} from "../api/helpers.js";
import type { RawConnection, RawRequest } from "../support/raw-server.js";

afterEach(runCleanups);

/**
 * A Session closed after the test. Idle connections are kept for a minute unless a test says
 * otherwise, so that a connection closed during a test was closed for the reason under test.
 */
const session = (options: SessionOptions = {}): Session => baseSession({ idle_timeout: 60_000, ...options });

const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** The body every well-behaved answer carries: the request's method and target (a unique id). */
const idOf = (method: string, target: string): string => `${method} ${target}`;

/** The answer to a request: its id as body (no body bytes for HEAD). */
function reply(req: RawRequest, headers: string[] = []): string {
  const body = idOf(req.method, req.target);
  if (req.method !== "HEAD") return ok(body, headers);
  return `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n${headers.map((h) => `${h}\r\n`).join("")}\r\n`;
}

/** Answers every request on the connection until the peer closes it. */
async function serveLoop(conn: RawConnection): Promise<void> {
  for (let req = await conn.nextRequest(FOREVER); req !== null; req = await conn.nextRequest(FOREVER)) {
    conn.write(reply(req));
  }
}

/** The pool of the session's only origin. */
function onlyPool(s: Session) {
  const pools = [...s.agent.pools.values()];
  expect(pools).toHaveLength(1);
  return pools[0] as NonNullable<(typeof pools)[0]>;
}

/** Error codes along the cause chain. */
function causeCodes(err: unknown): string[] {
  const codes: string[] = [];
  for (let e = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
  }
  return codes;
}

/** A port nothing listens on (opened, then closed). */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP server that accepts and never sends a byte (for https:// URLs: a TLS handshake that never ends). */
async function silentServer(): Promise<{ accepted: Array<{ clientClosed: boolean }>; port: number }> {
  const accepted: Array<{ clientClosed: boolean }> = [];
  const server = createNetServer((socket) => {
    const entry = { clientClosed: false };
    accepted.push(entry);
    socket.on("error", () => {}); // a reset from the client is expected
    socket.on("end", () => {
      entry.clientClosed = true;
    });
    socket.on("close", () => {
      entry.clientClosed = true;
    });
    socket.resume(); // reads (and drops) the ClientHello, so that the client's FIN is seen
  });
  return { accepted, port: await listen(server) };
}

describe("keep-alive", () => {
  it("reuses one connection for sequential requests of a Session", async () => {
    const srv = await raw(serveLoop);
    const s = session();
    for (let i = 0; i < 4; i++) {
      const r = await s.get(`${srv.url}/k/${i}`, { timeout: 10 });
      expect(r.status_code).toBe(200);
      expect(r.text).toBe(`GET /k/${i}`);
    }
    expect(srv.connections).toBe(1);
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 1, 1, 1]);
    expect(srv.errors).toEqual([]);
  });

  it("opens a new connection after a response with Connection: close (and closes the old one)", async () => {
    const conns: RawConnection[] = [];
    const srv = await raw(async (conn) => {
      conns.push(conn);
      if (conn.id === 1) {
        // The server does not close: the client must, because of the header.
        conn.write(reply(await conn.readRequest(), ["Connection: close"]));
        await conn.closed;
        return;
      }
      await serveLoop(conn);
    });
    const s = session();
    expect((await s.get(`${srv.url}/c/1`, { timeout: 10 })).text).toBe("GET /c/1");
    expect(await conns[0]?.waitForClientClose(5000)).toBe(true);
    expect((await s.get(`${srv.url}/c/2`, { timeout: 10 })).text).toBe("GET /c/2");
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 2]);
  });

  it("opens a new connection after an HTTP/1.0 response without keep-alive", async () => {
    const conns: RawConnection[] = [];
    const srv = await raw(async (conn) => {
      conns.push(conn);
      if (conn.id === 1) {
        const req = await conn.readRequest();
        conn.write(ok(idOf(req.method, req.target), [], "HTTP/1.0 200 OK"));
        await conn.closed;
        return;
      }
      await serveLoop(conn);
    });
    const s = session();
    const r1 = await s.get(`${srv.url}/h10/1`, { timeout: 10 });
    expect(r1.http_version).toBe("1.0");
    expect(r1.text).toBe("GET /h10/1");
    expect(await conns[0]?.waitForClientClose(5000)).toBe(true);
    expect((await s.get(`${srv.url}/h10/2`, { timeout: 10 })).text).toBe("GET /h10/2");
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 2]);
  });

  it("reads a body without Content-Length to the close, and does not reuse that connection", async () => {
    const body = "read until the server closes; ".repeat(20);
    const srv = await raw(async (conn) => {
      const req = await conn.readRequest();
      if (conn.id === 1) {
        await conn.writeSlowly(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n${body}`, {
          chunkSize: 97,
          delayMs: 2,
        });
        conn.end();
        return;
      }
      conn.write(reply(req));
      await serveLoop(conn);
    });
    const s = session();
    const r1 = await s.get(`${srv.url}/rtc/1`, { timeout: 10 });
    expect(r1.text).toBe(body);
    const r2 = await s.get(`${srv.url}/rtc/2`, { timeout: 10 });
    expect(r2.text).toBe("GET /rtc/2");
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 2]);
  });
});

describe("pool", () => {
  it("with pool_block, never opens more than pool_maxsize connections; queued requests run as they free up", async () => {
    let total = 0;
    let open = 0;
    let maxOpen = 0;
    let arrived = 0;
    const [released, release] = gate();
    const server = createHttpServer((req, res) => {
      arrived++;
      void released.then(() => res.end(`id ${req.url}`));
    });
    server.on("connection", (socket: Socket) => {
      total++;
      open++;
      maxOpen = Math.max(maxOpen, open);
      socket.on("close", () => open--);
    });
    const port = await listen(server);
    const s = session({ pool_maxsize: 2, pool_block: true });
    const all = Array.from({ length: 6 }, (_, i) => s.get(`http://127.0.0.1:${port}/p/${i}`, { timeout: 20 }));
    try {
      await until(
        () => arrived === 2 && s.agent.pools.size === 1 && onlyPool(s).queued === 4,
        5000,
        "2 running, 4 queued",
      );
      await sleep(50); // a third connection or request would show up here
      expect(total).toBe(2);
      expect(arrived).toBe(2);
    } finally {
      release();
    }
    const responses = await within(Promise.all(all), 20_000, "6 pooled requests");
    expect(responses.map((r) => r.text)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `id /p/${i}`));
    expect(maxOpen).toBeLessThanOrEqual(2);
    expect(total).toBe(2);
    expect(arrived).toBe(6);
  });

  it("without pool_block (the default), opens a connection per busy request and keeps pool_maxsize idle", async () => {
    let total = 0;
    let open = 0;
    let arrived = 0;
    const [released, release] = gate();
    const server = createHttpServer((req, res) => {
      arrived++;
      void released.then(() => res.end(`id ${req.url}`));
    });
    server.on("connection", (socket: Socket) => {
      total++;
      open++;
      socket.on("close", () => open--);
    });
    const port = await listen(server);
    const s = session({ pool_maxsize: 2 });
    const all = Array.from({ length: 6 }, (_, i) => s.get(`http://127.0.0.1:${port}/p/${i}`, { timeout: 20 }));
    try {
      await until(() => arrived === 6, 5000, "6 requests at the server at once");
      expect(total).toBe(6);
      expect(onlyPool(s).queued).toBe(0);
    } finally {
      release();
    }
    const responses = await within(Promise.all(all), 20_000, "6 requests");
    expect(responses.map((r) => r.text)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `id /p/${i}`));
    await until(() => open === 2, 5000, "the 4 beyond pool_maxsize closed");
    expect(onlyPool(s).idleCount).toBe(2);
    // the two kept are reused
    const again = await within(
      Promise.all([0, 1].map((i) => s.get(`http://127.0.0.1:${port}/q/${i}`, { timeout: 20 }))),
      20_000,
      "2 more requests",
    );
    expect(again.map((r) => r.text)).toEqual(["id /q/0", "id /q/1"]);
    expect(total).toBe(6);
  });

  it("closes a connection idle for idle_timeout and opens a new one afterwards", async () => {
    const conns: RawConnection[] = [];
    const srv = await raw(async (conn) => {
      conns.push(conn);
      await serveLoop(conn);
    });
    const s = session({ idle_timeout: 150 });
    expect((await s.get(`${srv.url}/idle/1`, { timeout: 10 })).text).toBe("GET /idle/1");
    expect(await conns[0]?.waitForClientClose(5000)).toBe(true);
    expect((await s.get(`${srv.url}/idle/2`, { timeout: 10 })).text).toBe("GET /idle/2");
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 2]);
  });

  it("expires idle connections one by one, each idle_timeout after it last became idle", async () => {
    const conns: RawConnection[] = [];
    const srv = await raw(async (conn) => {
      conns.push(conn);
      await serveLoop(conn);
    });
    const s = session({ idle_timeout: 600 });
    // two connections at once, both idle from t0
    await Promise.all([s.get(`${srv.url}/a`), s.get(`${srv.url}/b`)]);
    expect(onlyPool(s).idleCount).toBe(2);
    await sleep(400);
    // the newest idle connection carries this one, and is idle again from t0 + 400
    await s.get(`${srv.url}/c`);
    const [first, second] = [conns[0] as RawConnection, conns[1] as RawConnection];
    const usedLast = srv.requests.at(-1)?.connection;
    const [older, newer] = usedLast === 1 ? [second, first] : [first, second];
    // at t0 + 600 the older one goes; the newer one stays until t0 + 1000
    expect(await older.waitForClientClose(2000)).toBe(true);
    expect(onlyPool(s).idleCount).toBe(1);
    expect(newer.peerClosed).toBe(false);
    expect(await newer.waitForClientClose(2000)).toBe(true);
    expect(onlyPool(s).idleCount).toBe(0);
    expect(srv.requests).toHaveLength(3);
    expect(conns).toHaveLength(2);
  });

  it.each([
    { hint: 1, waitMs: 0, reused: false },
    { hint: 2, waitMs: 1200, reused: false },
    { hint: 30, waitMs: 0, reused: true },
  ])(
    "respects the server's Keep-Alive: timeout=$hint hint (next request after $waitMs ms: reused=$reused)",
    async ({ hint, waitMs, reused }) => {
      const srv = await raw(async (conn) => {
        for (let req = await conn.nextRequest(FOREVER); req !== null; req = await conn.nextRequest(FOREVER)) {
          conn.write(reply(req, [`Keep-Alive: timeout=${hint}, max=100`]));
        }
      });
      const s = session();
      expect((await s.get(`${srv.url}/ka/1`, { timeout: 10 })).text).toBe("GET /ka/1");
      if (waitMs > 0) await sleep(waitMs);
      expect((await s.get(`${srv.url}/ka/2`, { timeout: 10 })).text).toBe("GET /ka/2");
      expect(srv.requests.map((r) => r.connection)).toEqual(reused ? [1, 1] : [1, 2]);
    },
  );

  it("module-level requests.get reuses connections across calls", async () => {
    const srv = await raw(serveLoop);
    const r1 = await requests.get(`${srv.url}/mod/1`, { timeout: 10 });
    const r2 = await requests.get(`${srv.url}/mod/2`, { timeout: 10 });
    expect([r1.text, r2.text]).toEqual(["GET /mod/1", "GET /mod/2"]);
    expect(srv.connections).toBe(1);
    expect(srv.requests.map((r) => r.connection)).toEqual([1, 1]);
  });

  it("module-level requests.get does not keep the process alive", async () => {
    // The server keeps every connection open: only the client can let the child exit.
    const srv = await raw(serveLoop);
    const entry = pathToFileURL(`${REPO}src/index.ts`).href;
    const script = [
      `const { default: requests } = await import(${JSON.stringify(entry)});`,
      "const a = await requests.get(process.argv[1] + '/child/1', { timeout: 10 });",
      "const b = await requests.get(process.argv[1] + '/child/2', { timeout: 10 });",
      "console.log(a.text + '|' + b.text);",
      // What keeps the event loop alive now: a pooled socket or a timer must not.
      "console.log(JSON.stringify(process.getActiveResourcesInfo()));",
    ].join("\n");
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, srv.url], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let killed = false;
    const killer = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, 15_000);
    onCleanup(() => {
      clearTimeout(killer);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    clearTimeout(killer);
    expect(killed, `the child did not exit on its own; stderr: ${stderr}`).toBe(false);
    expect(code, stderr).toBe(0);
    const [texts, resources] = stdout.trim().split("\n");
    expect(texts).toBe("GET /child/1|GET /child/2");
    const alive = JSON.parse(resources ?? "null") as string[];
    expect(alive).not.toContain("TCPSocketWrap");
    expect(alive).not.toContain("Timeout");
    expect(srv.connections).toBe(1);
  });
});

describe("stale keep-alive connections", () => {
  const RETRIED = ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"] as const;
  const CLOSES = ["fin", "rst"] as const;

  function closeConn(conn: RawConnection, how: "fin" | "rst"): void {
    if (how === "fin") conn.end();
    else conn.reset();
  }

  describe.each(CLOSES)("server closes with %s", (how) => {
    it.each(RETRIED)(
      "%s after the server closed the idle connection right after the first response",
      async (method) => {
        const [closeNow, fireClose] = gate();
        let closedByServer = false;
        const srv = await raw(async (conn) => {
          if (conn.id === 1) {
            conn.write(reply(await conn.readRequest()));
            await closeNow;
            closeConn(conn, how);
            closedByServer = true;
            return;
          }
          await serveLoop(conn);
        });
        const s = session();
        expect((await s.get(`${srv.url}/first`, { timeout: 10 })).text).toBe("GET /first");
        fireClose();
        await until(() => closedByServer, 5000, "the server to close");
        const r = await s.request(method, `${srv.url}/second`, { timeout: 10 });
        expect(r.status_code).toBe(200);
        if (method !== "HEAD") expect(r.text).toBe(`${method} /second`);
        const seen = srv.requests.filter((q) => q.target === "/second");
        expect(seen.length).toBeGreaterThanOrEqual(1);
        expect(seen.length).toBeLessThanOrEqual(2);
        expect(seen.at(-1)?.connection).not.toBe(1);
      },
    );

    it.each(RETRIED)(
      "%s sent on a connection the server then closes unanswered is retried once on a fresh one",
      async (method) => {
        const srv = await raw(async (conn) => {
          if (conn.id === 1) {
            conn.write(reply(await conn.readRequest()));
            await conn.readRequest(); // the request that raced with the server's close
            closeConn(conn, how);
            return;
          }
          await serveLoop(conn);
        });
        const s = session();
        expect((await s.get(`${srv.url}/first`, { timeout: 10 })).text).toBe("GET /first");
        const data = method === "PUT" ? { data: "replayable bytes" } : {};
        const r = await s.request(method, `${srv.url}/second`, { timeout: 10, ...data });
        expect(r.status_code).toBe(200);
        if (method !== "HEAD") expect(r.text).toBe(`${method} /second`);
        const seen = srv.requests.filter((q) => q.target === "/second");
        expect(seen.map((q) => q.connection)).toEqual([1, 2]);
        if (method === "PUT")
          expect(seen.map((q) => q.body.toString())).toEqual(["replayable bytes", "replayable bytes"]);
        expect(srv.connections).toBe(2);
      },
    );

    it.each([
      ["POST", { data: "a=1" }],
      ["PATCH", { json: { a: 1 } }],
    ] as const)(
      "%s on a stale connection fails with RemoteDisconnected and is sent at most once",
      async (method, body) => {
        const srv = await raw(async (conn) => {
          if (conn.id === 1) {
            conn.write(reply(await conn.readRequest()));
            await conn.readRequest();
            closeConn(conn, how);
            return;
          }
          await serveLoop(conn);
        });
        const s = session();
        expect((await s.get(`${srv.url}/first`, { timeout: 10 })).text).toBe("GET /first");
        const err = await rejectionOf(s.request(method, `${srv.url}/once`, { timeout: 10, ...body }));
        expect(err).toBeInstanceOf(ConnectionError);
        expect(err).toBeInstanceOf(RemoteDisconnected);
        await sleep(50); // a (wrong) retry would reach the server here
        expect(srv.requests.filter((q) => q.method === method).length).toBeLessThanOrEqual(1);
        expect(srv.connections).toBe(1);
        // The session goes on with a fresh connection.
        expect((await s.get(`${srv.url}/after`, { timeout: 10 })).text).toBe("GET /after");
        expect(srv.requests.filter((q) => q.method === method).length).toBeLessThanOrEqual(1);
      },
    );

    it("does not retry a PUT with a streamed (async iterable) body", async () => {
      const srv = await raw(async (conn) => {
        if (conn.id === 1) {
          conn.write(reply(await conn.readRequest()));
          await conn.readRequest();
          closeConn(conn, how);
          return;
        }
        await serveLoop(conn);
      });
      const s = session();
      expect((await s.get(`${srv.url}/first`, { timeout: 10 })).text).toBe("GET /first");
      async function* body(): AsyncGenerator<Uint8Array> {
        yield new TextEncoder().encode("streamed ");
        yield new TextEncoder().encode("body");
      }
      const err = await rejectionOf(s.put(`${srv.url}/stream`, { data: body(), timeout: 10 }));
      expect(err).toBeInstanceOf(ConnectionError);
      await sleep(50);
      const puts = srv.requests.filter((q) => q.method === "PUT");
      expect(puts.length).toBeLessThanOrEqual(1);
      expect(srv.connections).toBe(1);
    });
  });
});

describe("unsolicited bytes on an idle connection", () => {
  const EVIL = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nEVIL";

  // a whole response, and an empty line (which only a connection waiting for a response skips)
  const IDLE_BYTES: Array<[string, string, string]> = [];
  for (const [what, bytes] of [
    ["a response", EVIL],
    ["a CRLF", "\r\n"],
  ]) {
    for (const when of ["after a pause", "in the same write as the response"]) {
      IDLE_BYTES.push([what as string, when, bytes as string]);
    }
  }

  it.each(IDLE_BYTES)(
    "%s sent %s: the connection is destroyed; the next request gets its own response on a new one",
    async (_what, when, bytes) => {
      const conns: RawConnection[] = [];
      const srv = await raw(async (conn) => {
        conns.push(conn);
        if (conn.id === 1) {
          const first = reply(await conn.readRequest());
          if (when === "after a pause") {
            conn.write(first);
            await sleep(20);
            conn.write(bytes);
          } else {
            conn.write(first + bytes);
          }
        }
        await serveLoop(conn);
      });
      const s = session();
      expect((await s.get(`${srv.url}/u/1`, { timeout: 10 })).text).toBe("GET /u/1");
      expect(await conns[0]?.waitForClientClose(5000)).toBe(true);
      const r2 = await s.get(`${srv.url}/u/2`, { timeout: 10 });
      expect(r2.text).toBe("GET /u/2");
      expect(srv.requests.map((r) => [r.target, r.connection])).toEqual([
        ["/u/1", 1],
        ["/u/2", 2],
      ]);
    },
  );

  it("bytes right behind a response never become the response of a queued request", async () => {
    const srv = await raw(async (conn) => {
      if (conn.id === 1) {
        // One write: the response, then a second response nobody asked for.
        conn.write(reply(await conn.readRequest()) + EVIL);
      }
      await serveLoop(conn);
    });
    const s = session({ pool_maxsize: 1 });
    const all = [1, 2, 3].map((i) => s.get(`${srv.url}/q/${i}`, { timeout: 5 }));
    // Each has a 5 s read timeout: 10 s without settling is a hang.
    const outcome = (p: Promise<Response>): Promise<string> =>
      within(
        p.then(
          (r) => r.text,
          (e: unknown) => `rejected: ${String(e)}`,
        ),
        10_000,
        "",
      ).catch(() => "still pending after 10 s");
    const texts = await Promise.all(all.map(outcome));
    expect(texts).toEqual(["GET /q/1", "GET /q/2", "GET /q/3"]);
    expect(srv.requests.filter((r) => r.connection === 1)).toHaveLength(1);
  });
});

describe("empty lines before a status line (RFC 9112 §2.2)", () => {
  it("a CRLF before the status line is skipped: requests.get succeeds", async () => {
    const srv = await raw(async (conn) => {
      for (let req = await conn.nextRequest(FOREVER); req !== null; req = await conn.nextRequest(FOREVER)) {
        conn.write(`\r\n${reply(req)}`);
      }
    });
    const r = await requests.get(`${srv.url}/lead`, { timeout: 10 });
    expect([r.status_code, r.text]).toEqual([200, "GET /lead"]);
  });

  it("an extra CRLF after a 100 Continue (as aiohttp sends it) is skipped: requests.post succeeds", async () => {
    const srv = await raw(async (conn) => {
      for (let req = await conn.nextRequest(FOREVER); req !== null; req = await conn.nextRequest(FOREVER)) {
        conn.write("HTTP/1.1 100 Continue\r\n\r\n\r\n");
        await sleep(5); // the final response in a later read: the parser waits among empty lines
        conn.write(ok(`${req.method} ${req.target} ${req.body.toString("latin1")}`));
      }
    });
    const r = await requests.post(`${srv.url}/form`, { data: "a=1", timeout: 10 });
    expect([r.status_code, r.text]).toEqual([200, "POST /form a=1"]);
  });
});

describe("faults", () => {
  /** Connection 1 gets `bytes` for its first request, then (`end`) a FIN or (`hold`) nothing more. */
  async function faultServer(bytes: string, after: "end" | "hold") {
    const conns: RawConnection[] = [];
    const srv = await raw(async (conn) => {
      conns.push(conn);
      if (conn.id === 1) {
        await conn.readRequest();
        conn.write(bytes);
        if (after === "end") conn.end();
        else await conn.closed;
        return;
      }
      await serveLoop(conn);
    });
    return { srv, conns };
  }

  /** Fails the first request with `bytes`; checks the error class, then that the session goes on. */
  async function expectFault(bytes: string, after: "end" | "hold", Cls: typeof RequestException): Promise<Error> {
    const { srv, conns } = await faultServer(bytes, after);
    const s = session();
    const err = await rejectionOf(s.get(`${srv.url}/fault`, { timeout: 10 }));
    expect(err).toBeInstanceOf(Cls);
    expect(err).not.toBeInstanceOf(Timeout);
    expect(await conns[0]?.waitForClientClose(5000)).toBe(true);
    expect((await s.get(`${srv.url}/next`, { timeout: 10 })).text).toBe("GET /next");
    expect(srv.requests.map((r) => [r.target, r.connection])).toEqual([
      ["/fault", 1],
      ["/next", 2],
    ]);
    return err;
  }

  it("connection refused: ConnectionError with the socket error as cause", async () => {
    const port = await closedPort();
    const s = session();
    const err = await rejectionOf(s.get(`http://127.0.0.1:${port}/`, { timeout: 10 }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).not.toBeInstanceOf(Timeout);
    expect(err.cause).toBeInstanceOf(Error);
    expect(causeCodes(err)).toContain("ECONNREFUSED");
  });

  it("reset before the head: ConnectionError", async () => {
    const srv = await raw(async (conn) => {
      await conn.readRequest();
      conn.reset();
    });
    const s = session();
    const err = await rejectionOf(s.get(`${srv.url}/reset`, { timeout: 10 }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).not.toBeInstanceOf(Timeout);
  });

  it("malformed status line: ProtocolError, a ConnectionError", async () => {
    const err = await expectFault("HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n", "hold", ProtocolError);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.cause).toBeDefined();
  });

  it("body shorter than Content-Length, then close: ChunkedEncodingError", async () => {
    await expectFault("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", "end", ChunkedEncodingError);
  });

  it("chunked body cut short, then close: ChunkedEncodingError", async () => {
    await expectFault(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n8\r\nabc",
      "end",
      ChunkedEncodingError,
    );
  });

  it("invalid chunk size: ChunkedEncodingError", async () => {
    await expectFault(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
      "hold",
      ChunkedEncodingError,
    );
  });

  it("response head over 16 KiB: ProtocolError", async () => {
    const big = `HTTP/1.1 200 OK\r\nX-Big: ${"a".repeat(17 * 1024)}\r\nContent-Length: 2\r\n\r\nhi`;
    await expectFault(big, "hold", ProtocolError);
  });

  it("Content-Length with Transfer-Encoding: ProtocolError", async () => {
    await expectFault(
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      "hold",
      ProtocolError,
    );
  });

  it("two differing Content-Length values: ProtocolError", async () => {
    await expectFault("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", "hold", ProtocolError);
  });
});

describe("timeouts", () => {
  /** A server that reads a request and then (stall) says nothing or (midBody) sends a head and part of the body. */
  async function stallingServer(mode: "stall" | "midBody") {
    return raw(async (conn) => {
      await conn.readRequest();
      if (mode === "midBody") conn.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nten bytes.");
      await conn.closed;
    });
  }

  function expectReadTimeout(err: Error): void {
    expect(err).toBeInstanceOf(ReadTimeout);
    expect(err).toBeInstanceOf(Timeout);
    expect(err).toBeInstanceOf(RequestException);
    expect(err).not.toBeInstanceOf(ConnectionError);
    expect(err).not.toBeInstanceOf(ConnectTimeout);
  }

  it.each([
    ["stall", 0.3],
    ["midBody", 0.3],
    ["stall", [5, 0.3]],
    ["midBody", [null, 0.3]],
  ] as const)("server %s with timeout %j: ReadTimeout", async (mode, timeout) => {
    const srv = await stallingServer(mode);
    const s = session();
    const started = Date.now();
    const err = await rejectionOf(
      s.get(`${srv.url}/slow`, { timeout: timeout as number | [number | null, number | null] }),
    );
    expectReadTimeout(err);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("a streamed response whose body stalls: ReadTimeout while reading it", async () => {
    const srv = await stallingServer("midBody");
    const s = session();
    const r = await s.get(`${srv.url}/slow`, { timeout: 0.3, stream: true });
    expect(r.status_code).toBe(200);
    const err = await rejectionOf(r.read());
    expectReadTimeout(err);
  });

  it.each([0.3, [0.3, 30]] as const)(
    "TCP accepted but no TLS handshake, timeout %j: ConnectTimeout",
    async (timeout) => {
      const { accepted, port } = await silentServer();
      const s = session();
      const started = Date.now();
      const err = await rejectionOf(
        s.get(`https://127.0.0.1:${port}/`, { timeout: timeout as number | [number | null, number | null] }),
      );
      expect(err).toBeInstanceOf(ConnectTimeout);
      expect(err).toBeInstanceOf(ConnectionError);
      expect(err).toBeInstanceOf(Timeout);
      expect(err).toBeInstanceOf(RequestException);
      expect(err).not.toBeInstanceOf(ReadTimeout);
      expect(accepted).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(10_000);
      await until(() => accepted[0]?.clientClosed === true, 5000, "the client to close the socket");
    },
  );

  it("never fires after a successful response (no late rejection, connection still reused)", async () => {
    const watch = watchUnhandled();
    onCleanup(() => watch.stop());
    const srv = await raw(serveLoop);
    const s = session();
    const results: Response[] = [];
    for (let i = 0; i < 5; i++) results.push(await s.get(`${srv.url}/t/${i}`, { timeout: 0.2 }));
    const streamed = await s.get(`${srv.url}/t/stream`, { timeout: [0.2, 0.2], stream: true });
    await sleep(700); // several read timeouts
    expect(new TextDecoder().decode(await streamed.read())).toBe("GET /t/stream");
    const last = await s.get(`${srv.url}/t/last`, { timeout: 0.2 });
    expect(results.map((r) => r.text)).toEqual([0, 1, 2, 3, 4].map((i) => `GET /t/${i}`));
    expect(last.text).toBe("GET /t/last");
    expect(srv.connections).toBe(1);
    expect(watch.reasons).toEqual([]);
  });
});

/** The call is rejected with RequestAborted whose cause is the signal's reason. */
async function expectAbortedBy(call: Promise<unknown>, reason: Error): Promise<void> {
  const err = await rejectionOf(call);
  expect(err).toBeInstanceOf(RequestAborted);
  expect(err.cause).toBe(reason);
}

describe("abort", () => {
  it("aborted before sending: RequestAborted with the reason, nothing sent", async () => {
    const srv = await raw(serveLoop);
    const s = session();
    const reason = new Error("stop before");
    await expectAbortedBy(s.get(`${srv.url}/a`, { signal: AbortSignal.abort(reason), timeout: 10 }), reason);
    await sleep(30);
    expect(srv.connections).toBe(0);
  });

  it("aborted while connecting (TLS handshake unanswered): RequestAborted, the socket is closed", async () => {
    const { accepted, port } = await silentServer();
    const s = session();
    const ac = new AbortController();
    const p = s.get(`https://127.0.0.1:${port}/`, { signal: ac.signal, timeout: 10 });
    await until(() => accepted.length === 1, 5000, "the TCP connection");
    const reason = new Error("stop connecting");
    ac.abort(reason);
    await expectAbortedBy(p, reason);
    await until(() => accepted[0]?.clientClosed === true, 5000, "the client to close the socket");
  });

  it("aborted while queued in a full pool: RequestAborted, never sent", async () => {
    const [released, release] = gate();
    const srv = await raw(async (conn) => {
      const req = await conn.readRequest();
      await released;
      conn.write(reply(req));
      await serveLoop(conn);
    });
    const s = session({ pool_maxsize: 1, pool_block: true });
    const running = s.get(`${srv.url}/running`, { timeout: 10 });
    const ac = new AbortController();
    const queued = s.get(`${srv.url}/queued`, { timeout: 10, signal: ac.signal });
    try {
      await until(
        () => srv.requests.length === 1 && s.agent.pools.size === 1 && onlyPool(s).queued === 1,
        5000,
        "a queue",
      );
      const reason = new Error("stop queued");
      ac.abort(reason);
      await expectAbortedBy(queued, reason);
      expect(onlyPool(s).queued).toBe(0);
    } finally {
      release();
    }
    expect((await within(running, 10_000, "the running request")).text).toBe("GET /running");
    expect((await s.get(`${srv.url}/after`, { timeout: 10 })).text).toBe("GET /after");
    expect(srv.requests.map((r) => r.target)).toEqual(["/running", "/after"]);
  });

  /** Connection 1 reads a request and then does `first`; later connections answer normally. */
  async function abortServer(first: (conn: RawConnection) => Promise<void>) {
    const conns: RawConnection[] = [];
    const srv = await raw(async (conn) => {
      conns.push(conn);
      if (conn.id === 1) {
        await first(conn);
        await conn.closed;
        return;
      }
      await serveLoop(conn);
    });
    return { srv, conns };
  }

  /** The connection of the aborted request is closed and the next request goes on a new one. */
  async function expectNotReused(s: Session, url: string, conns: RawConnection[]) {
    expect(await conns[0]?.waitForClientClose(5000)).toBe(true);
    expect((await s.get(`${url}/next`, { timeout: 10 })).text).toBe("GET /next");
    expect(conns).toHaveLength(2);
  }

  it("aborted while waiting for the head: RequestAborted, connection not reused", async () => {
    const { srv, conns } = await abortServer(async (conn) => {
      await conn.readRequest();
    });
    const s = session();
    const ac = new AbortController();
    const p = s.get(`${srv.url}/head`, { timeout: 10, signal: ac.signal });
    await until(() => srv.requests.length === 1, 5000, "the request to arrive");
    const reason = new Error("stop head");
    ac.abort(reason);
    await expectAbortedBy(p, reason);
    await expectNotReused(s, srv.url, conns);
  });

  it("aborted in the middle of a buffered body: RequestAborted, connection not reused", async () => {
    const { srv, conns } = await abortServer(async (conn) => {
      await conn.readRequest();
      conn.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npart of it");
    });
    const s = session();
    const ac = new AbortController();
    const p = s.get(`${srv.url}/body`, { timeout: 10, signal: ac.signal });
    await until(() => srv.requests.length === 1, 5000, "the request to arrive");
    await sleep(50);
    const reason = new Error("stop body");
    ac.abort(reason);
    await expectAbortedBy(p, reason);
    await expectNotReused(s, srv.url, conns);
  });

  it("aborted while a streamed response body is read: RequestAborted from the iterator", async () => {
    const { srv, conns } = await abortServer(async (conn) => {
      await conn.readRequest();
      conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n");
    });
    const s = session();
    const ac = new AbortController();
    const r = await s.get(`${srv.url}/stream`, { timeout: 10, signal: ac.signal, stream: true });
    const reason = new Error("stop stream");
    const read = (async () => {
      const seen: string[] = [];
      for await (const chunk of r.iter_content()) {
        seen.push(new TextDecoder().decode(chunk));
        ac.abort(reason);
      }
      return seen;
    })();
    await expectAbortedBy(read, reason);
    await expectNotReused(s, srv.url, conns);
  });

  it("aborted while a streamed request body is being sent: RequestAborted", async () => {
    const [more, moreNow] = gate();
    onCleanup(moreNow); // lets the generator finish after the test
    const { srv, conns } = await abortServer(async (conn) => {
      await conn.readRequestHead();
    });
    async function* body(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode("first part");
      await more;
      yield new TextEncoder().encode("never sent");
    }
    const s = session();
    const ac = new AbortController();
    const p = s.post(`${srv.url}/upload`, { data: body(), timeout: 10, signal: ac.signal });
    await until(() => conns.length === 1 && srv.requests.length === 0, 5000, "the upload to start");
    await sleep(50);
    const reason = new Error("stop upload");
    ac.abort(reason);
    await expectAbortedBy(p, reason);
    moreNow();
    await expectNotReused(s, srv.url, conns);
  });
});

describe("abort: the request body's source", () => {
  it("an upload stuck on backpressure is closed (its finally runs) when the request is aborted", async () => {
    const conns: RawConnection[] = [];
    const srv = await raw(async (conn) => {
      conns.push(conn);
      await conn.readRequestHead();
      conn.socket.pause(); // never reads the body: the client's writes back up
      await conn.closed;
    });
    let pulled = 0;
    let lastPull = Date.now();
    let finished = false;
    const chunk = new Uint8Array(64 * 1024).fill(120);
    async function* body(): AsyncGenerator<Uint8Array> {
      try {
        for (let i = 0; i < 4096; i++) {
          pulled++;
          lastPull = Date.now();
          yield chunk;
        }
      } finally {
        finished = true;
      }
    }
    const s = session();
    const ac = new AbortController();
    const p = s.put(`${srv.url}/upload`, { data: body(), timeout: 30, signal: ac.signal });
    // Backpressure: the source is no longer pulled.
    await until(() => pulled > 4 && Date.now() - lastPull > 300, 20_000, "the upload to stall");
    expect(finished).toBe(false);
    const reason = new Error("stop upload");
    ac.abort(reason);
    await expectAbortedBy(p, reason);
    await until(() => finished, 5000, "the body's source to be closed");
    expect(pulled).toBeLessThan(4096);
    conns[0]?.socket.resume(); // drain what was sent, up to the client's FIN
    expect(await conns[0]?.waitForClientClose(5000)).toBe(true);
  });
});

describe("every request settles exactly once", () => {
  it("200 concurrent requests across fault kinds each settle once with a response or a typed error", async () => {
    const KINDS = ["ok", "close", "reset", "bad", "trunc", "chunk", "stall", "abort", "refused"] as const;
    type Kind = (typeof KINDS)[number];
    const expected: Record<Kind, typeof RequestException | null> = {
      ok: null,
      close: null,
      reset: ConnectionError,
      bad: ProtocolError,
      trunc: ChunkedEncodingError,
      chunk: ChunkedEncodingError,
      stall: ReadTimeout,
      abort: RequestAborted,
      refused: ConnectionError,
    };
    const srv = await raw(async (conn) => {
      for (let req = await conn.nextRequest(FOREVER); req !== null; req = await conn.nextRequest(FOREVER)) {
        const kind = req.target.split("/")[1] as Kind;
        const id = idOf(req.method, req.target);
        switch (kind) {
          case "ok":
            conn.write(ok(id));
            break;
          case "close":
            conn.end(ok(id, ["Connection: close"]));
            return;
          case "reset":
            conn.reset();
            return;
          case "bad":
            conn.write("HTTP/1.1 2x0 OK\r\n\r\n");
            await conn.closed;
            return;
          case "trunc":
            conn.end("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort");
            return;
          case "chunk":
            conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXX");
            await conn.closed;
            return;
          default: // stall, abort
            await conn.closed;
            return;
        }
      }
    });
    const refusedPort = await closedPort();
    const watch = watchUnhandled();
    onCleanup(() => watch.stop());
    // A promise resolved or rejected twice is reported here (deprecated, but still emitted by Node 20).
    const multiple: unknown[] = [];
    const onMultiple = (_type: string, _promise: Promise<unknown>, value: unknown): void => {
      if (value instanceof Response || value instanceof RequestException) multiple.push(value);
    };
    process.on("multipleResolves", onMultiple);
    onCleanup(() => process.off("multipleResolves", onMultiple));

    const s = session({ pool_maxsize: 8 });
    const N = 200;
    const kindOf = (i: number): Kind => KINDS[(i * 7) % KINDS.length] as Kind;
    const settledCount = new Array<number>(N).fill(0);
    const outcomes = new Array<unknown>(N);
    const timers = new Set<ReturnType<typeof setTimeout>>();
    onCleanup(() => {
      for (const t of timers) clearTimeout(t);
    });

    const run = async (i: number): Promise<void> => {
      const kind = kindOf(i);
      const url =
        kind === "refused" ? `http://127.0.0.1:${refusedPort}/refused/${i}` : `${srv.url}/${kind}/${i}?n=${i}`;
      const ac = new AbortController();
      if (kind === "abort") {
        const t = setTimeout(() => ac.abort(new Error(`abort ${i}`)), 5 + (i % 40));
        timers.add(t);
      }
      const p = s.get(url, { timeout: kind === "stall" ? 0.25 : 10, signal: ac.signal });
      await within(
        p.then(
          (value) => {
            settledCount[i] = (settledCount[i] ?? 0) + 1;
            outcomes[i] = value;
          },
          (error: unknown) => {
            settledCount[i] = (settledCount[i] ?? 0) + 1;
            outcomes[i] = error;
          },
        ),
        30_000,
        `request ${i} (${kind})`,
      );
    };

    let next = 0;
    const workers = Array.from({ length: 16 }, async () => {
      for (let i = next++; i < N; i = next++) await run(i);
    });
    await within(Promise.all(workers), 60_000, "200 requests");
    await sleep(300); // late settlements or rejections would show up here

    expect(settledCount.every((n) => n === 1)).toBe(true);
    for (let i = 0; i < N; i++) {
      const kind = kindOf(i);
      const outcome = outcomes[i];
      const Cls = expected[kind];
      if (Cls === null) {
        expect(outcome, `request ${i} (${kind})`).toBeInstanceOf(Response);
        expect((outcome as Response).text, `request ${i} (${kind})`).toBe(`GET /${kind}/${i}?n=${i}`);
      } else {
        expect(outcome, `request ${i} (${kind}): ${String(outcome)}`).toBeInstanceOf(Cls);
        if (kind === "abort") expect((outcome as Error).cause).toEqual(new Error(`abort ${i}`));
      }
    }
    expect(watch.reasons).toEqual([]);
    expect(multiple).toEqual([]);
    expect(srv.errors).toEqual([]);
  });
});

describe("Session.close()", () => {
  it("fails queued and running requests with ConnectionError and closes the sockets", async () => {
    const conns: RawConnection[] = [];
    const srv = await raw(async (conn) => {
      conns.push(conn);
      await conn.readRequest();
      await conn.closed; // never answers
    });
    const s = session({ pool_maxsize: 1, pool_block: true });
    const running = s.get(`${srv.url}/running`, { timeout: 10 });
    const queued = [s.get(`${srv.url}/q1`, { timeout: 10 }), s.get(`${srv.url}/q2`, { timeout: 10 })];
    await until(
      () => srv.requests.length === 1 && s.agent.pools.size === 1 && onlyPool(s).queued === 2,
      5000,
      "a queue",
    );
    s.close();
    for (const p of queued) {
      const err = await rejectionOf(p);
      expect(err).toBeInstanceOf(ConnectionError);
      expect(err).not.toBeInstanceOf(Timeout);
    }
    const err = await rejectionOf(running);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).not.toBeInstanceOf(Timeout);
    expect(await conns[0]?.waitForClientClose(5000)).toBe(true);
    expect(srv.requests.map((r) => r.target)).toEqual(["/running"]);
  });

  it("fails a request whose connection is still being made (TLS handshake unanswered) and closes its socket", async () => {
    const { accepted, port } = await silentServer();
    const s = session();
    const p = s.get(`https://127.0.0.1:${port}/`); // no timeout: only close() can end it
    await until(() => accepted.length === 1, 5000, "the TCP connection");
    s.close();
    const err = await rejectionOf(p, 10_000);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).not.toBeInstanceOf(Timeout);
    await until(() => accepted[0]?.clientClosed === true, 5000, "the client to close the socket");
  });

  it("closes idle keep-alive sockets, and requests after close fail without connecting", async () => {
    const conns: RawConnection[] = [];
    const srv = await raw(async (conn) => {
      conns.push(conn);
      await serveLoop(conn);
    });
    const other = await raw(serveLoop);
    const s = session();
    expect((await s.get(`${srv.url}/before`, { timeout: 10 })).text).toBe("GET /before");
    s.close();
    expect(await conns[0]?.waitForClientClose(5000)).toBe(true);
    for (const url of [`${srv.url}/after`, `${other.url}/after`]) {
      const err = await rejectionOf(s.get(url, { timeout: 10 }));
      expect(err).toBeInstanceOf(ConnectionError);
    }
    await sleep(30);
    expect(srv.connections).toBe(1);
    expect(other.connections).toBe(0);
  });
});
