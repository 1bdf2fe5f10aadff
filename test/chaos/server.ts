// The chaos server: a node:net server on 127.0.0.1 (in the test's own process, so that it can
// count what it received and tell the client when it has written something) that answers each
// request with a behaviour drawn at random: a good response (Content-Length, chunked, gzip, 1xx
// first, written in pieces), or one that resets the connection before or inside the head or the
// body, cuts the body short, stalls, trickles its head, floods interim responses, sends garbage
// or broken framing, closes the idle keep-alive connection just as the client reuses it, or sends
// bytes after the response on an idle socket.
//
// Requests carry their id in the path (/r/<id>), in X-Id and, when they have a body, at the start
// of the body ({"id":"<id>",...}); the server checks that the three agree and echoes the id in
// X-Id and at the start of the response body (see expectedBody). Every request whose head
// arrived is recorded, with the behaviour it got, whether or not it was answered.
import { createServer, type Server, type Socket } from "node:net";
import { gzipSync } from "node:zlib";

/** What the server did with one request. */
export type Behaviour =
  // answered in full: the client must succeed
  | "ok"
  | "ok-chunked"
  | "ok-gzip"
  | "ok-1xx"
  | "ok-pieces"
  | "ok-close" // Connection: close, then FIN (or the socket left open: the client must not reuse it)
  | "ok-eof" // no Content-Length or chunked: the body ends when the connection does
  | "ok-http10" // an HTTP/1.0 response with Content-Length, the socket left open: not reusable
  | "ok-late-close" // keep-alive, then FIN on the idle socket 0-3 ms later (races reuse)
  | "ok-drop-next" // keep-alive, then the next request on the socket is dropped (reset at once)
  | "ok-poison" // a second, unsolicited response in the same write as the response
  | "ok-late-poison" // idle scenario: unsolicited bytes on the idle socket a while after the response
  // the request arrived on a socket the server was closing (ok-late-close, ok-drop-next)
  | "dropped"
  // the whole response, then a RST 0-3 ms after it was written: the RST may overtake it (the
  // kernel drops what the client has not read yet), so success or a connection/body error
  | "late-reset"
  // broken: the client must fail with a typed error
  | "reset-before-head"
  | "reset-in-head"
  | "reset-in-body"
  | "truncate-length" // Content-Length body cut short, then FIN
  | "truncate-chunked" // chunked body cut short, then FIN
  | "garbage" // bytes that are no response
  | "bad-framing" // CL + TE, differing Content-Lengths, "+5", chunk-size overflow...
  | "stall-head" // nothing at all
  | "stall-body" // the head and part of the body, then nothing
  | "trickle-head" // the head a byte every 150 ms: bytes keep coming, the head deadline ends it
  | "flood-1xx"; // 100 Continue every 40 ms, never a final response

/** Every behaviour, in a fixed order: the records keep a behaviour as its index + 1 (0: none). */
export const BEHAVIOURS: readonly Behaviour[] = [
  "ok",
  "ok-chunked",
  "ok-gzip",
  "ok-1xx",
  "ok-pieces",
  "ok-close",
  "ok-eof",
  "ok-http10",
  "ok-late-close",
  "ok-drop-next",
  "ok-poison",
  "ok-late-poison",
  "dropped",
  "late-reset",
  "reset-before-head",
  "reset-in-head",
  "reset-in-body",
  "truncate-length",
  "truncate-chunked",
  "garbage",
  "bad-framing",
  "stall-head",
  "stall-body",
  "trickle-head",
  "flood-1xx",
];

/** The behaviours that end in a complete response: those named "ok…". */
export const OK_BEHAVIOURS: ReadonlySet<Behaviour> = new Set(
  BEHAVIOURS.filter((b) => b === "ok" || b.startsWith("ok-")),
);
const BEHAVIOUR_CODE = new Map(BEHAVIOURS.map((b, i) => [b, i + 1]));

/** The request number in an id "<anything>-<n>", or -1. */
export function requestIndex(id: string): number {
  const n = Number(id.slice(id.lastIndexOf("-") + 1));
  return Number.isSafeInteger(n) && n >= 0 ? n : -1;
}

/** A small seeded PRNG (mulberry32): the server's choices are reproducible up to timing. */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  next(): number {
    this.#s = (this.#s + 0x6d2b79f5) >>> 0;
    let t = this.#s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  /** A key of `weights` drawn in proportion to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const keys = Object.keys(weights) as K[];
    let total = 0;
    for (const k of keys) total += weights[k];
    let x = this.next() * total;
    for (const k of keys) {
      x -= weights[k];
      if (x < 0) return k;
    }
    return keys[keys.length - 1] as K;
  }
}

/** The bytes after `id=<id>;` in a response body of `pad` bytes: a pattern that shows any shift. */
export function padding(id: string, pad: number): string {
  const unit = `${id}.`;
  return unit.repeat(Math.ceil(pad / unit.length)).slice(0, pad);
}

/** The body the server sends for `id` with `pad` bytes of padding. */
export function expectedBody(id: string, pad: number): string {
  return `id=${id};${padding(id, pad)}`;
}

/** The request body the client sends for `id`. */
export function requestBody(id: string, pad: number): string {
  return `{"id":"${id}","pad":"${padding(id, pad)}"}`;
}

// Main-load behaviours and their weights (per mille, roughly). HEAD gets no body behaviours.
const MAIN: Record<Exclude<Behaviour, "dropped" | "ok-late-poison">, number> = {
  ok: 420,
  "ok-chunked": 100,
  "ok-gzip": 60,
  "ok-1xx": 20,
  "ok-pieces": 30,
  "ok-close": 30,
  "ok-eof": 15,
  "ok-http10": 15,
  "ok-late-close": 50,
  "ok-drop-next": 50,
  "ok-poison": 30,
  "late-reset": 20,
  "reset-before-head": 30,
  "reset-in-head": 25,
  "reset-in-body": 25,
  "truncate-length": 25,
  "truncate-chunked": 20,
  garbage: 25,
  "bad-framing": 25,
  "stall-head": 5,
  "stall-body": 5,
  "trickle-head": 3,
  "flood-1xx": 3,
};
const NO_BODY_BEHAVIOURS: ReadonlySet<Behaviour> = new Set<Behaviour>([
  "ok-gzip",
  "reset-in-body",
  "truncate-length",
  "truncate-chunked",
  "stall-body",
]);
const MAIN_HEAD = Object.fromEntries(
  Object.entries(MAIN).filter(([k]) => !NO_BODY_BEHAVIOURS.has(k as Behaviour)),
) as Record<Behaviour, number>;

// Behaviours for the idle scenario (X-Chaos-Idle: 1): one request at a time per session, with a
// pause before the next, so that the socket really is idle when the server acts on it.
const IDLE: Partial<Record<Behaviour, number>> = {
  ok: 30,
  "ok-late-poison": 40,
  "ok-late-close": 30,
};

/** Small server-side limits: the client never sends more. */
const MAX_HEAD = 64 * 1024;
const MAX_BODY = 4 * 1024 * 1024;

interface Parsed {
  method: string;
  target: string;
  headers: Map<string, string>;
  body: Buffer;
  consumed: number;
}

/** Parses one request from the start of `buf`: null if incomplete; throws on a malformed one. */
function parseRequest(buf: Buffer): Parsed | null {
  const end = buf.indexOf("\r\n\r\n");
  if (end < 0) {
    if (buf.length > MAX_HEAD) throw new Error("request head too large");
    return null;
  }
  const lines = buf.subarray(0, end).toString("latin1").split("\r\n");
  const m = /^([A-Z]+) (\S+) HTTP\/1\.1$/.exec(lines[0] ?? "");
  if (m === null) throw new Error(`bad request line ${JSON.stringify(lines[0])}`);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new Error(`bad header line ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).toLowerCase();
    if (headers.has(name)) throw new Error(`repeated header ${name}`);
    headers.set(name, line.slice(colon + 1).trim());
  }
  let at = end + 4;
  const te = headers.get("transfer-encoding");
  const cl = headers.get("content-length");
  if (te !== undefined) {
    if (te !== "chunked" || cl !== undefined) throw new Error(`bad framing te=${te} cl=${cl}`);
    const parts: Buffer[] = [];
    let size = 0;
    for (;;) {
      const lineEnd = buf.indexOf("\r\n", at);
      if (lineEnd < 0) return null;
      const n = Number.parseInt(buf.subarray(at, lineEnd).toString("latin1"), 16);
      if (!Number.isFinite(n) || n < 0) throw new Error("bad chunk size");
      if (buf.length < lineEnd + 2 + n + 2) return null;
      const data = buf.subarray(lineEnd + 2, lineEnd + 2 + n);
      if (buf[lineEnd + 2 + n] !== 13 || buf[lineEnd + 3 + n] !== 10) throw new Error("chunk not followed by CRLF");
      at = lineEnd + 4 + n;
      if (n === 0) break; // no trailers from this client: the CRLF after "0\r\n" was the end
      size += n;
      if (size > MAX_BODY) throw new Error("body too large");
      parts.push(data);
    }
    return { method: m[1] as string, target: m[2] as string, headers, body: Buffer.concat(parts), consumed: at };
  }
  const length = cl === undefined ? 0 : Number(cl);
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_BODY) throw new Error(`bad Content-Length ${cl}`);
  if (buf.length < at + length) return null;
  return {
    method: m[1] as string,
    target: m[2] as string,
    headers,
    body: Buffer.from(buf.subarray(at, at + length)),
    consumed: at + length,
  };
}

type ConnState =
  | "open" // reading requests
  | "closing" // ok-late-close: closes soon; requests that arrive are dropped
  | "drop-next" // ok-drop-next: the next request is dropped at once
  | "dead"; // the server gave up on it (stall, garbage, poison...): the client must close it

class Conn {
  buf: Buffer = Buffer.alloc(0);
  state: ConnState = "open";
  /** The behaviour that made the connection dead (and the method it answered), for the anomaly message. */
  deadBy: string | undefined;
  readonly timers = new Set<ReturnType<typeof setTimeout>>();
  constructor(
    readonly id: number,
    readonly socket: Socket,
  ) {}
  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.socket.destroyed) fn();
    }, ms);
    this.timers.add(t);
  }
  clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
  reset(): void {
    if (!this.socket.destroyed) this.socket.resetAndDestroy();
  }
}

export interface ChaosServerOptions {
  seed: number;
  /** Requests are numbered 0..capacity-1 (the number ends their id): the records are arrays. */
  capacity: number;
}

export class ChaosServer {
  // What arrived per request number (a request whose head arrived, answered or not): how many
  // copies, and the behaviour the first and the last got. Typed arrays, so that the records of
  // 100 000 requests cost a few hundred KB and the memory numbers are the client's.
  readonly #copies: Uint8Array;
  readonly #first: Uint8Array;
  readonly #last: Uint8Array;
  /** Things that must never happen, seen from the server (a request on a dead socket...). */
  readonly anomalies: string[] = [];
  readonly behaviours = new Map<Behaviour, number>();
  accepted = 0;
  closedConnections = 0;
  readonly #server: Server;
  readonly #conns = new Set<Conn>();
  readonly #rng: Rng;
  /** Resolvers waiting for an id's late poison to be flushed to the kernel. */
  readonly #flushWaiters = new Map<string, () => void>();
  readonly #flushed = new Set<string>();
  port = 0;

  constructor(options: ChaosServerOptions) {
    this.#rng = new Rng(options.seed);
    this.#copies = new Uint8Array(options.capacity);
    this.#first = new Uint8Array(options.capacity);
    this.#last = new Uint8Array(options.capacity);
    this.#server = createServer({ allowHalfOpen: false, noDelay: true }, (socket) => this.#accept(socket));
  }

  /** Copies of request `n` whose head arrived. */
  copies(n: number): number {
    return this.#copies[n] ?? 0;
  }

  /** What the server did with the first and the last copy of request `n`. */
  behaviourOf(n: number, which: "first" | "last"): Behaviour | undefined {
    const code = (which === "first" ? this.#first : this.#last)[n] ?? 0;
    return code === 0 ? undefined : BEHAVIOURS[code - 1];
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Connections open on the server side right now. */
  get openConnections(): number {
    return this.#conns.size;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen({ port: 0, host: "127.0.0.1", backlog: 1024 }, () => {
        this.#server.off("error", reject);
        const address = this.#server.address();
        if (address === null || typeof address === "string") throw new Error("no port");
        this.port = address.port;
        resolve();
      });
    });
  }

  /**
   * Resolves once the late poison for `id` (if its behaviour was ok-late-poison) has been written
   * to the kernel, or at once if there is none; false if it never came within `ms`.
   */
  poisonFlushed(id: string, ms: number): Promise<boolean> {
    if (this.#flushed.delete(id)) return Promise.resolve(true);
    if (this.behaviourOf(requestIndex(id), "last") !== "ok-late-poison") return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#flushWaiters.delete(id);
        resolve(false);
      }, ms);
      this.#flushWaiters.set(id, () => {
        clearTimeout(timer);
        this.#flushed.delete(id);
        resolve(true);
      });
    });
  }

  /** Closes every connection and stops listening. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const c of this.#conns) {
      c.clearTimers();
      c.socket.destroy();
    }
    await closed;
  }

  #accept(socket: Socket): void {
    const conn = new Conn(++this.accepted, socket);
    this.#conns.add(conn);
    socket.on("data", (chunk: Buffer) => this.#onData(conn, chunk));
    socket.on("error", () => {}); // resets by the client are part of the game
    socket.on("close", () => {
      conn.clearTimers();
      this.#conns.delete(conn);
      this.closedConnections++;
    });
  }

  #record(req: Parsed, behaviour: Behaviour): string {
    const id = req.headers.get("x-id") ?? "";
    const pathId = /^\/r\/([^/?]+)$/.exec(req.target)?.[1];
    if (id === "" || pathId !== id) this.anomalies.push(`request ${req.method} ${req.target} has X-Id ${id}`);
    if (req.body.length > 0) {
      const bodyId = /^\{"id":"([^"]+)"/.exec(req.body.subarray(0, 200).toString("latin1"))?.[1];
      if (bodyId !== id) this.anomalies.push(`request ${id}: its body belongs to ${bodyId}`);
      const pad = req.body.length - `{"id":"${id}","pad":""}`.length;
      if (pad < 0 || !req.body.equals(Buffer.from(requestBody(id, pad), "latin1"))) {
        this.anomalies.push(`request ${id}: body of ${req.body.length} bytes is not the one sent`);
      }
    }
    const n = requestIndex(id);
    if (n < 0 || n >= this.#copies.length) {
      this.anomalies.push(`request ${req.method} ${req.target}: X-Id ${id} is no request number`);
    } else {
      const code = BEHAVIOUR_CODE.get(behaviour) as number;
      if (this.#copies[n] === 0) this.#first[n] = code;
      this.#last[n] = code;
      this.#copies[n] = Math.min(255, (this.#copies[n] as number) + 1);
    }
    this.behaviours.set(behaviour, (this.behaviours.get(behaviour) ?? 0) + 1);
    return id;
  }

  #onData(conn: Conn, chunk: Buffer): void {
    if (conn.socket.destroyed) return;
    conn.buf = conn.buf.length === 0 ? chunk : Buffer.concat([conn.buf, chunk]);
    while (!conn.socket.destroyed && conn.buf.length > 0) {
      let req: Parsed | null;
      try {
        req = parseRequest(conn.buf);
      } catch (err) {
        // a half-sent request on a socket being dropped is expected; anything else is not
        if (conn.state === "open") this.anomalies.push(`connection ${conn.id}: ${(err as Error).message}`);
        conn.reset();
        return;
      }
      if (conn.state === "drop-next") {
        // the client reused the socket: drop what it sent (counted if its head is all here)
        if (req !== null) this.#record(req, "dropped");
        conn.reset();
        return;
      }
      if (req === null) return;
      conn.buf = conn.buf.subarray(req.consumed);
      if (conn.state === "closing") {
        this.#record(req, "dropped"); // never answered: the close timer ends the socket
        continue;
      }
      if (conn.state === "dead") {
        const id = this.#record(req, "dropped");
        this.anomalies.push(`request ${id} came on connection ${conn.id} after ${conn.deadBy}: it was reused`);
        conn.reset();
        return;
      }
      this.#answer(conn, req);
    }
  }

  #answer(conn: Conn, req: Parsed): void {
    const rng = this.#rng;
    const head = req.method === "HEAD";
    const idle = req.headers.get("x-chaos-idle") === "1";
    const table = idle ? IDLE : head ? MAIN_HEAD : MAIN;
    const behaviour = rng.weighted(table as Record<Behaviour, number>);
    const id = this.#record(req, behaviour);
    const s = conn.socket;
    const dead = () => {
      conn.state = "dead";
      conn.deadBy = `${behaviour} to ${req.method}`;
    };
    // response body size: mostly small, some medium, a few large
    const sizeClass = rng.next();
    let pad = sizeClass < 0.7 ? rng.int(0, 200) : sizeClass < 0.97 ? rng.int(200, 16_384) : rng.int(16_384, 131_072);
    // the poison must reach the client in the same read as the end of the response: a small
    // response in one write (a large one could be split by the kernel right at the poison)
    if (behaviour === "ok-poison") pad = Math.min(pad, 1000);
    const body = Buffer.from(expectedBody(id, pad), "latin1");
    const common = `X-Id: ${id}\r\nX-Pad: ${pad}\r\n`;
    const lengthHead = (extra = "") =>
      Buffer.from(`HTTP/1.1 200 OK\r\n${common}Content-Length: ${body.length}\r\n${extra}\r\n`, "latin1");
    const chunkedHead = (extra = "") =>
      Buffer.from(`HTTP/1.1 200 OK\r\n${common}Transfer-Encoding: chunked\r\n${extra}\r\n`, "latin1");
    const chunked = (data: Buffer, last = true): Buffer => {
      const parts: Buffer[] = [];
      for (let at = 0; at < data.length; at += 4096) {
        const piece = data.subarray(at, Math.min(at + 4096, data.length));
        parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`, "latin1"), piece, Buffer.from("\r\n"));
      }
      if (last) parts.push(Buffer.from("0\r\n\r\n"));
      return Buffer.concat(parts);
    };
    const full = (extra = "") => (head ? lengthHead(extra) : Buffer.concat([lengthHead(extra), body]));
    const cut = (data: Buffer) => data.subarray(0, rng.int(0, Math.max(0, data.length - 1)));

    switch (behaviour) {
      case "ok":
        s.write(full());
        return;
      case "ok-chunked":
        s.write(head ? chunkedHead() : Buffer.concat([chunkedHead(), chunked(body)]));
        return;
      case "ok-gzip": {
        const gz = gzipSync(body);
        const h = `HTTP/1.1 200 OK\r\n${common}Content-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n`;
        s.write(Buffer.concat([Buffer.from(h, "latin1"), gz]));
        return;
      }
      case "ok-1xx": {
        const info = rng.chance(0.5)
          ? "HTTP/1.1 100 Continue\r\n\r\n"
          : "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n";
        s.write(Buffer.concat([Buffer.from(info, "latin1"), full()]));
        return;
      }
      case "ok-pieces": {
        const all = full();
        const cuts = [0, rng.int(0, all.length), rng.int(0, all.length), all.length].sort((a, b) => a - b);
        const send = (i: number) => {
          s.write(all.subarray(cuts[i] as number, cuts[i + 1] as number));
          if (i + 2 < cuts.length) conn.later(rng.int(0, 2), () => send(i + 1));
        };
        send(0);
        return;
      }
      case "ok-close":
        dead();
        if (rng.chance(0.5)) s.end(full("Connection: close\r\n"));
        else s.write(full("Connection: close\r\n"));
        return;
      case "ok-eof": {
        // a HEAD response is whole without framing: the client may reuse the socket, racing the FIN
        if (head) conn.state = "closing";
        else dead();
        const h = Buffer.from(`HTTP/1.1 200 OK\r\n${common}\r\n`, "latin1");
        s.end(head ? h : Buffer.concat([h, body]));
        return;
      }
      case "ok-http10": {
        dead();
        const h = `HTTP/1.0 200 OK\r\n${common}Content-Length: ${body.length}\r\n\r\n`;
        s.write(head ? Buffer.from(h, "latin1") : Buffer.concat([Buffer.from(h, "latin1"), body]));
        return;
      }
      case "ok-late-close":
        s.write(full());
        conn.state = "closing";
        conn.later(idle ? rng.int(5, 40) : rng.int(0, 3), () => s.end());
        return;
      case "late-reset": {
        const ms = rng.int(0, 3);
        conn.state = "closing";
        s.write(full(), () => conn.later(ms, () => conn.reset()));
        return;
      }
      case "ok-drop-next":
        s.write(full());
        conn.state = "drop-next";
        return;
      case "ok-poison": {
        // a complete second response, in the same write: it reaches the client with the first
        const poison = Buffer.from(
          "HTTP/1.1 200 OK\r\nX-Id: poison\r\nX-Pad: 0\r\nContent-Length: 10\r\n\r\nid=poison;",
          "latin1",
        );
        dead();
        s.write(Buffer.concat([full(), poison]));
        return;
      }
      case "ok-late-poison": {
        s.write(full());
        dead();
        conn.later(rng.int(0, 5), () => {
          const poison = `HTTP/1.1 200 OK\r\nX-Id: poison\r\nX-Pad: 0\r\nContent-Length: 10\r\n\r\nid=poison;`;
          s.write(Buffer.from(poison, "latin1"), () => {
            const w = this.#flushWaiters.get(id);
            if (w !== undefined) {
              this.#flushWaiters.delete(id);
              w();
            } else {
              this.#flushed.add(id);
            }
          });
        });
        return;
      }
      case "reset-before-head":
        conn.reset();
        return;
      case "reset-in-head": {
        const h = lengthHead();
        s.write(h.subarray(0, rng.int(1, h.length - 1)));
        conn.later(rng.int(0, 3), () => conn.reset());
        return;
      }
      case "reset-in-body":
        s.write(rng.chance(0.5) ? cut(full()) : Buffer.concat([chunkedHead(), cut(chunked(body))]));
        conn.later(rng.int(0, 3), () => conn.reset());
        return;
      case "truncate-length":
        s.end(Buffer.concat([lengthHead(), cut(body)]));
        return;
      case "truncate-chunked": {
        const framed = chunked(body);
        s.end(Buffer.concat([chunkedHead(), framed.subarray(0, rng.int(0, framed.length - 1))]));
        return;
      }
      case "garbage": {
        dead();
        const kinds = [
          () => Buffer.from(Array.from({ length: rng.int(1, 64) }, () => rng.int(0, 255))),
          () => Buffer.from(`HTTP/1.1 200 OK\r\n${common}X-Bad: a\u0000b\r\nContent-Length: 0\r\n\r\n`, "latin1"),
          () => Buffer.from(`HTTP/1.1 2000 OK\r\n${common}Content-Length: 0\r\n\r\n`, "latin1"),
          () => Buffer.from(`HTTP/1.1 200 OK\n${common}Content-Length: 0\r\n\r\n`, "latin1"),
          () => Buffer.from(`XTTP/1.1 200 OK\r\n${common}Content-Length: 0\r\n\r\n`, "latin1"),
          () => Buffer.from(`HTTP/1.1 200 OK\r\n${common}Bad Name: x\r\nContent-Length: 0\r\n\r\n`, "latin1"),
          () => Buffer.from(`HTTP/1.1 200 OK\r\n${common}Content-Length: 0\r\n\r\n`.replace("\r\n\r\n", "\r\r\n\r\n")),
        ];
        s.write(rng.pick(kinds)());
        return;
      }
      case "bad-framing": {
        dead();
        const n = body.length;
        const kinds = [
          `Content-Length: ${n}\r\nTransfer-Encoding: chunked\r\n`,
          `Content-Length: ${n}\r\ncontent-length: ${n + 1}\r\n`,
          `Content-Length: +${n}\r\n`,
          `Content-Length: -1\r\n`,
          `Content-Length: ${n}, ${n + 1}\r\n`,
          `Transfer-Encoding: chunked, chunked\r\n`,
          `Content-Length: 99999999999999999999\r\n`,
        ];
        const overflow = !head && rng.chance(0.25);
        if (overflow) {
          s.write(Buffer.concat([chunkedHead(), Buffer.from("fffffffffffffffff0\r\nxx", "latin1")]));
        } else {
          const h = `HTTP/1.1 200 OK\r\n${common}${rng.pick(kinds)}\r\n`;
          s.write(Buffer.concat([Buffer.from(h, "latin1"), head ? Buffer.alloc(0) : body]));
        }
        return;
      }
      case "stall-head":
        dead();
        return;
      case "stall-body":
        dead();
        s.write(rng.chance(0.5) ? cut(full()) : Buffer.concat([chunkedHead(), cut(chunked(body, false))]));
        return;
      case "trickle-head": {
        dead();
        const bytes = full();
        let at = 0;
        const timer = setInterval(() => {
          if (at >= bytes.length || s.destroyed) clearInterval(timer);
          else s.write(bytes.subarray(at, ++at));
        }, 150);
        s.once("close", () => clearInterval(timer));
        return;
      }
      case "flood-1xx": {
        dead();
        let sent = 0;
        const timer = setInterval(() => {
          if (++sent > 250 || s.destroyed) clearInterval(timer);
          else s.write("HTTP/1.1 100 Continue\r\n\r\n");
        }, 40);
        s.once("close", () => clearInterval(timer));
        return;
      }
      case "dropped":
        return; // never drawn
    }
  }
}
