// Following redirects, as requests' SessionRedirectMixin does it: where the next request goes,
// with which method and body, and which credentials must not follow it there.

import { latin1 } from "../../core/latin1.js";
import { InvalidURL, UnrewindableBodyError } from "../../errors.js";
import { CaseInsensitiveDict } from "../headers.js";
import { declareEmptyBody, PreparedRequest, parseUrl } from "../request.js";
import type { Response } from "../response.js";

const DEFAULT_PORTS: Readonly<Record<string, string>> = { "http:": "80", "https:": "443" };

/**
 * The Location of a redirect as a URL string: the field's bytes taken as UTF-8 (servers send
 * UTF-8; a header string holds one character per byte), percent-encoding left to URL.
 */
function locationText(value: string): string {
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 0x7f) {
      const bytes = Uint8Array.from(value, (c) => c.charCodeAt(0) & 0xff);
      const decoded = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
      return decoded.includes("\ufffd") ? latin1(bytes) : decoded;
    }
  }
  return value;
}

/** The URL a redirect response points to, resolved against the URL it answered. */
export function redirectTarget(response: Response, previous: URL): URL {
  let location = locationText(response.headers.get("location") ?? "");
  // "//host/path" keeps the scheme of the request it answers
  if (location.startsWith("//")) location = `${previous.protocol}${location}`;
  let next: URL;
  try {
    next = new URL(location, previous);
  } catch (err) {
    throw new InvalidURL(`Invalid redirect Location ${JSON.stringify(location)}: ${(err as Error).message}`, {
      cause: err,
      response,
    });
  }
  // a Location without a fragment keeps the one of the request (RFC 9110 §10.2.2); never sent
  if (next.hash === "" && previous.hash !== "") next.hash = previous.hash;
  return parseUrl(next.href);
}

/** requests' rebuild_method: 303 and 302 become GET (HEAD stays), 301 turns POST into GET. */
export function redirectMethod(method: string, status: number): string {
  if ((status === 303 || status === 302) && method !== "HEAD") return "GET";
  if (status === 301 && method === "POST") return "GET";
  return method;
}

/**
 * Whether credentials for `from` must not be sent to `to` (requests' should_strip_auth): a
 * different host, scheme or port — except http ⇒ https on the default ports, which keeps them.
 */
export function leavesOrigin(from: URL, to: URL): boolean {
  if (from.hostname !== to.hostname) return true;
  const fromPort = from.port || DEFAULT_PORTS[from.protocol];
  const toPort = to.port || DEFAULT_PORTS[to.protocol];
  if (from.protocol === "http:" && fromPort === "80" && to.protocol === "https:" && toPort === "443") return false;
  return from.protocol !== to.protocol || fromPort !== toPort;
}

/**
 * The request that follows a redirect: the new URL and method, the body kept only by 307/308
 * (which need it replayable; a dropped body leaves `Content-Length: 0` as on any bodiless request), and Authorization, Cookie (an explicit one), Proxy-Authorization
 * and Host dropped when the redirect leaves the origin. Cookies from a jar are added by the caller.
 */
export function redirectRequest(previous: PreparedRequest, response: Response, to: URL): PreparedRequest {
  const from = previous._url;
  const status = response.status_code;
  const method = redirectMethod(previous.method, status);
  const headers = new CaseInsensitiveDict(previous._headers);
  let body = previous.body;
  let replayable = previous.replayable;
  if (status !== 307 && status !== 308) {
    headers.delete("content-length");
    headers.delete("content-type");
    headers.delete("transfer-encoding");
    body = null;
    replayable = true;
    // a method that keeps its name but loses its body (301 with PUT or PATCH) says it has none
    declareEmptyBody(method, headers);
  } else if (body !== null && !previous.replayable) {
    throw new UnrewindableBodyError(
      `cannot follow the ${status} redirect to ${to.href}: the request body was a stream and cannot be sent again`,
      { request: previous, response },
    );
  }
  const leaving = leavesOrigin(from, to);
  if (leaving) {
    headers.delete("authorization");
    headers.delete("proxy-authorization");
    headers.delete("host");
  }
  // the Cookie header is made again for the new URL; an explicit one stays only on the same origin
  const keepCookie = previous._explicitCookie && !leaving;
  if (!keepCookie) headers.delete("cookie");
  const next = new PreparedRequest(method, to.href, headers, body, replayable);
  next._setParsed(to);
  next._explicitCookie = keepCookie;
  return next;
}
