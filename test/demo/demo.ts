// `npm run demo`: reqwire's engine doing real HTTP/1.1 against an embedded local server.
// One keep-alive TCP connection; every request head is serialized by the wasm writer and every
// response parsed by the wasm parser (bodies come back as views of the socket's own chunks).
import { connect, type Socket } from "node:net";
import { pathToFileURL } from "node:url";
import { ParserEvent, ResponseParser, SerializeError, sharedWriter } from "../../src/core/index.js";
import { startDemoServer } from "./server.js";

export interface Exchange {
  status: number;
  reason: string;
  headers: Array<[string, string]>;
  body: string;
  keepAlive: boolean;
  chunked: boolean;
}

/** A socket with the engine on both sides of it, one request after another (or pipelined). */
class WireConnection {
  readonly #socket: Socket;
  readonly #parser = new ResponseParser();
  readonly #queue: Array<{ head: boolean; resolve: (x: Exchange) => void; reject: (e: unknown) => void }> = [];
  #current: Exchange | undefined;
  #body: Uint8Array[] = [];

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("error", (err) => this.#failAll(err));
    socket.on("close", () => this.#failAll(new Error("connection closed")));
  }

  static open(host: string, port: number): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => resolve(new WireConnection(socket)));
      socket.once("error", reject);
    });
  }

  /** Sends requests back to back on the socket, one write, and resolves each response in order. */
  send(
    requests: Array<{ method: string; path: string; headers?: Array<[string, string]>; body?: string }>,
  ): Promise<Exchange[]> {
    const bytes: Uint8Array[] = [];
    for (const r of requests) {
      const body = r.body === undefined ? undefined : Buffer.from(r.body);
      const headers: Array<[string, string]> = [["Host", "127.0.0.1"], ...(r.headers ?? [])];
      if (body !== undefined) headers.push(["Content-Length", String(body.length)]);
      bytes.push(sharedWriter().head(r.method, r.path, headers)); // throws before anything is sent
      if (body !== undefined) bytes.push(body);
    }
    const done = requests.map(
      (r) =>
        new Promise<Exchange>((resolve, reject) => {
          const wasIdle = this.#queue.length === 0;
          this.#queue.push({ head: r.method === "HEAD", resolve, reject });
          if (wasIdle) this.#parser.expect({ head: r.method === "HEAD" });
        }),
    );
    this.#socket.write(Buffer.concat(bytes));
    return Promise.all(done);
  }

  #onData(chunk: Buffer): void {
    const p = this.#parser;
    try {
      p.feed(chunk);
      for (let ev = p.next(); ev !== ParserEvent.NeedMore; ev = p.next()) {
        if (ev === ParserEvent.Head && !p.informational) {
          this.#current = {
            status: p.statusCode,
            reason: p.reason,
            headers: p.headers.entries(),
            body: "",
            keepAlive: p.keepAlive,
            chunked: p.chunked,
          };
          this.#body = [];
        } else if (ev === ParserEvent.Body) {
          this.#body.push(p.body.slice());
        } else if (ev === ParserEvent.Done) {
          const waiter = this.#queue.shift();
          const result = this.#current as Exchange;
          result.body = Buffer.concat(this.#body).toString("utf8");
          const next = this.#queue[0];
          if (next !== undefined) p.expect({ head: next.head });
          waiter?.resolve(result);
        }
      }
    } catch (err) {
      this.#socket.destroy();
      this.#failAll(err);
    }
  }

  #failAll(err: unknown): void {
    for (const w of this.#queue.splice(0)) w.reject(err);
  }

  close(): void {
    this.#socket.end();
  }
}

/** Runs every demo scenario, printing what it does; returns the exchanges for the tests. */
export async function runDemo(print: (line: string) => void = console.log): Promise<Record<string, Exchange>> {
  const server = await startDemoServer();
  const conn = await WireConnection.open(server.host, server.port);
  const seen: Record<string, Exchange> = {};
  const header = (x: Exchange, name: string) => x.headers.find(([n]) => n.toLowerCase() === name)?.[1];
  try {
    print(`demo server on ${server.url}; one keep-alive connection\n`);

    const [get] = await conn.send([{ method: "GET", path: "/posts/1", headers: [["Accept", "application/json"]] }]);
    seen.get = get as Exchange;
    print(`GET /posts/1 -> ${get?.status} ${get?.reason}`);
    print(`  content-type: ${header(get as Exchange, "content-type")}   server: ${header(get as Exchange, "server")}`);
    print(`  title: ${JSON.parse(get?.body ?? "{}").title}\n`);

    for (const code of [200, 404, 500]) {
      const [r] = await conn.send([{ method: "GET", path: `/status?code=${code}` }]);
      seen[`status${code}`] = r as Exchange;
      const verdict = code === 200 ? "success" : code === 404 ? "not found" : "server error";
      print(`GET /status?code=${code} -> ${r?.status} (${verdict})`);
    }

    const [post] = await conn.send([
      {
        method: "POST",
        path: "/posts",
        headers: [["Content-Type", "application/json"]],
        body: JSON.stringify({ title: "New Post", body: "sent from wasm", userId: 1 }),
      },
    ]);
    seen.post = post as Exchange;
    print(`\nPOST /posts -> ${post?.status} ${post?.reason}, location ${header(post as Exchange, "location")}`);
    print(`  ${post?.body}`);

    const [put] = await conn.send([
      { method: "PUT", path: "/echo/put/json", headers: [["Content-Type", "application/json"]], body: '{"a":1}' },
    ]);
    seen.put = put as Exchange;
    print(`PUT /echo/put/json -> ${put?.status} ${put?.body}`);

    const [chunked] = await conn.send([{ method: "GET", path: "/chunked?n=4" }]);
    seen.chunked = chunked as Exchange;
    print(`\nGET /chunked -> ${chunked?.status}, chunked=${chunked?.chunked}, body decoded by the engine:`);
    print(`  ${JSON.stringify(chunked?.body)}`);

    const [head] = await conn.send([{ method: "HEAD", path: "/posts/1" }]);
    seen.head = head as Exchange;
    print(
      `HEAD /posts/1 -> ${head?.status}, content-length ${header(head as Exchange, "content-length")}, body ${head?.body.length} bytes`,
    );

    const [empty] = await conn.send([{ method: "DELETE", path: "/no-content" }]);
    seen.noContent = empty as Exchange;
    print(`DELETE /no-content -> ${empty?.status} ${empty?.reason}`);

    const piped = await conn.send([
      { method: "GET", path: "/posts/1" },
      { method: "GET", path: "/status?code=201" },
      { method: "GET", path: "/nowhere" },
    ]);
    piped.forEach((x, i) => {
      seen[`pipelined${i}`] = x;
    });
    print(`\n3 pipelined GETs in one write -> ${piped.map((x) => x.status).join(", ")}`);

    try {
      await conn.send([{ method: "GET", path: "/echo", headers: [["X-Injected", "a\r\nEvil: 1"]] }]);
      print("a header with CRLF was sent (it must not be)");
    } catch (err) {
      if (!(err instanceof SerializeError)) throw err;
      print(`\nheader with CRLF refused before any byte was written: ${err.code}`);
    }

    print(`\n${server.log.length} requests served over ${server.connections()} connection(s)`);
  } finally {
    conn.close();
    await server.close();
  }
  return seen;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  runDemo().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
