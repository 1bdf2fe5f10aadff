// Receiver: turns what a connection reports about one exchange into a Response (or an error).
// One object per request, with its state in fields and its behaviour in methods, so a request
// allocates no bundle of closures.

import type { FieldSection } from "../core/api.js";
import { BodyTooLarge, ContentDecodingError, RequestAborted, RequestException } from "../errors.js";
import type { BodyControl, Exchange, ResponseHead, ResponseSink } from "../http/connection.js";
import { lazy } from "../lazy.js";
import type { AbortSignalLike } from "../platform-types.js";
import { DEFAULT_HEAD_MS } from "./adapters/exchange.js";
import type { ContentDecoder } from "./body/decode.js";
import { BodyQueue } from "./body/queue.js";
import { setCookieCode } from "./cookies/jar.js";
import { fromRawFields } from "./headers.js";
import type { PreparedRequest } from "./request.js";
import { Response } from "./response.js";

/**
 * A streamed response dropped without being read or closed gives its connection back when it is
 * garbage-collected: the registry holds only the body queue, never the response.
 */
const EMPTY = new Uint8Array(0);

/** The decoders: loaded with the first body that has a Content-Encoding. */
const decoding = lazy(() => import("./body/decode.js"), "content decoding");

const unreadBodies = new FinalizationRegistry<BodyQueue>((queue) => {
  if (!queue.done) queue.abandon("response was garbage-collected unread");
});

/**
 * One request in flight: what the connection sends (it is the Exchange too, so a request makes
 * one object instead of two) and what turns the response into a Response.
 */
export class Receiver implements Exchange, ResponseSink, BodyControl {
  // ---- Exchange (filled in by Session.send) ---------------------------------------------------
  head: Uint8Array = EMPTY;
  body: Uint8Array | AsyncIterable<Uint8Array> | null = null;
  bodyLength: number | undefined;
  expectHead = false;
  readTimeout: number | undefined;
  headTimeout = DEFAULT_HEAD_MS;
  poolTimeout: number | undefined;
  signal: AbortSignalLike | undefined;
  connectTimeout: number | undefined;
  retryOnStale = false;
  replayable = false;
  /** Called as the body arrives: bytes as received, and Content-Length when known. */
  onDownloadProgress: ((p: { loaded: number; total: number | undefined }) => void) | undefined;
  retried = false;
  // ---- limits and mode of the receive (filled in by Session.send too) -------------------------
  /** Hand the response over at its head and let the user read the body. */
  stream = false;
  /** Most body bytes as received (max_body_size). */
  maxBody = Number.POSITIVE_INFINITY;
  /** Most bytes the body may decode to (max_decoded_size). */
  maxDecoded = Number.POSITIVE_INFINITY;
  /** Most decoded bytes per byte received, beyond the first MiB (max_decompression_ratio). */
  maxRatio = Number.POSITIVE_INFINITY;
  get sink(): ResponseSink {
    return this;
  }

  readonly #prepared: PreparedRequest;
  readonly #started = performance.now();
  // The connection holds this object while the body is read. Once a streamed response is in the
  // user's hands it is referenced only weakly from here, and the promise's resolvers are dropped
  // (a resolved promise holds its value), so an unread response can be collected.
  #resolve: ((r: Response) => void) | undefined;
  #reject: ((e: unknown) => void) | undefined;
  #strong: Response | undefined;
  #weak: WeakRef<Response> | undefined;
  #queue: BodyQueue | undefined;
  #control: BodyControl | undefined;
  #decoder: ContentDecoder | undefined;
  /** The body goes through the decoding chain (a decoder is open, or its code is loading). */
  #chained = false;
  #received = 0;
  #failure: RequestException | undefined;
  #completed = false;
  // Decoding is asynchronous: chunks are decoded in order on one chain, and the socket is held
  // (paused) while any is waiting. The body queue may hold it too (backpressure).
  #chain: Promise<unknown> | undefined;
  /** The load of the Set-Cookie reader (or the public suffix list) this response waits for, if any. */
  #cookieReader: Promise<unknown> | undefined;
  #decoding = 0;
  #holds = 0;

  constructor(prepared: PreparedRequest, resolve: (r: Response) => void, reject: (e: unknown) => void) {
    this.#prepared = prepared;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  #current(): Response | undefined {
    return this.#strong ?? this.#weak?.deref();
  }

  // ---- BodyControl, for the body queue: holds stack with the decoder's ----------------------

  pause(): void {
    if (this.#holds++ === 0) this.#control?.pause();
  }

  resume(): void {
    if (--this.#holds === 0) this.#control?.resume();
  }

  abort(reason?: unknown): void {
    this.#control?.abort(reason);
  }

  #total: number | undefined;

  #progress(): void {
    try {
      this.onDownloadProgress?.({ loaded: this.#received, total: this.#total });
    } catch {
      // a failing progress callback must not break the exchange
    }
  }

  // ---- ResponseSink ---------------------------------------------------------------------------

  onHead(head: ResponseHead, control: BodyControl): void {
    this.#control = control;
    const { stream, maxBody } = this;
    const queue = new BodyQueue(this, stream);
    this.#queue = queue;
    const response = new Response({
      status: head.status,
      reason: head.reason,
      httpVersion: head.httpVersion,
      fields: head.headers,
      url: head.url ?? this.#prepared.url,
      request: this.#prepared,
      elapsed: performance.now() - this.#started,
      body: queue,
      streaming: stream,
    });
    this.#strong = response;
    if (head.contentLength >= 0) this.#total = head.contentLength;
    if (this.onDownloadProgress !== undefined) this.#progress();
    if (head.contentLength > maxBody) {
      this.#stop(new BodyTooLarge(`the body is ${head.contentLength} bytes, over max_body_size ${maxBody}`));
      return;
    }
    const fields = head.headers;
    // r.cookies and the session's jar read Set-Cookie fields at once: a response with any is
    // handed out (or fails) only once the Set-Cookie reader is in, and the public suffix list if a
    // field has a Domain attribute (set-cookie.ts, loading)
    const load = fields.indexOf("set-cookie") < 0 ? undefined : setCookieCode.use((m) => m.loading(fields));
    if (load !== undefined) {
      this.#cookieReader = load;
      this.#chained = true;
      this.#hold(() => load.catch((err: RequestException) => this.#stop(err)));
    }
    const coding =
      head.decoded === true || fields.indexOf("content-encoding") < 0 ? undefined : fields.get("content-encoding");
    if (coding !== undefined) {
      const opened = decoding.use((m) => this.#openDecoder(m, coding));
      if (opened === false) return;
      if (opened !== true) {
        // the body goes through the decoding chain, which opens the decoder once its code is in
        this.#chained = true;
        this.#hold(() => opened);
      }
    }
    if (!stream) return;
    if (this.#cookieReader !== undefined) this.#hold(async () => this.#deliverStreamed(response, queue));
    else this.#deliverStreamed(response, queue);
  }

  /** Gives a streamed response to the caller, who reads the body. */
  #deliverStreamed(response: Response, queue: BodyQueue): void {
    if (this.#failure !== undefined) return;
    // the queue is its own unregister token: once the body has ended or failed (the error it
    // keeps refers to the response) the registry must let go of it, or the response never dies
    unreadBodies.register(response, queue, queue);
    this.#weak = new WeakRef(response);
    this.#strong = undefined;
    const resolve = this.#resolve;
    this.#resolve = undefined;
    this.#reject = undefined;
    resolve?.(response);
  }

  onData(chunk: Uint8Array): void {
    this.#received += chunk.length;
    if (this.onDownloadProgress !== undefined) this.#progress();
    if (this.#received > this.maxBody) {
      this.#stop(new BodyTooLarge(`the body exceeds max_body_size ${this.maxBody}`));
      return;
    }
    if (!this.#chained) {
      this.#queue?.push(chunk);
      return;
    }
    this.#hold(() => this.#decode(chunk));
  }

  /** Opens the decoder for `coding`; false (and the exchange is stopped) if it cannot be. */
  #openDecoder(code: typeof import("./body/decode.js"), coding: string): boolean {
    if (this.#failure !== undefined) return false;
    try {
      const d = code.createDecoder(coding, { maxDecodedBytes: this.maxDecoded, maxRatio: this.maxRatio });
      if (d.codings.length > 0) {
        this.#decoder = d;
        this.#chained = true;
      }
      return true;
    } catch (err) {
      this.#stop(this.#decodeFailure(err));
      return false;
    }
  }

  /** Runs `step` after the ones before it on the decoding chain; the socket waits meanwhile. */
  #hold(step: () => Promise<unknown>): void {
    if (this.#decoding++ === 0) this.pause();
    this.#chain = (this.#chain ?? Promise.resolve())
      .then(step)
      .catch((err: unknown) => this.#stop(this.#decodeFailure(err)))
      .finally(() => {
        if (--this.#decoding === 0) this.resume();
      });
  }

  /** A step of the chain: decodes `chunk`, or passes it on when no decoder was opened. */
  async #decode(chunk: Uint8Array): Promise<void> {
    if (this.#failure !== undefined) return;
    const d = this.#decoder;
    if (d === undefined) {
      this.#queue?.push(chunk);
      return;
    }
    for (const out of await d.push(chunk)) this.#queue?.push(out);
  }

  onTrailers(trailers: FieldSection): void {
    const r = this.#current();
    if (r !== undefined) r.trailers = fromRawFields(trailers.entries(), { proxied: true });
  }

  onComplete(): boolean {
    this.#completed = true;
    if (!this.#chained) return this.#finish();
    this.#chain = (this.#chain ?? Promise.resolve()).then(async () => {
      if (this.#failure !== undefined) return;
      const d = this.#decoder;
      try {
        if (d !== undefined) for (const out of await d.end()) this.#queue?.push(out);
      } catch (err) {
        this.#stop(this.#decodeFailure(err));
        return;
      }
      this.#finish();
    });
    return false; // chunks are still on the decoding chain
  }

  onError(err: RequestException): void {
    this.#fail(this.#failure !== undefined && err instanceof RequestAborted ? this.#failure : err);
  }

  // ---- settling -------------------------------------------------------------------------------

  /** Ends the body; true when the content was joined into memory of its own (no chunk is kept). */
  #finish(): boolean {
    const queue = this.#queue;
    if (queue !== undefined) unreadBodies.unregister(queue);
    queue?.end();
    const r = this.#strong;
    if (!this.stream && r !== undefined && queue !== undefined) {
      r._setContent(queue.takeAll(this.#control?.reusesReads === true));
      this.#resolve?.(r);
      return true;
    }
    return queue === undefined; // no head, no body: nothing was handed over
  }

  #fail(err: RequestException): void {
    err.request ??= this.#prepared;
    err.response ??= this.#current();
    this.#decoder?.destroy();
    if (this.#queue !== undefined) unreadBodies.unregister(this.#queue);
    if (this.#weak !== undefined) {
      this.#queue?.fail(err);
      return;
    }
    const reject = this.#reject;
    const reader = this.#cookieReader;
    // the error's response has Set-Cookie fields: the caller gets it once they can be read
    if (reader === undefined) reject?.(err);
    else
      reader.then(
        () => reject?.(err),
        () => reject?.(err),
      );
  }

  /** Ends the exchange from inside a callback with our own error (not "aborted"). */
  #stop(err: RequestException): void {
    if (this.#failure !== undefined) return;
    this.#failure = err;
    if (this.#completed) this.#fail(err);
    else this.#control?.abort(err);
  }

  /** The error for a failed step of the decoding chain. */
  #decodeFailure(err: unknown): RequestException {
    // the decoder's own ContentDecodingError / DecodedBodyTooLarge, or a RequestException for
    // code that could not be loaded, stays as it is (#fail adds the request and the response)
    if (err instanceof RequestException) return err;
    const options = { cause: err, request: this.#prepared, response: this.#current() };
    return new ContentDecodingError(`cannot decode the body: ${(err as Error)?.message ?? err}`, options);
  }
}
