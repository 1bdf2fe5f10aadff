// One HTTP/1.1 connection: sends one request at a time over a transport socket and drives the
// engine's ResponseParser with what comes back. It knows nothing of URLs, sessions or bodies
// beyond bytes; the pool above it decides which exchange runs on which connection.

import { type FieldSection, ParseError, ParserEvent, ResponseParser } from "../core/api.js";
import {
  ChunkedEncodingError,
  ConnectionError,
  ProtocolError,
  ReadTimeout,
  RemoteDisconnected,
  RequestAborted,
  RequestException,
} from "../errors.js";
import { lazy } from "../lazy.js";
import type { AbortSignalLike } from "../platform-types.js";
import { NotSentError, type TransportSocket, VerbatimError } from "../transport/types.js";
import { requestAborted } from "./aborted.js";

/** Header fields of a response: the engine's FieldSection, or pairs from a runtime's fetch. */
export interface HeaderFields {
  /** Index of the first field named `name` (lowercase), or -1. */
  indexOf(name: string): number;
  /** The value of `name` (lowercase), repeated fields joined with ", ". */
  get(name: string): string | undefined;
  /** Every field as [name, value], in order. */
  entries(): Array<[string, string]>;
}

/** The head of a final response. */
export interface ResponseHead {
  status: number;
  reason: string;
  /** "1.0" or "1.1". */
  httpVersion: string;
  headers: HeaderFields;
  /** The runtime already removed the content codings (fetch does); the body is not decoded again. */
  decoded?: boolean;
  /** Where the response came from when the runtime followed redirects itself (fetch). */
  url?: string;
  /** The connection may be reused after this response. */
  keepAlive: boolean;
  /** Content-Length, or -1. */
  contentLength: number;
}

/** Lets the receiver of a streamed body slow the sender down, or give up. */
export interface BodyControl {
  pause(): void;
  resume(): void;
  /** Stops the exchange; the connection is closed (its remaining body is never read). */
  abort(reason?: unknown): void;
  /**
   * The socket reads into memory it reuses once a response has ended and its receiver holds no
   * chunk (see onComplete): a receiver that keeps a chunk as it is should copy it instead.
   */
  readonly reusesReads?: boolean;
}

/** Where a response goes. Exactly one of onComplete / onError is called, once. */
export interface ResponseSink {
  onHead(head: ResponseHead, control: BodyControl): void;
  onData(chunk: Uint8Array): void;
  onTrailers(trailers: FieldSection): void;
  /** The response ended; `true` if no data chunk it was given is referenced any more. */
  onComplete(): boolean | undefined;
  onError(error: RequestException): void;
}

/** Interim (1xx) responses allowed before a final one (a flood of them is refused). */
const MAX_INTERIM = 10;

/** One request to run on a connection. */
export interface Exchange {
  /** The serialized request head (validated before any connection was chosen). */
  head: Uint8Array;
  /** The body: bytes, or a stream written as it comes (chunked unless `bodyLength` is known). */
  body: Uint8Array | AsyncIterable<Uint8Array> | null;
  /** Bytes of a streamed body, when the head declared a Content-Length for it. */
  bodyLength: number | undefined;
  /** The request was HEAD. */
  expectHead: boolean;
  /** Milliseconds the server may stay silent once the request is sent. */
  readTimeout: number | undefined;
  /** Milliseconds from the request sent to its final response head (interim 1xx heads included). */
  headTimeout: number;
  /** Milliseconds an exchange may wait in a full pool's queue for a connection. */
  poolTimeout: number | undefined;
  signal: AbortSignalLike | undefined;
  sink: ResponseSink;
  /** Milliseconds allowed to connect, when a new connection is needed. */
  connectTimeout: number | undefined;
  /**
   * May be sent again, once, on a new connection, when a reused connection turns out stale
   * (closed by the server before any byte of the response). Never true for POST or PATCH.
   */
  retryOnStale: boolean;
  /** The body can be sent again (bytes, or none): needed to retry a request nothing of was sent. */
  replayable: boolean;
  /** Already sent again once. */
  retried: boolean;
}

/** What a connection tells its pool. */
export interface ConnectionOwner {
  /** The exchange is over and the connection can take another. */
  released(conn: Connection): void;
  /** The connection is closed; forget it. */
  closed(conn: Connection): void;
  /** Sends a stale connection's exchange again elsewhere; false if it cannot. */
  retryStale(ex: Exchange): boolean;
}

/** The body control handed to a receiver, bound to one exchange (later calls are no-ops). */
class ExchangeControl implements BodyControl {
  readonly #conn: Connection;
  readonly #ex: Exchange;
  constructor(conn: Connection, ex: Exchange) {
    this.#conn = conn;
    this.#ex = ex;
  }
  pause(): void {
    this.#conn._pause(this.#ex);
  }
  resume(): void {
    this.#conn._resume(this.#ex);
  }
  abort(reason?: unknown): void {
    this.#conn._abort(this.#ex, reason);
  }
  get reusesReads(): boolean {
    return this.#conn._reusesReads;
  }
}

/** The writer of streamed bodies: loaded by the first request with one. */
const pumping = lazy(() => import("./pump.js"), "request body");
/**
 * A body of bytes up to this size goes in one write with the head (it fits the kernel's socket
 * buffers); a larger one goes in pieces, so that a server reading slowly is seen progressing.
 */
const ONE_WRITE = 1024 * 1024;

/** The last Keep-Alive value seen and its timeout: a server sends the same one on every response. */
let lastHint = "";
let lastSeconds: number | undefined;

/** The `timeout` of a Keep-Alive field value, in seconds, or undefined. */
function keepAliveSeconds(hint: string): number | undefined {
  if (hint !== lastHint) {
    const m = /(?:^|[,;\s])timeout\s*=\s*(\d+)/i.exec(hint);
    lastHint = hint;
    lastSeconds = m === null ? undefined : Number(m[1]);
  }
  return lastSeconds;
}

/**
 * Parsers of closed connections, reset and kept for new ones: each is an engine instance, and
 * instantiating one costs about 0.1 ms on Node and Deno and over 1 ms on Bun.
 */
const spareParsers: ResponseParser[] = [];
const MAX_SPARE_PARSERS = 64;

function takeParser(): ResponseParser {
  return spareParsers.pop() ?? new ResponseParser();
}

function giveBackParser(p: ResponseParser): void {
  if (spareParsers.length >= MAX_SPARE_PARSERS) return;
  p.reset();
  spareParsers.push(p);
}

enum Phase {
  Idle = 0,
  Head = 1, // waiting for (or reading) the final head
  Body = 2, // reading the body
  Closed = 3,
}

export class Connection {
  readonly #socket: TransportSocket;
  readonly #owner: ConnectionOwner;
  #parser: ResponseParser;
  #phase = Phase.Idle;
  #ex: Exchange | undefined;
  #settled = true;
  #writing = false; // a streamed body is still being written
  #gotBytes = false; // a byte of the current response arrived
  #used = 0; // exchanges completed on this connection
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the final response head must have arrived (ms since epoch), once the request is sent; 0 before. */
  #headDeadline = 0;
  /** Interim (1xx) responses of the current exchange so far. */
  #interim = 0;
  #paused = false;
  #drainWaiter: (() => void) | undefined;
  #onAbort: (() => void) | undefined;
  #keepAlive = false;
  /** The last exchange's receiver holds none of the chunks it was given. */
  #clean = false;
  /** When the server's keep-alive hint says the idle connection expires (ms since epoch), or 0. */
  serverIdleDeadline = 0;

  constructor(socket: TransportSocket, owner: ConnectionOwner) {
    this.#socket = socket;
    this.#owner = owner;
    this.#parser = takeParser();
    socket.setHandlers({
      data: (chunk) => this.#onData(chunk),
      end: () => this.#onEnd(),
      error: (err) => this.#onSocketError(err),
      close: () => this.#onClose(),
      drain: () => {
        const w = this.#drainWaiter;
        this.#drainWaiter = undefined;
        w?.();
      },
    });
  }

  /** The connection can take an exchange. */
  get idle(): boolean {
    return this.#phase === Phase.Idle;
  }

  get closed(): boolean {
    return this.#phase === Phase.Closed;
  }

  /** Exchanges completed on this connection. */
  get used(): number {
    return this.#used;
  }

  /** Idle pooled connections must not keep the process alive. */
  setIdleRef(ref: boolean): void {
    if (ref) this.#socket.ref();
    else this.#socket.unref();
  }

  /** Starts an exchange. The connection must be idle. */
  run(ex: Exchange): void {
    if (this.#phase !== Phase.Idle) throw new Error("connection is busy");
    this.#ex = ex;
    this.#settled = false;
    this.#gotBytes = false;
    this.#paused = false;
    this.#headDeadline = 0;
    this.#interim = 0;
    this.#phase = Phase.Head;
    this.#socket.ref();
    if (ex.signal !== undefined) {
      if (ex.signal.aborted) {
        this.#fail(requestAborted(ex.signal, "sending the request"), false);
        return;
      }
      const onAbort = () => this.#fail(requestAborted(ex.signal, this.#phaseName()), false);
      this.#onAbort = onAbort;
      ex.signal.addEventListener("abort", onAbort, { once: true });
    }
    this.#parser.expect({ head: ex.expectHead });
    const body = ex.body;
    if (body === null) {
      this.#socket.write(ex.head);
      this.#sent(ex);
    } else if (body instanceof Uint8Array && body.length > ONE_WRITE) {
      // a large body goes in pieces, so that a slow server that keeps reading is seen progressing
      this.#writeStreamed(ex, [body], body.length);
    } else if (body instanceof Uint8Array) {
      if (this.#socket.writev([ex.head, body])) this.#sent(ex);
      else {
        // the silence that counts starts once the server has taken the whole body
        this.#writing = true;
        this.#drained(ex).then(() => {
          this.#writing = false;
          if (this.#ex === ex && !this.#settled) this.#sent(ex);
        });
      }
    } else {
      this.#writeStreamed(ex, body, ex.bodyLength);
    }
  }

  /** Writes the head, then the body as it comes; the read timer starts once it is all sent. */
  #writeStreamed(
    ex: Exchange,
    body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    length: number | undefined,
  ): void {
    this.#socket.write(ex.head);
    this.#writing = true;
    const live = () => this.#ex === ex && !this.#settled;
    pumping
      .use((m) => m.pumpBody(this.#socket, body, length, live, () => this.#drained(ex)))
      .then(
        () => {
          this.#writing = false;
          if (this.#ex === ex && !this.#settled) this.#sent(ex);
        },
        (err: unknown) => {
          this.#writing = false;
          if (this.#ex === ex) {
            const e =
              err instanceof RequestException
                ? err
                : new ConnectionError(`request body failed: ${(err as Error)?.message ?? err}`, { cause: err });
            this.#fail(e, false);
          }
        },
      );
  }

  /**
   * Waits until the socket takes more of the body. A server that stops reading it fails the
   * exchange after the read timeout, as a silent one does (the timeout covers sending too).
   */
  #drained(ex: Exchange): Promise<void> {
    return new Promise<void>((resolve) => {
      const ms = ex.readTimeout;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let pending = this.#socket.pendingBytes ?? Number.POSITIVE_INFINITY;
      // a server reading slowly but steadily is fine: only a timeout without progress fails
      const check = () => {
        const now = this.#socket.pendingBytes;
        if (now !== undefined && now < pending) {
          pending = now;
          timer = setTimeout(check, ms);
          return;
        }
        this.#drainWaiter = undefined;
        this.#fail(new ReadTimeout(`the server took none of the request body for ${(ms as number) / 1000} s`), false);
        resolve();
      };
      if (ms !== undefined) timer = setTimeout(check, ms);
      this.#drainWaiter = () => {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      };
    });
  }

  /** What the exchange is doing, for an error that names it. */
  #phaseName(): string {
    if (this.#phase === Phase.Body) return "reading the body";
    return this.#headDeadline === 0 ? "sending the request" : "waiting for the response head";
  }

  /** The request is all sent: the read timer starts, and the head deadline is set. */
  #sent(ex: Exchange): void {
    if (this.#headDeadline === 0) this.#headDeadline = Date.now() + ex.headTimeout;
    this.#armReadTimer();
  }

  #armReadTimer(): void {
    const ms = this.#ex?.readTimeout;
    if (ms === undefined || this.#paused || this.#writing) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#fail(new ReadTimeout(`no data from the server for ${ms / 1000} s`), false);
    }, ms);
  }

  #clearReadTimer(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #onData(chunk: Uint8Array): void {
    if (this.#phase === Phase.Idle || this.#settled) {
      // Bytes with no request outstanding are never a response (response-queue poisoning).
      this.destroy();
      return;
    }
    this.#gotBytes = true;
    if (this.#timer !== undefined) this.#armReadTimer();
    const p = this.#parser;
    const ex = this.#ex as Exchange;
    // a head trickled in, or interim responses one after another, never extend the head deadline
    // (checked as bytes come: silence is the read timer's)
    if (this.#phase === Phase.Head && this.#headDeadline !== 0 && Date.now() > this.#headDeadline) {
      this.#fail(new ReadTimeout(`the response head did not arrive within ${ex.headTimeout / 1000} s`), false);
      return;
    }
    let done = false;
    try {
      p.feed(chunk);
      for (let ev = p.next(); ev !== ParserEvent.NeedMore; ev = p.next()) {
        if (ev === ParserEvent.Body) {
          ex.sink.onData(p.body);
        } else if (ev === ParserEvent.Head) {
          if (p.informational) {
            // 100 Continue, 103 Early Hints: the final head follows, after a few at most
            if (++this.#interim > MAX_INTERIM) {
              throw new ProtocolError(`more than ${MAX_INTERIM} interim (1xx) responses before the final one`);
            }
            continue;
          }
          if (p.upgrade) {
            throw new ProtocolError(`unexpected ${p.statusCode} ${p.reason}: the connection cannot be upgraded here`);
          }
          this.#phase = Phase.Body;
          this.#keepAlive = p.keepAlive;
          const head: ResponseHead = {
            status: p.statusCode,
            reason: p.reason,
            httpVersion: p.httpVersion,
            headers: p.headers,
            keepAlive: p.keepAlive,
            contentLength: p.contentLength,
          };
          this.#noteKeepAliveHint(p.headers);
          ex.sink.onHead(head, new ExchangeControl(this, ex));
          if (this.#settled) return; // the receiver aborted
        } else if (ev === ParserEvent.Trailers) {
          ex.sink.onTrailers(p.trailers as FieldSection);
        } else if (ev === ParserEvent.Done) {
          done = true;
          this.#complete(ex);
          // The parser is idle now: the loop's next() says NeedMore, or throws on bytes after
          // the response (unsolicited), and the connection is closed below.
        }
        if (!done && this.#ex !== ex) return; // the exchange was aborted by its receiver
      }
      // The whole chunk is parsed and nothing followed the response: only now may the
      // connection take the next exchange (bytes after a response must never reach it), and
      // the transport learn whether the memory it read into may take new reads.
      if (done && (this.#phase as Phase) === Phase.Idle) {
        this.#socket.release?.(this.#clean);
        this.#owner.released(this);
      }
    } catch (err) {
      if (this.#ex !== ex || this.#settled) {
        this.destroy();
        return;
      }
      this.#fail(this.#mapParseError(err), false);
    }
  }

  #mapParseError(err: unknown): RequestException {
    if (err instanceof RequestException) return err;
    if (err instanceof ParseError) {
      if (this.#phase === Phase.Body) {
        return new ChunkedEncodingError(`invalid response body: ${err.message}`, { cause: err });
      }
      return new ProtocolError(`invalid response: ${err.message}`, { cause: err });
    }
    return new ConnectionError(String((err as Error)?.message ?? err), { cause: err });
  }

  #noteKeepAliveHint(headers: FieldSection): void {
    const hint = headers.get("keep-alive");
    if (hint === undefined) return;
    const seconds = keepAliveSeconds(hint);
    if (seconds !== undefined) this.serverIdleDeadline = Date.now() + seconds * 1000;
  }

  /** @internal ExchangeControl.reusesReads */
  get _reusesReads(): boolean {
    return this.#socket.release !== undefined;
  }

  /** @internal ExchangeControl.pause */
  _pause(ex: Exchange): void {
    if (this.#ex !== ex || this.#settled) return;
    this.#paused = true;
    this.#clearReadTimer();
    this.#socket.pause();
  }

  /** @internal ExchangeControl.resume */
  _resume(ex: Exchange): void {
    if (this.#ex !== ex || this.#settled) return;
    this.#paused = false;
    this.#socket.resume();
    this.#armReadTimer();
  }

  /** @internal ExchangeControl.abort */
  _abort(ex: Exchange, reason?: unknown): void {
    if (this.#ex !== ex || this.#settled) return;
    this.#fail(new RequestAborted("response body abandoned", { cause: reason }), false);
  }

  #onEnd(): void {
    if (this.#phase === Phase.Idle || this.#settled) {
      this.destroy();
      return;
    }
    const ex = this.#ex as Exchange;
    try {
      const ev = this.#parser.finish();
      if (ev === ParserEvent.Done) {
        this.#keepAlive = false;
        this.#complete(ex);
        return;
      }
    } catch (err) {
      this.#fail(this.#closedError(err), true);
      return;
    }
    this.#fail(this.#closedError(undefined), true);
  }

  /** The error for a connection closed by the peer in the middle of an exchange. */
  #closedError(cause: unknown): RequestException {
    if (!this.#gotBytes) {
      return new RemoteDisconnected("the server closed the connection without sending a response", { cause });
    }
    if (this.#phase === Phase.Body) {
      return new ChunkedEncodingError("the connection closed before the end of the response body", { cause });
    }
    return new ProtocolError("the connection closed inside the response head", { cause });
  }

  #onSocketError(err: Error): void {
    if (this.#phase === Phase.Idle || this.#settled) return; // close follows
    if (err instanceof VerbatimError) {
      // the transport's answer to this request (reqwire/testing): that very error, never retried
      this.#fail(err.error as RequestException, false);
      return;
    }
    const e = this.#closedError(err);
    e.message = `${e.message} (${err.message})`;
    this.#fail(e, true, err instanceof NotSentError);
  }

  #onClose(): void {
    if (!this.#settled && this.#phase !== Phase.Idle && this.#phase !== Phase.Closed) {
      this.#fail(this.#closedError(undefined), true);
    }
    this.#markClosed();
  }

  #markClosed(): void {
    if (this.#phase === Phase.Closed) return;
    this.#phase = Phase.Closed;
    this.#clearReadTimer();
    // the parser goes back once the current event is handled; a closed connection never parses
    const parser = this.#parser;
    queueMicrotask(() => giveBackParser(parser));
    // a body writer waiting for drain finds the exchange over and stops (closing its source)
    const w = this.#drainWaiter;
    this.#drainWaiter = undefined;
    w?.();
    this.#owner.closed(this);
  }

  #detach(ex: Exchange): void {
    this.#settled = true;
    this.#clearReadTimer();
    if (this.#onAbort !== undefined) {
      ex.signal?.removeEventListener("abort", this.#onAbort);
      this.#onAbort = undefined;
    }
  }

  /**
   * Settles an exchange that ended well. A reusable connection becomes idle; the caller hands it
   * back to the pool once it has seen that no byte follows the response.
   */
  #complete(ex: Exchange): void {
    this.#detach(ex);
    this.#used++;
    // A body still being written means the server answered early: the rest of the request is
    // on the wire or will never be, so the connection cannot carry another request.
    const reusable = this.#keepAlive && !this.#writing;
    this.#ex = undefined;
    if (this.#paused) {
      this.#paused = false;
      this.#socket.resume();
    }
    if (reusable) {
      this.#phase = Phase.Idle;
      this.#clean = ex.sink.onComplete() === true;
    } else {
      this.destroy();
      ex.sink.onComplete();
    }
  }

  /**
   * Ends the current exchange with an error and closes the connection. `byPeer`: the failure
   * came from the socket (close, reset), which may mean a stale keep-alive connection;
   * `notSent`: the runtime refused the first write, so the server received nothing.
   */
  #fail(err: RequestException, byPeer: boolean, notSent = false): void {
    const ex = this.#ex;
    if (ex === undefined || this.#settled) return;
    this.#detach(ex);
    this.#ex = undefined;
    const stale = byPeer && this.#used > 0 && !this.#gotBytes;
    // a stale connection may have taken the request (only idempotent ones go again); a write
    // the runtime refused sent nothing (any method goes again, if its body can be replayed)
    const again = stale && (ex.retryOnStale || (notSent && ex.replayable));
    this.destroy();
    if (again && !ex.retried && this.#owner.retryStale(ex)) return;
    ex.sink.onError(err);
  }

  /** Closes the connection now; an exchange still running on it fails. */
  destroy(): void {
    if (this.#ex !== undefined && !this.#settled) {
      this.#fail(new ConnectionError("the connection was closed"), false); // comes back here settled
      return;
    }
    if (!this.#socket.destroyed) this.#socket.destroy();
    this.#markClosed();
  }
}
