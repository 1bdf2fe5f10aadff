// Session, as requests.Session: defaults merged into every request (headers, params, auth,
// cookies, verify, cert; settings.ts), the environment's settings when trust_env
// (environment.ts), and the transport adapters mounted by URL prefix that send the requests
// (HTTPAdapter's keep-alive pools by default), wrapped by the session's interceptors (dispatch.ts).
// Calls beyond one plain exchange (redirects, retries, Digest, hooks) run in call.ts.

import type { Agent } from "../http/agent.js";
import { lazy } from "../lazy.js";
import type { DisposableLike } from "../platform-types.js";
import type { Adapter, Interceptor } from "./adapters/adapter.js";
import { defaultAdapter } from "./adapters/default.js";
import { Dispatch } from "./adapters/dispatch.js";
import { DEFAULT_MAX_DECOMPRESSION_RATIO } from "./adapters/exchange.js";
import { HTTPAdapter } from "./adapters/http-adapter.js";
import { HTTPDigestAuth } from "./auth/digest.js";
import type { PreparedBody } from "./body/encode.js";
import type { Params } from "./body/params.js";
import { boundTo, type CallParts, cookieHeaderOf, keepCookies, requestCookies, type SessionOps } from "./call/parts.js";
import { Retry } from "./call/retry.js";
import { RequestsCookieJar } from "./cookies/jar.js";
import { SessionEnvironment } from "./environment.js";
import { CaseInsensitiveDict, type ProxiedDict } from "./headers.js";
import type { RequestOptions, SessionOptions, Timeouts } from "./options.js";
import type { Proxies } from "./proxy/env.js";
import { type Auth, defaultHeaders, encodeBody, type PreparedRequest, paramsReady, prepareRequest } from "./request.js";
import type { Response } from "./response.js";
import { type Hook, PrepareDefaults, type Settings, SettingsMaker } from "./settings.js";

/** Calls beyond one plain exchange (call.ts: redirects, retries, Digest answers, hooks): loaded by the first. */
const deadlines = lazy(() => import("./call/deadline.js"), "total timeout");
const calling = lazy(() => import("./call/call.js"), "redirect, retry and hook");

/**
 * Makes a session whose calls keep no cookies (requests runs each module-level call in a
 * throwaway Session): the module functions' (set by Session's static block, for a private field).
 */
export let throwawaySession: () => Session;

const NO_OPTIONS: RequestOptions = Object.freeze({});
const NO_RETRIES = Retry.from(0);

/** A session: shared defaults, and the adapters that send its requests. Call `close()` when done. */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the merged interface (below) declares only `[Symbol.dispose]`, which the class defines
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
  cert: readonly [string, string] | undefined;
  /** Default for `stream`. */
  stream = false;
  /** Default `max_body_size`. */
  max_body_size: number | undefined;
  /** Default `max_decompression_ratio` (decoded bytes per byte received past 1 MiB; null: none). @default 100 */
  max_decompression_ratio: number | null = DEFAULT_MAX_DECOMPRESSION_RATIO;
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
  readonly #dispatch = new Dispatch();
  /**
   * The adapters that send requests, by URL prefix, tried longest prefix first (requests'
   * Session.adapters): one HTTPAdapter for `https://` and `http://` unless the session was made
   * with a fetch transport. Change it with `mount`.
   */
  readonly adapters = this.#dispatch.mounts;
  readonly #env = new SessionEnvironment();
  readonly #settings = new SettingsMaker(this, this.#env);
  readonly #defaults = new PrepareDefaults(this, this.#env);

  constructor(options: SessionOptions = {}) {
    const adapter = defaultAdapter(options);
    this.mount("https://", adapter);
    this.mount("http://", adapter);
  }

  /**
   * Sends requests whose URL starts with `prefix` (case-insensitive) through `adapter`; the
   * longest matching prefix wins (requests' Session.mount).
   * @example session.mount("https://api.example.com/", new HTTPAdapter({ max_retries: 3 }))
   */
  mount(prefix: string, adapter: Adapter): void {
    this.adapters.mount(prefix, adapter);
  }

  /**
   * The adapter that sends requests to `url` (requests' Session.get_adapter).
   * @throws InvalidSchema when no mounted prefix matches.
   */
  get_adapter(url: string): Adapter {
    return this.#dispatch.adapterFor(url);
  }

  /**
   * Adds interceptors around the step that sends each request to its adapter: every request
   * that reaches an adapter (each redirect, retry and Digest answer too) goes through them, the
   * first added outermost. Returns the session.
   * @example session.use((next) => (request, options) => next(request, options))
   */
  use(...interceptors: Interceptor[]): this {
    this.#dispatch.use(interceptors);
    return this;
  }

  /** @internal The connection pools of the adapter mounted for `https://` (for tests to inspect). */
  get agent(): Agent {
    const adapter = this.adapters.find("https://");
    if (!(adapter instanceof HTTPAdapter)) throw new TypeError("this session sends requests through another adapter");
    return adapter.agent;
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
        ? this.#defaults.get()
        : { ...this.#defaults.get(), cookieHeader: (u: URL) => cookieHeaderOf(this.cookies, u, requestJar) };
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

  /** The load of the .netrc parser when trust_env finds a file and it is not in yet, else undefined. */
  #netrcReady(): Promise<unknown> | undefined {
    return this.trust_env ? this.#env.netrcReady() : undefined;
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
    const t = options.timeout;
    const total = t != null && typeof t === "object" && !Array.isArray(t) ? (t as Timeouts).total : undefined;
    if (total != null) {
      const stream = options.stream ?? this.stream;
      return deadlines.use((m) => m.withinTotal(total, options, stream, (o) => this.send(prepared, o, requestJar)));
    }
    let settings: Settings;
    let sent: Promise<Response>;
    try {
      settings = this.#settings.settings(options);
      if (settings.retries === NO_RETRIES && options.retries == null && this.adapters.retrying) {
        // retries set by neither the request nor the session: the max_retries of the adapter for
        // the request's URL (its redirects keep them)
        const retries = (this.adapters.find(prepared.url) as { max_retries?: unknown } | undefined)?.max_retries;
        if (retries instanceof Retry && retries !== NO_RETRIES) settings = { ...settings, retries };
      }
      // the common case (no hooks, no retries, no Digest) takes one step, and loads call.ts only
      // when a redirect is to be followed
      if (settings.hooks.length > 0 || settings.retries !== NO_RETRIES || settings.auth instanceof HTTPDigestAuth) {
        const parts = this.#callParts(prepared, requestJar);
        return calling.use((m) => m.run(parts, prepared, settings, options));
      }
      // no adapter, a head that cannot be written, or a proxy URL that cannot be parsed throws
      // here: a rejection
      sent = this.#dispatch.send(prepared, settings, options, this);
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
    exchange: (prepared, settings, options) => this.#dispatch.send(prepared, settings, options, this),
    netrcReady: () => this.#netrcReady(),
    netrc: (url) => this.#env.netrc(url),
  };

  /** What a call starting with `prepared` works with: the session's jar, or a throwaway session's own. */
  #callParts(prepared: PreparedRequest, requestJar: RequestsCookieJar | undefined): CallParts {
    const jar = this.#throwaway ? new RequestsCookieJar() : this.cookies;
    return { session: this, ops: this.#ops, jar, requestJar, origin: prepared._url };
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

  /** Closes every adapter of the session (their connections). */
  close(): void {
    for (const adapter of new Set(this.adapters.values())) adapter.close();
  }

  /** @internal `using s = new Session()` closes it; published through the interface below. */
  [Symbol.dispose](): void {
    this.close();
  }
}

// The published types declare `[Symbol.dispose]` only where the user's compilation declares the
// symbol (DisposableLike), so they compile without lib "esnext.disposable" or @types/node.
export interface Session extends DisposableLike {}

export type { SessionOptions } from "./options.js";
export type { Hook, HookResult, Hooks, Progress } from "./settings.js";
export { CaseInsensitiveDict };
