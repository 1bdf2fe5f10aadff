// HTTPAdapter, as requests' HTTPAdapter: reqwire speaks HTTP/1.1 itself over the runtime's
// sockets, with keep-alive pools per origin and TLS configuration (pool_connections of them,
// pool_maxsize connections kept in each, pool_block to queue instead of opening more), TLS options
// read and interned once per (verify, cert), and proxies (proxy/via-proxy.ts, loaded when one is set).
import { Agent, connectionCode, type Origin } from "../../http/agent.js";
import type { Pool } from "../../http/pool.js";
import { lazy } from "../../lazy.js";
import { platform } from "../../runtime/platform.js";
import { isExchangeTransport, type TlsOptions, type Transport } from "../../transport/types.js";
import { Retry } from "../call/retry.js";
import type { ProxyHost } from "../proxy/via-proxy.js";
import { type PreparedRequest, serializeHead } from "../request.js";
import type { Response } from "../response.js";
import { readPem } from "../tls-files.js";
import type { Adapter, SendOptions } from "./adapter.js";
import { exchangeReady, startExchange } from "./exchange.js";
import { type UrlParts, urlParts } from "./url-parts.js";

/** Proxy selection and tunnels: loaded by the first request with a proxy configured. */
const proxying = lazy(() => import("../proxy/via-proxy.js"), "proxy");

/** Options of an HTTPAdapter (requests' HTTPAdapter arguments, and reqwire's own). */
export interface HTTPAdapterOptions {
  /**
   * Origins (scheme, host, port, TLS settings) whose pools are kept; beyond it the least
   * recently used pool with no request in flight is closed (requests' pool_connections).
   * @default 10
   */
  pool_connections?: number;
  /**
   * Connections per origin kept open for reuse (requests' pool_maxsize). With `pool_block`, also
   * the most open at once.
   * @default 10
   */
  pool_maxsize?: number;
  /**
   * Retries for requests sent through this adapter whose request and session set none
   * (requests' max_retries): a number of attempts or a Retry.
   * @default 0
   */
  max_retries?: number | Retry;
  /**
   * What a request does when `pool_maxsize` connections to its origin are busy (requests'
   * pool_block): false opens one more, which is closed after use if `pool_maxsize` are already
   * idle; true waits for one to free up.
   * @default false
   */
  pool_block?: boolean;
  /**
   * Milliseconds an idle keep-alive connection is kept.
   * @default 4000
   */
  idle_timeout?: number;
  /** The sockets to use. Defaults to the runtime's. */
  transport?: Transport;
}

function tlsOptions(verify: boolean | string, cert: readonly [string, string] | undefined): TlsOptions {
  return {
    rejectUnauthorized: verify !== false,
    ca: typeof verify === "string" ? readPem(verify) : undefined,
    cert: cert === undefined ? undefined : readPem(cert[0]),
    key: cert === undefined ? undefined : readPem(cert[1]),
  };
}

/** Sends requests over the runtime's sockets, with keep-alive pools per origin. */
export class HTTPAdapter implements Adapter {
  /** Retries for requests whose request and session set none. */
  readonly max_retries: Retry;
  readonly #agent: Agent;
  // TLS options per (verify, cert): files are read once, and pools are found by identity
  readonly #tls = new Map<string, TlsOptions>();
  readonly #pools = new WeakMap<UrlParts, Map<TlsOptions | undefined, Pool>>();

  constructor(options: HTTPAdapterOptions = {}) {
    this.max_retries = Retry.from(options.max_retries ?? 0);
    const transport = options.transport ?? platform().transport;
    if (isExchangeTransport(transport)) {
      throw new TypeError("this runtime has no sockets for HTTPAdapter: send requests with a FetchAdapter");
    }
    this.#agent = new Agent(transport, {
      maxConnections: options.pool_maxsize ?? 10,
      block: options.pool_block ?? false,
      idleTimeout: options.idle_timeout ?? 4000,
      maxPools: options.pool_connections ?? 10,
    });
  }

  /** @internal The connection pools (for tests and benchmarks to inspect). */
  get agent(): Agent {
    return this.#agent;
  }

  send(request: PreparedRequest, options: SendOptions): Promise<Response> {
    try {
      const wait = exchangeReady(options) ?? (connectionCode.loaded === undefined ? connectionCode() : undefined);
      if (wait !== undefined) return wait.then(() => this.send(request, options));
      const where = urlParts(request._url);
      const tls = where.https ? this.#tlsFor(options.verify, options.cert) : undefined;
      if (options.proxies !== undefined) {
        return proxying.use((m) => m.viaProxy(this.#proxyHost, request, options, where, tls));
      }
      // a head that cannot be written throws here: a rejection
      const head = serializeHead(request, where.hostHeader, where.target);
      return startExchange(request, options, head, this.#poolFor(where, tls));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Closes every connection. */
  close(): void {
    this.#agent.close();
  }

  /** The pool for a URL's origin and TLS options, remembered per parsed URL (URLs are shared). */
  #poolFor(where: UrlParts, tls: TlsOptions | undefined): Pool {
    let byTls = this.#pools.get(where);
    if (byTls === undefined) {
      byTls = new Map();
      this.#pools.set(where, byTls);
    }
    let pool = byTls.get(tls);
    if (pool === undefined || pool.retired) {
      const origin: Origin = { scheme: where.https ? "https" : "http", host: where.host, port: where.port, tls };
      pool = this.#agent.pool(origin);
      byTls.set(tls, pool);
    }
    return pool;
  }

  #tlsFor(verify: boolean | string, cert: readonly [string, string] | undefined): TlsOptions {
    const key = `${typeof verify === "string" ? `s${verify}` : verify ? "1" : "0"}\u0000${cert?.[0] ?? ""}\u0000${cert?.[1] ?? ""}`;
    let t = this.#tls.get(key);
    if (t === undefined) {
      t = tlsOptions(verify, cert);
      this.#tls.set(key, t);
    }
    return t;
  }

  // What requests through a proxy (proxy/via-proxy.ts) need of the adapter.
  readonly #proxyHost: ProxyHost = {
    transport: () => this.#agent.transport,
    routes: new Map(),
    pool: (origin) => this.#agent.pool(origin),
    poolFor: (where, tls) => this.#poolFor(where, tls),
    tlsFor: (verify, cert) => this.#tlsFor(verify, cert),
  };
}
