// The one small interface every runtime's transport implements: open a byte stream to a host,
// optionally over TLS, and move bytes both ways. src/http drives HTTP/1.1 over it and never
// touches a runtime API itself.

import type { AbortSignalLike, FetchInit, FetchResponse } from "../platform-types.js";
/** TLS settings of a connection. Every field is part of the pool key. */
export interface TlsOptions {
  /** Verify the server's certificate chain and host name. */
  rejectUnauthorized: boolean;
  /** Trusted CA certificates (PEM), replacing the runtime's default store. */
  ca?: string | undefined;
  /** Client certificate (PEM) for mutual TLS. */
  cert?: string | undefined;
  /** Private key (PEM) of the client certificate. */
  key?: string | undefined;
  /** SNI and certificate host name; defaults to the host when it is a name. */
  servername?: string | undefined;
}

/** Where and how to connect. */
export interface ConnectOptions {
  host: string;
  port: number;
  /** TLS settings; absent for plain TCP. */
  tls?: TlsOptions | undefined;
  /** Milliseconds allowed to connect (and finish the TLS handshake). */
  timeout?: number | undefined;
  /** Aborts the attempt. */
  signal?: AbortSignalLike | undefined;
  /** The connection may be handed to startTls later (a proxy tunnel): workerd must know at connect. */
  upgradable?: boolean | undefined;
}

/** What a socket reports. */
export interface SocketHandlers {
  /** Bytes from the peer (the array may be reused by nobody but the receiver). */
  data(chunk: Uint8Array): void;
  /** The peer finished sending (EOF). */
  end(): void;
  /** The socket failed; `close` follows. */
  error(error: Error): void;
  /** The socket is closed for good. */
  close(): void;
  /** Writes may go on after write() returned false. */
  drain(): void;
}

/** Handlers that drop every event: a socket's before any are set, or after it is handed over. */
export const NO_HANDLERS: SocketHandlers = Object.freeze({
  data() {},
  end() {},
  error() {},
  close() {},
  drain() {},
});

/** An open connection. */
export interface TransportSocket {
  /** Sends bytes; false means "wait for drain before writing more". */
  write(data: Uint8Array): boolean;
  /** Sends several buffers at once (one syscall where the runtime can). */
  writev(chunks: readonly Uint8Array[]): boolean;
  /** Finishes sending (half-close). */
  end(): void;
  /** Closes at once. */
  destroy(error?: Error): void;
  /** Stops / restarts data events (backpressure). */
  pause(): void;
  resume(): void;
  /** Whether the socket keeps the process alive (idle pooled sockets must not). */
  ref(): void;
  unref(): void;
  /** Bytes written but not yet taken by the kernel, where the runtime tells (progress of a slow upload). */
  readonly pendingBytes?: number | undefined;
  /** Sets where events go (replacing the previous handlers). */
  setHandlers(handlers: SocketHandlers): void;
  /**
   * Where the transport reads into memory it could read into again (Deno's slabs), called from
   * inside a `data` handler when a response has ended: `true` says no chunk handed out since the
   * last call is referenced any more (their memory may take new reads: no zero-filled slab per
   * read), `false` that some may be (that memory is never written again). Absent elsewhere.
   */
  release?(reusable: boolean): void;
  /**
   * Called from inside a `data` handler: the connection is about to be taken over (TLS through a
   * proxy tunnel, by the transport's startTls), so read nothing more. Present where startTls needs
   * the connection with no read in flight (Deno, workerd).
   */
  handOver?(): void;
  readonly destroyed: boolean;
}

/** Why connecting failed. */
export type ConnectFailure = "refused" | "timeout" | "tls" | "dns" | "aborted" | "other";

/** A failed connection attempt, with the runtime's error as cause. */
export class ConnectError extends Error {
  readonly kind: ConnectFailure;
  constructor(kind: ConnectFailure, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "ConnectError";
    this.kind = kind;
  }
}

/** A host as a socket API takes it: an IPv6 address without the brackets a URL writes it with. */
export function bareHost(host: string): string {
  return host.startsWith("[") ? host.slice(1, -1) : host;
}

/** The ConnectError for an attempt whose AbortSignal fired (`cause`: the signal's reason). */
export function connectAborted(signal: AbortSignal | undefined): ConnectError {
  return new ConnectError("aborted", "connect aborted", signal?.reason);
}

/**
 * A write the runtime refused before sending any byte of it (workerd: a socket opened while
 * handling another request). Reported through `SocketHandlers.error`; the request may go again
 * on a new connection whatever its method, since the server saw nothing.
 */
export class NotSentError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "NotSentError";
  }
}

/**
 * Not a socket failure but the outcome a transport chose for the request on the wire: reported
 * through `SocketHandlers.error`, it fails that request with `error` itself — the same object,
 * never wrapped, never sent again. reqwire/testing's mock transport answers with it (a mock's
 * `exc`, NoMockAddress).
 */
export class VerbatimError extends Error {
  /** What the request fails with. */
  readonly error: Error;
  constructor(error: Error) {
    super(error.message, { cause: error });
    this.name = "VerbatimError";
    this.error = error;
  }
}

/** A runtime's way to open sockets. */
export interface Transport {
  connect(options: ConnectOptions): Promise<TransportSocket>;
  /**
   * Runs TLS with `options.host` over an open socket (a proxy tunnel), honouring `options.tls`
   * and `options.timeout`; the plain socket belongs to the result from then on. Optional: a
   * transport without it cannot reach https targets through a proxy.
   */
  startTls?(socket: TransportSocket, options: ConnectOptions): Promise<TransportSocket>;
}

/**
 * A runtime with no raw sockets (browsers, edge-light): whole requests go through its fetch and
 * HTTP/1.1 is the runtime's business. reqwire keeps its API on top (Response, errors, bodies).
 */
export interface ExchangeTransport {
  readonly kind: "fetch";
  /** The runtime's fetch. */
  fetch(input: string, init: FetchInit): Promise<FetchResponse>;
  /** A request body can be sent as a stream (`duplex: "half"`); otherwise streams are read whole first. */
  readonly streamsUploads: boolean;
  /**
   * Redirects are followed by the runtime when the request lets them be (browsers hide redirect
   * responses from "manual"); a request with `allow_redirects: false` still goes as "manual".
   */
  readonly followsRedirects: boolean;
}

/** Whether a transport hands whole requests to fetch. */
export function isExchangeTransport(t: Transport | ExchangeTransport): t is ExchangeTransport {
  return (t as ExchangeTransport).kind === "fetch";
}
