// Session, as requests.Session: defaults merged into every request (headers, params, auth,
// cookies, verify, cert) and a pool of keep-alive connections per origin.
import { SSLError } from "../errors.js";
import { Agent, connectionCode, type Origin } from "../http/agent.js";
import type { Pool } from "../http/pool.js";
import { lazy } from "../lazy.js";
import { platform } from "../runtime/platform.js";
import { type ExchangeTransport, isExchangeTransport, type TlsOptions, type Transport } from "../transport/types.js";
import { cookiejarFromDict, RequestsCookieJar } from "./cookies.js";
import { HTTPDigestAuth } from "./digest.js";
import type { PreparedBody } from "./encode.js";
import { CaseInsensitiveDict, type ProxiedDict } from "./headers.js";
import { readNetrcFile } from "./netrc-file.js";
import type { RequestOptions } from "./options.js";
import type { Params } from "./params.js";
import { environProxies, type Proxies } from "./proxy-env.js";
import type { Receiver } from "./receive.js";
import {
  type Auth,
  defaultHeaders,
  encodeBody,
  hostHeader,
  type PreparedRequest,
  paramsReady,
  prepareRequest,
  type RequestDefaults,
  requestTarget,
  serializeHead,
} from "./request.js";
import type { Response } from "./response.js";
import { Retry } from "./retry.js";
import { readPem } from "./tls-files.js";
import type { ProxyHost } from "./via-proxy.js";

/** Proxy selection and tunnels: loaded by the first request with a proxy configured. */
const proxying = lazy(() => import("./via-proxy.js"), "proxy");
/** The exchange through fetch: loaded by the first session on a fetch transport. */
const fetching = lazy(() => import("../http/fetch.js"), "fetch exchange");
type Receiving = typeof import("./receive.js");
/** The receiving side of an exchange (Response bodies, decoding): loaded by the first request. */
const receiving = lazy(() => import("./receive.js"), "response");
/** Calls beyond one plain exchange (call.ts: redirects, retries, Digest answers, hooks): loaded by the first. */
const calling = lazy(() => import("./call.js"), "redirect, retry and hook");
/** Upload progress reports: loaded by the first request with on_upload_progress. */
const uploadProgress = lazy(() => import("./upload-progress.js"), "upload progress");
/** The .netrc parser: loaded before the first request that finds a .netrc file. */
const netrcReader = lazy(() => import("./netrc.js"), ".netrc");

const DEFAULT_MAX_DECODED = 1024 * 1024 * 1024;

/** What a request needs of its URL, made once per parsed URL (parsed URLs are shared). */
export interface UrlParts {
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

/** Options of a Session's connection pools. */
export interface SessionOptions {
  /**
   * Connections per origin kept open for reuse (requests' pool_maxsize). With `pool_block`, also
   * the most open at once.
   * @default 10
   */
  pool_maxsize?: number;
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

/** A response hook: may return a Response to use instead (requests' hooks={"response": [...]}). */
export type Hook = (response: Response) => HookResult | Promise<HookResult>;

/** What a hook returns: a Response to use instead, or nothing to keep the one it was given. */
// biome-ignore lint/suspicious/noConfusingVoidType: a hook that returns nothing is declared `void`
export type HookResult = Response | undefined | void;

/** Hooks per event; only "response" exists, as in requests. */
export interface Hooks {
  response?: Hook | Hook[] | null;
}

/** Progress of an upload or a download. */
export interface Progress {
  /** Bytes so far (of the body as sent or as received, before decompression). */
  loaded: number;
  /** All the bytes, when known (Content-Length). */
  total: number | undefined;
}

/** Everything one send needs, merged from the request's options and the session's defaults. */
/** A request's settings: its options over the session's. */
export interface Settings {
  stream: boolean;
  verify: boolean | string;
  cert: [string, string] | undefined;
  /** Where proxies come from (merged per URL: no_proxy from the environment depends on it). */
  proxies: { own: Proxies | undefined; session: Proxies; env: Proxies | undefined } | undefined;
  hooks: Hook[];
  allowRedirects: boolean;
  retries: Retry;
  auth: Auth | undefined;
}

/** What a call (call.ts) needs of its session's private parts. */
export interface SessionOps {
  exchange(prepared: PreparedRequest, settings: Settings, options: RequestOptions): Promise<Response>;
  netrcReady(): Promise<unknown> | undefined;
  netrc(url: URL): [string, string] | undefined;
}

/**
 * What one call of a session starts with (a request and what follows from it: redirects,
 * retries, a Digest answer; call.ts): its session, the jar its responses fill and its redirects
 * read, the request's own cookies, and the URL whose origin its credentials were given for. A
 * Session's calls share the session's jar; the module functions' calls (`requests.get` …) each
 * get a jar of their own, which ends with the call, as requests runs each in a throwaway Session.
 */
export interface CallParts {
  readonly session: Session;
  readonly ops: SessionOps;
  readonly jar: RequestsCookieJar;
  /** The request's own cookies (host-only for its first URL's host), over the jar's. */
  readonly requestJar: RequestsCookieJar | undefined;
  readonly origin: URL;
}

/** Keeps the cookies a response sets in a jar. */
export function keepCookies(jar: RequestsCookieJar, r: Response): void {
  const setCookies = r._fieldValues("set-cookie");
  if (setCookies.length > 0) jar._extract(r.request._url, setCookies);
}

/** The Cookie header for a URL from a jar, with a request's own cookies over it. */
export function cookieHeaderOf(
  jar: RequestsCookieJar,
  url: URL,
  requestJar: RequestsCookieJar | undefined,
): string | undefined {
  if (requestJar === undefined) return jar.size === 0 ? undefined : jar.cookieHeader(url);
  const merged = jar.copy();
  merged.update(requestJar);
  return merged.cookieHeader(url);
}

/** Makes the module functions' session (set by Session's static block: it sets a private field). */
let throwawaySession: () => Session;

const NO_HOOKS: Hook[] = [];
const NO_OPTIONS: RequestOptions = Object.freeze({});
const NO_RETRIES = Retry.from(0);

function hookList(h: Hooks | undefined | null): Hook[] | undefined {
  const r = h?.response;
  if (r === undefined || r === null) return undefined;
  return Array.isArray(r) ? r : [r];
}

/** Per-request cookies, as given: sent with this request (and its redirects) and never kept. */
function requestCookies(options: RequestOptions): RequestsCookieJar | undefined {
  const c = options.cookies;
  if (c === undefined || c === null) return undefined;
  return c instanceof RequestsCookieJar ? c : cookiejarFromDict(c);
}

/**
 * Per-request cookies bound to the request's host: those given without a domain become host-only
 * cookies of `host`, so a redirect to another host never carries them (cookies given with a
 * domain keep it).
 */
function boundTo(jar: RequestsCookieJar, host: string): RequestsCookieJar {
  const bound = new RequestsCookieJar();
  for (const c of jar) bound.setCookie(c.domain === "" ? { ...c, domain: host, hostOnly: true } : c);
  return bound;
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/** Environment settings are read at most this often (every request would cost several lookups). */
const ENV_TTL = 1000;

/** A session: shared defaults and keep-alive connections. Call `close()` when done. */
export class Session {
  /** Headers sent with every request (case-insensitive; bracket access works). */
  headers: ProxiedDict = defaultHeaders();
  /** Query parameters added to every request. */
  params: Params | undefined;
  /** Auth for every request: `[user, password]` or HTTPBasicAuth (Basic), HTTPDigestAuth, or a function. */
  auth: Auth | undefined;
  /** The cookie jar: cookies set by responses are kept here and sent back where they belong. */
  cookies: RequestsCookieJar = new RequestsCookieJar();
  /** TLS verification: true, false, or CA certificates (PEM, or a path on Node). */
  verify: boolean | string = true;
  /** Client certificate and key for mutual TLS. */
  cert: [string, string] | undefined;
  /** Default for `stream`. */
  stream = false;
  /** Default `max_body_size`. */
  max_body_size: number | undefined;
  /** Proxies by scheme (`http`, `https`, `all`, `scheme://host`) and `no_proxy`. */
  proxies: Proxies = {};
  /** Hooks for every request; a request's own hooks for an event replace these. */
  hooks: { response: Hook[] } = { response: [] };
  /** Redirects followed before TooManyRedirects. */
  max_redirects = 30;
  /** Read proxies, .netrc and CA bundle settings from the environment (as requests does). */
  trust_env = true;
  /** Retries: a number of attempts, or a Retry for full control. 0: none. */
  retries: number | Retry = 0;
  readonly #agent: Agent;
  readonly #fetch: ExchangeTransport | undefined;
  // TLS options per (verify, cert): files are read once, and pools are found by identity
  readonly #tls = new Map<string, TlsOptions>();
  readonly #pools = new WeakMap<UrlParts, Map<TlsOptions | undefined, Pool>>();
  #envAt = -Infinity;
  // the .netrc text and its answers per host, read again at most once a second (a file read per
  // request costs more than the request)
  #netrcAt = -Infinity;
  #netrcText: string | undefined;
  readonly #netrcHosts = new Map<string, [string, string] | null>();
  #envProxies: Proxies | undefined;
  #envVerify: string | undefined;

  constructor(options: SessionOptions = {}) {
    const transport = options.transport ?? platform().transport;
    this.#fetch = isExchangeTransport(transport) ? transport : undefined;
    // fetched ahead of the first request; a failure to load is reported by that request
    if (this.#fetch !== undefined) fetching().catch(() => {});
    this.#agent = new Agent(isExchangeTransport(transport) ? NO_SOCKETS : transport, {
      maxConnections: options.pool_maxsize ?? 10,
      block: options.pool_block ?? false,
      idleTimeout: options.idle_timeout ?? 4000,
    });
  }

  /** The connection pools (for inspection). */
  get agent(): Agent {
    return this.#agent;
  }

  /** Sends a request. */
  request(method: string, url: string, options: RequestOptions = NO_OPTIONS): Promise<Response> {
    try {
      const wait = this.#netrcReady() ?? paramsReady(this.params, options.params);
      if (wait !== undefined) return wait.then(() => this.request(method, url, options));
      const encoded = encodeBody(options);
      if (encoded instanceof Promise) return encoded.then((b) => this.#start(method, url, options, b));
      return this.#start(method, url, options, encoded);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #start(method: string, url: string, options: RequestOptions, encoded?: PreparedBody): Promise<Response> {
    const requestJar = requestCookies(options);
    const prepared = this.#prepare(method, url, options, requestJar, encoded);
    // (bound once the URL is parsed: on the first URL, bound or not, the same cookies apply)
    return this.send(prepared, options, requestJar && boundTo(requestJar, prepared._url.hostname));
  }

  #prepare(
    method: string,
    url: string,
    options: RequestOptions,
    requestJar: RequestsCookieJar | undefined,
    encoded: PreparedBody | undefined,
  ): PreparedRequest {
    const defaults =
      requestJar === undefined
        ? this.#defaults()
        : { ...this.#defaults(), cookieHeader: (u: URL) => cookieHeaderOf(this.cookies, u, requestJar) };
    return prepareRequest(method, url, options, defaults, encoded);
  }

  /**
   * The request as `request()` would send it — the session's headers, params, auth, cookies
   * merged, the body encoded — without sending it (requests' Session.prepare_request). The Host
   * header and the request-target are added when it is sent.
   */
  async prepare_request(method: string, url: string, options: RequestOptions = {}): Promise<PreparedRequest> {
    await this.#netrcReady();
    await paramsReady(this.params, options.params);
    const encoded = encodeBody(options);
    return this.#prepare(
      method,
      url,
      options,
      requestCookies(options),
      encoded instanceof Promise ? await encoded : encoded,
    );
  }

  // What the session gives prepareRequest; made again only when one of its fields changes.
  #defaultsCache: RequestDefaults | undefined;
  readonly #sessionCookieHeader = (u: URL) => (this.cookies.size === 0 ? undefined : this.cookies.cookieHeader(u));
  readonly #netrcAuth = (u: URL) => this.#netrc(u);

  #defaults(): RequestDefaults {
    const d = this.#defaultsCache;
    const fallbackAuth = this.trust_env ? this.#netrcAuth : undefined;
    if (
      d !== undefined &&
      d.headers === this.headers &&
      d.params === this.params &&
      d.auth === this.auth &&
      d.fallbackAuth === fallbackAuth
    ) {
      return d;
    }
    this.#defaultsCache = {
      headers: this.headers,
      params: this.params,
      auth: this.auth,
      cookieHeader: this.#sessionCookieHeader,
      fallbackAuth,
    };
    return this.#defaultsCache;
  }

  /** The .netrc text, read again at most once a second: undefined without a file (or files). */
  #netrcFile(): string | undefined {
    const now = Date.now();
    if (now - this.#netrcAt >= ENV_TTL) {
      this.#netrcAt = now;
      this.#netrcHosts.clear();
      const { readTextFile, env } = platform();
      this.#netrcText = readTextFile === undefined || env === undefined ? undefined : readNetrcFile(readTextFile, env);
    }
    return this.#netrcText;
  }

  /** The load of the .netrc parser when there is a file and it is not in yet, else undefined. */
  #netrcReady(): Promise<unknown> | undefined {
    if (!this.trust_env || netrcReader.loaded !== undefined || this.#netrcFile() === undefined) return undefined;
    return netrcReader();
  }

  /** Credentials from .netrc for exactly this host (Node, Bun, Deno with --allow-read/env). */
  #netrc(url: URL): [string, string] | undefined {
    const text = this.#netrcFile();
    const reader = netrcReader.loaded;
    // no file; or one that appeared since this request checked (the next request reads it)
    if (text === undefined || reader === undefined) return undefined;
    const host = url.hostname;
    let auth = this.#netrcHosts.get(host);
    if (auth === undefined) {
      auth = reader.netrcLookup(text, host) ?? null;
      this.#netrcHosts.set(host, auth);
    }
    return auth ?? undefined;
  }

  /** Proxies and CA bundle from the environment, read at most once a second. */
  #environment(): void {
    const now = Date.now();
    if (now - this.#envAt < ENV_TTL) return;
    this.#envAt = now;
    const env = platform().env;
    this.#envProxies = env === undefined ? undefined : environProxies(env);
    this.#envVerify = env === undefined ? undefined : (env("REQUESTS_CA_BUNDLE") ?? env("CURL_CA_BUNDLE") ?? undefined);
    if (this.#envVerify === "") this.#envVerify = undefined;
  }

  #settings(options: RequestOptions): Settings {
    if (
      options.verify === undefined &&
      options.cert === undefined &&
      options.proxies === undefined &&
      options.hooks === undefined &&
      options.retries === undefined &&
      options.auth === undefined &&
      options.stream === undefined &&
      options.allow_redirects === undefined
    ) {
      // a request that changes none of them shares the session's settings (made again when any
      // of what they come from changes)
      if (this.trust_env) this.#environment();
      const k = this.#plainKey;
      if (
        k !== undefined &&
        k.verify === this.verify &&
        k.cert === this.cert &&
        k.proxies === this.proxies &&
        k.hooks === this.hooks.response &&
        k.retries === this.retries &&
        k.auth === this.auth &&
        k.stream === this.stream &&
        k.trustEnv === this.trust_env &&
        k.envVerify === this.#envVerify &&
        k.envProxies === this.#envProxies
      ) {
        return k.settings;
      }
      const settings = this.#merge(NO_OPTIONS);
      this.#plainKey = {
        verify: this.verify,
        cert: this.cert,
        proxies: this.proxies,
        hooks: this.hooks.response,
        retries: this.retries,
        auth: this.auth,
        stream: this.stream,
        trustEnv: this.trust_env,
        envVerify: this.#envVerify,
        envProxies: this.#envProxies,
        settings,
      };
      return settings;
    }
    return this.#merge(options);
  }

  // the settings of requests with no options of their own, and what they were made from
  #plainKey:
    | {
        verify: boolean | string;
        cert: [string, string] | undefined;
        proxies: Proxies;
        hooks: Hook[];
        retries: number | Retry;
        auth: Auth | undefined;
        stream: boolean;
        trustEnv: boolean;
        envVerify: string | undefined;
        envProxies: Proxies | undefined;
        settings: Settings;
      }
    | undefined;

  #merge(options: RequestOptions): Settings {
    let verify = options.verify ?? this.verify;
    let proxies: Settings["proxies"];
    const own = options.proxies ?? undefined;
    if (this.trust_env) {
      this.#environment();
      if (verify === true && this.#envVerify !== undefined) verify = this.#envVerify;
    }
    const env = this.trust_env ? this.#envProxies : undefined;
    if (own !== undefined || !isEmpty(this.proxies) || (env !== undefined && !isEmpty(env))) {
      proxies = { own, session: this.proxies, env };
    }
    return {
      stream: options.stream ?? this.stream,
      verify,
      cert: options.cert ?? this.cert,
      proxies,
      hooks: hookList(options.hooks) ?? hookList(this.hooks) ?? NO_HOOKS,
      allowRedirects: options.allow_redirects ?? true,
      retries: Retry.from(options.retries ?? this.retries),
      auth: options.auth ?? this.auth,
    };
  }

  /**
   * Sends a prepared request: with retries, Digest challenges, hooks, cookies kept from every
   * response, and redirects followed (`allow_redirects`, up to `max_redirects`). `requestJar`: the
   * request's own cookies, sent with it and its redirects, never kept.
   */
  send(
    prepared: PreparedRequest,
    options: RequestOptions = NO_OPTIONS,
    requestJar?: RequestsCookieJar,
  ): Promise<Response> {
    let settings: Settings;
    let sent: Promise<Response>;
    try {
      settings = this.#settings(options);
      // the common case (no hooks, no retries, no Digest) takes one step, and loads call.ts only
      // when a redirect is to be followed
      if (settings.hooks.length > 0 || settings.retries !== NO_RETRIES || settings.auth instanceof HTTPDigestAuth) {
        const parts = this.#callParts(prepared, requestJar);
        return calling.use((m) => m.run(parts, prepared, settings, options));
      }
      // a head that cannot be written, or a proxy URL that cannot be parsed, throws here: a rejection
      sent = this.#exchange(prepared, settings, options);
    } catch (err) {
      return Promise.reject(err);
    }
    return sent.then((r) => {
      if (!(settings.allowRedirects && r.is_redirect)) {
        if (!this.#throwaway) keepCookies(this.cookies, r);
        return r;
      }
      const parts = this.#callParts(prepared, requestJar);
      return calling.use((m) => m.followFrom(parts, r, settings, options));
    });
  }

  /**
   * Whether nothing a response sets outlives its call: the module functions' session (requests
   * runs each module-level call in a throwaway Session). Its pools are shared; its jar stays empty.
   */
  #throwaway = false;

  static {
    throwawaySession = () => {
      const s = new Session();
      s.#throwaway = true;
      return s;
    };
  }

  // What a call's parts loaded on first use need of the session.
  readonly #ops: SessionOps = {
    exchange: (prepared, settings, options) => this.#exchange(prepared, settings, options),
    netrcReady: () => this.#netrcReady(),
    netrc: (url) => this.#netrc(url),
  };

  /** What a call starting with `prepared` works with: the session's jar, or a throwaway session's own. */
  #callParts(prepared: PreparedRequest, requestJar: RequestsCookieJar | undefined): CallParts {
    const jar = this.#throwaway ? new RequestsCookieJar() : this.cookies;
    return { session: this, ops: this.#ops, jar, requestJar, origin: prepared._url };
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

  // What requests through a proxy (via-proxy.ts) need of the session.
  readonly #proxyHost: ProxyHost = {
    transport: () => this.#agent.transport,
    routes: new Map(),
    pool: (origin) => this.#agent.pool(origin),
    poolFor: (where, tls) => this.#poolFor(where, tls),
    tlsFor: (verify, cert) => this.#tlsFor(verify, cert),
    send: (prepared, settings, options, head, pool) => this.#send(prepared, settings, options, head, pool),
  };

  /** One exchange on one connection (or through fetch). */
  #exchange(prepared: PreparedRequest, settings: Settings, options: RequestOptions): Promise<Response> {
    if (receiving.loaded === undefined || (this.#fetch === undefined && connectionCode.loaded === undefined)) {
      // the first request: the code that runs exchanges loads now
      const code = this.#fetch === undefined ? Promise.all([receiving(), connectionCode()]) : receiving();
      return code.then(() => this.#exchange(prepared, settings, options));
    }
    if (options.on_upload_progress !== undefined && uploadProgress.loaded === undefined) {
      return uploadProgress().then(() => this.#exchange(prepared, settings, options));
    }
    const url = prepared._url;
    const where = urlParts(url);
    const fetcher = this.#fetch;
    const { verify, cert } = settings;
    if (fetcher !== undefined) {
      if (where.https && (verify !== true || cert !== undefined)) {
        return Promise.reject(
          new SSLError(
            "the fetch transport uses the runtime's own TLS settings: verify and cert cannot be set per request",
            { request: prepared },
          ),
        );
      }
      // the writer still checks the head, though fetch sends its own
      const head = serializeHead(prepared, where.hostHeader, where.target);
      const req = { method: prepared.method, url, headers: prepared._headers._pairs() };
      const send = () =>
        fetching.use((m) => this.#send(prepared, settings, options, head, (r) => m.runFetch(fetcher, req, r)));
      const p = settings.proxies;
      // a proxy given to the request or the session cannot be honoured: refused, never ignored
      // (proxies from the environment are the runtime's business: Deno's and Bun's fetch read them)
      if (p === undefined || (p.own === undefined && isEmpty(p.session))) return send();
      return proxying.use((m) => {
        m.refuseProxy(prepared, p.own, p.session);
        return send();
      });
    }
    const tls = where.https ? this.#tlsFor(verify, cert) : undefined;
    if (settings.proxies !== undefined) {
      return proxying.use((m) => m.viaProxy(this.#proxyHost, prepared, settings, options, where, tls));
    }
    const head = serializeHead(prepared, where.hostHeader, where.target);
    return this.#send(prepared, settings, options, head, this.#poolFor(where, tls));
  }

  /** Sends a serialized head (and the body) on a pool's connection, or hands the request to fetch. */
  #send(
    prepared: PreparedRequest,
    settings: Settings,
    options: RequestOptions,
    head: Uint8Array,
    to: Pool | ((ex: Receiver) => void),
  ): Promise<Response> {
    const [connectTimeout, readTimeout] = timeouts(options.timeout);
    const stream = settings.stream;
    const maxBody = options.max_body_size ?? this.max_body_size ?? Number.POSITIVE_INFINITY;
    const maxDecoded = options.max_decoded_size ?? DEFAULT_MAX_DECODED;
    const declared = prepared._headers.get("content-length");
    let body = prepared.body;
    let bodyLength =
      body === null || body instanceof Uint8Array || declared === undefined ? undefined : Number(declared);
    const onUpload = options.on_upload_progress;
    if (onUpload !== undefined && body !== null) {
      const total = body instanceof Uint8Array ? body.length : bodyLength;
      body = (uploadProgress.loaded as typeof import("./upload-progress.js")).withUploadProgress(body, total, onUpload);
      bodyLength = total;
    }

    return new Promise<Response>((resolve, reject) => {
      const { Receiver } = receiving.loaded as Receiving; // loaded by #exchange
      const r = new Receiver(prepared, resolve, reject);
      r.stream = stream;
      r.maxBody = maxBody;
      r.maxDecoded = maxDecoded;
      r.head = head;
      r.body = body;
      r.bodyLength = bodyLength;
      r.expectHead = prepared.method === "HEAD";
      r.readTimeout = readTimeout;
      r.signal = options.signal;
      r.connectTimeout = connectTimeout;
      r.replayable = prepared.replayable;
      // a stale keep-alive connection is retried for the idempotent methods only (never POST or PATCH)
      r.retryOnStale = Retry.DEFAULT_ALLOWED_METHODS.has(prepared.method) && prepared.replayable;
      r.onDownloadProgress = options.on_download_progress;
      if (typeof to !== "function") to.dispatch(r);
      else to(r);
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
  /** HEAD (redirects are not followed unless `allow_redirects: true`). */
  head(url: string, options?: RequestOptions): Promise<Response> {
    return this.request("HEAD", url, { allow_redirects: false, ...options });
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

/**
 * The session behind `requests.get()` and friends: its keep-alive pools are shared by every call,
 * but each call has its own cookies, as if it ran in a throwaway Session.
 */
export function sharedSession(): Session {
  if (defaultSession === undefined) defaultSession = throwawaySession();
  return defaultSession;
}

export { CaseInsensitiveDict };
