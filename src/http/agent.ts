// The pools of a session, one per origin and TLS configuration: a connection made with one set
// of TLS options (CA, client certificate, verification) is never reused for another.
import { lazy } from "../lazy.js";
import type { TlsOptions, Transport } from "../transport/types.js";
import type { Pool, PoolOptions } from "./pool.js";

/** Pools and connections: loaded before the first request that needs a socket (see Agent.pool). */
export const connectionCode = lazy(() => import("./pool.js"), "connection");

/** Where requests go: scheme, host, port and, for https, every TLS option. */
export interface Origin {
  scheme: "http" | "https";
  /** Host name or IP (IPv6 without brackets). */
  host: string;
  port: number;
  tls?: TlsOptions | undefined;
  /**
   * A proxy in between: its own key (its URL and credentials) and the transport that reaches
   * the origin through it. Connections through different proxies, or none, are never shared.
   */
  via?: { key: string; transport: Transport } | undefined;
}

/** The TLS part of pool keys, made once per options object (PEM text is long). */
const tlsKeys = new WeakMap<TlsOptions, string>();
let tlsKeySeq = 0;
const tlsKeyIds = new Map<string, string>();

function tlsKey(t: TlsOptions): string {
  let key = tlsKeys.get(t);
  if (key === undefined) {
    const full = `${t.rejectUnauthorized ? 1 : 0}|${t.servername ?? ""}|${t.ca ?? ""}|${t.cert ?? ""}|${t.key ?? ""}`;
    // equal options share one short id, so that equal options reach the same pool
    key = tlsKeyIds.get(full);
    if (key === undefined) {
      key = `tls${++tlsKeySeq}`;
      tlsKeyIds.set(full, key);
    }
    tlsKeys.set(t, key);
  }
  return key;
}

/** The pool key: every field of the origin, TLS options included. */
export function originKey(o: Origin): string {
  const base = `${o.scheme}://${o.host}:${o.port}`;
  const key = o.tls === undefined ? base : `${base}|${tlsKey(o.tls)}`;
  return o.via === undefined ? key : `${key}|via ${o.via.key}`;
}

/** Limits of an agent: those of each pool, and how many pools it keeps. */
export interface AgentOptions extends PoolOptions {
  /**
   * Pools kept (one per origin and TLS configuration). Opening one more retires the least
   * recently used with no request in flight, if any: its idle connections close, and it is
   * opened again when needed.
   */
  maxPools: number;
}

export class Agent {
  readonly #transport: Transport;
  readonly #options: AgentOptions;
  readonly #pools = new Map<string, Pool>();
  #closed = false;

  constructor(transport: Transport, options: AgentOptions) {
    this.#transport = transport;
    this.#options = options;
  }

  /** The transport pools open sockets with (a proxy's tunnel builds on it). */
  get transport(): Transport {
    return this.#transport;
  }

  /** The pool for an origin (made on first use). `await connectionCode()` once before the first call. */
  pool(origin: Origin): Pool {
    const key = originKey(origin);
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      const code = connectionCode.loaded;
      if (code === undefined) throw new Error("reqwire: Agent.pool() before connectionCode() has loaded");
      const transport = origin.via?.transport ?? this.#transport;
      if (this.#pools.size >= this.#options.maxPools) this.#retireOne();
      pool = new code.Pool(transport, { host: origin.host, port: origin.port, tls: origin.tls }, this.#options);
      if (this.#closed) pool.close();
      this.#pools.set(key, pool);
    }
    return pool;
  }

  /** Retires the least recently used pool with nothing in flight, if any. */
  #retireOne(): void {
    let oldest: [string, Pool] | undefined;
    for (const entry of this.#pools) {
      if (entry[1].inFlight === 0 && (oldest === undefined || entry[1].lastUsed < oldest[1].lastUsed)) oldest = entry;
    }
    if (oldest === undefined) return;
    oldest[1].retire();
    this.#pools.delete(oldest[0]);
  }

  /** Pools by key, for inspection. */
  get pools(): ReadonlyMap<string, Pool> {
    return this.#pools;
  }

  /** Closes every pool. */
  close(): void {
    this.#closed = true;
    for (const pool of this.#pools.values()) pool.close();
  }
}
