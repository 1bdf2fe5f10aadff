// Transport over node:net and node:tls.
import { connect as netConnect, type Socket } from "node:net";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import {
  bareHost,
  ConnectError,
  type ConnectFailure,
  type ConnectOptions,
  connectAborted,
  NO_HANDLERS,
  type SocketHandlers,
  type TlsOptions,
  type Transport,
  type TransportSocket,
} from "./types.js";

/**
 * Small writes are held until the I/O callbacks of this turn of the event loop have run, then
 * written (setImmediate), each socket's in one piece. A client answering many responses in one turn
 * then sends its next requests together, and the server, woken once, reads them together: on a
 * loaded machine the sleep-and-wake of both processes for every single request is what costs most
 * (an A/B run of bench/e2e: GET + r.json() at 50 in flight went from 28k to 46k req/s). Up to this
 * many bytes per socket; a larger write, or one to a socket whose earlier writes the kernel has not
 * taken yet, is written at once, after what is held.
 */
const HOLD_LIMIT = 16 * 1024;

/** Sockets holding writes in this turn. */
const holding: NodeSocket[] = [];

function writeHeld(): void {
  for (const s of holding.splice(0)) s._writeHeld();
}

class NodeSocket implements TransportSocket {
  readonly #socket: Socket;
  /** The node:net socket, for TLS over it (a proxy tunnel). */
  get raw(): Socket {
    return this.#socket;
  }
  #handlers: SocketHandlers = NO_HANDLERS;

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => this.#handlers.data(chunk));
    socket.on("end", () => this.#handlers.end());
    socket.on("error", (err) => this.#handlers.error(err));
    socket.on("close", () => this.#handlers.close());
    socket.on("drain", () => this.#handlers.drain());
  }

  /** Bytes held for the end of this turn (see HOLD_LIMIT), in order. */
  readonly #held: Uint8Array[] = [];
  #heldBytes = 0;

  write(data: Uint8Array): boolean {
    return this.writev([data]);
  }

  writev(chunks: readonly Uint8Array[]): boolean {
    const s = this.#socket;
    let total = 0;
    for (const c of chunks) total += c.length;
    // held: small, and nothing of this socket's is waiting in Node's buffer (so the kernel takes
    // what is held at the end of the turn and the `true` given now is honest about backpressure)
    if (this.#heldBytes + total <= HOLD_LIMIT && s.writableLength === 0 && !s.destroyed) {
      if (this.#heldBytes === 0) {
        holding.push(this);
        if (holding.length === 1) setImmediate(writeHeld);
      }
      for (const c of chunks) this.#held.push(c);
      this.#heldBytes += total;
      return true;
    }
    this._writeHeld();
    if (chunks.length === 1) return s.write(chunks[0] as Uint8Array);
    s.cork();
    let ok = true;
    for (const c of chunks) ok = s.write(c);
    s.uncork();
    return ok;
  }

  /** Writes what is held, as one piece. @internal (writeHeld, and before anything else is written) */
  _writeHeld(): void {
    if (this.#heldBytes === 0) return;
    const held = this.#held;
    let data = held[0] as Uint8Array;
    if (held.length > 1) {
      data = new Uint8Array(this.#heldBytes);
      let at = 0;
      for (const c of held) {
        data.set(c, at);
        at += c.length;
      }
    }
    held.length = 0;
    this.#heldBytes = 0;
    if (!this.#socket.destroyed) this.#socket.write(data);
  }

  end(): void {
    this._writeHeld();
    this.#socket.end();
  }

  destroy(error?: Error): void {
    this.#held.length = 0;
    this.#heldBytes = 0;
    this.#socket.destroy(error);
  }

  pause(): void {
    this.#socket.pause();
  }

  resume(): void {
    this.#socket.resume();
  }

  ref(): void {
    this.#socket.ref();
  }

  unref(): void {
    this.#socket.unref();
  }

  setHandlers(handlers: SocketHandlers): void {
    this.#handlers = handlers;
  }

  get destroyed(): boolean {
    return this.#socket.destroyed;
  }

  get pendingBytes(): number {
    return this.#socket.writableLength + this.#heldBytes;
  }
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|HOSTNAME_MISMATCH|ERR_OSSL)/;

function classify(err: NodeJS.ErrnoException, tls: boolean): ConnectFailure {
  const code = err.code ?? "";
  if (code === "ECONNREFUSED") return "refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "dns";
  if (tls && (TLS_CODES.test(code) || /certificate|SSL|TLS/i.test(err.message))) return "tls";
  return "other";
}

function isIP(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(":");
}

/** Waits for a socket to connect (or finish its TLS handshake), with a timeout and an abort signal. */
function settle(socket: Socket, options: ConnectOptions, secure: boolean): Promise<TransportSocket> {
  const { tls, timeout, signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      socket.destroy();
      reject(connectAborted(signal));
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cleanup = () => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.removeListener("error", onError);
    };
    const onError = (err: NodeJS.ErrnoException) => {
      cleanup();
      socket.destroy();
      reject(new ConnectError(classify(err, tls !== undefined), err.message, err));
    };
    const onAbort = () => {
      cleanup();
      socket.destroy();
      reject(connectAborted(signal));
    };
    socket.once("error", onError);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (timeout !== undefined && timeout !== Number.POSITIVE_INFINITY) {
      timer = setTimeout(() => {
        cleanup();
        socket.destroy();
        reject(new ConnectError("timeout", `connect timed out after ${timeout} ms`));
      }, timeout);
    }
    socket.once(secure ? "secureConnect" : "connect", () => {
      cleanup();
      resolve(new NodeSocket(socket));
    });
  });
}

function tlsSocket(hostname: string, port: number, tls: TlsOptions, over?: Socket): TLSSocket {
  const servername = tls.servername ?? (isIP(hostname) ? undefined : hostname);
  return tlsConnect({
    host: hostname,
    port,
    socket: over,
    servername,
    rejectUnauthorized: tls.rejectUnauthorized,
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    ALPNProtocols: ["http/1.1"],
  });
}

/** Opens sockets with node:net and node:tls. */
export const nodeTransport: Transport = {
  connect(options: ConnectOptions): Promise<TransportSocket> {
    const { host, port, tls, signal } = options;
    if (signal?.aborted) return Promise.reject(connectAborted(signal));
    const hostname = bareHost(host);
    const socket = tls ? tlsSocket(hostname, port, tls) : netConnect({ host: hostname, port });
    socket.setNoDelay(true);
    return settle(socket, options, tls !== undefined);
  },

  startTls(socket: TransportSocket, options: ConnectOptions): Promise<TransportSocket> {
    if (!(socket instanceof NodeSocket)) return Promise.reject(new Error("not a node:net socket"));
    if (options.tls === undefined) return Promise.resolve(socket);
    socket._writeHeld(); // TLS takes the raw socket over: what was written before it goes first
    const hostname = bareHost(options.host);
    return settle(tlsSocket(hostname, options.port, options.tls, socket.raw), options, true);
  },
};

/** The TLSSocket type, for code that needs the negotiated details (tests). */
export type { TLSSocket };
