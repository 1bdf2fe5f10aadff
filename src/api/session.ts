// Session, as requests.Session: defaults merged into every request (headers, params, auth,
// cookies, verify, cert) and a pool of keep-alive connections per origin.
import { Agent, type Origin } from "../http/agent.js";
import { nodeTransport } from "../transport/node.js";
import type { TlsOptions, Transport } from "../transport/types.js";
import type { Params } from "./encode.js";
import { CaseInsensitiveDict, type ProxiedDict } from "./headers.js";
import type { RequestOptions } from "./options.js";
import { Receiver } from "./receive.js";
import {
  type AuthFunction,
  defaultHeaders,
  type PreparedRequest,
  prepareMultipart,
  prepareRequest,
  type RequestDefaults,
  requestTarget,
  serializeHead,
} from "./request.js";
import type { Response } from "./response.js";
import { readPem } from "./tls-files.js";

/** Methods a stale keep-alive connection may be retried for (never POST or PATCH). */
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);
const DEFAULT_MAX_DECODED = 1024 * 1024 * 1024;

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
  /** The transport that opens sockets (defaults to the runtime's). */
  transport?: Transport;
}

function timeouts(t: RequestOptions["timeout"]): [number | undefined, number | undefined] {
  if (t === undefined || t === null) return [undefined, undefined];
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
  // TLS options per (verify, cert): files are read once, and pools are found by identity
  readonly #tls = new Map<string, TlsOptions>();

  constructor(options: SessionOptions = {}) {
    this.#agent = new Agent(options.transport ?? nodeTransport, {
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
        return multipart.then((mp) => this.send(prepareRequest(method, url, options, this.#defaults(), mp), options));
      }
      return this.send(prepareRequest(method, url, options, this.#defaults()), options);
    } catch (err) {
      return Promise.reject(err);
    }
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

  #defaults(): RequestDefaults {
    return { headers: this.headers, params: this.params, auth: this.auth, cookies: this.cookies };
  }

  /** Sends a prepared request. */
  send(prepared: PreparedRequest, options: RequestOptions = {}): Promise<Response> {
    const url = prepared._url;
    const https = url.protocol === "https:";
    const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    const origin: Origin = {
      scheme: https ? "https" : "http",
      host,
      port: url.port === "" ? (https ? 443 : 80) : Number(url.port),
      tls: https ? this.#tlsFor(options.verify ?? this.verify, options.cert ?? this.cert) : undefined,
    };
    const head = serializeHead(prepared, url, requestTarget(url));
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
      const receiver = new Receiver(prepared, { stream, maxBody, maxDecoded }, resolve, reject);
      this.#agent.pool(origin).dispatch({
        head,
        body: prepared.body,
        bodyLength,
        expectHead: prepared.method === "HEAD",
        readTimeout,
        signal: options.signal,
        sink: receiver,
        connectTimeout,
        retryOnStale: IDEMPOTENT.has(prepared.method) && prepared.replayable,
        retried: false,
      });
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
