// The in-memory transport: connect() gives a socket that plays an HTTP/1.1 server. It reads the
// requests reqwire writes (wire.ts), asks the mocks for each answer (mocker.ts), and hands the
// answer back as response bytes through the socket's data handler — later, never from inside
// write() — so that reqwire's own parser, receiver, decoders, redirects and cookies take it as they
// take a server's. Keep-alive included: a connection serves one request after another. A request
// no mock answers fails with NoMockAddress, or goes to a real server over a real transport.
import { NoMockAddress } from "../errors.js";
import { connectFailure } from "../http/pool.js";
import {
  type ConnectOptions,
  connectAborted,
  NO_HANDLERS,
  type SocketHandlers,
  type Transport,
  type TransportSocket,
  VerbatimError,
} from "../transport/types.js";
import { type Answer, chunkBytes, prepareAnswer, type Reply } from "./reply.js";
import { MockRequest } from "./request.js";
import { chunkFrame, LAST_CHUNK, RequestReader, responseHead, type WireRequest } from "./wire.js";

/** What the sockets ask of the mocks. */
export interface MockServer {
  /** The reply of the mock that takes this request (which records it), or undefined when none matches. */
  route(request: MockRequest): Reply | undefined;
  /** Where requests no mock matches go (a real transport), or undefined: they fail with NoMockAddress. */
  readonly realTransport: (() => Transport) | undefined;
}

/** The answer to CONNECT. */
const TUNNEL_OPEN = responseHead(200, "Connection Established", []);

/** A large body goes to the client in pieces of this size, as a network would cut it. */
const PIECE = 64 * 1024;

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

class MockSocket implements TransportSocket {
  readonly #server: MockServer;
  /** Where the connection goes (through a proxy's tunnel: the target, once startTls ran). */
  #options: ConnectOptions;
  readonly #reader = new RequestReader();
  #handlers: SocketHandlers = NO_HANDLERS;
  #destroyed = false;
  #paused = false;
  /** A request is being answered (the next waits). */
  #busy = false;
  #pumpScheduled = false;
  /** The client half-closed: close once the requests it sent are answered. */
  #ending = false;
  /** Response bytes not yet handed to the client (held while it pauses). */
  readonly #out: Uint8Array[] = [];
  #flushScheduled = false;
  /** Who waits for #out to empty. */
  readonly #flushWaiters: Array<() => void> = [];
  /** Delays under way, each with what ends it early. */
  readonly #timers = new Map<ReturnType<typeof setTimeout>, () => void>();
  /** The connection to a real server, for requests no mock matched (real_http). */
  #real: Promise<TransportSocket> | undefined;
  #realSocket: TransportSocket | undefined;
  /** The last request went to the real server: what it sends (and its end) is the client's. */
  #viaReal = false;

  constructor(server: MockServer, options: ConnectOptions) {
    this.#server = server;
    this.#options = options;
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  setHandlers(handlers: SocketHandlers): void {
    this.#handlers = handlers;
  }

  write(data: Uint8Array): boolean {
    return this.writev([data]);
  }

  writev(chunks: readonly Uint8Array[]): boolean {
    if (this.#destroyed) return true; // bytes to a closed socket go nowhere
    for (const c of chunks) this.#reader.push(c);
    this.#schedulePump();
    return true;
  }

  end(): void {
    this.#ending = true;
    this.#schedulePump();
  }

  destroy(): void {
    this.#close();
  }

  pause(): void {
    this.#paused = true;
    this.#realSocket?.pause();
  }

  resume(): void {
    this.#paused = false;
    this.#realSocket?.resume();
    this.#scheduleFlush();
  }

  ref(): void {}
  unref(): void {}

  // ---- reading requests -----------------------------------------------------------------------

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  /** Answers the next complete request, if one is in and none is being answered. */
  #pump(): void {
    if (this.#busy || this.#destroyed) return;
    let wire: WireRequest | undefined;
    try {
      wire = this.#reader.next();
    } catch (err) {
      this.#fail(asError(err));
      return;
    }
    if (wire === undefined) {
      if (this.#ending && !this.#reader.partial) this.#finish();
      return;
    }
    this.#busy = true;
    this.#serve(wire).then(
      () => {
        this.#busy = false;
        this.#pump();
      },
      (err: unknown) => {
        this.#busy = false;
        this.#fail(asError(err));
      },
    );
  }

  /** The URL a request went to: the connection's origin and the request-target (absolute-form as it is). */
  #urlOf(target: string): URL {
    if (/^https?:\/\//i.test(target)) return new URL(target);
    const { host, port, tls } = this.#options;
    const origin = `${tls === undefined ? "http" : "https"}://${host.includes(":") ? `[${host}]` : host}:${port}`;
    return new URL(target.startsWith("/") ? `${origin}${target}` : `${origin}/${target}`);
  }

  /** @internal MockTransport.startTls: the requests that follow go to this target (no TLS runs in memory). */
  _retarget(options: ConnectOptions): void {
    this.#options = options;
    this.#realSocket?.destroy(); // a real connection was to the proxy
    this.#realSocket = undefined;
    this.#real = undefined;
  }

  async #serve(wire: WireRequest): Promise<void> {
    if (wire.method === "CONNECT") {
      // a proxy's tunnel (HTTPS_PROXY, `proxies`): opened, and the requests that follow are the
      // target's; the proxy is not what is mocked, and CONNECT is kept out of the history
      this.#emit(TUNNEL_OPEN);
      return;
    }
    const request = new MockRequest(wire, this.#urlOf(wire.target));
    const reply = this.#server.route(request);
    if (reply === undefined) {
      const real = this.#server.realTransport;
      if (real === undefined) {
        const { method, url } = request;
        this.#fail(new NoMockAddress(`No mock address: ${method} ${url}`, { method, url }));
        return;
      }
      await this.#forward(wire.raw, real);
      return;
    }
    this.#viaReal = false;
    let answer: Answer;
    try {
      answer = prepareAnswer(typeof reply === "function" ? await reply(request) : reply);
    } catch (err) {
      this.#fail(asError(err));
      return;
    }
    if (answer.delay > 0) await this.#sleep(answer.delay);
    if (this.#destroyed) return;
    if (answer.exc !== undefined) {
      this.#fail(answer.exc);
      return;
    }
    await this.#send(answer, request.method === "HEAD");
  }

  // ---- writing responses ----------------------------------------------------------------------

  async #send(answer: Answer, head: boolean): Promise<void> {
    this.#emit(responseHead(answer.status, answer.reason, answer.fields));
    const bodiless = head || answer.status === 204 || answer.status === 304;
    if (!bodiless && answer.chunks !== undefined) {
      try {
        for await (const piece of answer.chunks) {
          if (this.#destroyed) return; // leaving the loop closes the iterator
          this.#emit(chunkFrame(chunkBytes(piece)));
          await this.#flushed(); // one piece at a time: the client reads them as they come
        }
      } catch (err) {
        await this.#flushed();
        this.#fail(asError(err)); // the body breaks off with the iterable's error
        return;
      }
      this.#emit(LAST_CHUNK);
    } else if (!bodiless) {
      const body = answer.body as Uint8Array;
      if (answer.chunked) {
        this.#emit(chunkFrame(body));
        this.#emit(LAST_CHUNK);
      } else {
        for (let at = 0; at < body.length; at += PIECE) this.#emit(body.subarray(at, at + PIECE));
      }
    }
    await this.#flushed();
    if (answer.close) this.#finish();
  }

  #emit(bytes: Uint8Array): void {
    if (bytes.length === 0 || this.#destroyed) return;
    this.#out.push(bytes);
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  /** Hands held bytes to the client until it pauses. */
  #flush(): void {
    while (this.#out.length > 0 && !this.#paused && !this.#destroyed) {
      this.#handlers.data(this.#out.shift() as Uint8Array);
    }
    if (this.#out.length === 0 || this.#destroyed) {
      for (const w of this.#flushWaiters.splice(0)) w();
    }
  }

  /** Resolves once every byte emitted so far is with the client (or the socket is closed). */
  #flushed(): Promise<void> {
    if (this.#out.length === 0 || this.#destroyed) return Promise.resolve();
    return new Promise((resolve) => this.#flushWaiters.push(resolve));
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.set(timer, resolve);
    });
  }

  // ---- ending ---------------------------------------------------------------------------------

  /** Fails the request being answered with `err` itself, and closes the connection. */
  #fail(err: Error): void {
    if (this.#destroyed) return;
    this.#handlers.error(new VerbatimError(err));
    this.#close();
  }

  /** The server side ends the connection (after what it sent): EOF, then close. */
  #finish(): void {
    if (this.#destroyed) return;
    this.#flushed().then(() => {
      if (this.#destroyed) return;
      this.#handlers.end();
      this.#close();
    });
  }

  #close(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#out.length = 0;
    for (const [timer, resolve] of this.#timers) {
      clearTimeout(timer);
      resolve();
    }
    this.#timers.clear();
    for (const w of this.#flushWaiters.splice(0)) w();
    this.#realSocket?.destroy();
    this.#realSocket = undefined;
    this.#real = undefined;
    queueMicrotask(() => this.#handlers.close());
  }

  // ---- real_http ------------------------------------------------------------------------------

  /** Sends a request no mock matched to the real server (one connection, opened at the first). */
  async #forward(raw: Uint8Array, transport: () => Transport): Promise<void> {
    this.#viaReal = true;
    let socket: TransportSocket;
    try {
      this.#real ??= this.#openReal(transport);
      socket = await this.#real;
    } catch (err) {
      this.#real = undefined;
      this.#fail(asError(err));
      return;
    }
    if (this.#destroyed) return;
    socket.write(raw);
  }

  async #openReal(transport: () => Transport): Promise<TransportSocket> {
    const { host, port, tls, timeout } = this.#options;
    const target = `${host}:${port}`;
    const real = transport(); // a TypeError where there is none to use
    let socket: TransportSocket;
    try {
      socket = await real.connect({ host, port, tls, timeout });
    } catch (err) {
      throw connectFailure(err, target);
    }
    if (this.#destroyed) {
      socket.destroy();
      return socket;
    }
    const gone = () => {
      if (this.#realSocket === socket) {
        this.#realSocket = undefined;
        this.#real = undefined;
      }
    };
    socket.setHandlers({
      data: (chunk) => {
        // copied: the real transport may read into that memory again
        if (this.#viaReal && this.#realSocket === socket) this.#emit(chunk.slice());
      },
      end: () => {
        if (this.#viaReal && this.#realSocket === socket) this.#finish();
        gone();
      },
      error: (err) => {
        if (this.#viaReal && this.#realSocket === socket && !this.#destroyed) {
          this.#handlers.error(err); // a socket error, taken as any other
          this.#close();
        }
        gone();
      },
      close: () => {
        if (this.#viaReal && this.#realSocket === socket) this.#finish();
        gone();
      },
      drain: () => {},
    });
    this.#realSocket = socket;
    if (this.#paused) socket.pause();
    return socket;
  }
}

/**
 * A transport whose connections are answered by mocks, in memory: give it to a Session
 * (`new Session({ transport: mocker.transport })`). Usually made by a Mocker.
 */
export class MockTransport implements Transport {
  readonly #server: MockServer;

  constructor(server: MockServer) {
    this.#server = server;
  }

  connect(options: ConnectOptions): Promise<TransportSocket> {
    if (options.signal?.aborted) return Promise.reject(connectAborted(options.signal));
    return Promise.resolve(new MockSocket(this.#server, options));
  }

  /** TLS inside a proxy's tunnel: in memory there is none; the connection now serves the target. */
  startTls(socket: TransportSocket, options: ConnectOptions): Promise<TransportSocket> {
    if (!(socket instanceof MockSocket)) {
      return Promise.reject(new TypeError("reqwire/testing: startTls over a socket of another transport"));
    }
    socket._retarget(options);
    return Promise.resolve(socket);
  }
}
