// HTTP Digest authentication (RFC 7616), in the manner of requests.auth.HTTPDigestAuth: the first
// 401 brings a challenge, the answer to it is computed here, and later requests to the same
// protection space are answered pre-emptively with the same nonce and a rising nonce count. The
// parser and the hashes (digest-challenge.ts) load on first use, started when the auth is made.

import { lazy } from "../../lazy.js";
import type { DigestState } from "./digest-challenge.js";

// loaded before any state is remembered, so header() can use it without waiting
const answering = lazy(() => import("./digest-challenge.js"), "Digest authentication");

export interface HTTPDigestAuthOptions {
  /** Makes the client nonce; 16 random hex digits by default. For tests. */
  cnonce?: () => string;
}

/**
 * requests.auth.HTTPDigestAuth: answers a 401 Digest challenge (RFC 7616; MD5, MD5-sess, SHA-256,
 * SHA-256-sess, SHA-512, SHA-512-sess, SHA-512-256, SHA-512-256-sess; qop=auth, or no qop as RFC 2069), keeping the nonce
 * count per nonce.
 */
export class HTTPDigestAuth {
  readonly username: string;
  readonly password: string;
  readonly #cnonce: (() => string) | undefined;
  #state: DigestState | undefined;

  constructor(username: string, password: string, options: HTTPDigestAuthOptions = {}) {
    this.username = username;
    this.password = password;
    this.#cnonce = options.cnonce;
    // fetched ahead of the first 401; a failure to load is reported by challenge()
    answering().catch(() => {});
  }

  /**
   * The Authorization value answering `wwwAuthenticate` (the WWW-Authenticate field value(s) of a
   * 401, possibly several challenges joined by ", "; among several usable Digest challenges the
   * strongest hash wins, then the first offered) for `method` and `uri` (the request-target as
   * sent), or undefined when there is no usable Digest challenge (no nonce, an unknown algorithm,
   * or qop offered without "auth": auth-int is not supported). Remembers the challenge; a new
   * nonce starts the nonce count again at 1.
   */
  async challenge(method: string, uri: string, wwwAuthenticate: string): Promise<string | undefined> {
    const m = await answering();
    const state = m.remember(this.#state, wwwAuthenticate);
    if (state === undefined) return undefined;
    this.#state = state;
    return m.authorization(state, this.username, this.password, this.#cnonce, method, uri);
  }

  /**
   * The Authorization value for a new request to the same protection space once a challenge is
   * known (pre-emptive, nonce count + 1), or undefined before any challenge.
   */
  header(method: string, uri: string): string | undefined {
    const state = this.#state;
    const m = answering.loaded;
    if (state === undefined || m === undefined) return undefined;
    return m.authorization(state, this.username, this.password, this.#cnonce, method, uri);
  }

  /**
   * Whether a 401 that answered our own Digest header says the nonce was stale (stale=true: try
   * again with the new nonce, the credentials were right) rather than that the credentials are wrong.
   */
  async isStale(wwwAuthenticate: string): Promise<boolean> {
    return (await answering()).isStale(wwwAuthenticate);
  }
}
