// Transport over Bun.connect (Bun's own TCP/TLS sockets, no node:net layer in between).
//
// What Bun.connect does differently from node:net, and what this file does about it:
// - socket.write() writes what the kernel takes now and returns the count (0 when full, -1 when
//   closed); nothing is buffered. The rest is queued here, in order, and written on 'drain'.
// - 'close' is called synchronously (inside terminate(), or right after 'end'); here close is
//   reported once, after the current call returns, as node:net does.
// - A TLS socket opens (and the connect promise resolves) before its handshake, and writes made
//   then are dropped: the socket is handed out only after the handshake callback. A failed
//   certificate check arrives there too (and Bun closes the socket when rejectUnauthorized).
// - A socket closed cleanly after our own shutdown() gets 'close' without 'end': 'end' is
//   reported first here. A reset or TLS alert arrives as 'close' with an error, or 'error' then
//   'close': reported as error then close.
// - pause() stops reading; chunks that still arrive while paused (or before setHandlers) are
//   held back and delivered after resume().
// - Each 'data' chunk is a new Buffer (not a view of a reused read buffer), so it is passed on
//   as is.
// - A connection attempt cannot be cancelled (Bun.connect gives no handle before 'open'): after a
//   timeout or an abort the promise is rejected at once, and a socket that still opens later is
//   closed when it does. Until the attempt ends it keeps the process alive: for a host that drops
//   SYNs, up to the system's connect timeout (about two minutes on Linux). node:net can cancel.
import { lazy } from "../lazy.js";
import {
  bareHost,
  ConnectError,
  type ConnectFailure,
  type ConnectOptions,
  connectAborted,
  type SocketHandlers,
  type TlsOptions,
  type Transport,
  type TransportSocket,
} from "./types.js";

/** The part of a Bun socket used here (declared here: no Bun types at build time). */
export interface BunSocket {
  /** The value given as `data` to Bun.connect. */
  readonly data: BunConnection;
  /** Writes what fits now: bytes written, 0 when the kernel buffer is full, -1 when closed. */
  write(data: Uint8Array): number;
  /** Half-closes (sends FIN) and keeps reading. */
  shutdown(halfClose?: boolean): void;
  /** Closes at once ('close' is called synchronously). */
  terminate(): void;
  pause?(): void;
  resume?(): void;
  ref(): void;
  unref(): void;
  setNoDelay?(noDelay?: boolean): boolean;
  /** TLS over this connection: [the raw socket, the TLS one], whose events go to `socket`. */
  upgradeTLS?(options: { data: BunConnection; socket: BunSocketHandler; tls: BunTlsOptions }): [BunSocket, BunSocket];
}

export interface BunSocketHandler {
  open(socket: BunSocket): void;
  handshake(socket: BunSocket, success: boolean, authorizationError: Error | null): void;
  data(socket: BunSocket, data: Uint8Array): void;
  drain(socket: BunSocket): void;
  end(socket: BunSocket): void;
  error(socket: BunSocket, error: Error): void;
  close(socket: BunSocket, error?: Error): void;
  connectError(socket: BunSocket, error: Error): void;
}

export interface BunTlsOptions {
  rejectUnauthorized: boolean;
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  serverName?: string | undefined;
  /** Wire format: length-prefixed names. */
  ALPNProtocols?: Uint8Array;
}

interface BunConnectOptions {
  hostname: string;
  port: number;
  data: BunConnection;
  socket: BunSocketHandler;
  tls?: BunTlsOptions | undefined;
}

/** The part of the `Bun` global used here. */
export interface BunApi {
  connect(options: BunConnectOptions): Promise<BunSocket>;
}

const NOOP: SocketHandlers = { data() {}, end() {}, error() {}, close() {}, drain() {} };
/** Queued bytes above which write() asks the caller to wait for drain. */
const HIGH_WATER = 64 * 1024;
/** Buffers of a writev() up to this size in all are joined into one write. */
const JOIN_LIMIT = 16 * 1024;

type Settle = { resolve(socket: TransportSocket): void; reject(error: ConnectError): void };

export type { BunConnection };

class BunConnection implements TransportSocket {
  #socket: BunSocket | undefined;
  /** Set while connecting; cleared once the attempt is settled. */
  #settle: Settle | undefined;
  readonly #tls: boolean;
  readonly #rejectUnauthorized: boolean;
  /** The attempt was given up (timeout, abort, failure): a socket that opens later is closed. */
  #abandoned = false;

  #handlers: SocketHandlers | undefined;
  #paused = false;
  /** Chunks not delivered yet (paused, or no handlers yet). */
  readonly #held: Uint8Array[] = [];
  #pumping = false;
  /** The peer finished sending (reported by Bun, or a clean close). */
  #eof = false;
  #endDelivered = false;
  /** No more I/O: closed by Bun or destroyed. */
  #closed = false;
  #destroyed = false;
  #closeScheduled = false;
  #closeError: Error | undefined;
  /** An 'error' from Bun, reported with the 'close' that follows it. */
  #pendingError: Error | undefined;

  readonly #queue: Uint8Array[] = [];
  #queued = 0;
  #wantDrain = false;
  #ending = false;
  #shutDown = false;

  constructor(settle: Settle, tls: boolean, rejectUnauthorized: boolean) {
    this.#settle = settle;
    this.#tls = tls;
    this.#rejectUnauthorized = rejectUnauthorized;
  }

  get destroyed(): boolean {
    return this.#closed;
  }

  // ---- connecting ------------------------------------------------------------------------------

  /** Gives up the attempt (timeout, abort): rejects now, closes the socket if there is one. */
  abandon(error: ConnectError): void {
    this.#fail(error);
  }

  #fail(error: ConnectError): void {
    const settle = this.#settle;
    this.#settle = undefined;
    this.#abandoned = true;
    if (!this.#closed) {
      this.#closed = true;
      this.#closeScheduled = true; // never handed out: nobody to tell
      try {
        this.#socket?.terminate();
      } catch {}
    }
    settle?.reject(error);
  }

  #succeed(): void {
    const settle = this.#settle;
    this.#settle = undefined;
    settle?.resolve(this);
  }

  /** The promise of Bun.connect resolved (after 'open'). */
  opened(socket: BunSocket): void {
    if (this.#abandoned) {
      try {
        socket.terminate();
      } catch {}
      return;
    }
    this.#socket ??= socket;
  }

  _onOpen(socket: BunSocket): void {
    if (this.#abandoned) {
      socket.terminate();
      return;
    }
    this.#socket = socket;
    socket.setNoDelay?.(true);
    if (!this.#tls) this.#succeed();
  }

  _onHandshake(error: Error | null): void {
    if (this.#settle === undefined) return;
    // only a TLS connection shakes hands, and it was opened once the TLS code was in
    if ((tlsCode.loaded as BunTlsCode).handshakeOk(error, this.#rejectUnauthorized)) this.#succeed();
    else this.#fail(new ConnectError(classify(error as Error, true, true), (error as Error).message, error));
  }

  /** Bun's socket, once open (TLS through a proxy tunnel upgrades it). */
  get raw(): BunSocket | undefined {
    return this.#socket;
  }

  /** Bun.connect rejected, or its connectError handler ran. */
  connectFailed(error: unknown): void {
    if (this.#settle === undefined) return;
    const e = error as Error;
    this.#fail(new ConnectError(classify(e, this.#tls, false), String(e?.message ?? error), error));
  }

  // ---- events from Bun -------------------------------------------------------------------------

  _onData(chunk: Uint8Array): void {
    if (this.#closed) return;
    if (this.#handlers !== undefined && !this.#paused && this.#held.length === 0 && !this.#pumping) {
      this.#handlers.data(chunk);
      return;
    }
    this.#held.push(chunk);
  }

  _onEnd(): void {
    if (this.#closed) return;
    this.#eof = true;
    this.#pump();
  }

  _onError(error: Error): void {
    this.#pendingError ??= error;
  }

  _onClose(error?: Error): void {
    if (this.#closed) return; // destroyed here, or given up
    this.#closed = true;
    this.#queue.length = 0;
    this.#queued = 0;
    const err = error ?? this.#pendingError;
    if (this.#settle !== undefined) {
      const e = err ?? new Error(this.#tls ? "the connection closed during the TLS handshake" : "connection closed");
      this.#closeScheduled = true;
      this.#fail(new ConnectError(classify(e, this.#tls, this.#tls), e.message, e));
      return;
    }
    if (err !== undefined) {
      // a reset or a TLS alert: what was held back is dropped, as node:net does
      this.#held.length = 0;
      this.#closeError = err;
    } else {
      this.#eof = true; // a clean close is an end of stream, even when Bun reported no 'end'
    }
    this.#pump();
  }

  _onDrain(): void {
    this.#flush();
  }

  /** Delivers held chunks, then end, then close, as far as pause and handlers allow. */
  #pump(): void {
    if (this.#handlers === undefined || this.#pumping) return;
    this.#pumping = true;
    try {
      if (this.#closeError === undefined) {
        while (this.#held.length > 0 && !this.#paused) {
          (this.#handlers as SocketHandlers).data(this.#held.shift() as Uint8Array);
        }
        if (this.#held.length > 0 || this.#paused) return;
        if (this.#eof && !this.#endDelivered && !this.#destroyed) {
          this.#endDelivered = true;
          this.#handlers.end();
        }
      }
      if (this.#closed && !this.#closeScheduled) this.#scheduleClose(this.#closeError);
    } finally {
      this.#pumping = false;
    }
  }

  // ---- TransportSocket -------------------------------------------------------------------------

  setHandlers(handlers: SocketHandlers): void {
    const first = this.#handlers === undefined;
    this.#handlers = handlers;
    // what arrived before anyone listened, once the caller's setup is done
    if (first && (this.#held.length > 0 || this.#eof || this.#closed)) queueMicrotask(() => this.#pump());
  }

  write(data: Uint8Array): boolean {
    if (this.#closed || this.#ending) return false;
    const n = data.length;
    if (n > 0) {
      if (this.#queue.length === 0) {
        const written = (this.#socket as BunSocket).write(data);
        if (written === n) return true;
        if (written < 0) return false; // closed: 'close' follows
        this.#queue.push(written === 0 ? data : data.subarray(written));
        this.#queued += n - written;
      } else {
        this.#queue.push(data);
        this.#queued += n;
      }
    }
    if (this.#queued < HIGH_WATER) return true;
    this.#wantDrain = true;
    return false;
  }

  writev(chunks: readonly Uint8Array[]): boolean {
    if (chunks.length === 1) return this.write(chunks[0] as Uint8Array);
    let total = 0;
    for (const c of chunks) total += c.length;
    if (total > JOIN_LIMIT) {
      let ok = true;
      for (const c of chunks) ok = this.write(c);
      return ok;
    }
    const joined = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      joined.set(c, at);
      at += c.length;
    }
    return this.write(joined);
  }

  /** Writes queued bytes while the kernel takes them; then drain, or the half-close. */
  #flush(): void {
    const socket = this.#socket;
    if (this.#closed || socket === undefined) return;
    const queue = this.#queue;
    while (queue.length > 0) {
      const chunk = queue[0] as Uint8Array;
      const written = socket.write(chunk);
      if (written <= 0) return; // full (wait for the next drain), or closed ('close' follows)
      this.#queued -= written;
      if (written < chunk.length) {
        queue[0] = chunk.subarray(written);
        return;
      }
      queue.shift();
    }
    if (this.#ending) {
      this.#shutdown();
      return;
    }
    if (this.#wantDrain) {
      this.#wantDrain = false;
      (this.#handlers ?? NOOP).drain();
    }
  }

  #shutdown(): void {
    if (this.#shutDown || this.#closed) return;
    this.#shutDown = true;
    (this.#socket as BunSocket).shutdown();
  }

  end(): void {
    if (this.#closed || this.#ending) return;
    this.#ending = true;
    if (this.#queue.length === 0) this.#shutdown();
  }

  destroy(error?: Error): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#held.length = 0;
    this.#queue.length = 0;
    this.#queued = 0;
    if (this.#closed) {
      // closed by the peer already; its close may be held back (paused): report it now
      if (!this.#closeScheduled) this.#scheduleClose(this.#closeError);
      return;
    }
    this.#closed = true;
    try {
      this.#socket?.terminate();
    } catch {
      // already closed
    }
    this.#scheduleClose(error);
  }

  /** node:net reports error and close after the current call returns; so does this. */
  #scheduleClose(error: Error | undefined): void {
    this.#closeScheduled = true;
    queueMicrotask(() => {
      const h = this.#handlers ?? NOOP;
      if (error !== undefined) h.error(error);
      h.close();
    });
  }

  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    if (!this.#closed) this.#socket?.pause?.();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (!this.#closed) this.#socket?.resume?.();
    if (this.#held.length > 0 || this.#eof || this.#closed) queueMicrotask(() => this.#pump());
  }

  ref(): void {
    if (!this.#closed) this.#socket?.ref();
  }

  unref(): void {
    if (!this.#closed) this.#socket?.unref();
  }
}

/** One set of handlers for every socket; each socket's `data` is its BunConnection. */
const HANDLERS: BunSocketHandler = {
  open: (s) => s.data._onOpen(s),
  handshake: (s, _success, authorizationError) => s.data._onHandshake(authorizationError),
  data: (s, chunk) => s.data._onData(chunk),
  drain: (s) => s.data._onDrain(),
  end: (s) => s.data._onEnd(),
  error: (s, error) => s.data._onError(error),
  close: (s, error) => s.data._onClose(error),
  connectError: (s, error) => s.data?.connectFailed(error),
};

/** Why a connection failed; `tls` (its TLS code loaded) when it runs TLS. */
function classify(err: Error, tls: boolean, handshaking: boolean): ConnectFailure {
  const code = String((err as { code?: unknown })?.code ?? "");
  if (code === "ECONNREFUSED") return "refused";
  // getaddrinfo's failures (EAI_AGAIN, EAI_NONAME, EAI_FAIL…) and ENOTFOUND
  if (code === "ENOTFOUND" || code.startsWith("EAI_")) return "dns";
  if (code === "ETIMEDOUT") return "timeout";
  return tls && (tlsCode.loaded as BunTlsCode).endsTls(err, handshaking) ? "tls" : "other";
}

type BunTlsCode = typeof import("./bun-tls.js");
/** TLS (options, handshake verdicts, TLS through a proxy's tunnel): loaded by the first TLS connection. */
const tlsCode = lazy(() => import("./bun-tls.js"), "TLS");

/**
 * A connection attempt: `start` gets the BunConnection to open; the promise settles with it once
 * it is open (after the TLS handshake with `tls`), or fails on its error, the timeout or an abort.
 */
function attempt(
  options: ConnectOptions,
  tls: TlsOptions | undefined,
  start: (conn: BunConnection) => void,
): Promise<TransportSocket> {
  const { timeout, signal } = options;
  if (signal?.aborted) return Promise.reject(connectAborted(signal));
  return new Promise<TransportSocket>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cleanup = () => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const conn = new BunConnection(
      {
        resolve: (s) => {
          cleanup();
          resolve(s);
        },
        reject: (e) => {
          cleanup();
          reject(e);
        },
      },
      tls !== undefined,
      tls?.rejectUnauthorized ?? true,
    );
    const onAbort = () => conn.abandon(connectAborted(signal));
    signal?.addEventListener("abort", onAbort, { once: true });
    if (timeout !== undefined && timeout !== Number.POSITIVE_INFINITY) {
      timer = setTimeout(
        () => conn.abandon(new ConnectError("timeout", `connect timed out after ${timeout} ms`)),
        timeout,
      );
    }
    start(conn);
  });
}

/** Opens sockets with Bun.connect. */
export const bunTransport: Transport = {
  connect(options: ConnectOptions): Promise<TransportSocket> {
    const Bun = (globalThis as unknown as { Bun?: BunApi }).Bun;
    if (Bun === undefined) return Promise.reject(new ConnectError("other", "Bun.connect is not available here"));
    const { host, port, tls } = options;
    const hostname = bareHost(host);
    const open = (bunTls?: BunTlsOptions) =>
      attempt(options, tls, (conn) => {
        const bunOptions: BunConnectOptions = { hostname, port, data: conn, socket: HANDLERS, tls: bunTls };
        let opening: Promise<BunSocket>;
        try {
          opening = Bun.connect(bunOptions);
        } catch (err) {
          conn.connectFailed(err); // invalid options (a malformed PEM, say)
          return;
        }
        opening.then(
          (socket) => conn.opened(socket),
          (err: unknown) => conn.connectFailed(err),
        );
      });
    return tls === undefined ? open() : tlsCode.use((m) => open(m.bunTls(tls, hostname)));
  },

  /** TLS with the target over a proxy's tunnel (the socket's upgradeTLS). */
  startTls: (socket: TransportSocket, options: ConnectOptions) =>
    tlsCode.use((m) => m.bunStartTls(attempt, HANDLERS, socket, options)),
};
