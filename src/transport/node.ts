// Transport over node:net and node:tls.
import { connect as netConnect, type Socket } from "node:net";
import { type TLSSocket, connect as tlsConnect } from "node:tls";

/** Pieces written together up to this many bytes in all are copied into one buffer and written once. */
const JOIN_LIMIT = 16 * 1024;

import {
  bareHost,
  ConnectError,
  type ConnectFailure,
  type ConnectOptions,
  connectAborted,
  type SocketHandlers,
  type TlsOptions,
  type Transport,
  type TransportSocket,
} from "./types.js";

const NOOP_HANDLERS: SocketHandlers = {
  data() {},
  end() {},
  error() {},
  close() {},
  drain() {},
};

class NodeSocket implements TransportSocket {
  readonly #socket: Socket;
  /** The node:net socket, for TLS over it (a proxy tunnel). */
  get raw(): Socket {
    return this.#socket;
  }
  #handlers: SocketHandlers = NOOP_HANDLERS;

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => this.#handlers.data(chunk));
    socket.on("end", () => this.#handlers.end());
    socket.on("error", (err) => this.#handlers.error(err));
    socket.on("close", () => this.#handlers.close());
    socket.on("drain", () => this.#handlers.drain());
  }

  write(data: Uint8Array): boolean {
    return this.#socket.write(data);
  }

  writev(chunks: readonly Uint8Array[]): boolean {
    const s = this.#socket;
    if (chunks.length === 1) return s.write(chunks[0] as Uint8Array);
    // small pieces (a head and a small body) are joined and written at once: one write costs far
    // less than cork, several writes and the writev that uncork makes of them
    let total = 0;
    for (const c of chunks) total += c.length;
    if (total <= JOIN_LIMIT) {
      const joined = new Uint8Array(total);
      let at = 0;
      for (const c of chunks) {
        joined.set(c, at);
        at += c.length;
      }
      return s.write(joined);
    }
    s.cork();
    let ok = true;
    for (const c of chunks) ok = s.write(c);
    s.uncork();
    return ok;
  }

  end(): void {
    this.#socket.end();
  }

  destroy(error?: Error): void {
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
    return this.#socket.writableLength;
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
    const hostname = bareHost(options.host);
    return settle(tlsSocket(hostname, options.port, options.tls, socket.raw), options, true);
  },
};

/** The TLSSocket type, for code that needs the negotiated details (tests). */
export type { TLSSocket };
