// Connections per origin: keep-alive reuse (most recently used first), a size limit that either
// queues exchanges (block) or opens connections beyond it and keeps no more than it idle (requests'
// pool_block=False), idle expiry, and one retry on a fresh connection for an exchange whose reused
// connection turned out stale.

import { ConnectionError, ConnectTimeout, PoolTimeout, RequestAborted, RequestException, SSLError } from "../errors.js";
import { unrefTimer } from "../runtime/platform.js";
import { ConnectError, type ConnectOptions, type Transport } from "../transport/types.js";
import { abortError, requestAborted } from "./aborted.js";
import { Connection, type ConnectionOwner, type Exchange } from "./connection.js";

/** Limits of a pool. */
export interface PoolOptions {
  /**
   * With `block`, connections open at once to one origin (more exchanges wait in a queue);
   * without, connections kept idle for reuse (more are opened while all are busy).
   * @default 10
   */
  maxConnections: number;
  /**
   * Whether exchanges wait for a connection when maxConnections are open (requests' pool_block).
   * @default false
   */
  block: boolean;
  /**
   * Milliseconds an idle connection is kept for reuse.
   * @default 4000
   */
  idleTimeout: number;
}

interface Waiting {
  ex: Exchange;
  onAbort: (() => void) | undefined;
  /** The pool timeout's timer, if one applies. */
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The errors raised by failed connection attempts: nothing reached the server, so a retry counts
 * them as connect errors (urllib3's `connect`), whatever the method. Kept here rather than on the
 * errors, where users would see it.
 */
const connectFailures = new WeakSet<RequestException>();

/** Whether `err` was raised by a connection attempt of a pool (nothing was sent). */
export function isConnectFailure(err: RequestException): boolean {
  return connectFailures.has(err);
}

/** The public error for a failed connection attempt to `target`, marked as one (see isConnectFailure). */
export function connectFailure(err: unknown, target: string): RequestException {
  const e = connectError(err, target);
  const aborted = err instanceof ConnectError && err.kind === "aborted";
  if (!aborted && !(e instanceof RequestAborted)) connectFailures.add(e);
  return e;
}

function connectError(err: unknown, target: string): RequestException {
  if (err instanceof RequestException) return err; // a tunnel through a proxy reports its own
  if (err instanceof ConnectError) {
    switch (err.kind) {
      case "timeout":
        return new ConnectTimeout(`connecting to ${target} timed out`, { cause: err });
      case "tls":
        return new SSLError(`TLS with ${target} failed: ${err.message}`, { cause: err.cause ?? err });
      case "aborted":
        return abortError(err.cause, "connecting");
      default:
        return new ConnectionError(`cannot connect to ${target}: ${err.message}`, { cause: err.cause ?? err });
    }
  }
  return new ConnectionError(`cannot connect to ${target}: ${(err as Error)?.message ?? err}`, { cause: err });
}

/** Dispatches so far, over every pool: the clock of Pool.lastUsed. */
let dispatches = 0;

export class Pool implements ConnectionOwner {
  readonly #transport: Transport;
  readonly #target: ConnectOptions;
  readonly #options: PoolOptions;
  readonly #label: string;
  readonly #idle: Connection[] = [];
  readonly #all = new Set<Connection>();
  readonly #queue: Waiting[] = [];
  /** When each idle connection became idle (ms since epoch), in the order of #idle. */
  readonly #idleSince: number[] = [];
  /** One timer for the pool, due when the oldest idle connection expires. */
  #sweepTimer: ReturnType<typeof setTimeout> | undefined;
  #connecting = 0;
  /** One per connection attempt under way, so that close() can stop them. */
  readonly #attempts = new Set<AbortController>();
  #closed = false;
  #retired = false;
  /** When the pool was last given an exchange, as a count of dispatches over every pool. */
  lastUsed = 0;

  constructor(transport: Transport, target: ConnectOptions, options: PoolOptions) {
    this.#transport = transport;
    this.#target = target;
    this.#options = options;
    this.#label = `${target.host}:${target.port}`;
  }

  /** Connections open or being opened. */
  get size(): number {
    return this.#all.size + this.#connecting;
  }

  /** Idle connections. */
  get idleCount(): number {
    return this.#idle.length;
  }

  /** Exchanges waiting for a connection. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Exchanges running or waiting, and connections being opened. */
  get inFlight(): number {
    return this.size - this.#idle.length + this.#queue.length;
  }

  /** Whether the pool was retired (see retire): its owner opens a new one for the origin. */
  get retired(): boolean {
    return this.#retired;
  }

  /**
   * Takes the pool out of use without failing anything: idle connections close now, the others
   * when their exchange ends. Only for a pool with nothing in flight or waiting (Agent's choice).
   */
  retire(): void {
    this.#retired = true;
    for (const conn of this.#idle.splice(0)) conn.destroy();
    this.#idleSince.length = 0;
  }

  /** Runs an exchange on an idle connection, a new one, or when one frees up. */
  dispatch(ex: Exchange): void {
    this.lastUsed = ++dispatches;
    if (this.#closed) {
      ex.sink.onError(new ConnectionError("the session is closed"));
      return;
    }
    if (ex.signal?.aborted) {
      ex.sink.onError(requestAborted(ex.signal, "waiting for a connection"));
      return;
    }
    const conn = this.#takeIdle();
    if (conn !== undefined) {
      conn.run(ex);
    } else if (!this.#options.block || this.size < this.#options.maxConnections) {
      this.#connectFor(ex);
    } else {
      this.#enqueue(ex);
    }
  }

  retryStale(ex: Exchange): boolean {
    if (this.#closed) return false;
    ex.retried = true;
    this.#connectFor(ex); // a fresh connection: other idle ones may be stale too
    return true;
  }

  #takeIdle(): Connection | undefined {
    const now = Date.now();
    for (let conn = this.#idle.pop(); conn !== undefined; conn = this.#idle.pop()) {
      this.#idleSince.pop();
      if (conn.closed) continue;
      if (conn.serverIdleDeadline !== 0 && conn.serverIdleDeadline - 1000 <= now) {
        conn.destroy(); // the server said it would have closed it by now
        continue;
      }
      return conn;
    }
    return undefined;
  }

  #enqueue(ex: Exchange): void {
    const waiting: Waiting = { ex, onAbort: undefined, timer: undefined };
    const ms = ex.poolTimeout;
    if (ms !== undefined) {
      waiting.timer = setTimeout(() => {
        const i = this.#queue.indexOf(waiting);
        if (i < 0) return;
        this.#queue.splice(i, 1);
        if (waiting.onAbort !== undefined) ex.signal?.removeEventListener("abort", waiting.onAbort);
        ex.sink.onError(new PoolTimeout(`no connection to ${this.#label} freed up within ${ms / 1000} s`));
      }, ms);
    }
    if (ex.signal !== undefined) {
      waiting.onAbort = () => {
        const i = this.#queue.indexOf(waiting);
        if (i >= 0) this.#queue.splice(i, 1);
        if (waiting.timer !== undefined) clearTimeout(waiting.timer);
        ex.sink.onError(requestAborted(ex.signal, "waiting for a connection"));
      };
      ex.signal.addEventListener("abort", waiting.onAbort, { once: true });
    }
    this.#queue.push(waiting);
  }

  #dequeue(): Waiting | undefined {
    const w = this.#queue.shift();
    if (w?.onAbort !== undefined) w.ex.signal?.removeEventListener("abort", w.onAbort);
    if (w?.timer !== undefined) clearTimeout(w.timer);
    return w;
  }

  #connectFor(ex: Exchange): void {
    this.#connecting++;
    const attempt = new AbortController();
    this.#attempts.add(attempt);
    const signal = ex.signal === undefined ? attempt.signal : AbortSignal.any([ex.signal, attempt.signal]);
    this.#transport.connect({ ...this.#target, timeout: ex.connectTimeout, signal }).then(
      (socket) => {
        this.#connecting--;
        this.#attempts.delete(attempt);
        const conn = new Connection(socket, this);
        this.#all.add(conn);
        if (this.#closed) {
          conn.destroy();
          ex.sink.onError(new ConnectionError("the session is closed"));
        } else if (ex.signal?.aborted) {
          this.released(conn);
          ex.sink.onError(requestAborted(ex.signal, "connecting"));
        } else {
          conn.run(ex);
        }
      },
      (err: unknown) => {
        this.#connecting--;
        this.#attempts.delete(attempt);
        if (this.#closed && !ex.signal?.aborted) {
          ex.sink.onError(new ConnectionError("the session was closed", { cause: err }));
          return;
        }
        ex.sink.onError(connectFailure(err, this.#label));
        this.#serveQueue();
      },
    );
  }

  /** Gives waiting exchanges a connection while there is capacity. */
  #serveQueue(): void {
    while (this.#queue.length > 0) {
      const conn = this.#takeIdle();
      if (conn !== undefined) {
        const w = this.#dequeue() as Waiting;
        conn.run(w.ex);
      } else if (this.size < this.#options.maxConnections) {
        const w = this.#dequeue() as Waiting;
        this.#connectFor(w.ex);
      } else {
        return;
      }
    }
  }

  released(conn: Connection): void {
    if (this.#closed) {
      conn.destroy();
      return;
    }
    const w = this.#dequeue();
    if (w !== undefined) {
      conn.run(w.ex);
      return;
    }
    if (this.#retired || this.#idle.length >= this.#options.maxConnections) {
      conn.destroy(); // retired, or opened beyond the limit while all were busy: not kept
      return;
    }
    conn.setIdleRef(false);
    this.#idle.push(conn);
    this.#idleSince.push(Date.now());
    if (this.#sweepTimer === undefined) this.#armSweep(this.#options.idleTimeout);
  }

  // Idle expiry with one timer per pool rather than one per released connection (a timer and a
  // map entry per request otherwise): #idle is oldest first, so the sweep closes from the front.
  #armSweep(ms: number): void {
    this.#sweepTimer = setTimeout(() => this.#sweep(), Math.max(0, ms));
    unrefTimer(this.#sweepTimer);
  }

  #sweep(): void {
    this.#sweepTimer = undefined;
    const expired = Date.now() - this.#options.idleTimeout;
    let n = 0;
    while (n < this.#idle.length && (this.#idleSince[n] as number) <= expired) n++;
    const old = this.#idle.splice(0, n);
    this.#idleSince.splice(0, n);
    for (const conn of old) conn.destroy();
    const oldest = this.#idleSince[0];
    if (oldest !== undefined && !this.#closed) this.#armSweep(oldest - expired);
  }

  closed(conn: Connection): void {
    this.#all.delete(conn);
    const i = this.#idle.indexOf(conn);
    if (i >= 0) {
      this.#idle.splice(i, 1);
      this.#idleSince.splice(i, 1);
    }
    if (!this.#closed) this.#serveQueue();
  }

  /** Closes every connection; waiting exchanges fail, running ones fail as their sockets close. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (let w = this.#dequeue(); w !== undefined; w = this.#dequeue()) {
      w.ex.sink.onError(new ConnectionError("the session was closed"));
    }
    for (const attempt of [...this.#attempts]) attempt.abort();
    for (const conn of [...this.#all]) conn.destroy();
    this.#idle.length = 0;
    this.#idleSince.length = 0;
    if (this.#sweepTimer !== undefined) clearTimeout(this.#sweepTimer);
    this.#sweepTimer = undefined;
  }
}
