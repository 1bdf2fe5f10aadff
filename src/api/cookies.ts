// A cookie jar as RFC 6265 describes it (parsing §5.2, storage §5.3, the Cookie header §5.4),
// with RFC 6265bis's rules on Secure cookies (not set nor shadowed from plain http) and on the
// __Secure- / __Host- name prefixes, behind the dict-like surface of requests' RequestsCookieJar.
//
// Cookies set through the API without a domain are "any host" cookies (domain ""), as in
// requests: they go to every host. Everything here is linear in its input and bounded: long
// Set-Cookie lines, names and values are ignored, and the jar keeps at most MAX_COOKIES cookies
// and MAX_COOKIES_PER_DOMAIN per domain. Runtime-neutral: strings and URL only.

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

/** Several cookies match a `get()`: give a domain and/or a path (requests.cookies.CookieConflictError). */
export class CookieConflictError extends Error {
  constructor(message: string) {
    super(message);
    // set here rather than read from the class, which a bundler may rename
    this.name = "CookieConflictError";
  }
}

/** A Set-Cookie field value longer than this (in bytes) is ignored. */
const MAX_LINE_BYTES = 8192;
/** A cookie whose name and value together are longer than this (in bytes) is ignored. */
const MAX_NAME_VALUE_BYTES = 4096;
/** An attribute whose value is longer than this (in bytes) is ignored (RFC 6265bis). */
const MAX_ATTRIBUTE_VALUE_BYTES = 1024;
/** Cookies per jar, and per domain ("any host" cookies have no per-domain limit). */
const MAX_COOKIES = 3000;
const MAX_COOKIES_PER_DOMAIN = 50;
/** The latest time a Date can hold: far-away expiry times are clamped to it. */
const MAX_TIME = 8.64e15;

// Second-level labels under which a two-letter country code hands out names (co.uk, com.au…):
// with no public suffix list, a Domain of that shape is treated as a public suffix.
const COUNTRY_SECOND_LEVELS = new Set([
  "ac",
  "co",
  "com",
  "edu",
  "go",
  "gob",
  "gov",
  "ltd",
  "mil",
  "ne",
  "net",
  "nom",
  "or",
  "org",
  "plc",
  "sch",
]);

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** Length in bytes as sent: one per character up to U+00FF (headers are latin1), else UTF-8. Stops past `limit`. */
function byteLength(s: string, limit: number): number {
  if (s.length > limit) return s.length;
  let n = 0;
  for (let i = 0; i < s.length && n <= limit; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0xff) n += 1;
    else if (c <= 0x7ff) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** Control characters other than HTAB (RFC 6265bis ignores a cookie holding any). */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

/** Strips leading and trailing WSP (space and HTAB), as §5.2 does. */
function trimWsp(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && (s.charCodeAt(start) === 0x20 || s.charCodeAt(start) === 0x09)) start++;
  while (end > start && (s.charCodeAt(end - 1) === 0x20 || s.charCodeAt(end - 1) === 0x09)) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** §5.1.1 delimiter: %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E. */
function isDateDelimiter(c: number): boolean {
  return (
    c === 0x09 ||
    (c >= 0x20 && c <= 0x2f) ||
    (c >= 0x3b && c <= 0x40) ||
    (c >= 0x5b && c <= 0x60) ||
    (c >= 0x7b && c <= 0x7e)
  );
}

/** End of a run of `min`..`max` digits starting at `start`, or -1. */
function digitRun(s: string, start: number, min: number, max: number): number {
  let i = start;
  while (i < s.length && i - start < max && isDigit(s.charCodeAt(i))) i++;
  return i - start >= min ? i : -1;
}

/** `end` closes a number: the token ends there or goes on with a non-digit (§5.1.1 "non-digit *OCTET"). */
function endsNumber(s: string, end: number): boolean {
  return end === s.length || !isDigit(s.charCodeAt(end));
}

/** The §5.1.1 cookie-date algorithm (lenient: any order, any delimiters); ms since the epoch, or undefined. */
export function parseCookieDate(text: string): number | undefined {
  let time: [number, number, number] | undefined;
  let day: number | undefined;
  let month: number | undefined;
  let year: number | undefined;
  let i = 0;
  // once all four are found, the remaining tokens change nothing
  while (i < text.length && (time === undefined || day === undefined || month === undefined || year === undefined)) {
    while (i < text.length && isDateDelimiter(text.charCodeAt(i))) i++;
    const start = i;
    while (i < text.length && !isDateDelimiter(text.charCodeAt(i))) i++;
    if (i === start) break;
    const token = text.slice(start, i);
    if (time === undefined) {
      const h = digitRun(token, 0, 1, 2);
      const m = h > 0 && token.charCodeAt(h) === 0x3a ? digitRun(token, h + 1, 1, 2) : -1;
      const s = m > 0 && token.charCodeAt(m) === 0x3a ? digitRun(token, m + 1, 1, 2) : -1;
      if (s > 0 && endsNumber(token, s)) {
        time = [Number(token.slice(0, h)), Number(token.slice(h + 1, m)), Number(token.slice(m + 1, s))];
        continue;
      }
    }
    if (day === undefined) {
      const end = digitRun(token, 0, 1, 2);
      if (end > 0 && endsNumber(token, end)) {
        day = Number(token.slice(0, end));
        continue;
      }
    }
    if (month === undefined && token.length >= 3) {
      const index = MONTHS.indexOf(token.slice(0, 3).toLowerCase());
      if (index >= 0) {
        month = index;
        continue;
      }
    }
    if (year === undefined) {
      const end = digitRun(token, 0, 2, 4);
      if (end > 0 && endsNumber(token, end)) {
        year = Number(token.slice(0, end));
      }
    }
  }
  if (time === undefined || day === undefined || month === undefined || year === undefined) return undefined;
  if (year >= 70 && year <= 99) year += 1900;
  else if (year >= 0 && year <= 69) year += 2000;
  const [h, m, s] = time;
  if (day < 1 || day > 31 || year < 1601 || h > 23 || m > 59 || s > 59) return undefined;
  const ms = Date.UTC(year, month, day, h, m, s);
  // a day the month does not have (Feb 30) rolls over into the next month: no such date
  if (new Date(ms).getUTCDate() !== day) return undefined;
  return ms;
}

/** An IP-address host as URL writes it: "[v6]" or dotted-decimal IPv4. */
function isIpAddress(host: string): boolean {
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
function domainMatch(host: string, domain: string): boolean {
  return host === domain || isSubdomain(host, domain);
}

/** §5.1.4 path-match. */
function pathMatch(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath.charCodeAt(cookiePath.length) === 0x2f;
}

/** §5.1.4 default-path of a request path. */
function defaultPath(uriPath: string): string {
  if (!uriPath.startsWith("/")) return "/";
  const last = uriPath.lastIndexOf("/");
  return last === 0 ? "/" : uriPath.slice(0, last);
}

function requestPath(url: URL): string {
  return url.pathname.startsWith("/") ? url.pathname : "/";
}

function isSecureScheme(protocol: string): boolean {
  return protocol === "https:" || protocol === "wss:";
}

/** A public suffix as far as this jar can tell without a list: one label ("com"), or co.uk-like. */
function isPublicSuffix(domain: string): boolean {
  const dot = domain.indexOf(".");
  if (dot < 0) return true;
  const rest = domain.slice(dot + 1);
  return rest.length === 2 && rest.indexOf(".") < 0 && COUNTRY_SECOND_LEVELS.has(domain.slice(0, dot));
}

/** A domain given to the API: lowercase, without one leading dot. */
function normalizeDomain(domain: string): string {
  return (domain.startsWith(".") ? domain.slice(1) : domain).toLowerCase();
}

/** A Domain attribute value as a host name comparable with URL.hostname (IDN to punycode), or undefined. */
function canonicalDomain(raw: string): string | undefined {
  const domain = normalizeDomain(raw);
  let ascii = true;
  for (let i = 0; i < domain.length; i++) {
    const c = domain.charCodeAt(i);
    if (c < 0x80) continue;
    ascii = false;
    break;
  }
  if (ascii) return domain;
  // only letters, digits, dots and hyphens besides the non-ASCII ones, so that the URL parser
  // reads the whole value as a host
  for (let i = 0; i < domain.length; i++) {
    const c = domain.charCodeAt(i);
    if (c >= 0x80 || (c >= 0x61 && c <= 0x7a) || isDigit(c) || c === 0x2e || c === 0x2d) continue;
    return undefined;
  }
  try {
    return new URL(`http://${domain}/`).hostname;
  } catch {
    return undefined;
  }
}

/** Map key of a cookie's identity (domain, path, name), unambiguous whatever they hold. */
function keyOf(domain: string, path: string, name: string): string {
  return `${domain.length}:${domain}${path.length}:${path}${name}`;
}

function checkNow(now: number): number {
  if (typeof now !== "number" || !Number.isFinite(now)) throw new TypeError(`now must be a finite number, got ${now}`);
  return now;
}

function isExpired(cookie: Cookie, now: number): boolean {
  return cookie.expires !== undefined && cookie.expires <= now;
}

function sameSiteValue(value: string): string | undefined {
  switch (value.toLowerCase()) {
    case "strict":
      return "Strict";
    case "lax":
      return "Lax";
    case "none":
      return "None";
    default:
      return undefined;
  }
}

/** A Set-Cookie line after §5.2, before the storage model. */
interface ParsedSetCookie {
  name: string;
  value: string;
  /** Max-Age turned into a time (-Infinity when ≤ 0). */
  maxAge: number | undefined;
  expires: number | undefined;
  domain: string | undefined;
  path: string | undefined;
  secure: boolean;
  httpOnly: boolean;
  sameSite: string | undefined;
}

/** §5.2: a Set-Cookie field value, or undefined when it is to be ignored. */
function parseSetCookie(line: string, uriPath: string, now: number): ParsedSetCookie | undefined {
  if (byteLength(line, MAX_LINE_BYTES) > MAX_LINE_BYTES || hasControl(line)) return undefined;
  const semicolon = line.indexOf(";");
  const pair = semicolon < 0 ? line : line.slice(0, semicolon);
  const eq = pair.indexOf("=");
  if (eq < 0) return undefined;
  const name = trimWsp(pair.slice(0, eq));
  const value = trimWsp(pair.slice(eq + 1));
  if (
    name === "" ||
    byteLength(name, MAX_NAME_VALUE_BYTES) + byteLength(value, MAX_NAME_VALUE_BYTES) > MAX_NAME_VALUE_BYTES
  ) {
    return undefined;
  }
  const cookie: ParsedSetCookie = {
    name,
    value,
    maxAge: undefined,
    expires: undefined,
    domain: undefined,
    path: undefined,
    secure: false,
    httpOnly: false,
    sameSite: undefined,
  };
  let at = semicolon;
  while (at >= 0) {
    const next = line.indexOf(";", at + 1);
    const av = line.slice(at + 1, next < 0 ? line.length : next);
    at = next;
    const avEq = av.indexOf("=");
    const attr = trimWsp(avEq < 0 ? av : av.slice(0, avEq)).toLowerCase();
    const attrValue = avEq < 0 ? "" : trimWsp(av.slice(avEq + 1));
    if (attr === "" || byteLength(attrValue, MAX_ATTRIBUTE_VALUE_BYTES) > MAX_ATTRIBUTE_VALUE_BYTES) continue;
    switch (attr) {
      case "expires": {
        const t = parseCookieDate(attrValue);
        if (t !== undefined) cookie.expires = Math.min(t, MAX_TIME);
        break;
      }
      case "max-age": {
        // §5.2.2: a DIGIT or "-" first, DIGITs after (at least one digit in all)
        const first = attrValue.charCodeAt(0);
        if (!(isDigit(first) || first === 0x2d)) break;
        if (digitRun(attrValue, 1, first === 0x2d ? 1 : 0, attrValue.length) !== attrValue.length) break;
        const seconds = Number(attrValue);
        cookie.maxAge = seconds <= 0 ? Number.NEGATIVE_INFINITY : Math.min(now + seconds * 1000, MAX_TIME);
        break;
      }
      case "domain":
        // §5.2.3: an empty value is ignored; one leading dot is dropped
        if (attrValue !== "") cookie.domain = attrValue;
        break;
      case "path":
        cookie.path = attrValue.startsWith("/") ? attrValue : defaultPath(uriPath);
        break;
      case "secure":
        cookie.secure = true;
        break;
      case "httponly":
        cookie.httpOnly = true;
        break;
      case "samesite":
        cookie.sameSite = sameSiteValue(attrValue);
        break;
    }
  }
  return cookie;
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
    this.#store(
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
    this.#store(stored, Date.now());
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
  cookieHeader(url: URL, now: number = Date.now()): string | undefined {
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
   */
  extract(url: URL, setCookies: readonly string[], now: number = Date.now()): void {
    checkNow(now);
    const host = url.hostname.toLowerCase();
    // no host (file: …): there is no domain to keep the cookie for
    if (host === "") return;
    const secureScheme = isSecureScheme(url.protocol);
    const uriPath = requestPath(url);
    for (const line of setCookies) {
      if (typeof line !== "string") continue;
      try {
        const parsed = parseSetCookie(line, uriPath, now);
        if (parsed !== undefined) this.#receive(parsed, host, secureScheme, uriPath, now);
      } catch {
        // a line is never worth failing a response for
      }
    }
  }

  /** §5.3 storage model for one parsed Set-Cookie line. */
  #receive(p: ParsedSetCookie, host: string, secureScheme: boolean, uriPath: string, now: number): void {
    let domain = host;
    let hostOnly = true;
    if (p.domain !== undefined) {
      const d = canonicalDomain(p.domain);
      if (d === undefined) return;
      if (d !== "") {
        if (isIpAddress(host)) {
          // an address is only its own domain
          if (d !== host && `[${d}]` !== host) return;
          hostOnly = false;
        } else if (isPublicSuffix(d)) {
          // §5.3 step 5: a public suffix is allowed only as the request host, as a host-only cookie
          if (d !== host) return;
        } else {
          if (!domainMatch(host, d)) return;
          domain = d;
          hostOnly = false;
        }
      }
    }
    // RFC 6265bis: only a secure origin sets a Secure cookie
    if (p.secure && !secureScheme) return;
    const prefix = p.name.slice(0, 9).toLowerCase();
    if (prefix === "__secure-" && !p.secure) return;
    if (prefix.slice(0, 7) === "__host-" && !(p.secure && p.domain === undefined && p.path === "/")) return;
    const path = p.path ?? defaultPath(uriPath);
    // RFC 6265bis: plain http neither overwrites nor shadows a Secure cookie of the same name
    if (!p.secure && !secureScheme && this.#shadowsSecure(p.name, domain, path)) return;
    const cookie: Omit<Cookie, "creation"> = {
      name: p.name,
      value: p.value,
      domain,
      path,
      hostOnly,
      secure: p.secure,
      httpOnly: p.httpOnly,
      expires: p.maxAge ?? p.expires,
    };
    if (p.sameSite !== undefined) cookie.sameSite = p.sameSite;
    this.#store(cookie, now);
  }

  /** A stored Secure cookie that a non-secure cookie (name, domain, path) would overwrite or shadow. */
  #shadowsSecure(name: string, domain: string, path: string): boolean {
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

  /** Stores (or, when expired, deletes) a cookie; a replaced cookie keeps its creation time and place. */
  #store(fields: Omit<Cookie, "creation">, now: number): void {
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
