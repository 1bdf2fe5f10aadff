// Transport over node:net and node:tls.
import { connect as netConnect, type Socket } from "node:net";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import {
  ConnectError,
  type ConnectFailure,
  type ConnectOptions,
  type SocketHandlers,
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

/** Opens sockets with node:net and node:tls. */
export const nodeTransport: Transport = {
  connect(options: ConnectOptions): Promise<TransportSocket> {
    return new Promise((resolve, reject) => {
      const { host, port, tls, timeout, signal } = options;
      if (signal?.aborted) {
        reject(new ConnectError("aborted", "connect aborted", signal.reason));
        return;
      }
      const hostname = host.startsWith("[") ? host.slice(1, -1) : host;
      let socket: Socket;
      if (tls) {
        const servername = tls.servername ?? (isIP(hostname) ? undefined : hostname);
        socket = tlsConnect({
          host: hostname,
          port,
          servername,
          rejectUnauthorized: tls.rejectUnauthorized,
          ca: tls.ca,
          cert: tls.cert,
          key: tls.key,
          ALPNProtocols: ["http/1.1"],
        });
      } else {
        socket = netConnect({ host: hostname, port });
      }
      socket.setNoDelay(true);
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
        reject(new ConnectError("aborted", "connect aborted", signal?.reason));
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
      socket.once(tls ? "secureConnect" : "connect", () => {
        cleanup();
        resolve(new NodeSocket(socket));
      });
    });
  },
};

/** The TLSSocket type, for code that needs the negotiated details (tests). */
export type { TLSSocket };
