// What a session reads from its environment when trust_env is set, as requests does: proxies
// (HTTP_PROXY, NO_PROXY…), a CA bundle (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE), and .netrc
// credentials per host. Each is read again at most once a second: a file read or a few variable
// lookups per request cost more than the request.
import { lazy } from "../lazy.js";
import { platform } from "../runtime/platform.js";
import { readNetrcFile } from "./auth/netrc-file.js";
import { environProxies, type Proxies } from "./proxy/env.js";

/** The .netrc parser: loaded before the first request that finds a .netrc file. */
const netrcReader = lazy(() => import("./auth/netrc.js"), ".netrc");

/** Settings are read again at most this often (milliseconds). */
const TTL = 1000;

/** What the environment sets for requests. */
export interface EnvironmentSettings {
  /** Proxies (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY), if any variable is set. */
  readonly proxies: Proxies | undefined;
  /** The CA bundle REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE names. */
  readonly verify: string | undefined;
}

/** One session's view of its environment. */
export class SessionEnvironment {
  #envAt = -Infinity;
  #settings: EnvironmentSettings = { proxies: undefined, verify: undefined };
  #netrcAt = -Infinity;
  #netrcText: string | undefined;
  readonly #netrcHosts = new Map<string, [string, string] | null>();

  /**
   * Proxies and CA bundle from the environment, read at most once a second: the same object
   * until they are read again.
   */
  settings(): EnvironmentSettings {
    const now = Date.now();
    if (now - this.#envAt < TTL) return this.#settings;
    this.#envAt = now;
    const env = platform().env;
    const verify = env === undefined ? undefined : (env("REQUESTS_CA_BUNDLE") ?? env("CURL_CA_BUNDLE") ?? undefined);
    this.#settings = {
      proxies: env === undefined ? undefined : environProxies(env),
      verify: verify === "" ? undefined : verify,
    };
    return this.#settings;
  }

  /** The .netrc text: undefined without a file (or files). */
  #netrcFile(): string | undefined {
    const now = Date.now();
    if (now - this.#netrcAt >= TTL) {
      this.#netrcAt = now;
      this.#netrcHosts.clear();
      const { readTextFile, env } = platform();
      this.#netrcText = readTextFile === undefined || env === undefined ? undefined : readNetrcFile(readTextFile, env);
    }
    return this.#netrcText;
  }

  /** The load of the .netrc parser when there is a file and it is not in yet, else undefined. */
  netrcReady(): Promise<unknown> | undefined {
    if (netrcReader.loaded !== undefined || this.#netrcFile() === undefined) return undefined;
    return netrcReader();
  }

  /** Credentials from .netrc for exactly this host (Node, Bun, Deno with --allow-read/env). */
  netrc(url: URL): [string, string] | undefined {
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
}
