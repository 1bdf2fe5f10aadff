// The options of a request and of a session, named as in Python requests.

import type { AbortSignalLike, HeadersLike } from "../platform-types.js";
import type { ExchangeTransport, Transport } from "../transport/types.js";
import type { FileSpec, RequestData } from "./body/encode.js";
import type { Params } from "./body/params.js";
import type { Retry } from "./call/retry.js";
import type { RequestsCookieJar } from "./cookies/jar.js";
import type { CaseInsensitiveDict } from "./headers.js";
import type { Proxies } from "./proxy/env.js";
import type { Auth } from "./request.js";
import type { Hooks, Progress } from "./settings.js";

/** Headers as an object, pairs, a Headers object or a CaseInsensitiveDict; null removes one. */
export type HeadersInit =
  | Record<string, string | null | undefined>
  | ReadonlyArray<readonly [string, string | null | undefined]>
  | HeadersLike
  | CaseInsensitiveDict;

/** What `data` may be: text, bytes, a Blob, form fields, or a stream. */
export type DataInit = RequestData;

/** Options of one request. */
/**
 * Limits by phase, in seconds; each absent or null one has its default.
 */
export interface Timeouts {
  /** Connecting (and the TLS handshake). @default none */
  connect?: number | null;
  /** The longest silence between bytes from the server, once the request is sent. @default none */
  read?: number | null;
  /**
   * Waiting for a connection of a full pool (`pool_block: true`) ⇒ PoolTimeout.
   * @default the connect timeout
   */
  pool?: number | null;
  /**
   * From the request sent to the whole response head, interim (1xx) responses included: a head
   * trickled slowly fails even though bytes keep coming ⇒ ReadTimeout.
   * @default the read timeout, or 300 s without one
   */
  head?: number | null;
  /**
   * The whole call: waiting for a connection, connecting, sending, the head, the body (of a
   * streamed response too, until it is read or closed), redirects, retries and their waits ⇒
   * Timeout naming the phase that was running.
   * @default none
   */
  total?: number | null;
}

export interface RequestOptions {
  /**
   * Query parameters, appended to the URL's own. Arrays repeat the key.
   * @example { params: { q: "wasm", page: 2, tag: ["a", "b"] } }  // ?q=wasm&page=2&tag=a&tag=b
   */
  params?: Params;
  /**
   * The body. An object or pairs are sent form-urlencoded; a string, bytes or a Blob as is;
   * an async iterable or a ReadableStream is streamed with chunked encoding.
   * @example { data: { key: "value" } }
   */
  data?: DataInit | null;
  /**
   * A value sent as JSON (Content-Type: application/json), when `data` and `files` are absent.
   * @example { json: { title: "New Post" } }
   */
  json?: unknown;
  /**
   * Files for a multipart/form-data body: `{ field: [filename, content, contentType?] }`;
   * `data` fields go in the same body.
   * @example { files: { report: ["report.csv", bytes, "text/csv"] } }
   */
  files?: FileSpec | null;
  /**
   * Headers, over the session's. A null value removes a header the session would send.
   * @example { headers: { Authorization: `Bearer ${token}` } }
   */
  headers?: HeadersInit;
  /** Cookies for this request (and its redirects) only: a dict or a jar; never kept in the session. */
  cookies?: Record<string, string> | RequestsCookieJar | null;
  /**
   * `[user, password]` or `new HTTPBasicAuth(user, password)` for Basic auth (sent as UTF-8),
   * `new HTTPDigestAuth(user, password)`, or a function that edits the prepared request.
   * @example { auth: ["user", "pass"] }
   */
  auth?: Auth;
  /**
   * Seconds to wait: one number for both connecting and reading, `[connect, read]`, or limits by
   * phase (see {@link Timeouts}). The read timeout is the longest silence between bytes from the
   * server. null: no limit — but a response head must still arrive whole within 300 s.
   * @default null
   * @example { timeout: 2.5 } or { timeout: [3.05, 27] } or { timeout: { read: 10, total: 60 } }
   */
  timeout?: number | readonly [number | null, number | null] | Timeouts | null;
  /**
   * Return as soon as the head arrives and read the body later (`iter_content`, `iter_lines`,
   * `await r.read()`), instead of reading it all first.
   * @default false
   */
  stream?: boolean;
  /** Aborts the request (RequestAborted). */
  signal?: AbortSignalLike;
  /**
   * TLS verification: true (the runtime's CAs), false (no verification), or trusted CA
   * certificates as PEM text (or a path to a PEM file, on Node).
   * @default true
   */
  verify?: boolean | string;
  /** Client certificate for mutual TLS: `[certPem, keyPem]` (or file paths, on Node). */
  cert?: readonly [string, string];
  /**
   * Largest body, in bytes as received, before BodyTooLarge.
   * @default Infinity
   */
  max_body_size?: number;
  /**
   * Largest body after decompression, in bytes, before DecodedBodyTooLarge.
   * @default 1 GiB
   */
  max_decoded_size?: number;
  /**
   * Most bytes a compressed body may decode to per byte received, beyond its first MiB, before
   * DecompressionRatioExceeded (a DecodedBodyTooLarge): checked as the body is decoded, on every
   * coding of a chain, so a decompression bomb stops after a few MiB at most, whatever
   * `max_decoded_size` allows. The first MiB of output is free, so a small, very compressible body
   * (or a very compressible start) always passes. `null` (or `Infinity`) lifts the limit; a
   * number must be positive. Text, HTML and JSON compress 3 to 30 times, rarely past 100;
   * gzip and deflate cannot pass ~1032, which a bomb of zeros reaches (Apache Tika and POI refuse
   * past 100 times too). Bodies the runtime's fetch decoded itself are not checked.
   * @default the session's `max_decompression_ratio` (100)
   * @example { max_decompression_ratio: null, max_decoded_size: 4 * 1024 ** 3 } // a sparse disk image
   */
  max_decompression_ratio?: number | null;
  /**
   * Follow redirects (301, 302, 303, 307, 308), up to the session's `max_redirects`; the
   * redirect responses are in `r.history`.
   * @default true (false for head())
   */
  allow_redirects?: boolean;
  /**
   * Proxies for this request, over the session's: `{ http, https, all, "scheme://host", no_proxy }`;
   * a null value removes the session's.
   * @example { proxies: { https: "http://user:pass@127.0.0.1:3128" } }
   */
  proxies?: Proxies | null;
  /**
   * Hooks for this request; its list for an event replaces the session's.
   * @example { hooks: { response: [(r) => console.log(r.status_code)] } }
   */
  hooks?: Hooks | null;
  /**
   * Retries for this request: a number of attempts or a Retry (over the session's `retries`).
   * @default the session's (0)
   */
  retries?: number | Retry | null;
  /** Called as the body is handed to the socket, with `{loaded, total}`. */
  on_upload_progress?: (progress: Progress) => void;
  /** Called as the response body arrives (bytes as received), with `{loaded, total}`. */
  on_download_progress?: (progress: Progress) => void;
}

/** Options of a Session: those of its default adapter (HTTPAdapter), or the transport to use. */
export interface SessionOptions {
  /**
   * Connections per origin kept open for reuse (requests' pool_maxsize). With `pool_block`, also
   * the most open at once.
   * @default 10
   */
  pool_maxsize?: number;
  /**
   * What a request does when `pool_maxsize` connections to its origin are busy (requests'
   * pool_block): false opens one more, which is closed after use if `pool_maxsize` are already
   * idle; true waits for one to free up.
   * @default false
   */
  pool_block?: boolean;
  /**
   * Milliseconds an idle keep-alive connection is kept.
   * @default 4000
   */
  idle_timeout?: number;
  /**
   * Origins whose connection pools are kept (requests' pool_connections).
   * @default 10
   */
  pool_connections?: number;
  /**
   * How requests reach the network: a socket transport (reqwire speaks HTTP/1.1 itself) or a
   * fetch transport (`fetchTransport()`: the same as mounting a FetchAdapter). Defaults to the
   * runtime's.
   */
  transport?: Transport | ExchangeTransport;
}
