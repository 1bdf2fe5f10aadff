// What one call of a session (a request and what follows from it: redirects, retries, a Digest
// answer) works with: the jar its responses fill and its redirects read, the request's own
// cookies bound to its first host, and the origin its credentials were given for.
import { cookiejarFromDict, RequestsCookieJar } from "../cookies/jar.js";
import type { RequestOptions } from "../options.js";
import type { PreparedRequest } from "../request.js";
import type { Response } from "../response.js";
import type { Session } from "../session.js";
import type { Settings } from "../settings.js";

/** What a call (call.ts) needs of its session's private parts. */
export interface SessionOps {
  exchange(prepared: PreparedRequest, settings: Settings, options: RequestOptions): Promise<Response>;
  netrcReady(): Promise<unknown> | undefined;
  netrc(url: URL): [string, string] | undefined;
}

/**
 * What one call of a session starts with: its session, the jar its responses fill and its
 * redirects read, the request's own cookies, and the URL whose origin its credentials were given
 * for. A Session's calls share the session's jar; the module functions' calls (`requests.get` …)
 * each get a jar of their own, which ends with the call, as requests runs each in a throwaway
 * Session.
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

/** Per-request cookies, as given: sent with this request (and its redirects) and never kept. */
export function requestCookies(options: RequestOptions): RequestsCookieJar | undefined {
  const c = options.cookies;
  if (c === undefined || c === null) return undefined;
  return c instanceof RequestsCookieJar ? c : cookiejarFromDict(c);
}

/**
 * Per-request cookies bound to the request's host: those given without a domain become host-only
 * cookies of `host`, so a redirect to another host never carries them (cookies given with a
 * domain keep it).
 */
export function boundTo(jar: RequestsCookieJar, host: string): RequestsCookieJar {
  const bound = new RequestsCookieJar();
  for (const c of jar) bound.setCookie(c.domain === "" ? { ...c, domain: host, hostOnly: true } : c);
  return bound;
}
