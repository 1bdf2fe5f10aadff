// Reading Set-Cookie fields into a jar (RFC 6265 §5.2 parsing, §5.3 on what a response may
// set, RFC 6265bis on Secure cookies and the __Secure- / __Host- name prefixes). Loaded with the
// first response that has a Set-Cookie field (cookies.ts, setCookieCode): most programs never
// receive one. Everything here is linear in its input and bounded. A Domain attribute is judged
// against the Public Suffix List (public-suffix.ts), which loads with the first line that has one.
import { RequestException } from "../../errors.js";
import type { HeaderFields } from "../../http/connection.js";
import { lazy } from "../../lazy.js";
import {
  type Cookie,
  defaultPath,
  domainMatch,
  isDigit,
  isIpAddress,
  isSecureScheme,
  normalizeDomain,
  type RequestsCookieJar,
  requestPath,
} from "./jar.js";

/** A Set-Cookie field value longer than this (in bytes) is ignored. */
const MAX_LINE_BYTES = 8192;
/** A cookie whose name and value together are longer than this (in bytes) is ignored. */
const MAX_NAME_VALUE_BYTES = 4096;
/** An attribute whose value is longer than this (in bytes) is ignored (RFC 6265bis). */
const MAX_ATTRIBUTE_VALUE_BYTES = 1024;

/** The latest time a Date can hold: far-away expiry times are clamped to it. */
const MAX_TIME = 8.64e15;

/** The public suffix list (public-suffix.ts and its table): loaded with the first Set-Cookie line that has a Domain attribute. */
export const publicSuffixCode = lazy(() => import("./public-suffix.js"), "public suffix list");

/**
 * A Domain attribute, as parseSetCookie reads one: after a `;`, the name in any letter case
 * between WSP, then `=`. A Set-Cookie line without one never needs the public suffix list.
 */
const DOMAIN_ATTRIBUTE = /;[\t ]*domain[\t ]*=/i;

function hasDomain(line: unknown): boolean {
  return typeof line === "string" && DOMAIN_ATTRIBUTE.test(line);
}

/**
 * For the receiving side (receive.ts), on a response with Set-Cookie fields: the load its cookies
 * wait for (the public suffix list, when a line has a Domain attribute and the list is not in
 * yet), or undefined when they can be read at once.
 */
export function loading(fields: HeaderFields): Promise<unknown> | undefined {
  if (publicSuffixCode.loaded !== undefined) return undefined;
  const text = fields.get("set-cookie");
  return text !== undefined && DOMAIN_ATTRIBUTE.test(text) ? publicSuffixCode() : undefined;
}

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

/** extractCookies once the public suffix list is in, when a line needs it (RequestsCookieJar.extract). */
export function extractWhenReady(
  jar: RequestsCookieJar,
  url: URL,
  setCookies: readonly string[],
  now: number,
): void | Promise<void> {
  if (publicSuffixCode.loaded === undefined && setCookies.some(hasDomain)) {
    return publicSuffixCode().then(() => extractCookies(jar, url, setCookies, now));
  }
  extractCookies(jar, url, setCookies, now);
}

/**
 * Stores the cookies of Set-Cookie field values of a response from `url` in `jar`. The public
 * suffix list must be in if a line has a Domain attribute (receive.ts waits for it, see `loading`).
 */
export function extractCookies(jar: RequestsCookieJar, url: URL, setCookies: readonly string[], now: number): void {
  const host = url.hostname.toLowerCase();
  // no host (file: …): there is no domain to keep the cookie for
  if (host === "") return;
  if (publicSuffixCode.loaded === undefined && setCookies.some(hasDomain)) {
    throw new RequestException("reqwire's public suffix list is not loaded: await jar.extract() instead");
  }
  const secureScheme = isSecureScheme(url.protocol);
  const uriPath = requestPath(url);
  for (const line of setCookies) {
    if (typeof line !== "string") continue;
    try {
      const parsed = parseSetCookie(line, uriPath, now);
      if (parsed !== undefined) receive(jar, parsed, host, secureScheme, uriPath, now);
    } catch {
      // a line is never worth failing a response for
    }
  }
}

/** §5.3 storage model for one parsed Set-Cookie line. */
function receive(
  jar: RequestsCookieJar,
  p: ParsedSetCookie,
  host: string,
  secureScheme: boolean,
  uriPath: string,
  now: number,
): void {
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
      } else if (publicSuffixCode.loaded?.isPublicSuffix(d) !== false) {
        // §5.3 step 5: a public suffix (by the list; extractCookies saw to it that it is in) is
        // allowed only as the request host, as a host-only cookie
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
  if (!p.secure && !secureScheme && jar._shadowsSecure(p.name, domain, path)) return;
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
  jar._store(cookie, now);
}
