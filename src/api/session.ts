// Session, as requests.Session: defaults merged into every request (headers, params, auth,
// cookies, verify, cert) and a pool of keep-alive connections per origin.
import {
  BodyTooLarge,
  ContentDecodingError,
  DecodedBodyTooLarge,
  RequestAborted,
  type RequestException,
} from "../errors.js";
import { Agent, type Origin } from "../http/agent.js";
import type { BodyControl, ResponseHead, ResponseSink } from "../http/connection.js";
import { nodeTransport } from "../transport/node.js";
import type { TlsOptions, Transport } from "../transport/types.js";
import { BodyQueue } from "./body.js";
import { type ContentDecoder, createDecoder, DecodeError } from "./decode.js";
import type { Params } from "./encode.js";
import { CaseInsensitiveDict, fromRawFields, type ProxiedDict } from "./headers.js";
import type { RequestOptions } from "./options.js";
import {
  type AuthFunction,
  defaultHeaders,
  type PreparedRequest,
  prepareRequest,
  requestTarget,
  serializeHead,
} from "./request.js";
import { Response } from "./response.js";
import { readPem } from "./tls-files.js";

/** Methods a stale keep-alive connection may be retried for (never POST or PATCH). */
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);
const DEFAULT_MAX_DECODED = 1024 * 1024 * 1024;

/** Options of a Session's connection pools. */
export interface SessionOptions {
  /**
   * Connections kept open at once per origin (requests' pool_maxsize).
   * @default 10
   */
  pool_maxsize?: number;
  /**
   * Milliseconds an idle keep-alive connection is kept.
   * @default 4000
   */
  idle_timeout?: number;
  /** The transport that opens sockets (defaults to the runtime's). */
  transport?: Transport;
}

function timeouts(t: RequestOptions["timeout"]): [number | undefined, number | undefined] {
  if (t === undefined || t === null) return [undefined, undefined];
  const ms = (s: number | null) => {
    if (s === null) return undefined;
    if (typeof s !== "number" || !(s > 0))
      throw new TypeError(`timeout must be a positive number of seconds, got ${s}`);
    return s * 1000;
  };
  if (Array.isArray(t)) return [ms(t[0]), ms(t[1])];
  const v = ms(t as number);
  return [v, v];
}

function tlsOptions(verify: boolean | string, cert: [string, string] | undefined): TlsOptions {
  return {
    rejectUnauthorized: verify !== false,
    ca: typeof verify === "string" ? readPem(verify) : undefined,
    cert: cert === undefined ? undefined : readPem(cert[0]),
    key: cert === undefined ? undefined : readPem(cert[1]),
  };
}

/** A session: shared defaults and keep-alive connections. Call `close()` when done. */
export class Session {
  /** Headers sent with every request (case-insensitive; bracket access works). */
  headers: ProxiedDict = defaultHeaders();
  /** Query parameters added to every request. */
  params: Params | undefined;
  /** Auth for every request: `[user, password]` (Basic) or a function. */
  auth: [string, string] | AuthFunction | undefined;
  /** Cookies sent with every request. */
  cookies: Record<string, string> = {};
  /** TLS verification: true, false, or CA certificates (PEM, or a path on Node). */
  verify: boolean | string = true;
  /** Client certificate and key for mutual TLS. */
  cert: [string, string] | undefined;
  /** Default for `stream`. */
  stream = false;
  /** Default `max_body_size`. */
  max_body_size: number | undefined;
  readonly #agent: Agent;

  constructor(options: SessionOptions = {}) {
    this.#agent = new Agent(options.transport ?? nodeTransport, {
      maxConnections: options.pool_maxsize ?? 10,
      idleTimeout: options.idle_timeout ?? 4000,
    });
  }

  /** The connection pools (for inspection). */
  get agent(): Agent {
    return this.#agent;
  }

  /** Sends a request. */
  async request(method: string, url: string, options: RequestOptions = {}): Promise<Response> {
    const prepared = await prepareRequest(method, url, options, {
      headers: this.headers,
      params: this.params,
      auth: this.auth,
      cookies: this.cookies,
    });
    return this.send(prepared, options);
  }

  /** Sends a prepared request. */
  send(prepared: PreparedRequest, options: RequestOptions = {}): Promise<Response> {
    const url = new URL(prepared.url);
    const https = url.protocol === "https:";
    const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    const origin: Origin = {
      scheme: https ? "https" : "http",
      host,
      port: url.port === "" ? (https ? 443 : 80) : Number(url.port),
      tls: https ? tlsOptions(options.verify ?? this.verify, options.cert ?? this.cert) : undefined,
    };
    const head = serializeHead(prepared, url, requestTarget(url));
    const [connectTimeout, readTimeout] = timeouts(options.timeout);
    const stream = options.stream ?? this.stream;
    const maxBody = options.max_body_size ?? this.max_body_size ?? Number.POSITIVE_INFINITY;
    const maxDecoded = options.max_decoded_size ?? DEFAULT_MAX_DECODED;
    const declared = prepared.headers.get("content-length");
    const bodyLength =
      prepared.body === null || prepared.body instanceof Uint8Array || declared === undefined
        ? undefined
        : Number(declared);

    return new Promise<Response>((resolvePromise, rejectPromise) => {
      const started = performance.now();
      // The connection holds this closure while the body is read. Once a streamed response is in
      // the user's hands it is referenced only weakly from here (and the promise's resolvers are
      // dropped: a resolved promise holds its value), so an unread response can be collected.
      let resolve: ((r: Response) => void) | undefined = resolvePromise;
      let reject: ((e: unknown) => void) | undefined = rejectPromise;
      let strong: Response | undefined;
      let weak: WeakRef<Response> | undefined;
      const current = () => strong ?? weak?.deref();
      let queue: BodyQueue | undefined;
      let control: BodyControl | undefined;
      let decoder: ContentDecoder | undefined;
      let received = 0;
      let failure: RequestException | undefined;
      let completed = false;
      // Decoding is asynchronous: chunks are decoded in order on one chain, and the socket is
      // held (paused) while any is waiting. The body queue may hold it too (backpressure).
      let chain: Promise<void> = Promise.resolve();
      let decoding = 0;
      let holds = 0;
      const hold = () => {
        if (holds++ === 0) control?.pause();
      };
      const release = () => {
        if (--holds === 0) control?.resume();
      };

      const fail = (err: RequestException) => {
        err.request ??= prepared;
        err.response ??= current();
        decoder?.destroy();
        if (weak !== undefined) queue?.fail(err);
        else reject?.(err);
      };
      // Stops the exchange from inside a callback with our own error (not "aborted").
      const stop = (err: RequestException) => {
        if (failure !== undefined) return;
        failure = err;
        if (completed) fail(err);
        else control?.abort(err);
      };
      const decodeFailure = (err: unknown): RequestException => {
        if (err instanceof DecodeError) {
          const Cls = err.code === "DECODED_BODY_TOO_LARGE" ? DecodedBodyTooLarge : ContentDecodingError;
          return new Cls(err.message, { cause: err, request: prepared, response: current() });
        }
        return new ContentDecodingError(`cannot decode the body: ${(err as Error)?.message ?? err}`, { cause: err });
      };
      const finish = () => {
        queue?.end();
        if (!stream && strong !== undefined && queue !== undefined) {
          strong._setContent(queue.takeAll());
          resolve?.(strong);
        }
      };

      const sink: ResponseSink = {
        onHead(h: ResponseHead, c: BodyControl) {
          control = c;
          const headers = fromRawFields(h.headers.entries(), { proxied: true });
          queue = new BodyQueue({ pause: hold, resume: release, abort: (r) => c.abort(r) }, stream);
          const response = new Response({
            status: h.status,
            reason: h.reason,
            httpVersion: h.httpVersion,
            headers,
            url: prepared.url,
            request: prepared,
            elapsed: performance.now() - started,
            body: queue,
            streaming: stream,
          });
          strong = response;
          if (h.contentLength > maxBody) {
            stop(new BodyTooLarge(`the body is ${h.contentLength} bytes, over max_body_size ${maxBody}`));
            return;
          }
          try {
            const d = createDecoder(headers.get("content-encoding"), { maxDecodedBytes: maxDecoded });
            if (d.codings.length > 0) decoder = d;
          } catch (err) {
            stop(decodeFailure(err));
            return;
          }
          if (stream) {
            unreadBodies.register(response, queue);
            weak = new WeakRef(response);
            strong = undefined;
            const r = resolve;
            resolve = undefined;
            reject = undefined;
            r?.(response);
          }
        },
        onData(chunk: Uint8Array) {
          received += chunk.length;
          if (received > maxBody) {
            stop(new BodyTooLarge(`the body exceeds max_body_size ${maxBody}`));
            return;
          }
          const d = decoder;
          if (d === undefined) {
            queue?.push(chunk);
            return;
          }
          if (decoding++ === 0) hold();
          chain = chain
            .then(async () => {
              if (failure !== undefined) return;
              for (const out of await d.push(chunk)) queue?.push(out);
            })
            .catch((err: unknown) => stop(decodeFailure(err)))
            .finally(() => {
              if (--decoding === 0) release();
            });
        },
        onTrailers(t) {
          const r = current();
          if (r !== undefined) r.trailers = fromRawFields(t.entries(), { proxied: true });
        },
        onComplete() {
          completed = true;
          const d = decoder;
          if (d === undefined) {
            finish();
            return;
          }
          chain = chain.then(async () => {
            if (failure !== undefined) return;
            try {
              for (const out of await d.end()) queue?.push(out);
            } catch (err) {
              stop(decodeFailure(err));
              return;
            }
            finish();
          });
        },
        onError(err: RequestException) {
          fail(failure !== undefined && err instanceof RequestAborted ? failure : err);
        },
      };
      this.#agent.pool(origin).dispatch(
        {
          head,
          body: prepared.body,
          bodyLength,
          expectHead: prepared.method === "HEAD",
          readTimeout,
          signal: options.signal,
          sink,
        },
        { connectTimeout, retryOnStale: IDEMPOTENT.has(prepared.method) && prepared.replayable },
      );
    });
  }

  /** GET. */
  get(url: string, options?: RequestOptions): Promise<Response> {
    return this.request("GET", url, options);
  }
  /** OPTIONS. */
  options(url: string, options?: RequestOptions): Promise<Response> {
    return this.request("OPTIONS", url, options);
  }
  /** HEAD (redirects are not followed by default). */
  head(url: string, options?: RequestOptions): Promise<Response> {
    return this.request("HEAD", url, options);
  }
  /** POST. */
  post(url: string, options?: RequestOptions): Promise<Response> {
    return this.request("POST", url, options);
  }
  /** PUT. */
  put(url: string, options?: RequestOptions): Promise<Response> {
    return this.request("PUT", url, options);
  }
  /** PATCH. */
  patch(url: string, options?: RequestOptions): Promise<Response> {
    return this.request("PATCH", url, options);
  }
  /** DELETE. */
  delete(url: string, options?: RequestOptions): Promise<Response> {
    return this.request("DELETE", url, options);
  }

  /** Closes every connection of the session. */
  close(): void {
    this.#agent.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * A streamed response dropped without being read or closed gives its connection back when it is
 * garbage-collected: the registry holds only the body queue, never the response.
 */
const unreadBodies = new FinalizationRegistry<BodyQueue>((queue) => {
  if (!queue.done) queue.abandon("response was garbage-collected unread");
});

/** Used by the top-level functions; created on first use. Idle sockets never keep a process alive. */
let defaultSession: Session | undefined;

/** The session behind `requests.get()` and friends. */
export function sharedSession(): Session {
  if (defaultSession === undefined) defaultSession = new Session();
  return defaultSession;
}

export { CaseInsensitiveDict };
