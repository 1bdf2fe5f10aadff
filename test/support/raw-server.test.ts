// The scripted raw server, exercised with real sockets on 127.0.0.1: plain net/tls clients
// write exact bytes, node:http reads a scripted response.
import { request } from "node:http";
import { createServer as createTcpServer, connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { makeCA, makeClientCert, makeServerCert } from "./certs.js";
import {
  getHeader,
  type RawConnection,
  type RawRequest,
  type RawServer,
  RawServerError,
  rawServer,
  rawTlsServer,
} from "./raw-server.js";

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(...args: Parameters<typeof rawServer>): Promise<RawServer> {
  const srv = await rawServer(...args);
  cleanups.push(() => srv.close());
  return srv;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise and the function that resolves it (Promise.withResolvers is Node 22+). */
function signal(): [Promise<void>, () => void] {
  let fire = (): void => {};
  const promise = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return [promise, fire];
}

/** Polls `check` every 5 ms until it is true; fails the test after timeoutMs. */
async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !check(); await sleep(5)) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
  }
}

/** A test client socket that records what it receives and how it ended. */
class Client {
  readonly chunks: Buffer[] = [];
  ended = false;
  closed = false;
  error: NodeJS.ErrnoException | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(readonly socket: Socket) {
    const notify = (): void => {
      for (const listener of this.listeners) listener();
    };
    socket.on("data", (chunk: Buffer) => {
      this.chunks.push(chunk);
      notify();
    });
    socket.on("end", () => {
      this.ended = true;
      notify();
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      this.error = err;
    });
    socket.on("close", () => {
      this.closed = true;
      notify();
    });
    cleanups.push(() => {
      socket.destroy();
    });
  }

  get text(): string {
    return Buffer.concat(this.chunks).toString("latin1");
  }

  /** Waits until `check` holds (checked on every event); rejects after timeoutMs. */
  waitFor(check: (client: Client) => boolean, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (err?: Error): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        if (err) reject(err);
        else resolve();
      };
      const listener = (): void => {
        if (check(this)) done();
      };
      const timer = setTimeout(
        () => done(new Error(`client wait timed out; received ${JSON.stringify(this.text)}`)),
        timeoutMs,
      );
      this.listeners.add(listener);
      listener();
    });
  }

  waitForText(text: string, timeoutMs?: number): Promise<void> {
    return this.waitFor((c) => c.text.includes(text), timeoutMs);
  }

  waitForClose(timeoutMs?: number): Promise<void> {
    return this.waitFor((c) => c.closed, timeoutMs);
  }
}

async function connect(port: number): Promise<Client> {
  const socket = netConnect({ host: "127.0.0.1", port });
  const client = new Client(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return client;
}

/** A GET through node:http (its own parser checks the scripted response). */
function httpGet(url: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() }),
      );
      res.on("error", reject);
    });
    req.setTimeout(5000, () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

const OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

describe("rawServer", () => {
  it("reads a request and sends scripted bytes", async () => {
    const srv = await serve(async (conn) => {
      const req = await conn.readRequest();
      conn.write(
        `HTTP/1.1 200 OK\r\nContent-Length: ${req.target.length}\r\nX-Method: ${req.method}\r\n\r\n${req.target}`,
      );
    });
    expect(srv.url).toBe(`http://127.0.0.1:${srv.port}`);
    const res = await httpGet(`${srv.url}/a/b?c=d`);
    expect(res).toMatchObject({ status: 200, body: "/a/b?c=d", headers: { "x-method": "GET" } });
    expect(srv.connections).toBe(1);
    expect(srv.requests).toHaveLength(1);
    expect(srv.requests[0]).toMatchObject({ connection: 1, method: "GET", target: "/a/b?c=d", version: "HTTP/1.1" });
    expect(getHeader(srv.requests[0]?.headers ?? [], "host")).toBe(`127.0.0.1:${srv.port}`);
    expect(srv.errors).toEqual([]);
  });

  it("keeps header names, order and values as sent, and reads a Content-Length body", async () => {
    let seen: RawRequest | undefined;
    const srv = await serve(async (conn) => {
      seen = await conn.readRequest();
      conn.write(OK);
    });
    const client = await connect(srv.port);
    const bytes =
      "POST /submit HTTP/1.1\r\nHost: x\r\nX-Dup: 1\r\nx-dup:   2  \r\nEmpty:\r\nContent-Length: 5\r\n\r\nhello";
    client.socket.write(bytes);
    await client.waitForText("ok");
    expect(seen).toMatchObject({
      method: "POST",
      target: "/submit",
      version: "HTTP/1.1",
      headers: [
        ["Host", "x"],
        ["X-Dup", "1"],
        ["x-dup", "2"],
        ["Empty", ""],
        ["Content-Length", "5"],
      ],
      trailers: [],
    });
    expect(seen?.body.toString()).toBe("hello");
    expect(seen?.raw.toString("latin1")).toBe(bytes);
    expect(srv.requests[0]?.body.toString()).toBe("hello");
  });

  it("reads a chunked body with extensions and trailers", async () => {
    let seen: RawRequest | undefined;
    const srv = await serve(async (conn) => {
      seen = await conn.readRequest();
      conn.write(OK);
    });
    const client = await connect(srv.port);
    const bytes =
      "PUT /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
      "5;name=value\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Checksum: 42\r\n\r\n";
    client.socket.write(bytes);
    await client.waitForText("ok");
    expect(seen?.body.toString()).toBe("helloabcdefghijklmnopqrstuvwxyz");
    expect(seen?.trailers).toEqual([["X-Checksum", "42"]]);
    expect(seen?.raw.toString("latin1")).toBe(bytes);
  });

  it.each([
    ["repeated identical Content-Length", "Content-Length: 3\r\nContent-Length: 3, 3\r\n\r\nabc", "abc"],
    [
      "a coding list ending in chunked",
      "Transfer-Encoding: gzip\r\ntransfer-encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      "abc",
    ],
    ["no framing at all", "\r\n", ""],
  ])("accepts %s", async (_name, rest, body) => {
    let seen: RawRequest | undefined;
    const srv = await serve(async (conn) => {
      seen = await conn.readRequest();
      conn.write(OK);
    });
    const client = await connect(srv.port);
    client.socket.write(`POST / HTTP/1.1\r\nHost: x\r\n${rest}`);
    await client.waitForText("ok");
    expect(seen?.body.toString()).toBe(body);
  });

  it("reads a request delivered one byte at a time", async () => {
    let seen: RawRequest | undefined;
    const srv = await serve(async (conn) => {
      seen = await conn.readRequest();
      conn.write(OK);
    });
    const client = await connect(srv.port);
    client.socket.setNoDelay(true);
    const bytes = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    for (const byte of bytes) {
      client.socket.write(byte);
      await sleep(0);
    }
    await client.waitForText("ok");
    expect(seen?.body.toString()).toBe("abc");
  });

  it("reads pipelined requests, skipping empty lines between them, until the client closes", async () => {
    const targets: string[] = [];
    let handlerDone = false;
    const srv = await serve(async (conn) => {
      for (let i = 0; i < 10; i++) {
        const req = await conn.nextRequest();
        if (!req) break;
        targets.push(req.target);
        conn.write(OK);
      }
      handlerDone = true;
    });
    const client = await connect(srv.port);
    client.socket.write(
      "GET /1 HTTP/1.1\r\nHost: x\r\n\r\n" +
        "POST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc\r\n" +
        "GET /3 HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    await client.waitFor((c) => c.text === OK.repeat(3));
    client.socket.end();
    await until(() => handlerDone);
    // The handler is done and the client half-closed: the server closes its side too.
    await client.waitForClose();
    expect(client.ended).toBe(true);
    expect(targets).toEqual(["/1", "/2", "/3"]);
    expect(srv.requests.map((r) => `${r.method} ${r.target}`)).toEqual(["GET /1", "POST /2", "GET /3"]);
    expect(srv.errors).toEqual([]);
  });

  it("reads the head and the body separately, for Expect: 100-continue", async () => {
    const srv = await serve(async (conn) => {
      const head = await conn.readRequestHead();
      expect(getHeader(head.headers, "expect")).toBe("100-continue");
      conn.write("HTTP/1.1 100 Continue\r\n\r\n");
      const req = await conn.readRequestBody(head);
      conn.write(`HTTP/1.1 200 OK\r\nContent-Length: ${req.body.length}\r\n\r\n${req.body.toString()}`);
      expect(conn.requestsRead).toBe(1);
    });
    const client = await connect(srv.port);
    client.socket.write("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    await client.waitForText("100 Continue\r\n\r\n");
    expect(srv.requests).toHaveLength(0);
    client.socket.write("body");
    await client.waitForText("\r\n\r\nbody");
    expect(srv.requests).toHaveLength(1);
    expect(srv.errors).toEqual([]);
  });

  it("counts connections and numbers them in the log", async () => {
    const srv = await serve(async (conn) => {
      await conn.readRequest();
      conn.end(OK);
    });
    for (let i = 0; i < 3; i++) {
      const client = await connect(srv.port);
      client.socket.write(`GET /${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
      await client.waitForClose();
      expect(client.text).toBe(OK);
    }
    expect(srv.connections).toBe(3);
    expect(srv.requests.map((r) => [r.connection, r.target])).toEqual([
      [1, "/0"],
      [2, "/1"],
      [3, "/2"],
    ]);
  });

  describe("request reader errors", () => {
    async function readError(bytes: string, options: { end?: boolean; timeoutMs?: number } = {}): Promise<unknown> {
      let caught: unknown;
      const srv = await serve(async (conn) => {
        try {
          await conn.readRequest({ timeoutMs: options.timeoutMs ?? 5000 });
        } catch (err) {
          caught = err;
        }
      });
      const client = await connect(srv.port);
      if (options.end) client.socket.end(bytes);
      else client.socket.write(bytes);
      await until(() => caught !== undefined);
      return caught;
    }

    it.each([
      ["bare LF", "GET / HTTP/1.1\nHost: x\r\n\r\n", "BAD_REQUEST"],
      ["bare CR", "GET / HTTP/1.1\r\nHost: x\ry\r\n\r\n", "BAD_REQUEST"],
      ["space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", "BAD_REQUEST"],
      ["obs-fold", "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", "BAD_REQUEST"],
      ["bad request line", "GET /  HTTP/1.1\r\n\r\n", "BAD_REQUEST"],
      ["both TE and CL", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n", "BAD_REQUEST"],
      ["TE not ending in chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "BAD_REQUEST"],
      ["differing CLs", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "BAD_REQUEST"],
      ["bad chunk size", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "BAD_REQUEST"],
      ["chunk without CRLF", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\naXY", "BAD_REQUEST"],
      ["huge head", `GET / HTTP/1.1\r\nA: ${"a".repeat(20_000)}`, "TOO_LARGE"],
    ])("rejects %s", async (_name, bytes, code) => {
      expect(await readError(bytes)).toMatchObject({ code });
    });

    it("rejects with CLOSED when the client closes before a request", async () => {
      const err = await readError("", { end: true });
      expect(err).toBeInstanceOf(RawServerError);
      expect(err).toMatchObject({ code: "CLOSED" });
    });

    it("rejects with INCOMPLETE when the client closes mid-head or mid-body", async () => {
      expect(await readError("GET / HTTP/1.1\r\nHost", { end: true })).toMatchObject({ code: "INCOMPLETE" });
      expect(await readError("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", { end: true })).toMatchObject({
        code: "INCOMPLETE",
        message: expect.stringContaining("3 of 10 bytes"),
      });
    });

    it("rejects with TIMEOUT when the request does not complete in time", async () => {
      const start = Date.now();
      expect(await readError("GET / HTTP/1.1\r\n", { timeoutMs: 100 })).toMatchObject({ code: "TIMEOUT" });
      expect(Date.now() - start).toBeGreaterThanOrEqual(90);
    });

    it("rejects a second concurrent read with BUSY", async () => {
      let busy: unknown;
      const srv = await serve(async (conn) => {
        const first = conn.readRequest();
        busy = await conn.readRequest().catch((err: unknown) => err);
        await first;
        conn.write(OK);
      });
      const client = await connect(srv.port);
      client.socket.write("GET / HTTP/1.1\r\n\r\n");
      await client.waitForText("ok");
      expect(busy).toMatchObject({ code: "BUSY" });
    });
  });

  it("records handler exceptions in srv.errors, destroys the connection, and keeps serving", async () => {
    let calls = 0;
    const srv = await serve(async (conn) => {
      calls++;
      const req = await conn.readRequest();
      if (req.target === "/throw") throw new Error("boom");
      if (req.target === "/throw-sync-value") throw "not an error";
      conn.write(OK);
    });
    const a = await connect(srv.port);
    a.socket.write("GET /throw HTTP/1.1\r\n\r\n");
    await a.waitForClose();
    expect(a.text).toBe("");
    const b = await connect(srv.port);
    b.socket.write("GET /throw-sync-value HTTP/1.1\r\n\r\n");
    await b.waitForClose();
    const c = await connect(srv.port);
    c.socket.write("GET /fine HTTP/1.1\r\n\r\n");
    await c.waitForText("ok");
    expect(calls).toBe(3);
    expect(srv.errors.map((e) => e.message)).toEqual(["boom", "handler threw a non-Error: not an error"]);
  });

  it("records a synchronous throw too", async () => {
    const srv = await serve(() => {
      throw new Error("sync boom");
    });
    const client = await connect(srv.port);
    await client.waitForClose();
    expect(srv.errors.map((e) => e.message)).toEqual(["sync boom"]);
  });

  it("records a failed read as a handler error when the handler does not catch it", async () => {
    const srv = await serve(async (conn) => {
      await conn.readRequest();
    });
    const client = await connect(srv.port);
    client.socket.end("NOT HTTP\r\n\r\n");
    await client.waitForClose();
    await until(() => srv.errors.length > 0);
    expect(srv.errors[0]).toMatchObject({ code: "BAD_REQUEST" });
  });

  it("writes slowly, in separate pieces", async () => {
    let result: boolean | undefined;
    const srv = await serve(async (conn) => {
      await conn.readRequest();
      result = await conn.writeSlowly(OK, { chunkSize: 5, delayMs: 20 });
    });
    const client = await connect(srv.port);
    const start = Date.now();
    client.socket.write("GET / HTTP/1.1\r\n\r\n");
    await client.waitFor((c) => c.text === OK);
    // 40 bytes in 8 pieces with 7 pauses of 20 ms between them.
    expect(Date.now() - start).toBeGreaterThanOrEqual(7 * 20 - 10);
    expect(client.chunks.length).toBeGreaterThanOrEqual(4);
    await until(() => result !== undefined);
    expect(result).toBe(true);
  });

  it("stops writing slowly when the client goes away", async () => {
    let result: boolean | undefined;
    const srv = await serve(async (conn) => {
      await conn.readRequest();
      result = await conn.writeSlowly("x".repeat(1000), { chunkSize: 1, delayMs: 5 });
    });
    const client = await connect(srv.port);
    client.socket.write("GET / HTTP/1.1\r\n\r\n");
    await client.waitForText("xxx");
    client.socket.destroy();
    await until(() => result !== undefined);
    expect(result).toBe(false);
    expect(srv.errors).toEqual([]);
  });

  it("ends and destroys connections", async () => {
    const srv = await serve(async (conn) => {
      const req = await conn.readRequest();
      conn.write("partial");
      if (req.target === "/end") conn.end(" and done");
      if (req.target === "/destroy") conn.destroy();
      expect(conn.write("more")).toBe(false);
    });
    const ended = await connect(srv.port);
    ended.socket.write("GET /end HTTP/1.1\r\n\r\n");
    await ended.waitFor((c) => c.ended);
    expect(ended.text).toBe("partial and done");

    const destroyed = await connect(srv.port);
    destroyed.socket.write("GET /destroy HTTP/1.1\r\n\r\n");
    await destroyed.waitForClose();
    expect(destroyed.text).toBe("partial");
    expect(destroyed.error).toBeUndefined();
    expect(srv.errors).toEqual([]);
  });

  it("resets connections", async () => {
    // The client must have read "partial" before the RST arrives: if both arrive together,
    // libuv (so any node:net client) reports a clean EOF instead of ECONNRESET.
    const [clientGotData, gotData] = signal();
    const srv = await serve(async (conn) => {
      await conn.readRequest();
      conn.write("partial");
      await clientGotData;
      conn.reset();
      expect(conn.write("more")).toBe(false);
    });
    const client = await connect(srv.port);
    client.socket.write("GET / HTTP/1.1\r\n\r\n");
    await client.waitForText("partial");
    gotData();
    await client.waitForClose();
    expect(client.text).toBe("partial");
    expect(client.error?.code).toBe("ECONNRESET");
    expect(client.ended).toBe(false);
    expect(srv.errors).toEqual([]);
  });

  it("resets a connection before any response", async () => {
    const srv = await serve(async (conn) => {
      await conn.readRequest();
      conn.reset();
    });
    const client = await connect(srv.port);
    client.socket.write("GET / HTTP/1.1\r\n\r\n");
    await client.waitForClose();
    expect(client.error?.code).toBe("ECONNRESET");
  });

  it("tells when the client closes", async () => {
    const results: Array<[string, boolean]> = [];
    const srv = await serve(async (conn) => {
      const req = await conn.readRequest();
      if (req.target === "/closes") {
        await conn.closed;
        results.push(["closed", conn.peerClosed]);
      } else {
        results.push(["waited", await conn.waitForClientClose(100)]);
      }
    });
    const a = await connect(srv.port);
    a.socket.write("GET /closes HTTP/1.1\r\n\r\n");
    await until(() => srv.requests.length === 1);
    a.socket.end();
    await until(() => results.length === 1);

    const b = await connect(srv.port);
    b.socket.write("GET /stays HTTP/1.1\r\n\r\n");
    await until(() => results.length === 2);
    expect(b.closed).toBe(false);
    expect(results).toEqual([
      ["closed", true],
      ["waited", false],
    ]);
    expect(srv.errors).toEqual([]);
  });

  it("waits for the client to close", async () => {
    let closedInTime: boolean | undefined;
    const srv = await serve(async (conn) => {
      await conn.readRequest();
      conn.write(OK);
      closedInTime = await conn.waitForClientClose(2000);
    });
    const client = await connect(srv.port);
    client.socket.write("GET / HTTP/1.1\r\n\r\n");
    await client.waitForText("ok");
    client.socket.destroy();
    await until(() => closedInTime !== undefined);
    expect(closedInTime).toBe(true);
  });

  it("closes idle connections and pending reads on close(), without handler errors", async () => {
    let conn: RawConnection | undefined;
    const srv = await rawServer(async (c) => {
      conn = c;
      await c.readRequest({ timeoutMs: Number.POSITIVE_INFINITY });
    });
    const client = await connect(srv.port);
    await until(() => conn !== undefined);
    const start = Date.now();
    await srv.close();
    expect(Date.now() - start).toBeLessThan(1000);
    await client.waitForClose();
    expect(conn?.peerClosed).toBe(false);
    expect(srv.errors).toEqual([]);
    await srv.close(); // idempotent
    // Nothing listens any more.
    const refused = await new Promise<string | undefined>((resolve) => {
      const s = netConnect({ host: "127.0.0.1", port: srv.port });
      s.on("connect", () => {
        s.destroy();
        resolve(undefined);
      });
      s.on("error", (err: NodeJS.ErrnoException) => resolve(err.code));
    });
    expect(refused).toBe("ECONNREFUSED");
  });

  it("reports idle() once handlers have settled", async () => {
    const srv = await serve(async (conn) => {
      await sleep(50);
      conn.end();
    });
    await connect(srv.port);
    await until(() => srv.connections === 1);
    expect(await srv.idle(2000)).toBe(true);
    expect(await srv.idle(0)).toBe(true);
  });
});

const ipv6Available = await new Promise<boolean>((resolve) => {
  const probe = createTcpServer();
  probe.once("error", () => resolve(false));
  probe.listen(0, "::1", () => probe.close(() => resolve(true)));
});

describe.skipIf(!ipv6Available)("rawServer on ::1", () => {
  it("listens on ::1 with a bracketed URL", async () => {
    const srv = await serve(
      async (conn) => {
        await conn.readRequest();
        conn.write(OK);
      },
      { host: "::1" },
    );
    expect(srv.url).toBe(`http://[::1]:${srv.port}`);
    expect(await httpGet(`${srv.url}/`)).toMatchObject({ status: 200, body: "ok" });
  });
});

describe("rawTlsServer", () => {
  const ca = makeCA();
  const serverCert = makeServerCert(ca, { hosts: ["127.0.0.1", "localhost", "::1"] });

  async function tlsClient(
    port: number,
    options: { cert?: string; key?: string } = {},
  ): Promise<{ client: Client; error?: Error }> {
    const socket = tlsConnect({ host: "127.0.0.1", port, ca: ca.cert, servername: "localhost", ...options });
    const client = new Client(socket);
    const error = await new Promise<Error | undefined>((resolve) => {
      socket.once("secureConnect", () => resolve(undefined));
      socket.once("error", resolve);
    });
    return error ? { client, error } : { client };
  }

  it("serves over TLS with the same connection API", async () => {
    const srv = await rawTlsServer({ cert: serverCert.cert, key: serverCert.key }, async (conn) => {
      expect(conn.socket.encrypted).toBe(true);
      const req = await conn.readRequest();
      conn.write(`HTTP/1.1 200 OK\r\nContent-Length: ${req.body.length}\r\n\r\n`);
      await conn.writeSlowly(req.body, { chunkSize: 2, delayMs: 1 });
      conn.end();
    });
    cleanups.push(() => srv.close());
    expect(srv.url).toBe(`https://127.0.0.1:${srv.port}`);
    const { client } = await tlsClient(srv.port);
    client.socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nsecret");
    await client.waitFor((c) => c.ended);
    expect(client.text).toBe("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret");
    expect(srv.requests).toMatchObject([{ connection: 1, method: "POST", target: "/" }]);
    expect(srv.errors).toEqual([]);
  });

  it("resets a TLS connection with a TCP RST", async () => {
    const [clientGotData, gotData] = signal();
    const srv = await rawTlsServer({ cert: serverCert.cert, key: serverCert.key }, async (conn) => {
      await conn.readRequest();
      conn.write("HTTP/1.1 200 OK\r\n");
      await clientGotData; // see "resets connections" above
      conn.reset();
    });
    cleanups.push(() => srv.close());
    const { client } = await tlsClient(srv.port);
    client.socket.write("GET / HTTP/1.1\r\n\r\n");
    await client.waitForText("200 OK");
    gotData();
    await client.waitForClose();
    expect(client.text).toBe("HTTP/1.1 200 OK\r\n");
    expect(client.error?.code).toBe("ECONNRESET");
    expect(srv.errors).toEqual([]);
  });

  it("does mutual TLS and refuses clients without a certificate", async () => {
    const peers: string[] = [];
    const srv = await rawTlsServer(
      { cert: serverCert.cert, key: serverCert.key, ca: ca.cert, requestCert: true },
      async (conn) => {
        peers.push(String(conn.socket.getPeerCertificate().subject?.CN));
        await conn.readRequest();
        conn.end(OK);
      },
    );
    cleanups.push(() => srv.close());
    const alice = makeClientCert(ca, { commonName: "alice" });
    const { client } = await tlsClient(srv.port, { cert: alice.cert, key: alice.key });
    client.socket.write("GET / HTTP/1.1\r\n\r\n");
    await client.waitFor((c) => c.ended);
    expect(client.text).toBe(OK);
    expect(peers).toEqual(["alice"]);

    // Without a certificate: TLS 1.3 lets the client finish its side of the handshake, then the
    // server refuses; the handler never runs.
    const anonymous = await tlsClient(srv.port);
    anonymous.client.socket.write("GET / HTTP/1.1\r\n\r\n");
    await anonymous.client.waitForClose();
    await until(() => srv.socketErrors.length > 0);
    expect(srv.socketErrors[0]).toMatchObject({ code: "ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE" });
    expect(peers).toEqual(["alice"]);
    expect(srv.connections).toBe(2);
    expect(srv.requests).toHaveLength(1);
  });

  it("records failed handshakes without running the handler", async () => {
    let calls = 0;
    const srv = await rawTlsServer({ cert: serverCert.cert, key: serverCert.key }, () => {
      calls++;
    });
    cleanups.push(() => srv.close());
    const socket = tlsConnect({ host: "127.0.0.1", port: srv.port }); // no CA: the client refuses
    const client = new Client(socket);
    await client.waitForClose();
    expect(client.error?.code).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    await until(() => srv.socketErrors.length > 0);
    expect(calls).toBe(0);
  });
});
