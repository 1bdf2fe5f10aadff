// Every error reqwire raises, in one module, mirroring Python requests' hierarchy
// (requests.exceptions). Each class has a stable `code` string; each error carries the request,
// the response where there is one, and the underlying `cause`. The engine's own errors (CoreError,
// ParseError, SerializeError: what the core API throws) are here too.
//
// This module is a leaf: every layer (api, http, transport, core) raises these, and it imports
// nothing but the engine's generated error names (which import nothing). The request and response
// an error carries are described by the structural interfaces below, which PreparedRequest and
// Response implement, so that no import of src/api is needed (test/errors.test.ts checks both).

import { ERROR_MESSAGES, ERROR_NAMES } from "./core/generated/error-names.js";

/**
 * Header fields as an error's request or response carries them (a CaseInsensitiveDict): by name
 * in any letter case, with `get()` or brackets (`headers["content-type"]`).
 */
export type ErrorHeaders = {
  /** The value of `name` (any case), or `undefined` when it is absent. */
  get(name: string): string | undefined;
  /** The value of `name` (any case), or `fallback` when it is absent. */
  get<D>(name: string, fallback: D): string | D;
  /** Whether the field is present. */
  has(name: string): boolean;
} & { readonly [name: string]: string | undefined };

/** The request an error carries: a PreparedRequest (`instanceof PreparedRequest` narrows to it). */
export interface ErrorRequest {
  /** Upper-case method. */
  readonly method: string;
  /** The full URL (with params). */
  readonly url: string;
  /** The request's header fields. */
  readonly headers: ErrorHeaders;
  /** The body: bytes, a stream, or null. */
  readonly body: Uint8Array | AsyncIterable<Uint8Array> | null;
}

/** The response an error carries: a Response (`instanceof Response` narrows to it). */
export interface ErrorResponse {
  /** The status code, e.g. 404. */
  readonly status_code: number;
  /** The reason phrase, e.g. "Not Found". */
  readonly reason: string;
  /** The final URL of the response. */
  readonly url: string;
  /** The response's header fields. */
  readonly headers: ErrorHeaders;
  /** Whether the status is below 400. */
  readonly ok: boolean;
  /** The body as bytes (read first, for a streamed response). */
  readonly content: Uint8Array;
  /** The body as text. */
  readonly text: string;
  /** The body parsed as JSON (an error's body often says what went wrong). */
  json<T = unknown>(): T;
  /** The request this is the response to. */
  readonly request: ErrorRequest;
}

/** What an error may carry besides its message. */
export interface RequestErrorOptions {
  /** The request that failed. */
  request?: ErrorRequest | undefined;
  /** The response, when one was received. */
  response?: ErrorResponse | undefined;
  /** The underlying error (a socket error, a parse error, a decoder error…). */
  cause?: unknown;
}

/** The base of every error a request raises (requests.RequestException). */
export class RequestException extends Error {
  /** Stable, machine-readable code of the error class. */
  static readonly code: string = "REQUEST_ERROR";
  /** Stable, machine-readable code, e.g. `READ_TIMEOUT`. */
  readonly code: string;
  /** The request that failed, if it was prepared (a PreparedRequest). */
  request: ErrorRequest | undefined;
  /** The response, when one was received (a Response). */
  response: ErrorResponse | undefined;

  constructor(message: string, options: RequestErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const ctor = new.target as typeof RequestException;
    this.name = ctor.errorName ?? ctor.name;
    this.code = ctor.code;
    this.request = options.request;
    this.response = options.response;
  }

  /** The class name, kept even when a bundler renames classes (set below, from `exceptions`). */
  declare static readonly errorName: string;
}

/** An HTTP error status, raised by `raise_for_status()`. */
export class HTTPError extends RequestException {
  static override readonly code: string = "HTTP_ERROR";
}

/** The connection failed: refused, reset, closed early, unreachable. */
export class ConnectionError extends RequestException {
  static override readonly code: string = "CONNECTION_ERROR";
}

/** A proxy refused or failed the connection. */
export class ProxyError extends ConnectionError {
  static override readonly code: string = "PROXY_ERROR";
}

/** TLS failed: certificate not trusted, wrong host, handshake error. */
export class SSLError extends ConnectionError {
  static override readonly code: string = "SSL_ERROR";
}

/** The server closed a connection before sending any byte of the response. */
export class RemoteDisconnected extends ConnectionError {
  static override readonly code: string = "REMOTE_DISCONNECTED";
}

/** The response broke HTTP/1.1 (a malformed status line or header, a limit exceeded). */
export class ProtocolError extends ConnectionError {
  static override readonly code: string = "PROTOCOL_ERROR";
}

/**
 * The request timed out. `instanceof Timeout` is true for ReadTimeout and for ConnectTimeout
 * (which is also a ConnectionError, as in requests).
 */
export class Timeout extends RequestException {
  static override readonly code: string = "TIMEOUT";

  static override [Symbol.hasInstance](value: unknown): boolean {
    // `this` is the class on the right of instanceof: Timeout itself, or a subclass.
    // biome-ignore lint/complexity/noThisInStatic: the check depends on which class is asked
    if (this === Timeout && value instanceof ConnectTimeout) return true;
    // biome-ignore lint/complexity/noThisInStatic: the ordinary prototype-chain check for that class
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/** No connection within the connect timeout. Safe to retry: nothing was sent. */
export class ConnectTimeout extends ConnectionError {
  static override readonly code: string = "CONNECT_TIMEOUT";
}

/** No connection of a full pool (`pool_block: true`) freed up within the pool timeout (httpx's PoolTimeout). */
export class PoolTimeout extends ConnectTimeout {
  static override readonly code: string = "POOL_TIMEOUT";
}

/** The server sent no byte within the read timeout. */
export class ReadTimeout extends Timeout {
  static override readonly code: string = "READ_TIMEOUT";
}

/** A valid URL is required. */
export class URLRequired extends RequestException {
  static override readonly code: string = "URL_REQUIRED";
}

/** Too many redirects. */
export class TooManyRedirects extends RequestException {
  static override readonly code: string = "TOO_MANY_REDIRECTS";
}

/**
 * The server answered with a redirect that the runtime's fetch does not show (a browser's opaque
 * redirect: no status, no headers, no Location), to a request with `allow_redirects: false`. The
 * request was sent once; the redirect was not followed.
 */
export class OpaqueRedirect extends RequestException {
  static override readonly code: string = "OPAQUE_REDIRECT";
}

/** The URL has no scheme (e.g. "example.com/x"). */
export class MissingSchema extends RequestException {
  static override readonly code: string = "MISSING_SCHEMA";
}

/** The URL's scheme is not http or https. */
export class InvalidSchema extends RequestException {
  static override readonly code: string = "INVALID_SCHEMA";
}

/** The URL cannot be parsed or used. */
export class InvalidURL extends RequestException {
  static override readonly code: string = "INVALID_URL";
}

/** A proxy URL cannot be parsed or used. */
export class InvalidProxyURL extends InvalidURL {
  static override readonly code: string = "INVALID_PROXY_URL";
}

/** A header name or value is invalid (CR, LF, NUL, a non-token name…). Nothing was sent. */
export class InvalidHeader extends RequestException {
  static override readonly code: string = "INVALID_HEADER";
}

/** The `json` option cannot be serialized. */
export class InvalidJSONError extends RequestException {
  static override readonly code: string = "INVALID_JSON";
}

/** The response body is not valid JSON (`r.json()`). */
export class JSONDecodeError extends InvalidJSONError {
  static override readonly code: string = "JSON_DECODE_ERROR";
}

/**
 * Several cookies in a jar match a `get()`: give a domain and/or a path to pick one
 * (requests.cookies.CookieConflictError).
 */
export class CookieConflictError extends RequestException {
  static override readonly code: string = "COOKIE_CONFLICT";
}

/** The body's framing broke: an invalid chunk, or the connection closed before the end. */
export class ChunkedEncodingError extends RequestException {
  static override readonly code: string = "CHUNKED_ENCODING_ERROR";
}

/** The body could not be decoded (gzip, deflate, br, zstd), or its codings are too many. */
export class ContentDecodingError extends RequestException {
  static override readonly code: string = "CONTENT_DECODING_ERROR";
}

/** The decoded body would exceed the limit on decoded bytes (a decompression bomb). */
export class DecodedBodyTooLarge extends ContentDecodingError {
  static override readonly code: string = "DECODED_BODY_TOO_LARGE";
}

/**
 * The body decodes to more than `max_decompression_ratio` times the bytes received, beyond its
 * first MiB (a decompression bomb): a DecodedBodyTooLarge whose limit is the ratio.
 */
export class DecompressionRatioExceeded extends DecodedBodyTooLarge {
  static override readonly code: string = "DECOMPRESSION_RATIO_EXCEEDED";
}

/** The body exceeds `max_body_size`. */
export class BodyTooLarge extends RequestException {
  static override readonly code: string = "BODY_TOO_LARGE";
}

/** The body of a streamed response was already read. */
export class StreamConsumedError extends RequestException {
  static override readonly code: string = "STREAM_CONSUMED";
}

/** A streamed request body cannot be sent again (for a retry or a redirect). */
export class UnrewindableBodyError extends RequestException {
  static override readonly code: string = "UNREWINDABLE_BODY";
}

/** Retries were exhausted; `cause` is the last failure. */
export class RetryError extends RequestException {
  static override readonly code: string = "RETRY_ERROR";
}

/** The request was aborted through its AbortSignal; `cause` is the signal's reason. */
export class RequestAborted extends RequestException {
  static override readonly code: string = "ABORTED";
}

// ---- the engine's errors ---------------------------------------------------------------------
// What the core API (ResponseParser, RequestWriter) throws: the engine's stable numeric code, its
// stable name and where it was found. A request never fails with one of these: src/http and
// src/api raise the RequestException they stand for (ProtocolError, ChunkedEncodingError,
// InvalidHeader, InvalidURL…), with the engine's error as `cause`.

/** An error code of the engine (ERR_* in assembly/constants.ts). */
export type CoreErrorCode = number;

/** The message of an engine error code. */
function engineMessage(errno: CoreErrorCode): string {
  return ERROR_MESSAGES[errno] ?? `Engine error ${errno}`;
}

/** Base class of the engine's errors. */
export class CoreError extends Error {
  /** The engine's numeric code (stable across versions). */
  readonly errno: CoreErrorCode;
  /** The stable name of the code, e.g. `INVALID_CONTENT_LENGTH`. */
  readonly code: string;

  constructor(errno: CoreErrorCode, message?: string) {
    super(message ?? engineMessage(errno));
    this.name = "CoreError";
    this.errno = errno;
    this.code = ERROR_NAMES[errno] ?? "UNKNOWN";
  }
}

/** The response bytes break HTTP/1.1 (or a limit): the connection cannot be trusted any more. */
export class ParseError extends CoreError {
  /** Offset of the offending byte from the first byte fed to the parser since its last reset. */
  readonly offset: number;

  constructor(errno: CoreErrorCode, offset: number) {
    super(errno, `${engineMessage(errno)} (at byte ${offset})`);
    this.name = "ParseError";
    this.offset = offset;
  }
}

/** A request field cannot be written: nothing was serialized. */
export class SerializeError extends CoreError {
  /** Which field: "method", "target", or "header name"/"header value". */
  readonly field: string;
  /** Index of the header for header fields, else -1. */
  readonly headerIndex: number;
  /** Offset of the offending character in the field. */
  readonly offset: number;

  constructor(errno: CoreErrorCode, field: string, headerIndex: number, offset: number, detail?: string) {
    super(
      errno,
      `${detail ?? engineMessage(errno)} (${field}${headerIndex >= 0 ? ` #${headerIndex}` : ""}, at character ${offset})`,
    );
    this.name = "SerializeError";
    this.field = field;
    this.headerIndex = headerIndex;
    this.offset = offset;
  }
}

/**
 * No mock of a `reqwire/testing` Mocker matched the request, and the Mocker does not let unmatched
 * requests through to the network (`real_http`): requests-mock's NoMockAddress. Its message names
 * the method and the URL (`No mock address: GET http://api.test/x`); so do `method` and `url`.
 */
export class NoMockAddress extends ConnectionError {
  static override readonly code: string = "NO_MOCK_ADDRESS";
  /** The method of the request no mock matched. */
  readonly method: string | undefined;
  /** The URL of the request no mock matched. */
  readonly url: string | undefined;

  constructor(message: string, options: RequestErrorOptions & { method?: string; url?: string } = {}) {
    super(message, options);
    this.method = options.method;
    this.url = options.url;
  }
}

/**
 * Every RequestException class by name: `requests.exceptions` (and, spread, the error classes on
 * `requests`). CookieConflictError is one of them here (requests keeps it in requests.cookies);
 * the engine's errors are not RequestExceptions and are exported by name only.
 */
export const exceptions = Object.freeze({
  RequestException,
  HTTPError,
  ConnectionError,
  ProxyError,
  SSLError,
  RemoteDisconnected,
  ProtocolError,
  Timeout,
  ConnectTimeout,
  PoolTimeout,
  ReadTimeout,
  URLRequired,
  TooManyRedirects,
  OpaqueRedirect,
  MissingSchema,
  InvalidSchema,
  InvalidURL,
  InvalidProxyURL,
  InvalidHeader,
  InvalidJSONError,
  JSONDecodeError,
  CookieConflictError,
  ChunkedEncodingError,
  ContentDecodingError,
  DecodedBodyTooLarge,
  DecompressionRatioExceeded,
  BodyTooLarge,
  StreamConsumedError,
  UnrewindableBodyError,
  RetryError,
  RequestAborted,
  NoMockAddress,
});

// Each class's name as a string, from its key above: one list of names instead of one per class.
for (const name in exceptions) (exceptions[name as keyof typeof exceptions] as { errorName: string }).errorName = name;
