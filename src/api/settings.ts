// A request's settings: its options over its session's, over the environment's (when trust_env),
// as requests' Session.request and merge_environment_settings make them; and what a session gives
// prepareRequest. A request with none of its own shares one settings object with every other such
// request of the session, made again only when something it comes from changes.

import type { Params } from "./body/params.js";
import { Retry } from "./call/retry.js";
import type { RequestsCookieJar } from "./cookies/jar.js";
import type { EnvironmentSettings, SessionEnvironment } from "./environment.js";
import type { ProxiedDict } from "./headers.js";
import type { RequestOptions } from "./options.js";
import type { Proxies } from "./proxy/env.js";
import type { Auth, RequestDefaults } from "./request.js";
import type { Response } from "./response.js";

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

/** A request's settings: its options over the session's. */
export interface Settings {
  stream: boolean;
  verify: boolean | string;
  cert: readonly [string, string] | undefined;
  /** Where proxies come from (merged per URL: no_proxy from the environment depends on it). */
  proxies: { own: Proxies | undefined; session: Proxies; env: Proxies | undefined } | undefined;
  hooks: Hook[];
  allowRedirects: boolean;
  retries: Retry;
  auth: Auth | undefined;
}

/** What settings are made from, of a session. */
export interface SessionDefaults {
  readonly verify: boolean | string;
  readonly cert: readonly [string, string] | undefined;
  readonly proxies: Proxies;
  readonly hooks: { readonly response: Hook[] };
  readonly retries: number | Retry;
  readonly auth: Auth | undefined;
  readonly stream: boolean;
  readonly trust_env: boolean;
}

const NO_HOOKS: Hook[] = [];
const NO_OPTIONS: RequestOptions = Object.freeze({});

function hookList(h: Hooks | undefined | null): Hook[] | undefined {
  const r = h?.response;
  if (r === undefined || r === null) return undefined;
  return Array.isArray(r) ? r : [r];
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/** What the shared settings were made from. */
interface PlainKey {
  verify: boolean | string;
  cert: readonly [string, string] | undefined;
  proxies: Proxies;
  /** Whether `proxies` was empty (then the settings have none: filled in place later, it must be seen). */
  noProxies: boolean;
  hooks: Hook[];
  retries: number | Retry;
  auth: Auth | undefined;
  stream: boolean;
  env: EnvironmentSettings | undefined;
  settings: Settings;
}

/** Makes the settings of a session's requests. */
export class SettingsMaker {
  #plain: PlainKey | undefined;

  constructor(
    readonly session: SessionDefaults,
    readonly env: SessionEnvironment,
  ) {}

  /** The settings of a request with these options. */
  settings(options: RequestOptions): Settings {
    if (
      options.verify !== undefined ||
      options.cert !== undefined ||
      options.proxies !== undefined ||
      options.hooks !== undefined ||
      options.retries !== undefined ||
      options.auth !== undefined ||
      options.stream !== undefined ||
      options.allow_redirects !== undefined
    ) {
      return this.#merge(options, this.session.trust_env ? this.env.settings() : undefined);
    }
    // a request that changes none of them shares the session's settings
    const s = this.session;
    const env = s.trust_env ? this.env.settings() : undefined;
    const k = this.#plain;
    if (
      k !== undefined &&
      k.verify === s.verify &&
      k.cert === s.cert &&
      k.proxies === s.proxies &&
      k.noProxies === isEmpty(s.proxies) &&
      k.hooks === s.hooks.response &&
      k.retries === s.retries &&
      k.auth === s.auth &&
      k.stream === s.stream &&
      k.env === env
    ) {
      return k.settings;
    }
    const settings = this.#merge(NO_OPTIONS, env);
    this.#plain = {
      verify: s.verify,
      cert: s.cert,
      proxies: s.proxies,
      noProxies: isEmpty(s.proxies),
      hooks: s.hooks.response,
      retries: s.retries,
      auth: s.auth,
      stream: s.stream,
      env,
      settings,
    };
    return settings;
  }

  #merge(options: RequestOptions, fromEnv: EnvironmentSettings | undefined): Settings {
    const s = this.session;
    let verify = options.verify ?? s.verify;
    if (verify === true && fromEnv?.verify !== undefined) verify = fromEnv.verify;
    const own = options.proxies ?? undefined;
    const env = fromEnv?.proxies;
    let proxies: Settings["proxies"];
    if (own !== undefined || !isEmpty(s.proxies) || (env !== undefined && !isEmpty(env))) {
      proxies = { own, session: s.proxies, env };
    }
    return {
      stream: options.stream ?? s.stream,
      verify,
      cert: options.cert ?? s.cert,
      proxies,
      hooks: hookList(options.hooks) ?? hookList(s.hooks) ?? NO_HOOKS,
      allowRedirects: options.allow_redirects ?? true,
      retries: Retry.from(options.retries ?? s.retries),
      auth: options.auth ?? s.auth,
    };
  }
}

/** What prepareRequest is given of a session. */
export interface PrepareSource {
  readonly headers: ProxiedDict;
  readonly params: Params | undefined;
  readonly auth: Auth | undefined;
  readonly cookies: RequestsCookieJar;
  readonly trust_env: boolean;
}

/** What a session gives prepareRequest; made again only when one of its fields changes. */
export class PrepareDefaults {
  #cache: RequestDefaults | undefined;
  readonly #cookieHeader = (u: URL) => {
    const jar = this.session.cookies;
    return jar.size === 0 ? undefined : jar.cookieHeader(u);
  };
  readonly #netrcAuth = (u: URL) => this.env.netrc(u);

  constructor(
    readonly session: PrepareSource,
    readonly env: SessionEnvironment,
  ) {}

  get(): RequestDefaults {
    const s = this.session;
    const d = this.#cache;
    const fallbackAuth = s.trust_env ? this.#netrcAuth : undefined;
    if (
      d !== undefined &&
      d.headers === s.headers &&
      d.params === s.params &&
      d.auth === s.auth &&
      d.fallbackAuth === fallbackAuth
    ) {
      return d;
    }
    this.#cache = {
      headers: s.headers,
      params: s.params,
      auth: s.auth,
      cookieHeader: this.#cookieHeader,
      fallbackAuth,
    };
    return this.#cache;
  }
}
