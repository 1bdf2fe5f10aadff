// Helpers for the API behaviour tests: real servers on 127.0.0.1 that record what they received,
// a registry of things to close after each test, a strict multipart/form-data parser, and small
// utilities for asserting rejections and polling with a bound.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo, Server, Socket } from "node:net";
import { Session, type SessionOptions } from "../../src/index.js";
import { type BodyHandler, readAndAnswer } from "../support/http.js";
import {
  type RawConnection,
  type RawHandler,
  type RawRequest,
  type RawServer,
  type RawServerOptions,
  rawServer,
} from "../support/raw-server.js";

// ---- cleanup --------------------------------------------------------------------------------

const cleanups: Array<() => unknown> = [];

/** Registers something to undo after the current test (run in reverse order). */
export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn);
}

/** Runs every registered cleanup; rethrows the first failure after running them all. */
export async function runCleanups(): Promise<void> {
  const failures: unknown[] = [];
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn();
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length > 0) throw failures[0];
}

/** A Session closed after the test. */
export function session(options?: SessionOptions): Session {
  const s = new Session(options);
  onCleanup(() => s.close());
  return s;
}

/**
 * Starts a node:net (or node:http, node:https) server listening on 127.0.0.1 (random port) and
 * returns the port; after the test its open connections are destroyed and it is closed. A server
 * shared by several tests (started in beforeAll) passes `register`, which gets that closer instead
 * of the per-test cleanup list, and runs it in afterAll.
 */
export async function listen(
  server: Server,
  register: (close: () => Promise<void>) => void = onCleanup,
): Promise<number> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  register(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/**
 * A raw scripted server closed after the test. Unless `tolerateErrors`, an error thrown by a
 * handler (an unexpected request, bad framing, a timeout) fails the test at cleanup.
 */
export async function raw(
  handler: RawHandler,
  options: RawServerOptions & { tolerateErrors?: boolean } = {},
): Promise<RawServer> {
  const { tolerateErrors, ...rest } = options;
  const srv = await rawServer(handler, rest);
  onCleanup(async () => {
    await srv.close();
    if (!tolerateErrors && srv.errors.length > 0) {
      throw new Error(`raw server handler failed: ${srv.errors.map((e) => e.message).join("; ")}`);
    }
  });
  return srv;
}

/** What a raw server's keep-alive loop saw: each request with its exact bytes. */
export interface Seen {
  req: RawRequest;
  connection: number;
}

/**
 * A raw server that answers every request of every connection with `respond` (keep-alive), and
 * records each request (exact bytes in `req.raw`) in `seen`.
 */
export async function rawEach(
  respond: (req: RawRequest, conn: RawConnection) => string | Buffer | Promise<string | Buffer>,
  options: RawServerOptions & { tolerateErrors?: boolean } = {},
): Promise<RawServer & { seen: Seen[] }> {
  const seen: Seen[] = [];
  const srv = await raw(async (conn) => {
    for (;;) {
      const req = await conn.nextRequest({ timeoutMs: Number.POSITIVE_INFINITY });
      if (req === null) return;
      seen.push({ req, connection: conn.id });
      conn.write(await respond(req, conn));
    }
  }, options);
  return Object.assign(srv, { seen });
}

// ---- node:http server -----------------------------------------------------------------------

/** One request as a node:http server received it. */
export interface Received {
  method: string;
  /** The request-target exactly as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  /** Field lines in order, names as sent. */
  rawHeaders: Array<[string, string]>;
  body: Buffer;
  /** The TCP connection it came on (1 for the first). */
  connection: number;
}

export type HttpHandler = BodyHandler;

export interface HttpServer {
  readonly url: string;
  readonly port: number;
  readonly received: Received[];
  readonly connections: () => number;
  close(): Promise<void>;
}

/**
 * A node:http server on 127.0.0.1 (random port), closed after the test. Each request's body is
 * read completely, recorded, then `handler` answers (the default answers 200 "ok").
 */
export async function httpServer(handler?: HttpHandler): Promise<HttpServer> {
  const received: Received[] = [];
  const ids = new WeakMap<Socket, number>();
  let connections = 0;
  const server = createServer((req, res) => {
    const record = (body: Buffer, rawHeaders: Array<[string, string]>) =>
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        rawHeaders,
        body,
        connection: ids.get(req.socket) ?? 0,
      });
    readAndAnswer(req, res, record, handler ?? ((_req, r) => void r.end("ok")));
  });
  server.on("connection", (socket: Socket) => {
    ids.set(socket, ++connections);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  onCleanup(close);
  return { url: `http://127.0.0.1:${port}`, port, received, connections: () => connections, close };
}

// ---- multipart ------------------------------------------------------------------------------

export interface Part {
  /** Header lines of the part, in order, as sent. */
  headers: Array<[string, string]>;
  content: Buffer;
}

/**
 * Parses a multipart/form-data body strictly (RFC 2046 §5.1.1 as requests/urllib3 write it):
 * `--B CRLF headers CRLF CRLF content CRLF` per part, then `--B-- CRLF`, nothing else around.
 */
export function parseMultipart(body: Buffer, contentType: string | undefined): { boundary: string; parts: Part[] } {
  const m = /^multipart\/form-data; boundary=([0-9A-Za-z'()+_,./:=?-]{1,70})$/.exec(contentType ?? "");
  if (m === null) throw new Error(`not a multipart/form-data Content-Type: ${JSON.stringify(contentType)}`);
  const boundary = m[1] as string;
  const first = Buffer.from(`--${boundary}\r\n`, "latin1");
  const delimiter = Buffer.from(`\r\n--${boundary}`, "latin1");
  const closing = Buffer.from(`\r\n--${boundary}--\r\n`, "latin1");
  if (!body.subarray(0, first.length).equals(first)) throw new Error("the body does not start with the boundary");
  if (!body.subarray(body.length - closing.length).equals(closing)) {
    throw new Error("the body does not end with the closing boundary and CRLF");
  }
  const parts: Part[] = [];
  let at = first.length;
  for (;;) {
    const headEnd = body.indexOf("\r\n\r\n", at, "latin1");
    if (headEnd < 0) throw new Error("a part has no end of headers");
    const headers: Array<[string, string]> = body
      .subarray(at, headEnd)
      .toString("latin1")
      .split("\r\n")
      .map((line) => {
        const colon = line.indexOf(":");
        if (colon <= 0) throw new Error(`bad part header line ${JSON.stringify(line)}`);
        return [line.slice(0, colon), line.slice(colon + 1).trim()] as [string, string];
      });
    const contentStart = headEnd + 4;
    const next = body.indexOf(delimiter, contentStart);
    parts.push({ headers, content: Buffer.from(body.subarray(contentStart, next)) });
    const after = next + delimiter.length;
    const tail = body.subarray(after, after + 2).toString("latin1");
    if (tail === "--") {
      if (after + 4 !== body.length) throw new Error("bytes after the closing boundary");
      return { boundary, parts };
    }
    if (tail !== "\r\n") throw new Error("a boundary is not followed by CRLF");
    at = after + 2;
  }
}

// ---- small utilities ------------------------------------------------------------------------

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 5 ms until true; throws after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** A promise and the function that resolves it (Promise.withResolvers is Node 22+). */
export function gate(): [Promise<void>, () => void] {
  let open = (): void => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return [promise, open];
}

/** The promise's value, or an error if it does not settle within ms ("did not hang"). */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The rejection reason of `p`; fails if `p` fulfils. */
export async function rejection(p: Promise<unknown> | (() => Promise<unknown>)): Promise<unknown> {
  const promise = typeof p === "function" ? p() : p;
  const outcome = await promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`expected a rejection, got ${String(outcome.value)}`);
  return outcome.error;
}

/**
 * What the promise rejected with, which must be an Error; fails when it resolves, rejects with a
 * non-Error, or hangs past `ms` (20 s). (`rejection` above: any reason, no bound.)
 */
export async function rejectionOf(promise: Promise<unknown>, ms = 20_000): Promise<Error> {
  const outcome = await within(
    promise.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
    ms,
    "the request",
  );
  if (outcome.ok) throw new Error(`expected a rejection, got ${String(outcome.value)}`);
  if (!(outcome.error instanceof Error)) throw new Error(`rejected with a non-Error: ${String(outcome.error)}`);
  return outcome.error;
}

/** Records unhandled rejections while a test runs. */
export function watchUnhandled(): { readonly reasons: unknown[]; stop(): void } {
  const reasons: unknown[] = [];
  const listener = (reason: unknown): void => {
    reasons.push(reason);
  };
  process.on("unhandledRejection", listener);
  return {
    reasons,
    stop: () => {
      process.off("unhandledRejection", listener);
    },
  };
}

/** The error `fn` throws; fails if it does not throw. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected an exception");
}

/** Header value of the first field named `name` (any case) in ordered pairs. */
export function field(pairs: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return pairs.find(([n]) => n.toLowerCase() === lower)?.[1];
}

/** Every field named `name` (any case). */
export function fields(pairs: ReadonlyArray<readonly [string, string]>, name: string): string[] {
  const lower = name.toLowerCase();
  return pairs.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

/** A raw HTTP/1.1 response with Content-Length. Strings are latin1. */
export function response(
  status: string,
  headers: Array<[string, string]>,
  body: string | Buffer = "",
  options: { contentLength?: boolean } = {},
): Buffer {
  const bytes = typeof body === "string" ? Buffer.from(body, "latin1") : body;
  const lines = [`HTTP/1.1 ${status}`, ...headers.map(([n, v]) => `${n}: ${v}`)];
  if (options.contentLength !== false) lines.push(`Content-Length: ${bytes.length}`);
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), bytes]);
}

/**
 * A 200 response (or `status` line) as a latin1 string, with Content-Length, the extra `headers`
 * lines and `body`. (`response` above: header pairs, Buffer.)
 */
export function ok(body: string, headers: string[] = [], status = "HTTP/1.1 200 OK"): string {
  const extra = headers.map((h) => `${h}\r\n`).join("");
  return `${status}\r\nContent-Length: ${Buffer.byteLength(body, "latin1")}\r\n${extra}\r\n${body}`;
}

/** Read options for a raw server's keep-alive loop: wait for the next request forever (`null` ends it). */
export const FOREVER = { timeoutMs: Number.POSITIVE_INFINITY } as const;

/** A chunked body: every piece as one chunk, then the last chunk and the trailer section. */
export function chunked(pieces: Array<string | Buffer>, trailers: Array<[string, string]> = []): Buffer {
  const out: Buffer[] = [];
  for (const p of pieces) {
    const b = typeof p === "string" ? Buffer.from(p, "latin1") : p;
    if (b.length === 0) continue;
    out.push(Buffer.from(`${b.length.toString(16)}\r\n`, "latin1"), b, Buffer.from("\r\n", "latin1"));
  }
  out.push(Buffer.from(`0\r\n${trailers.map(([n, v]) => `${n}: ${v}\r\n`).join("")}\r\n`, "latin1"));
  return Buffer.concat(out);
}

/** Every byte value 0..255 once, in order. */
export const ALL_BYTES: Buffer = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

/**
 * Asserts two byte sequences are equal. Fast for large bodies (a deep toEqual on megabytes is
 * slow); on a mismatch it reports the lengths and the first differing offset.
 */
export function expectBytes(actual: Uint8Array | null | undefined, expected: Uint8Array, label = "bytes"): void {
  const a = actual == null ? undefined : Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const e = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (a?.equals(e)) return;
  let at = 0;
  while (a !== undefined && at < a.length && at < e.length && a[at] === e[at]) at++;
  const around = (b: Buffer | undefined) => b?.subarray(Math.max(0, at - 16), at + 16).toString("hex");
  throw new Error(
    `${label}: expected ${e.length} bytes, got ${a === undefined ? String(actual) : `${a.length} bytes`}; ` +
      `first difference at offset ${at}: expected …${around(e)}…, got …${around(a)}…`,
  );
}
