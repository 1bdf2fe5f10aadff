// A scripted TCP (or TLS) server for responses a normal server can't produce: each accepted
// connection runs the test's handler, which reads requests with a small strict HTTP/1.1 request
// reader and writes whatever bytes it likes (slowly, cut short, followed by a RST, ...).
//
//   const srv = await rawServer(async (conn) => {
//     const req = await conn.readRequest();
//     conn.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
//   });
//   ... srv.url, srv.requests, srv.errors ...
//   await srv.close();
//
// Handler exceptions never escape: they land in srv.errors and the connection is destroyed.
import { type AddressInfo, createServer as createTcpServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type TLSSocket, type TlsOptions } from "node:tls";

export type Field = [name: string, value: string];

/** A request line and header section as received. Strings are latin1 (one char per byte). */
export interface RawRequestHead {
  method: string;
  target: string;
  /** e.g. "HTTP/1.1" */
  version: string;
  /** Field lines in order, names as sent, values without surrounding whitespace. */
  headers: Field[];
  /** The head's bytes exactly as received, final CRLFCRLF included. */
  raw: Buffer;
}

export interface RawRequest extends RawRequestHead {
  /** The body after removing chunked framing (if any). */
  body: Buffer;
  /** Trailer fields of a chunked body (empty otherwise). */
  trailers: Field[];
  /** The whole request's bytes exactly as received: head, framed body, trailers. */
  raw: Buffer;
}

/** An entry of RawServer.requests. */
export interface LoggedRequest {
  /** RawConnection.id of the connection it came in on (1 for the first connection accepted). */
  connection: number;
  method: string;
  target: string;
  version: string;
  headers: Field[];
  body: Buffer;
  trailers: Field[];
}

export type RawServerErrorCode =
  /** The peer closed (or the socket was closed) before the first byte of a request. */
  | "CLOSED"
  /** The peer closed in the middle of a request. */
  | "INCOMPLETE"
  /** The bytes are not a request this reader accepts. */
  | "BAD_REQUEST"
  /** A line, head or body is beyond the reader's limits. */
  | "TOO_LARGE"
  /** Nothing complete arrived within timeoutMs. */
  | "TIMEOUT"
  /** A second read was started while one was pending on the same connection. */
  | "BUSY";

export class RawServerError extends Error {
  constructor(
    readonly code: RawServerErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = "RawServerError";
  }
}

export interface ReadOptions {
  /** Give up (RawServerError TIMEOUT) after this long; default 10 000. Infinity waits forever. */
  timeoutMs?: number;
}

export interface WriteSlowlyOptions {
  /** Bytes per write; default 1. */
  chunkSize?: number;
  /** Pause between writes; default 1. */
  delayMs?: number;
}

export interface RawConnection<S extends Socket = Socket> {
  /** 1 for the first connection the server accepted, 2 for the next, ... */
  readonly id: number;
  /** The underlying socket (a TLSSocket for rawTlsServer), for anything not covered here. */
  readonly socket: S;
  /** Complete requests read so far on this connection. */
  readonly requestsRead: number;
  /** True once the peer has closed its side (FIN) or the connection was reset or closed by the peer. */
  readonly peerClosed: boolean;
  /**
   * Resolves when the peer closes its side (FIN), or when the socket closes for any reason
   * (reset, destroy(), srv.close()); never rejects.
   */
  readonly closed: Promise<void>;
  /** The socket error seen on this connection (ECONNRESET, EPIPE, ...), if any. */
  readonly socketError: Error | undefined;

  /**
   * Reads one request (head and body). Rejects with a RawServerError; CLOSED if the peer closed
   * between requests. After any rejection other than CLOSED and BUSY, the position in the byte
   * stream is unspecified: give up on the connection.
   */
  readRequest(options?: ReadOptions): Promise<RawRequest>;
  /** Like readRequest, but resolves null where readRequest would reject with CLOSED: for handler loops. */
  nextRequest(options?: ReadOptions): Promise<RawRequest | null>;
  /** Reads only a request head, e.g. to answer `Expect: 100-continue` before the body arrives. */
  readRequestHead(options?: ReadOptions): Promise<RawRequestHead>;
  /** Reads the body framed by `head` (from readRequestHead) and completes the request. */
  readRequestBody(head: RawRequestHead, options?: ReadOptions): Promise<RawRequest>;

  /** Queues bytes (strings are latin1). Returns false, writing nothing, if the socket is no longer writable. */
  write(bytes: string | Buffer): boolean;
  /**
   * Writes `bytes` in chunks with a pause between them. Resolves true when every chunk was
   * flushed, false if the socket stopped being writable first.
   */
  writeSlowly(bytes: string | Buffer, options?: WriteSlowlyOptions): Promise<boolean>;
  /** Writes `bytes`, if given, then closes our side (FIN; close_notify first for TLS). */
  end(bytes?: string | Buffer): void;
  /**
   * Closes the socket at once: no close_notify for TLS, and bytes node has not yet handed to the
   * kernel are dropped; the kernel sends what it has, then a FIN.
   */
  destroy(): void;
  /**
   * Aborts the TCP connection with a RST (for TLS, on the TCP socket under it, without a
   * close_notify). If the peer has not read what was written just before, a node:net peer may
   * report a clean EOF instead of ECONNRESET: libuv treats the hang-up that follows a short read
   * as EOF. To make sure the peer sees the reset, reset only after it has read the data.
   */
  reset(): void;
  /** Resolves true once the peer has closed (see peerClosed); false after timeoutMs or if we closed the socket first. */
  waitForClientClose(timeoutMs?: number): Promise<boolean>;
}

export type RawHandler<S extends Socket = Socket> = (conn: RawConnection<S>) => void | Promise<void>;

export interface RawServer {
  readonly port: number;
  readonly host: string;
  /** http://127.0.0.1:port (https:// for rawTlsServer; [::1] brackets for IPv6). */
  readonly url: string;
  /** TCP connections accepted so far (for TLS, including ones whose handshake failed). */
  readonly connections: number;
  /** Every complete request read on any connection, in the order read. */
  readonly requests: LoggedRequest[];
  /** Whatever handlers threw (or rejected with). */
  readonly errors: Error[];
  /** Socket-level errors (ECONNRESET, ...) and TLS handshake failures; not test failures by themselves. */
  readonly socketErrors: Error[];
  /** Resolves when every handler started so far has settled. */
  idle(timeoutMs?: number): Promise<boolean>;
  /** Destroys every socket, stops listening, and waits (up to a second) for handlers to settle. Idempotent. */
  close(): Promise<void>;
}

export interface RawServerOptions {
  /** Address to listen on: "127.0.0.1" (default) or "::1". */
  host?: "127.0.0.1" | "::1";
}

export interface RawTlsServerOptions extends TlsOptions, RawServerOptions {
  cert: string | Buffer;
  key: string | Buffer;
}

// ---------------------------------------------------------------------------------------------
// The request reader.

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_LINE = 16 * 1024;
const MAX_HEAD = 64 * 1024;
const MAX_FIELDS = 200;
const MAX_BODY = 64 * 1024 * 1024;
/** RFC 9112 §2.2: a server SHOULD ignore at least one empty line before a request-line. */
const MAX_LEADING_EMPTY_LINES = 4;

const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const REQUEST_LINE = new RegExp(`^(${TOKEN}) ([\\x21-\\x7e]+) (HTTP/[0-9]\\.[0-9])$`);
const FIELD_LINE = new RegExp(`^(${TOKEN}):[ \\t]*(.*?)[ \\t]*$`);
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const CHUNK_SIZE_LINE = /^([0-9A-Fa-f]+)[ \t]*(?:;.*)?$/;

const EMPTY: Buffer = Buffer.alloc(0);
const toBytes = (bytes: string | Buffer): Buffer => (typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes);

/** Bytes received and not consumed yet, plus a way to wait for more. */
class Inbox {
  private buf = EMPTY;
  private eof = false;
  private wake: (() => void) | null = null;
  /** Why no more bytes will come, for error messages. */
  endReason = "the peer closed the connection";

  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    this.notify();
  }

  finish(reason?: string): void {
    if (this.eof) return;
    this.eof = true;
    if (reason) this.endReason = reason;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Waits until there is something or EOF. Returns false at EOF with nothing buffered. */
  async hasData(deadline: number): Promise<boolean> {
    while (this.buf.length === 0 && !this.eof) await this.more(deadline);
    return this.buf.length > 0;
  }

  /** One line without its CRLF. A bare LF or CR is BAD_REQUEST. */
  async line(deadline: number, what: string, max = MAX_LINE): Promise<{ text: string; raw: Buffer }> {
    for (;;) {
      const lf = this.buf.indexOf(0x0a);
      if (lf >= 0) {
        if (lf === 0 || this.buf[lf - 1] !== 0x0d) throw new RawServerError("BAD_REQUEST", `bare LF in ${what}`);
        if (lf - 1 > max) throw new RawServerError("TOO_LARGE", `${what} longer than ${max} bytes`);
        const raw = this.take(lf + 1);
        const content = raw.subarray(0, lf - 1);
        if (content.includes(0x0d)) throw new RawServerError("BAD_REQUEST", `bare CR in ${what}`);
        return { text: content.toString("latin1"), raw };
      }
      if (this.buf.length > max + 1) throw new RawServerError("TOO_LARGE", `${what} longer than ${max} bytes`);
      if (this.eof) throw new RawServerError("INCOMPLETE", `${this.endReason} in the middle of ${what}`);
      await this.more(deadline);
    }
  }

  /** Exactly n bytes. */
  async exact(n: number, deadline: number, what: string): Promise<Buffer> {
    while (this.buf.length < n) {
      if (this.eof) {
        throw new RawServerError("INCOMPLETE", `${this.endReason} after ${this.buf.length} of ${n} bytes of ${what}`);
      }
      await this.more(deadline);
    }
    return this.take(n);
  }

  private take(n: number): Buffer {
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  private more(deadline: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      if (Number.isFinite(deadline)) {
        timer = setTimeout(
          () => {
            this.wake = null;
            reject(new RawServerError("TIMEOUT", "no complete request in time"));
          },
          Math.max(0, deadline - Date.now()),
        );
      }
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function deadlineOf(options: ReadOptions | undefined): number {
  const timeout = options?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return Number.isFinite(timeout) ? Date.now() + timeout : Number.POSITIVE_INFINITY;
}

async function readHead(inbox: Inbox, deadline: number): Promise<RawRequestHead | null> {
  const raw: Buffer[] = [];
  let requestLine: string | undefined;
  for (let skipped = 0; requestLine === undefined; skipped++) {
    if (!(await inbox.hasData(deadline))) return null;
    const line = await inbox.line(deadline, "the request line");
    if (line.text.length > 0) {
      raw.push(line.raw);
      requestLine = line.text;
    } else if (skipped >= MAX_LEADING_EMPTY_LINES) {
      throw new RawServerError("BAD_REQUEST", "too many empty lines before the request line");
    }
  }
  const match = REQUEST_LINE.exec(requestLine);
  if (!match) throw new RawServerError("BAD_REQUEST", `bad request line ${JSON.stringify(requestLine)}`);
  const headers = await readFields(inbox, deadline, raw, "the header section");
  return { method: match[1] ?? "", target: match[2] ?? "", version: match[3] ?? "", headers, raw: Buffer.concat(raw) };
}

/** Field lines up to and including the empty line; appends the bytes read to `raw`. */
async function readFields(inbox: Inbox, deadline: number, raw: Buffer[], what: string): Promise<Field[]> {
  const fields: Field[] = [];
  let size = 0;
  for (;;) {
    const line = await inbox.line(deadline, what);
    raw.push(line.raw);
    size += line.raw.length;
    if (size > MAX_HEAD) throw new RawServerError("TOO_LARGE", `${what} larger than ${MAX_HEAD} bytes`);
    if (line.text.length === 0) return fields;
    if (fields.length >= MAX_FIELDS) throw new RawServerError("TOO_LARGE", `more than ${MAX_FIELDS} fields in ${what}`);
    const match = FIELD_LINE.exec(line.text);
    const value = match?.[2];
    if (!match || value === undefined || !FIELD_VALUE.test(value)) {
      throw new RawServerError("BAD_REQUEST", `bad field line ${JSON.stringify(line.text)} in ${what}`);
    }
    fields.push([match[1] ?? "", value]);
  }
}

/** Field values of every line named `name` (case-insensitive), split on commas and trimmed. */
function listValues(fields: Field[], name: string): string[] {
  const lower = name.toLowerCase();
  return fields
    .filter(([n]) => n.toLowerCase() === lower)
    .flatMap(([, v]) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/** The value of the first field named `name` (case-insensitive), or undefined. */
export function getHeader(fields: Field[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return fields.find(([n]) => n.toLowerCase() === lower)?.[1];
}

/** RFC 9112 §6.3, the request cases: chunked, Content-Length, or no body. */
async function readBody(inbox: Inbox, head: RawRequestHead, deadline: number): Promise<RawRequest> {
  const raw: Buffer[] = [head.raw];
  const codings = listValues(head.headers, "transfer-encoding");
  const hasTE = head.headers.some(([n]) => n.toLowerCase() === "transfer-encoding");
  const lengths = listValues(head.headers, "content-length");
  const hasCL = head.headers.some(([n]) => n.toLowerCase() === "content-length");
  let body = EMPTY;
  let trailers: Field[] = [];

  if (hasTE) {
    if (hasCL) throw new RawServerError("BAD_REQUEST", "both Transfer-Encoding and Content-Length");
    if (codings.at(-1)?.toLowerCase() !== "chunked") {
      throw new RawServerError("BAD_REQUEST", `Transfer-Encoding does not end in chunked: ${JSON.stringify(codings)}`);
    }
    const parts: Buffer[] = [];
    let total = 0;
    for (;;) {
      const sizeLine = await inbox.line(deadline, "a chunk-size line");
      raw.push(sizeLine.raw);
      const m = CHUNK_SIZE_LINE.exec(sizeLine.text);
      if (!m?.[1]) throw new RawServerError("BAD_REQUEST", `bad chunk-size line ${JSON.stringify(sizeLine.text)}`);
      const digits = m[1].replace(/^0+(?=.)/, "");
      if (digits.length > 8) throw new RawServerError("TOO_LARGE", `chunk size ${m[1]}`);
      const size = Number.parseInt(digits, 16);
      if (size === 0) break;
      total += size;
      if (total > MAX_BODY) throw new RawServerError("TOO_LARGE", `body larger than ${MAX_BODY} bytes`);
      const data = await inbox.exact(size, deadline, "chunk data");
      const crlf = await inbox.exact(2, deadline, "the CRLF after chunk data");
      if (crlf[0] !== 0x0d || crlf[1] !== 0x0a)
        throw new RawServerError("BAD_REQUEST", "chunk data not followed by CRLF");
      raw.push(data, crlf);
      parts.push(data);
    }
    trailers = await readFields(inbox, deadline, raw, "the trailer section");
    body = Buffer.concat(parts);
  } else if (hasCL) {
    const distinct = new Set(lengths);
    const value = lengths[0];
    if (distinct.size !== 1 || value === undefined || !/^[0-9]+$/.test(value)) {
      throw new RawServerError("BAD_REQUEST", `bad Content-Length ${JSON.stringify(lengths)}`);
    }
    const length = Number(value);
    if (length > MAX_BODY) throw new RawServerError("TOO_LARGE", `Content-Length ${value}`);
    body = await inbox.exact(length, deadline, "the body");
    raw.push(body);
  }
  return { ...head, body: Buffer.from(body), trailers, raw: Buffer.concat(raw) };
}

// ---------------------------------------------------------------------------------------------
// Connections and servers.

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class Connection<S extends Socket> implements RawConnection<S> {
  requestsRead = 0;
  peerClosed = false;
  socketError: Error | undefined;
  readonly closed: Promise<void>;
  /** Set when the handler has settled, to close our side once the peer has closed its. */
  handlerDone = false;
  private closedByUs = false;
  private reading = false;
  private readonly inbox = new Inbox();
  private readonly closeListeners = new Set<() => void>();
  private resolveClosed!: () => void;
  /** Resolves on the socket's 'close' event. */
  private readonly socketClosed: Promise<void>;

  constructor(
    readonly id: number,
    readonly socket: S,
    /** The TCP socket under a TLS socket (the same socket for plain TCP): the one a RST is sent on. */
    private readonly tcp: Socket,
    private readonly onRequest: (req: RawRequest, conn: Connection<S>) => void,
    onSocketError: (err: Error) => void,
  ) {
    this.closed = new Promise<void>((resolve) => {
      this.resolveClosed = resolve;
    });
    this.socketClosed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.setNoDelay(true); // so that writeSlowly's pieces leave as separate segments
    socket.on("data", (chunk: Buffer) => this.inbox.push(chunk));
    socket.on("end", () => {
      this.peerClosed = true;
      this.inbox.finish();
      this.fireClosed();
      if (this.handlerDone) this.socket.end();
    });
    socket.on("error", (err: Error) => {
      this.socketError ??= err;
      onSocketError(err);
    });
    socket.on("close", () => {
      if (!this.closedByUs) this.peerClosed = true;
      this.inbox.finish(
        this.closedByUs
          ? "the connection was closed on the server side"
          : `the connection closed${this.socketError ? ` (${this.socketError.message})` : ""}`,
      );
      this.fireClosed();
    });
  }

  private fireClosed(): void {
    this.resolveClosed();
    for (const listener of this.closeListeners) listener();
  }

  private async exclusive<T>(read: () => Promise<T>): Promise<T> {
    if (this.reading) throw new RawServerError("BUSY", "a read is already pending on this connection");
    this.reading = true;
    try {
      return await read();
    } finally {
      this.reading = false;
    }
  }

  async readRequest(options?: ReadOptions): Promise<RawRequest> {
    const req = await this.nextRequest(options);
    if (!req) throw new RawServerError("CLOSED", `${this.inbox.endReason} before a request`);
    return req;
  }

  nextRequest(options?: ReadOptions): Promise<RawRequest | null> {
    const deadline = deadlineOf(options);
    return this.exclusive(async () => {
      const head = await readHead(this.inbox, deadline);
      return head ? this.complete(await readBody(this.inbox, head, deadline)) : null;
    });
  }

  readRequestHead(options?: ReadOptions): Promise<RawRequestHead> {
    const deadline = deadlineOf(options);
    return this.exclusive(async () => {
      const head = await readHead(this.inbox, deadline);
      if (!head) throw new RawServerError("CLOSED", `${this.inbox.endReason} before a request`);
      return head;
    });
  }

  readRequestBody(head: RawRequestHead, options?: ReadOptions): Promise<RawRequest> {
    const deadline = deadlineOf(options);
    return this.exclusive(async () => this.complete(await readBody(this.inbox, head, deadline)));
  }

  private complete(req: RawRequest): RawRequest {
    this.requestsRead++;
    this.onRequest(req, this);
    return req;
  }

  private get writable(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }

  write(bytes: string | Buffer): boolean {
    if (!this.writable) return false;
    this.socket.write(toBytes(bytes));
    return true;
  }

  async writeSlowly(bytes: string | Buffer, options: WriteSlowlyOptions = {}): Promise<boolean> {
    const data = toBytes(bytes);
    const chunkSize = Math.max(1, Math.floor(options.chunkSize ?? 1));
    const delayMs = Math.max(0, options.delayMs ?? 1);
    for (let offset = 0; offset < data.length; offset += chunkSize) {
      if (offset > 0) await sleep(delayMs);
      if (!this.writable) return false;
      const flushed = await Promise.race([
        new Promise<boolean>((resolve) => {
          this.socket.write(data.subarray(offset, offset + chunkSize), (err) => resolve(!err));
        }),
        this.socketClosed.then(() => false),
      ]);
      if (!flushed) return false;
    }
    return true;
  }

  end(bytes?: string | Buffer): void {
    if (!this.writable) return;
    if (bytes !== undefined) this.socket.write(toBytes(bytes));
    this.socket.end();
  }

  destroy(): void {
    this.closedByUs = true;
    this.socket.destroy();
    if (this.tcp !== this.socket) this.tcp.destroy();
  }

  reset(): void {
    this.closedByUs = true;
    if (!this.tcp.destroyed) this.tcp.resetAndDestroy();
    if (this.tcp !== this.socket) this.socket.destroy();
  }

  waitForClientClose(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<boolean> {
    if (this.peerClosed) return Promise.resolve(true);
    if (this.socket.destroyed) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.closeListeners.delete(done);
        resolve(this.peerClosed);
      };
      const timer = setTimeout(done, timeoutMs);
      this.closeListeners.add(done);
    });
  }
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(`handler threw a non-Error: ${String(value)}`);
}

async function start<S extends Socket>(
  server: Server,
  scheme: "http" | "https",
  host: string,
  handler: RawHandler<S>,
  wire: (accept: (socket: S, tcp: Socket) => void) => void,
  tlsErrors?: Error[],
): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const conns = new Set<Connection<S>>();
  const ids = new WeakMap<Socket, number>();
  const handlers = new Set<Promise<void>>();
  const requests: LoggedRequest[] = [];
  const errors: Error[] = [];
  const socketErrors: Error[] = tlsErrors ?? [];
  const recordSocketError = (err: Error): void => {
    if (!socketErrors.includes(err)) socketErrors.push(err);
  };
  let connections = 0;
  let closing: Promise<void> | undefined;

  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    if (closing) socket.destroy();
  };

  server.on("connection", (socket: Socket) => {
    ids.set(socket, ++connections);
    socket.on("error", recordSocketError);
    track(socket);
  });

  const accept = (socket: S, tcp: Socket): void => {
    track(socket);
    const conn = new Connection<S>(
      ids.get(tcp) ?? connections,
      socket,
      tcp,
      (req, c) =>
        requests.push({
          connection: c.id,
          method: req.method,
          target: req.target,
          version: req.version,
          headers: req.headers,
          body: req.body,
          trailers: req.trailers,
        }),
      recordSocketError,
    );
    if (closing) return;
    conns.add(conn);
    socket.once("close", () => conns.delete(conn));
    const run = (async () => {
      try {
        await handler(conn);
        conn.handlerDone = true;
        if (conn.peerClosed && !socket.destroyed) socket.end();
      } catch (thrown) {
        const err = toError(thrown);
        const causedByClose =
          closing !== undefined &&
          err instanceof RawServerError &&
          (err.code === "CLOSED" || err.code === "INCOMPLETE");
        if (!causedByClose) errors.push(err);
        conn.destroy();
      }
    })();
    handlers.add(run);
    void run.finally(() => handlers.delete(run));
  };
  wire(accept);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // After listening, errors on the server itself (rare) are recorded rather than thrown.
  server.on("error", (err) => errors.push(err));
  const port = (server.address() as AddressInfo).port;

  const idle = async (timeoutMs = DEFAULT_TIMEOUT_MS): Promise<boolean> => {
    const deadline = Date.now() + timeoutMs;
    while (handlers.size > 0) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...handlers]),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, remaining);
        }),
      ]);
      clearTimeout(timer);
    }
    return true;
  };

  return {
    port,
    host,
    url: `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}`,
    get connections() {
      return connections;
    },
    requests,
    errors,
    socketErrors,
    idle,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const conn of conns) conn.destroy(); // first, so that they know the close was ours
        for (const socket of sockets) socket.destroy();
        await closed;
        await idle(1000);
      })();
      return closing;
    },
  };
}

/** A scripted plain-TCP server on 127.0.0.1 (or ::1), random port; `handler` runs once per connection. */
export function rawServer(handler: RawHandler<Socket>, options: RawServerOptions = {}): Promise<RawServer> {
  const server = createTcpServer({ allowHalfOpen: true });
  return start<Socket>(server, "http", options.host ?? "127.0.0.1", handler, (accept) => {
    server.on("connection", (socket: Socket) => accept(socket, socket));
  });
}

/**
 * The same over TLS (node:tls). The handler runs after the handshake; failed handshakes are
 * recorded in srv.socketErrors. Pass `ca` and `requestCert: true` for mutual TLS (with
 * rejectUnauthorized, node's default, a client without a valid certificate is refused).
 */
export function rawTlsServer(options: RawTlsServerOptions, handler: RawHandler<TLSSocket>): Promise<RawServer> {
  const { host, ...tlsOptions } = options;
  const server = createTlsServer(tlsOptions);
  const socketErrors: Error[] = [];
  // The TCP socket under each TLS socket, found by the peer's address and port, for reset().
  const tcpByPeer = new Map<string, Socket>();
  const peerKey = (s: Socket): string => `${s.remoteAddress}|${s.remotePort}`;
  return start<TLSSocket>(
    server,
    "https",
    host ?? "127.0.0.1",
    handler,
    (accept) => {
      server.on("connection", (tcp: Socket) => {
        const key = peerKey(tcp);
        tcpByPeer.set(key, tcp);
        tcp.on("close", () => {
          if (tcpByPeer.get(key) === tcp) tcpByPeer.delete(key);
        });
      });
      server.on("tlsClientError", (err) => socketErrors.push(err));
      server.on("secureConnection", (socket: TLSSocket) => accept(socket, tcpByPeer.get(peerKey(socket)) ?? socket));
    },
    socketErrors,
  );
}
