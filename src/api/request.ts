// Preparing a request, as requests.models.PreparedRequest: the URL with its params, the headers
// merged and validated, the body encoded, auth applied. Everything that can be wrong with a
// request is found here, before a connection is chosen or a byte is sent.

import {
  type ErrorRequest,
  InvalidHeader,
  InvalidJSONError,
  InvalidSchema,
  InvalidURL,
  MissingSchema,
  URLRequired,
} from "../errors.js";
import { writeHead } from "../http/head.js";
import { lazy } from "../lazy.js";
import type { URLLike } from "../platform-types.js";
import { acceptEncoding } from "../runtime/platform.js";
import type { FileSpec, PreparedBody } from "./body/encode.js";
import type { Params } from "./body/params.js";
import { CaseInsensitiveDict, type ProxiedDict } from "./headers.js";
import type { HeadersInit, RequestOptions } from "./options.js";

/** The package version, sent in User-Agent. */
export const VERSION = "0.1.0";

const METHOD_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A fully prepared request: what goes on the wire (and what an error's `request` is). */
export class PreparedRequest implements ErrorRequest {
  /** Upper-case method. */
  method: string;
  /** The full URL (with params, without the fragment sent). */
  url: string;
  #headers: CaseInsensitiveDict;
  /** The body: bytes, a stream, or null. */
  body: Uint8Array | AsyncIterable<Uint8Array> | null;
  /** Whether the body can be sent again (retries, redirects). */
  replayable: boolean;
  /** The Cookie header was given by the caller, not made from a jar. @internal */
  _explicitCookie = false;

  constructor(
    method: string,
    url: string,
    headers: CaseInsensitiveDict,
    body: Uint8Array | AsyncIterable<Uint8Array> | null,
    replayable: boolean,
  ) {
    this.method = method;
    this.url = url;
    this.#headers = headers;
    this.body = body;
    this.replayable = replayable;
  }

  #parsed: URL | undefined;
  #parsedFrom = "";

  /** The URL as parsed (scheme, host, port, path): a fresh object, yours to change. */
  get parsedUrl(): URLLike {
    return new URL(this._url.href);
  }

  /**
   * The parsed URL, parsed again only if `url` was changed; possibly shared with other requests,
   * so never to be modified.
   * @internal
   */
  get _url(): URL {
    if (this.#parsed === undefined || this.#parsedFrom !== this.url) {
      this.#parsed = new URL(this.url);
      this.#parsedFrom = this.url;
    }
    return this.#parsed;
  }

  /** Records the URL already parsed while preparing. @internal */
  _setParsed(url: URL): void {
    this.#parsed = url;
    this.#parsedFrom = this.url;
  }

  /** Request headers, in the order they are sent (bracket access works: `r.headers["X-A"] = "1"`). */
  get headers(): ProxiedDict {
    return CaseInsensitiveDict.view(this.#headers);
  }

  set headers(value: CaseInsensitiveDict) {
    this.#headers = value instanceof CaseInsensitiveDict ? value : new CaseInsensitiveDict(value);
  }

  /** The headers without the proxy (internal use). @internal */
  get _headers(): CaseInsensitiveDict {
    return this.#headers;
  }

  /** A copy (headers copied; the body shared). */
  copy(): PreparedRequest {
    const c = new PreparedRequest(
      this.method,
      this.url,
      new CaseInsensitiveDict(this.#headers),
      this.body,
      this.replayable,
    );
    c._explicitCookie = this._explicitCookie;
    return c;
  }

  toString(): string {
    return `<PreparedRequest [${this.method}]>`;
  }
}

/** A function that edits the prepared request (requests' AuthBase.__call__). */
export type AuthFunction = (request: PreparedRequest) => PreparedRequest | undefined;

/**
 * Recently parsed URLs by their text: a client tends to ask for the same URLs again. The URL
 * objects in it are shared and must never be modified (prepareRequest copies before changing).
 */
const urlCache = new Map<string, URL>();
const URL_CACHE_SIZE = 128;

/** parseUrl through the cache; the result must not be modified. */
function parseUrlShared(raw: string): URL {
  let url = urlCache.get(raw);
  if (url === undefined) {
    url = parseUrl(raw);
    if (urlCache.size >= URL_CACHE_SIZE) urlCache.delete(urlCache.keys().next().value as string);
    urlCache.set(raw, url);
  }
  return url;
}

/** Parses and checks a URL like requests' prepare_url. */
export function parseUrl(raw: string): URL {
  if (typeof raw !== "string") throw new URLRequired(`a URL string is required, got ${typeof raw}`);
  const text = raw.trim();
  if (text === "") throw new URLRequired("a URL is required");
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text);
  if (scheme === null) {
    throw new MissingSchema(`Invalid URL '${text}': No scheme supplied. Perhaps you meant https://${text}?`);
  }
  const s = (scheme[1] as string).toLowerCase();
  if (s !== "http" && s !== "https") {
    throw new InvalidSchema(`No connection adapters were found for '${text}'`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch (err) {
    throw new InvalidURL(`Invalid URL '${text}': ${(err as Error).message}`, { cause: err });
  }
  if (url.hostname === "") throw new InvalidURL(`Invalid URL '${text}': No host supplied`);
  if (text.includes("%")) unquoteUnreserved(url);
  return url;
}

/** A percent-escape of an unreserved character (RFC 3986 §2.3: letters, digits, - . _ ~). */
const UNRESERVED_ESCAPE = /%(2[DEde]|3[0-9]|[46][1-9A-Fa-f]|[57][0-9Aa]|5[Ff]|7[Ee])/g;

/**
 * Decodes percent-escapes of unreserved characters in the path and query, which mean the same
 * character either way (RFC 3986 §2.3, §6.2.2.2): `%7Efoo` is sent, and shown in `r.url`, as
 * `~foo`, as requests' requote_uri does. Other escapes (`%2F`, UTF-8 bytes) stay as they are.
 */
function unquoteUnreserved(url: URL): void {
  const decode = (pct: string) => String.fromCharCode(Number.parseInt(pct.slice(1), 16));
  const path = url.pathname.replace(UNRESERVED_ESCAPE, decode);
  if (path !== url.pathname) url.pathname = path;
  const search = url.search.replace(UNRESERVED_ESCAPE, decode);
  if (search !== url.search) url.search = search;
}

/** The request-target (origin-form) of a URL: path and query, never the fragment. */
export function requestTarget(url: URL): string {
  return `${url.pathname || "/"}${url.search}`;
}

/** The Host header value of a URL (port only when not the scheme's default). */
export function hostHeader(url: URL): string {
  return url.port === "" ? url.hostname : `${url.hostname}:${url.port}`;
}

/** The default headers, like requests.utils.default_headers(). */
export function defaultHeaders(): ProxiedDict {
  return CaseInsensitiveDict.proxied([
    ["User-Agent", `reqwire/${VERSION}`],
    ["Accept-Encoding", acceptEncoding()],
    ["Accept", "*/*"],
    ["Connection", "keep-alive"],
  ]);
}

/** Adds headers over `into`; a null or undefined value removes the header. */
export function mergeHeaders(into: CaseInsensitiveDict, extra: HeadersInit | undefined): void {
  if (extra === undefined || extra === null) return;
  let entries: Iterable<readonly [string, string | null | undefined]>;
  if (extra instanceof CaseInsensitiveDict) entries = extra.entries();
  else if (Array.isArray(extra)) entries = extra as Array<readonly [string, string | null | undefined]>;
  else if (typeof Headers !== "undefined" && extra instanceof Headers) entries = extra.entries();
  else entries = Object.entries(extra as Record<string, string | null | undefined>);
  for (const [name, value] of entries) {
    if (value === null || value === undefined) into.delete(name);
    else into.set(name, String(value));
  }
}

function checkHeaderValue(name: string, value: string): void {
  // requests refuses leading whitespace and return characters; the writer refuses the rest.
  if (/^[ \t]/.test(value)) {
    throw new InvalidHeader(`Invalid leading whitespace in header ${name}: ${JSON.stringify(value)}`);
  }
}

const utf8 = new TextEncoder();

/**
 * The Authorization value for Basic auth: `Basic base64(user:pass)`, the text always in UTF-8
 * (RFC 7617's charset="UTF-8", as curl and browsers send it; requests sends ISO-8859-1).
 * @example basicAuth("user", "pass") // "Basic dXNlcjpwYXNz"
 */
export function basicAuth(username: string, password: string): string {
  let binary = "";
  for (const b of utf8.encode(`${username}:${password}`)) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

/**
 * requests.auth.HTTPBasicAuth: Basic credentials, the same as `[username, password]` wherever
 * `auth` is taken (a request's options, `Session.auth`).
 * @example await get(url, { auth: new HTTPBasicAuth("user", "pass") })
 */
export class HTTPBasicAuth implements ChallengeAuth {
  readonly username: string;
  readonly password: string;

  readonly #value: string;

  constructor(username: string, password: string) {
    this.username = username;
    this.password = password;
    this.#value = basicAuth(username, password);
  }

  /** The Authorization value, the same for every request (made once). */
  header(): string {
    return this.#value;
  }
}

/** The query-string code: loaded by the first request with params. */
const query = lazy(() => import("./body/params.js"), "query string");

/**
 * The load of the query-string code when a request (or its session) has params and it is not in
 * yet, else undefined: wait for it before `prepareRequest`.
 */
export function paramsReady(
  sessionParams: Params | null | undefined,
  requestParams: Params | null | undefined,
): Promise<unknown> | undefined {
  if (query.loaded !== undefined || (sessionParams == null && requestParams == null)) return undefined;
  return query();
}

/** Auth that answers challenges (HTTPDigestAuth): a header once a challenge is known. */
export interface ChallengeAuth {
  header(method: string, uri: string): string | undefined;
}

/** What `auth` may be: `[user, password]` or HTTPBasicAuth (Basic), a function, or HTTPDigestAuth. */
export type Auth = readonly [string, string] | HTTPBasicAuth | AuthFunction | ChallengeAuth;

/** Everything a session contributes to a request. */
export interface RequestDefaults {
  headers: CaseInsensitiveDict;
  params: Params | undefined;
  auth: Auth | undefined;
  /** The Cookie header for a URL (the session's jar and the request's cookies), if any. */
  cookieHeader?: ((url: URL) => string | undefined) | undefined;
  /** Credentials when neither the request, the session nor the URL gives any (.netrc). */
  fallbackAuth?: ((url: URL) => [string, string] | undefined) | undefined;
}

/**
 * A request without a body says so with `Content-Length: 0`, unless it is a GET or a HEAD
 * (RFC 9110 §8.6: a POST, PUT or PATCH without one leaves the server to guess).
 */
export function declareEmptyBody(method: string, headers: CaseInsensitiveDict): void {
  if (method !== "GET" && method !== "HEAD" && !headers.has("content-length")) headers.set("Content-Length", "0");
}

/** Prepares a request from a method, a URL and options, over the session's defaults. */
export function prepareRequest(
  method: string,
  rawUrl: string,
  options: RequestOptions,
  defaults: RequestDefaults,
  encoded?: PreparedBody,
): PreparedRequest {
  const m = String(method).toUpperCase();
  if (!METHOD_RE.test(m)) throw new InvalidHeader(`Invalid method ${JSON.stringify(method)}`);
  let url = typeof rawUrl === "string" ? parseUrlShared(rawUrl) : parseUrl(rawUrl);
  if (defaults.params != null || options.params != null) {
    const q = query.loaded;
    if (q === undefined)
      throw new TypeError("params need their code loaded before the request is prepared: paramsReady()");
    const params = q.mergeParams(defaults.params, options.params);
    if (params !== undefined) url = new URL(q.appendParams(url.href, params));
  }
  let auth = options.auth ?? defaults.auth;
  if (auth === undefined && (url.username !== "" || url.password !== "")) {
    try {
      auth = [decodeURIComponent(url.username), decodeURIComponent(url.password)];
    } catch (err) {
      throw new InvalidURL(`Invalid URL: its credentials are not UTF-8 percent-encoded: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  if (auth === undefined && defaults.fallbackAuth !== undefined) auth = defaults.fallbackAuth(url);
  // (each URL setter re-serializes the URL: only clear what is there, on a copy: `url` may be shared;
  // the fragment stays in `url`, as requests keeps it, and is never sent)
  if (url.username !== "" || url.password !== "") {
    url = new URL(url.href);
    url.username = "";
    url.password = "";
  }

  const headers = new CaseInsensitiveDict(defaults.headers);
  mergeHeaders(headers, options.headers);

  // body
  let body: Uint8Array | AsyncIterable<Uint8Array> | null = null;
  let length: number | undefined;
  let contentType: string | undefined;
  let replayable = true;
  if (encoded !== undefined) {
    ({ body, length, contentType, replayable } = encoded);
  } else if (options.files != null || options.data != null || options.json !== undefined) {
    throw new TypeError("a request body must be encoded before the request is prepared: use encodeBody()");
  }
  if (contentType !== undefined && !headers.has("content-type")) headers.set("Content-Type", contentType);
  if (body !== null) {
    if (length !== undefined) {
      headers.set("Content-Length", String(length));
      headers.delete("transfer-encoding");
    } else {
      headers.set("Transfer-Encoding", "chunked");
      headers.delete("content-length");
    }
  } else {
    declareEmptyBody(m, headers);
  }

  // cookies: an explicit Cookie header wins; otherwise the session's jar and the request's own
  const explicitCookie = headers.has("cookie");
  if (!explicitCookie && defaults.cookieHeader !== undefined) {
    const value = defaults.cookieHeader(url);
    if (value !== undefined) headers.set("Cookie", value);
  }

  let prepared = new PreparedRequest(m, url.href, headers, body, replayable);
  prepared._setParsed(url);
  prepared._explicitCookie = explicitCookie;
  if (Array.isArray(auth)) {
    headers.set("Authorization", basicAuth(auth[0], auth[1]));
  } else if (typeof auth === "function") {
    prepared = auth(prepared) ?? prepared;
  } else if (auth !== undefined) {
    // Digest: once a challenge is known, later requests answer it at once
    const value = (auth as ChallengeAuth).header(m, requestTarget(url));
    if (value !== undefined) headers.set("Authorization", value);
  }
  prepared._headers._each(checkHeaderValue);
  return prepared;
}

/** The encoders of data= and json= bodies: loaded by the first request that has one. */
const encoders = lazy(() => import("./body/encode.js"), "body encoding");
/** The multipart encoder: loaded by the first request with files. */
const multipart = lazy(() => import("./body/multipart.js"), "multipart");

function jsonBody(code: typeof import("./body/encode.js"), value: unknown): PreparedBody {
  try {
    const j = code.encodeJson(value);
    return { body: j.body, length: j.body.length, contentType: j.contentType, replayable: true };
  } catch (err) {
    throw new InvalidJSONError(`cannot send the json option: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The encoded body of a request with `files` (multipart), `data` or `json`, in that order of
 * precedence as in requests; undefined when it has none. At once when the encoders are loaded
 * (a multipart body always later: Blobs are read), else once they are.
 */
export function encodeBody(options: RequestOptions): PreparedBody | Promise<PreparedBody> | undefined {
  const { files, data, json } = options;
  if (files != null) {
    return multipart()
      .then((m) => m.encodeMultipart(files as FileSpec, data as Params | undefined))
      .then((mp) => ({
        body: mp.body,
        length: mp.length,
        contentType: mp.contentType,
        replayable: mp.body instanceof Uint8Array,
      }));
  }
  if (data != null) return encoders.use((m) => m.bodyFromData(data));
  if (json !== undefined) return encoders.use((m) => jsonBody(m, json));
  return undefined;
}

/** Host fields by value, made once (a request's head is written with the same few hosts again and again). */
const hostFields = new Map<string, readonly [string, string]>();

function hostField(host: string): readonly [string, string] {
  let field = hostFields.get(host);
  if (field === undefined) {
    field = ["Host", host];
    if (hostFields.size >= 256) hostFields.clear();
    hostFields.set(host, field);
  }
  return field;
}

/** Serializes a prepared request's head (Host first); InvalidHeader/InvalidURL before any I/O. */
export function serializeHead(prepared: PreparedRequest, host: string, target: string): Uint8Array {
  const headers = prepared._headers;
  const fields = headers._pairs(headers.has("host") ? undefined : hostField(host));
  return writeHead({ method: prepared.method, target, fields }, prepared.url, prepared);
}
