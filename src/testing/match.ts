// Which requests a mock answers: its method, its URL (exact with a query subset, a prefix, a
// RegExp, or any), and the optional matchers on headers, query, body and a function of the request.
import type { MockRequest } from "./request.js";

/** Matches any method (as a method) or any URL (as a URL). */
export const ANY = "ANY";

/**
 * Which URLs a mock answers:
 * - an absolute URL (`"https://api.test/users?active=1"`): the same scheme, host, port and path,
 *   and a query holding at least the given parameters (in any order; see `complete_qs`);
 * - a path (`"/users"`): that path on any host;
 * - a RegExp, tested against the request's full URL (`/\/users\/\d+$/`);
 * - `ANY` (`"ANY"`): every URL.
 */
export type UrlPattern = string | RegExp;

/** What a request must also satisfy for a mock to answer it. */
export interface MatchOptions {
  /**
   * The URL string is a prefix: the request's path starts with its path (as a string, like
   * requests' `Session.mount` prefixes: `"http://api.test/v1"` matches `/v1`, `/v1/users` and
   * `/v1beta`; end it with `/` to match below a directory only).
   * @default false
   */
  prefix?: boolean;
  /**
   * The request's query must hold exactly the parameters of the URL and `query`, none more
   * (requests-mock's `complete_qs`); by default extra parameters are allowed.
   * @default false
   */
  complete_qs?: boolean;
  /**
   * Query parameters the request must carry, beside those in the URL; an array value needs each of
   * its values. Compared decoded (`{ q: "a b" }` matches `?q=a+b` and `?q=a%20b`).
   */
  query?: Readonly<Record<string, string | readonly string[]>>;
  /** Header fields the request must carry with exactly these values (names in any case; others may come too). */
  headers?: Readonly<Record<string, string>>;
  /** The request body parsed as JSON must deeply equal this (key order aside). */
  json?: unknown;
  /** The request body decoded as UTF-8 must equal this. */
  text?: string;
  /**
   * How many requests the mock answers; then it is exhausted and matches nothing (other mocks, or
   * NoMockAddress, take its requests).
   * @default Infinity
   */
  times?: number;
  /** Any other condition (requests-mock's `additional_matcher`): the mock answers only when it returns true. */
  match?: (request: MockRequest) => boolean;
}

/** Whether a request matches; built once per mock. */
export type Matcher = (request: MockRequest) => boolean;

type Pairs = Array<[string, string]>;

function queryPairs(search: string, extra: MatchOptions["query"]): Pairs {
  const pairs: Pairs = [...new URLSearchParams(search)];
  if (extra !== undefined) {
    for (const [name, value] of Object.entries(extra)) {
      if (Array.isArray(value)) for (const v of value) pairs.push([name, String(v)]);
      else pairs.push([name, String(value)]);
    }
  }
  return pairs;
}

/** Whether every pair of `want` is in `have` (as many times), and with `complete`, nothing more. */
function queryMatches(want: Pairs, have: MockRequest["qs"], complete: boolean): boolean {
  const left = new Map<string, string[]>();
  for (const [name, values] of Object.entries(have)) left.set(name, [...values]);
  for (const [name, value] of want) {
    const values = left.get(name);
    const i = values === undefined ? -1 : values.indexOf(value);
    if (i < 0) return false;
    (values as string[]).splice(i, 1);
  }
  if (complete) for (const values of left.values()) if (values.length > 0) return false;
  return true;
}

/** Deep equality of JSON values (objects by keys in any order). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    return a.length === bs.length && a.every((v, i) => jsonEqual(v, bs[i]));
  }
  const ak = Object.keys(a);
  const bo = b as Record<string, unknown>;
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => Object.hasOwn(bo, k) && jsonEqual((a as Record<string, unknown>)[k], bo[k]));
}

/** How a URL pattern reads a request's URL. @throws TypeError for a string that is no URL, path or ANY */
function urlMatcher(url: UrlPattern, options: MatchOptions): Matcher {
  const complete = options.complete_qs === true;
  if (url instanceof RegExp) {
    const re = url;
    const want = queryPairs("", options.query);
    return (r) => {
      re.lastIndex = 0; // a /g or /y RegExp keeps state between tests
      return re.test(r.url) && queryMatches(want, r.qs, complete);
    };
  }
  if (typeof url !== "string")
    throw new TypeError(`reqwire/testing: a mock URL must be a string or a RegExp, got ${url}`);
  const prefix = options.prefix === true;
  if (url === ANY) {
    const want = queryPairs("", options.query);
    return (r) => queryMatches(want, r.qs, complete);
  }
  let origin: string | undefined;
  let path: string;
  let search: string;
  if (url.startsWith("/")) {
    const parsed = new URL(url, "http://path.invalid");
    path = parsed.pathname;
    search = parsed.search;
  } else {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new TypeError(
        `reqwire/testing: a mock URL must be absolute ("http://host/path"), a path ("/path"), ANY or a RegExp, got ${JSON.stringify(url)}`,
      );
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new TypeError(`reqwire/testing: a mock URL must be http or https, got ${JSON.stringify(url)}`);
    }
    origin = parsed.origin;
    path = parsed.pathname;
    search = parsed.search;
  }
  const want = queryPairs(search, options.query);
  return (r) => {
    if (origin !== undefined && !r.url.startsWith(origin)) return false;
    if (origin !== undefined && r.url.length > origin.length && r.url[origin.length] !== "/") return false;
    if (prefix ? !r.path.startsWith(path) : r.path !== path) return false;
    return queryMatches(want, r.qs, complete);
  };
}

/**
 * The matcher of a mock: method (`ANY` for any), URL and the options' conditions, cheapest first.
 * @throws TypeError for a URL or option that can never be used
 */
export function compileMatcher(method: string, url: UrlPattern, options: MatchOptions): Matcher {
  const byUrl = urlMatcher(url, options);
  const checks: Matcher[] = [];
  if (method !== ANY) {
    const m = method.toUpperCase();
    checks.push((r) => r.method.toUpperCase() === m);
  }
  checks.push(byUrl);
  const headers = options.headers;
  if (headers !== undefined) {
    const wanted = Object.entries(headers);
    for (const [name, value] of wanted) {
      if (typeof value !== "string") throw new TypeError(`reqwire/testing: header ${name} to match must be a string`);
    }
    checks.push((r) => wanted.every(([name, value]) => r.headers.get(name) === value));
  }
  if (options.text !== undefined) {
    const text = options.text;
    checks.push((r) => r.text === text);
  }
  if (options.json !== undefined) {
    const serialized = JSON.stringify(options.json);
    if (serialized === undefined) throw new TypeError("reqwire/testing: json to match cannot be serialized");
    // what the request body must parse to: undefined members dropped, as JSON would send them
    const want: unknown = JSON.parse(serialized);
    checks.push((r) => {
      let got: unknown;
      try {
        got = r.json();
      } catch {
        return false;
      }
      return jsonEqual(got, want);
    });
  }
  if (options.match !== undefined) {
    if (typeof options.match !== "function") throw new TypeError("reqwire/testing: match must be a function");
    checks.push(options.match);
  }
  return (r) => checks.every((check) => check(r));
}
