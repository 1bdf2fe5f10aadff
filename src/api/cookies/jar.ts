// A cookie jar as RFC 6265 describes it (storage §5.3, the Cookie header §5.4), behind the
// dict-like surface of requests' RequestsCookieJar. Reading Set-Cookie fields (§5.2, and the
// rules of §5.3 and RFC 6265bis on what a response may set) is set-cookie.ts, loaded with the
// first response that has one.
//
// Cookies set through the API without a domain are "any host" cookies (domain ""), as in
// requests: they go to every host. Everything here is linear in its input and bounded: long
// Set-Cookie lines, names and values are ignored, and the jar keeps at most MAX_COOKIES cookies
// and MAX_COOKIES_PER_DOMAIN per domain. Runtime-neutral: strings and URL only.

import { CookieConflictError, RequestException } from "../../errors.js";
import { lazy } from "../../lazy.js";
import type { URLLike } from "../../platform-types.js";

/** One stored cookie. Cookies handed out by a jar are frozen snapshots. */
export interface Cookie {
  name: string;
  value: string;
  /** Lowercase, without a leading dot; the request host for host-only cookies; "" = any host. */
  domain: string;
  path: string;
  /** No Domain attribute: sent only to exactly `domain`. */
  hostOnly: boolean;
  secure: boolean;
  httpOnly: boolean;
  /** "Strict", "Lax" or "None" when the cookie said so (stored, not enforced). */
  sameSite?: string;
  /** Milliseconds since the epoch; undefined for a session cookie. */
  expires: number | undefined;
  /** Milliseconds since the epoch; strictly increasing within a jar, kept when a cookie is replaced. */
  creation: number;
}

/** What `set()` accepts besides the name and value. */
export interface CookieOptions {
  /** Without it (or ""), the cookie goes to every host, as in requests. */
  domain?: string;
  /** Defaults to "/". */
  path?: string;
  secure?: boolean;
  /** Milliseconds since the epoch (requests takes seconds); a time in the past deletes the cookie. */
  expires?: number;
}

/** Narrows a lookup to cookies of this domain and/or path (exact, as requests compares them). */
export interface CookieFilter {
  domain?: string;
  path?: string;
}

/** Cookies per jar, and per domain ("any host" cookies have no per-domain limit). */
const MAX_COOKIES = 3000;
const MAX_COOKIES_PER_DOMAIN = 50;

/** The Set-Cookie reader: loaded with the first response that has a Set-Cookie field. */
export const setCookieCode = lazy(() => import("./set-cookie.js"), "Set-Cookie");

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** An IP-address host as URL writes it: "[v6]" or dotted-decimal IPv4. */
export function isIpAddress(host: string): boolean {
  if (host.startsWith("[")) return true;
  let dots = 0;
  let digits = 0;
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0) return false;
      dots++;
      digits = 0;
    } else if (isDigit(c) && digits < 3) digits++;
    else return false;
  }
  return dots === 3 && digits > 0;
}

/** The second rule of §5.1.3 domain-match: `host` is a name under `domain`. */
function isSubdomain(host: string, domain: string): boolean {
  return (
    domain !== "" &&
    host.length > domain.length &&
    host.endsWith(domain) &&
    host.charCodeAt(host.length - domain.length - 1) === 0x2e &&
    !isIpAddress(host)
  );
}

/** §5.1.3 domain-match. */
export function domainMatch(host: string, domain: string): boolean {
  return host === domain || isSubdomain(host, domain);
}

/** §5.1.4 path-match. */
export function pathMatch(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath.charCodeAt(cookiePath.length) === 0x2f;
}

/** §5.1.4 default-path of a request path. */
export function defaultPath(uriPath: string): string {
  if (!uriPath.startsWith("/")) return "/";
  const last = uriPath.lastIndexOf("/");
  return last === 0 ? "/" : uriPath.slice(0, last);
}

export function requestPath(url: URL): string {
  return url.pathname.startsWith("/") ? url.pathname : "/";
}

export function isSecureScheme(protocol: string): boolean {
  return protocol === "https:" || protocol === "wss:";
}

/** A domain given to the API: lowercase, without one leading dot. */
export function normalizeDomain(domain: string): string {
  return (domain.startsWith(".") ? domain.slice(1) : domain).toLowerCase();
}

/** Map key of a cookie's identity (domain, path, name), unambiguous whatever they hold. */
function keyOf(domain: string, path: string, name: string): string {
  return `${domain.length}:${domain}${path.length}:${path}${name}`;
}

export function checkNow(now: number): number {
  if (typeof now !== "number" || !Number.isFinite(now)) throw new TypeError(`now must be a finite number, got ${now}`);
  return now;
}

function isExpired(cookie: Cookie, now: number): boolean {
  return cookie.expires !== undefined && cookie.expires <= now;
}

/**
 * A cookie jar with the surface of requests' RequestsCookieJar: a dict of names to values that
 * also knows domains and paths, fills the Cookie header of a request (`cookieHeader`) and takes
 * the Set-Cookie fields of a response (`extract`).
 */
export class RequestsCookieJar implements Iterable<Cookie> {
  /** Every cookie by identity, in creation order. */
  #cookies = new Map<string, Cookie>();
  /** The same cookies grouped by domain, each group in creation order. */
  #domains = new Map<string, Map<string, Cookie>>();
  #lastCreation = Number.NEGATIVE_INFINITY;
  /** No stored cookie expires before this (a lower bound): spares scans for expired cookies. */
  #earliestExpiry = Number.POSITIVE_INFINITY;
  /** How many Secure cookies each name has: spares the RFC 6265bis shadowing scan for most names. */
  #secureNames = new Map<string, number>();

  /**
   * Sets a cookie, replacing one with the same name, domain and path. Without a domain it goes to
   * every host (requests' behaviour); with one, to that domain and its subdomains. A `null` value
   * deletes the cookies of that name (narrowed by domain and path when given), as requests does.
   */
  set(name: string, value: string | null, options: CookieOptions = {}): void {
    if (value === null) {
      this.delete(name, options);
      return;
    }
    this._store(
      {
        name,
        value,
        domain: normalizeDomain(options.domain ?? ""),
        path: options.path || "/",
        hostOnly: false,
        secure: options.secure ?? false,
        httpOnly: false,
        expires: options.expires,
      },
      Date.now(),
    );
  }

  /**
   * Stores a copy of a cookie (requests' set_cookie), replacing one with the same name, domain and
   * path. Its creation time is the jar's (any `creation` given is ignored): the replaced cookie's,
   * or a new one. An expired cookie deletes the stored one.
   */
  setCookie(cookie: Readonly<Omit<Cookie, "creation">> & { readonly creation?: number }): void {
    const domain = normalizeDomain(cookie.domain);
    const stored: Omit<Cookie, "creation"> = {
      name: cookie.name,
      value: cookie.value,
      domain,
      path: cookie.path || "/",
      hostOnly: domain === "" ? false : cookie.hostOnly,
      secure: cookie.secure,
      httpOnly: cookie.httpOnly,
      expires: cookie.expires,
    };
    if (cookie.sameSite !== undefined) stored.sameSite = cookie.sameSite;
    this._store(stored, Date.now());
  }

  /**
   * The value of the cookie with this name (narrowed by domain and path when given), or undefined.
   * @throws CookieConflictError when several cookies match.
   */
  get(name: string, options: CookieFilter = {}): string | undefined {
    let found: Cookie | undefined;
    for (const c of this.#matching(name, options)) {
      if (found !== undefined) {
        throw new CookieConflictError(`There are multiple cookies with name, ${JSON.stringify(name)}`);
      }
      found = c;
    }
    return found?.value;
  }

  /** Deletes every cookie with this name (narrowed by domain and path when given); true if one was. */
  delete(name: string, options: CookieFilter = {}): boolean {
    let deleted = false;
    for (const c of [...this.#matching(name, options)]) {
      this.#remove(keyOf(c.domain, c.path, c.name), c);
      deleted = true;
    }
    return deleted;
  }

  /** Deletes the cookies of a domain, a domain and path, or one cookie; with no arguments, all of them. */
  clear(domain?: string, path?: string, name?: string): void {
    if (domain === undefined && path === undefined && name === undefined) {
      this.#cookies.clear();
      this.#domains.clear();
      this.#secureNames.clear();
      this.#earliestExpiry = Number.POSITIVE_INFINITY;
      return;
    }
    const d = domain === undefined ? undefined : normalizeDomain(domain);
    for (const [key, c] of this.#cookies) {
      if ((d === undefined || c.domain === d) && (path === undefined || c.path === path)) {
        if (name === undefined || c.name === name) this.#remove(key, c);
      }
    }
  }

  /** Deletes the cookies expired at `now` (requests' clear_expired_cookies). */
  clearExpired(now: number = Date.now()): void {
    this.#removeExpired(checkNow(now));
  }

  /** The number of stored cookies (expired ones count until they are removed). */
  get size(): number {
    return this.#cookies.size;
  }

  /** The names of all cookies, in creation order (a name may repeat across domains and paths). */
  keys(): string[] {
    return Array.from(this.#cookies.values(), (c) => c.name);
  }

  values(): string[] {
    return Array.from(this.#cookies.values(), (c) => c.value);
  }

  items(): Array<[string, string]> {
    return Array.from(this.#cookies.values(), (c): [string, string] => [c.name, c.value]);
  }

  /** Names to values (requests' get_dict), narrowed by domain and path when given; a later cookie wins a name. */
  toObject(options: CookieFilter = {}): Record<string, string> {
    const d = options.domain === undefined ? undefined : normalizeDomain(options.domain);
    const pairs = new Map<string, string>();
    for (const c of this.#cookies.values()) {
      if ((d === undefined || c.domain === d) && (options.path === undefined || c.path === options.path)) {
        pairs.set(c.name, c.value);
      }
    }
    // fromEntries defines properties, so a cookie named "__proto__" stays a plain entry
    return Object.fromEntries(pairs);
  }

  /** The cookies (frozen snapshots), in creation order. */
  [Symbol.iterator](): Iterator<Cookie> {
    return this.#cookies.values();
  }

  /** Adds the cookies of another jar (as they are) or of a dict (as `set(name, value)`). */
  update(other: RequestsCookieJar | Record<string, string>): void {
    // a jar is iterable (also one from another copy of this module); a dict is not
    if (
      other instanceof RequestsCookieJar ||
      typeof (other as Partial<Iterable<Cookie>>)[Symbol.iterator] === "function"
    ) {
      for (const c of [...(other as Iterable<Cookie>)]) this.setCookie(c);
      return;
    }
    for (const [name, value] of Object.entries(other)) this.set(name, value);
  }

  copy(): RequestsCookieJar {
    const jar = new RequestsCookieJar();
    for (const [key, c] of this.#cookies) jar.#insert(key, c);
    jar.#lastCreation = this.#lastCreation;
    return jar;
  }

  /**
   * The Cookie header value for a request to `url` (RFC 6265 §5.4), or undefined when no cookie
   * applies: domain-matching cookies (host-only ones for exactly their host, "any host" ones for
   * all), path-matching, Secure ones only for https and wss; expired cookies are removed on the
   * way. Longer paths come first, then earlier creation.
   */
  cookieHeader(url: URLLike, now: number = Date.now()): string | undefined {
    checkNow(now);
    const host = url.hostname.toLowerCase();
    const secure = isSecureScheme(url.protocol);
    const path = requestPath(url);
    const found: Cookie[] = [];
    for (const [domain, group] of this.#domains) {
      if (domain !== "" && !domainMatch(host, domain)) continue;
      for (const [key, c] of group) {
        if (isExpired(c, now)) this.#remove(key, c);
        else if ((!c.hostOnly || c.domain === host) && (secure || !c.secure) && pathMatch(path, c.path)) {
          found.push(c);
        }
      }
    }
    if (found.length === 0) return undefined;
    found.sort((a, b) => b.path.length - a.path.length || a.creation - b.creation);
    return found.map((c) => (c.name === "" ? c.value : `${c.name}=${c.value}`)).join("; ");
  }

  /**
   * Stores the cookies of the Set-Cookie field values of a response from `url` (RFC 6265 §5.2,
   * §5.3 and RFC 6265bis's rules on Secure cookies and name prefixes). A line that is invalid,
   * too long, or not allowed for `url` is ignored; an expired cookie deletes the stored one.
   * A Domain attribute that is a public suffix (com, co.uk, github.io: any rule of the Public Suffix
   * List) is refused unless it is the host itself, whose cookie it then is alone (RFC 6265 §5.3).
   * Asynchronous: the Set-Cookie reader loads on first use, and the public suffix list with the
   * first line that has a Domain attribute (once loaded, the cookies are stored before this returns).
   */
  extract(url: URLLike, setCookies: readonly string[], now: number = Date.now()): Promise<void> {
    try {
      checkNow(now);
    } catch (err) {
      return Promise.reject(err);
    }
    return Promise.resolve(setCookieCode.use((m) => m.extractWhenReady(this, url, setCookies, now)));
  }

  /**
   * `extract` at once: the Set-Cookie reader must be loaded, and the public suffix list if a line has
   * a Domain attribute (a Response with Set-Cookie fields is handed out only after they are). @internal
   */
  _extract(url: URL, setCookies: readonly string[]): void {
    const m = setCookieCode.loaded;
    if (m === undefined) {
      throw new RequestException("reqwire's Set-Cookie reader is not loaded: await jar.extract() instead");
    }
    m.extractCookies(this, url, setCookies, Date.now());
  }

  /** A stored Secure cookie that a non-secure cookie (name, domain, path) would overwrite or shadow. @internal */
  _shadowsSecure(name: string, domain: string, path: string): boolean {
    if (!this.#secureNames.has(name)) return false;
    for (const c of this.#cookies.values()) {
      if (!c.secure || c.name !== name) continue;
      const overlap = c.domain === "" || domainMatch(c.domain, domain) || domainMatch(domain, c.domain);
      if (overlap && pathMatch(path, c.path)) return true;
    }
    return false;
  }

  /** Cookies named `name` that pass the filter. */
  *#matching(name: string, options: CookieFilter): Generator<Cookie> {
    const d = options.domain === undefined ? undefined : normalizeDomain(options.domain);
    for (const c of this.#cookies.values()) {
      if (c.name !== name) continue;
      if ((d === undefined || c.domain === d) && (options.path === undefined || c.path === options.path)) yield c;
    }
  }

  /** Stores (or, when expired, deletes) a cookie; a replaced cookie keeps its creation time and place. @internal */
  _store(fields: Omit<Cookie, "creation">, now: number): void {
    const key = keyOf(fields.domain, fields.path, fields.name);
    const old = this.#cookies.get(key);
    if (fields.expires !== undefined && fields.expires <= now) {
      if (old !== undefined) this.#remove(key, old);
      return;
    }
    // built property by property: one object shape for every cookie, no sameSite key unless set
    const cookie: Cookie = {
      name: fields.name,
      value: fields.value,
      domain: fields.domain,
      path: fields.path,
      hostOnly: fields.hostOnly,
      secure: fields.secure,
      httpOnly: fields.httpOnly,
      expires: fields.expires,
      creation: old === undefined ? this.#nextCreation(now) : old.creation,
    };
    if (fields.sameSite !== undefined) cookie.sameSite = fields.sameSite;
    this.#insert(key, Object.freeze(cookie));
    if (old === undefined) this.#evict(cookie.domain, now);
  }

  #insert(key: string, cookie: Cookie): void {
    const old = this.#cookies.get(key);
    if (old?.secure) this.#countSecure(old.name, -1);
    if (cookie.secure) this.#countSecure(cookie.name, 1);
    if (cookie.expires !== undefined && cookie.expires < this.#earliestExpiry) this.#earliestExpiry = cookie.expires;
    this.#cookies.set(key, cookie);
    let group = this.#domains.get(cookie.domain);
    if (group === undefined) {
      group = new Map();
      this.#domains.set(cookie.domain, group);
    }
    group.set(key, cookie);
  }

  #remove(key: string, cookie: Cookie): void {
    if (!this.#cookies.delete(key)) return;
    if (cookie.secure) this.#countSecure(cookie.name, -1);
    const group = this.#domains.get(cookie.domain);
    if (group === undefined) return;
    group.delete(key);
    if (group.size === 0) this.#domains.delete(cookie.domain);
  }

  #countSecure(name: string, delta: number): void {
    const n = (this.#secureNames.get(name) ?? 0) + delta;
    if (n > 0) this.#secureNames.set(name, n);
    else this.#secureNames.delete(name);
  }

  /** Removes every expired cookie, in one pass, unless none can be expired yet. */
  #removeExpired(now: number): void {
    if (now < this.#earliestExpiry) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const [key, c] of this.#cookies) {
      if (c.expires === undefined) continue;
      if (c.expires <= now) this.#remove(key, c);
      else if (c.expires < earliest) earliest = c.expires;
    }
    this.#earliestExpiry = earliest;
  }

  /** Creation times strictly increase within the jar, even within one millisecond. */
  #nextCreation(now: number): number {
    this.#lastCreation = now > this.#lastCreation ? now : this.#lastCreation + 1;
    return this.#lastCreation;
  }

  /** Keeps the limits after a cookie was added to `domain`: expired cookies go first, then the oldest. */
  #evict(domain: string, now: number): void {
    const group = this.#domains.get(domain);
    if (domain !== "" && group !== undefined && group.size > MAX_COOKIES_PER_DOMAIN) {
      this.#removeExpired(now);
      for (const [key, c] of group) {
        if (group.size <= MAX_COOKIES_PER_DOMAIN) break;
        this.#remove(key, c);
      }
    }
    if (this.#cookies.size > MAX_COOKIES) {
      this.#removeExpired(now);
      for (const [key, c] of this.#cookies) {
        if (this.#cookies.size <= MAX_COOKIES) break;
        this.#remove(key, c);
      }
    }
  }
}

/**
 * A jar holding the cookies of a dict, as "any host" cookies (requests' cookiejar_from_dict);
 * added to `jar` when given. With `overwrite` false, names the jar already has are left alone.
 */
export function cookiejarFromDict(
  d: Record<string, string>,
  jar: RequestsCookieJar = new RequestsCookieJar(),
  overwrite = true,
): RequestsCookieJar {
  const present = overwrite ? undefined : new Set(jar.keys());
  for (const [name, value] of Object.entries(d)) {
    if (present?.has(name)) continue;
    jar.set(name, value);
  }
  return jar;
}
