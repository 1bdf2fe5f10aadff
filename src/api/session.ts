// Session, as requests.Session: defaults merged into every request (headers, params, auth,
// cookies, verify, cert) and a pool of keep-alive connections per origin.
import { SSLError } from "../errors.js";
import { Agent, type Origin } from "../http/agent.js";
import { type FetchRequest, runFetch } from "../http/fetch.js";
import type { Pool } from "../http/pool.js";
import { platform } from "../runtime/platform.js";
import { type ExchangeTransport, isExchangeTransport, type TlsOptions, type Transport } from "../transport/types.js";
import type { Params } from "./encode.js";
import { CaseInsensitiveDict, type ProxiedDict } from "./headers.js";
import type { RequestOptions } from "./options.js";
import { Receiver } from "./receive.js";
import {
  type AuthFunction,
  defaultHeaders,
  hostHeader,
  type PreparedRequest,
  prepareMultipart,
  prepareRequest,
  requestTarget,
  serializeHead,
} from "./request.js";
import type { Response } from "./response.js";
import { readPem } from "./tls-files.js";

/** Methods a stale keep-alive connection may be retried for (never POST or PATCH). */
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);
const DEFAULT_MAX_DECODED = 1024 * 1024 * 1024;

/** What a request needs of its URL, made once per parsed URL (parsed URLs are shared). */
interface UrlParts {
  https: boolean;
  /** Host name or IP, IPv6 without brackets. */
  host: string;
  port: number;
  /** The request-target (path and query). */
  target: string;
  /** The Host header value. */
  hostHeader: string;
}

const partsOf = new WeakMap<URL, UrlParts>();

function urlParts(url: URL): UrlParts {
  let parts = partsOf.get(url);
  if (parts === undefined) {
    const https = url.protocol === "https:";
    const hostname = url.hostname;
    parts = {
      https,
      host: hostname.startsWith("[") ? hostname.slice(1, -1) : hostname,
      port: url.port === "" ? (https ? 443 : 80) : Number(url.port),
      target: requestTarget(url),
      hostHeader: hostHeader(url),
    };
    partsOf.set(url, parts);
  }
  return parts;
}

/** What the fetch transport needs of a prepared request (it was validated by serializing it). */
function fetchRequest(prepared: PreparedRequest, url: URL): FetchRequest {
  const u = new URL(url.href);
  u.hash = "";
  return { method: prepared.method, url: u.href, headers: prepared._headers._pairs() };
}

/** Options of a Session's connection pools. */
export interface SessionOptions {
  /**
   * Connections kept open at once per origin (requests' pool_maxsize).
   * @default 10
   */
  pool_maxsize?: number;
  /**
   * Milliseconds an idle keep-alive connection is kept.
   * @default 4000
   */
  idle_timeout?: number;
  /**
   * How requests reach the network: a socket transport (reqwire speaks HTTP/1.1 itself) or a
   * fetch transport (`fetchTransport()`). Defaults to the runtime's.
   */
  transport?: Transport | ExchangeTransport;
}

/** The agent's transport when requests go through fetch (it never opens a socket). */
const NO_SOCKETS: Transport = {
  connect: () => Promise.reject(new Error("this session sends requests through fetch")),
};

const NO_TIMEOUTS: readonly [undefined, undefined] = [undefined, undefined];

function timeouts(t: RequestOptions["timeout"]): readonly [number | undefined, number | undefined] {
  if (t === undefined || t === null) return NO_TIMEOUTS;
  const ms = (s: number | null) => {
    if (s === null) return undefined;
    if (typeof s !== "number" || !(s > 0))
      throw new TypeError(`timeout must be a positive number of seconds, got ${s}`);
    return s * 1000;
  };
  if (Array.isArray(t)) return [ms(t[0]), ms(t[1])];
  const v = ms(t as number);
  return [v, v];
}

function tlsOptions(verify: boolean | string, cert: [string, string] | undefined): TlsOptions {
  return {
    rejectUnauthorized: verify !== false,
    ca: typeof verify === "string" ? readPem(verify) : undefined,
    cert: cert === undefined ? undefined : readPem(cert[0]),
    key: cert === undefined ? undefined : readPem(cert[1]),
  };
}

/** A session: shared defaults and keep-alive connections. Call `close()` when done. */
export class Session {
  /** Headers sent with every request (case-insensitive; bracket access works). */
  headers: ProxiedDict = defaultHeaders();
  /** Query parameters added to every request. */
  params: Params | undefined;
  /** Auth for every request: `[user, password]` (Basic) or a function. */
  auth: [string, string] | AuthFunction | undefined;
  /** Cookies sent with every request. */
  cookies: Record<string, string> = {};
  /** TLS verification: true, false, or CA certificates (PEM, or a path on Node). */
  verify: boolean | string = true;
  /** Client certificate and key for mutual TLS. */
  cert: [string, string] | undefined;
  /** Default for `stream`. */
  stream = false;
  /** Default `max_body_size`. */
  max_body_size: number | undefined;
  readonly #agent: Agent;
  readonly #fetch: ExchangeTransport | undefined;
  // TLS options per (verify, cert): files are read once, and pools are found by identity
  readonly #tls = new Map<string, TlsOptions>();
  readonly #pools = new WeakMap<UrlParts, Map<TlsOptions | undefined, Pool>>();

  constructor(options: SessionOptions = {}) {
    const transport = options.transport ?? platform().transport;
    this.#fetch = isExchangeTransport(transport) ? transport : undefined;
    this.#agent = new Agent(isExchangeTransport(transport) ? NO_SOCKETS : transport, {
      maxConnections: options.pool_maxsize ?? 10,
      idleTimeout: options.idle_timeout ?? 4000,
    });
  }

  /** The connection pools (for inspection). */
  get agent(): Agent {
    return this.#agent;
  }

  /** Sends a request. */
  request(method: string, url: string, options: RequestOptions = {}): Promise<Response> {
    try {
      const multipart = prepareMultipart(options);
      if (multipart !== undefined) {
        return multipart.then((mp) => this.send(prepareRequest(method, url, options, this, mp), options));
      }
      // the session itself carries the defaults (headers, params, auth, cookies)
      return this.send(prepareRequest(method, url, options, this), options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The pool for a URL's origin and TLS options, remembered per parsed URL (URLs are shared). */
  #poolFor(where: UrlParts, tls: TlsOptions | undefined): Pool {
    let byTls = this.#pools.get(where);
    if (byTls === undefined) {
      byTls = new Map();
      this.#pools.set(where, byTls);
    }
    let pool = byTls.get(tls);
    if (pool === undefined) {
      const origin: Origin = { scheme: where.https ? "https" : "http", host: where.host, port: where.port, tls };
      pool = this.#agent.pool(origin);
      byTls.set(tls, pool);
    }
    return pool;
  }

  #tlsFor(verify: boolean | string, cert: [string, string] | undefined): TlsOptions {
    const key = `${typeof verify === "string" ? `s${verify}` : verify ? "1" : "0"}\u0000${cert?.[0] ?? ""}\u0000${cert?.[1] ?? ""}`;
    let t = this.#tls.get(key);
    if (t === undefined) {
      t = tlsOptions(verify, cert);
      this.#tls.set(key, t);
    }
    return t;
  }

  /** Sends a prepared request. */
  send(prepared: PreparedRequest, options: RequestOptions = {}): Promise<Response> {
    const url = prepared._url;
    const where = urlParts(url);
    const fetcher = this.#fetch;
    const verify = options.verify ?? this.verify;
    const cert = options.cert ?? this.cert;
    if (fetcher !== undefined && where.https && (verify !== true || cert !== undefined)) {
      return Promise.reject(
        new SSLError(
          "the fetch transport uses the runtime's own TLS settings: verify and cert cannot be set per request",
          {
            request: prepared,
          },
        ),
      );
    }
    const tls = where.https && fetcher === undefined ? this.#tlsFor(verify, cert) : undefined;
    const head = serializeHead(prepared, where.hostHeader, where.target);
    const pool = fetcher === undefined ? this.#poolFor(where, tls) : undefined;
    const [connectTimeout, readTimeout] = timeouts(options.timeout);
    const stream = options.stream ?? this.stream;
    const maxBody = options.max_body_size ?? this.max_body_size ?? Number.POSITIVE_INFINITY;
    const maxDecoded = options.max_decoded_size ?? DEFAULT_MAX_DECODED;
    const declared = prepared._headers.get("content-length");
    const bodyLength =
      prepared.body === null || prepared.body instanceof Uint8Array || declared === undefined
        ? undefined
        : Number(declared);

    return new Promise<Response>((resolve, reject) => {
      const r = new Receiver(prepared, { stream, maxBody, maxDecoded }, resolve, reject);
      r.head = head;
      r.body = prepared.body;
      r.bodyLength = bodyLength;
      r.expectHead = prepared.method === "HEAD";
      r.readTimeout = readTimeout;
      r.signal = options.signal;
      r.connectTimeout = connectTimeout;
      r.replayable = prepared.replayable;
      r.retryOnStale = IDEMPOTENT.has(prepared.method) && prepared.replayable;
      if (pool !== undefined) pool.dispatch(r);
      else runFetch(fetcher as ExchangeTransport, fetchRequest(prepared, url), r);
    });
  }

  /** GET. */
  get(url: string, options?: RequestOptions): Promise<Response> {
    return this.request("GET", url, options);
  }
  /** OPTIONS. */
  options(url: string, options?: RequestOptions): Promise<Response> {
    return this.request("OPTIONS", url, options);
  }
  /** HEAD (redirects are not followed by default). */
  head(url: string, options?: RequestOptions): Promise<Response> {
    return this.request("HEAD", url, options);
  }
  /** POST. */
  post(url: string, options?: RequestOptions): Promise<Response> {
    return this.request("POST", url, options);
  }
  /** PUT. */
  put(url: string, options?: RequestOptions): Promise<Response> {
    return this.request("PUT", url, options);
  }
  /** PATCH. */
  patch(url: string, options?: RequestOptions): Promise<Response> {
    return this.request("PATCH", url, options);
  }
  /** DELETE. */
  delete(url: string, options?: RequestOptions): Promise<Response> {
    return this.request("DELETE", url, options);
  }

  /** Closes every connection of the session. */
  close(): void {
    this.#agent.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Used by the top-level functions; created on first use. Idle sockets never keep a process alive. */
let defaultSession: Session | undefined;

/** The session behind `requests.get()` and friends. */
export function sharedSession(): Session {
  if (defaultSession === undefined) defaultSession = new Session();
  return defaultSession;
}

export { CaseInsensitiveDict };
