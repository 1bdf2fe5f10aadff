// Transport over connect() from cloudflare:sockets (Cloudflare Workers, workerd). TLS uses the
// trust store workerd is configured with; a Worker cannot choose a CA, a client certificate, or
// to skip verification per connection, so those options are refused with a clear error. TLS
// through a proxy's tunnel uses the socket's startTls(), which workerd allows only on a
// connection opened for it ("starttls") whose streams are unlocked.
import { connect } from "cloudflare:sockets";
import { StreamSocket } from "./stream-socket.js";
import {
  bareHost,
  ConnectError,
  type ConnectOptions,
  connectAborted,
  NotSentError,
  type TlsOptions,
  type Transport,
  type TransportSocket,
} from "./types.js";

type Socket = ReturnType<typeof connect>;

/** Each socket's streams, unlocked again by `unlock` for startTls. */
const opened = new WeakMap<TransportSocket, { socket: Socket; unlock(): void }>();

function byteStream(socket: Socket) {
  const reader = socket.readable.getReader();
  const writer = socket.writable.getWriter();
  const stream = {
    async read(): Promise<Uint8Array | null> {
      const { done, value } = await reader.read();
      return done ? null : value;
    },
    write: (data: Uint8Array) =>
      writer.write(data).catch((err: unknown) => {
        // A pooled socket opened while handling another Worker request cannot be used by this
        // one; workerd refuses the write before anything is sent.
        const message = String((err as Error)?.message ?? err);
        if (/different request/i.test(message)) throw new NotSentError(message, err);
        throw err;
      }),
    closeWrite: () => writer.close(),
    close() {
      socket.close().catch(() => {});
    },
  };
  const unlock = () => {
    reader.releaseLock();
    writer.releaseLock();
  };
  return { stream, unlock };
}

function unsupported(what: string): ConnectError {
  return new ConnectError("tls", `${what} is not available on workerd: TLS trust comes from workerd's configuration`);
}

/** Opens sockets with cloudflare:sockets. */
export const workerdTransport: Transport = {
  async connect(options: ConnectOptions): Promise<TransportSocket> {
    const { host, port, tls, signal } = options;
    if (signal?.aborted) throw connectAborted(signal);
    if (tls !== undefined) refuseTlsOptions(tls);
    const hostname = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
    const secureTransport = tls !== undefined ? "on" : options.upgradable ? "starttls" : "off";
    return open(connect({ hostname, port }, { secureTransport, allowHalfOpen: false }), tls !== undefined, options);
  },

  /** TLS with the target over a proxy's tunnel: the plain socket, handed over once the proxy said yes. */
  async startTls(sock: TransportSocket, options: ConnectOptions): Promise<TransportSocket> {
    const { tls } = options;
    if (tls === undefined) return sock;
    refuseTlsOptions(tls);
    const entry = opened.get(sock);
    // startTls needs the streams unlocked: the tunnel handed the socket over, so no read of ours is in flight
    if (entry === undefined || !(sock as StreamSocket).handedOver) {
      throw new ConnectError("tls", "only a socket of this transport, handed over by a proxy tunnel, can run TLS");
    }
    entry.unlock();
    const host = options.host;
    return open(entry.socket.startTls({ expectedServerHostname: bareHost(host) }), true, options);
  },
};

/** Refuses the TLS settings a Worker cannot choose. */
function refuseTlsOptions(tls: TlsOptions): void {
  if (!tls.rejectUnauthorized) throw unsupported("verify=false");
  if (tls.ca !== undefined) throw unsupported("a CA certificate given as verify");
  if (tls.cert !== undefined) throw unsupported("a client certificate");
}

/** The socket once `socket` has opened, or a ConnectError (on failure, the timeout, or an abort). */
async function open(socket: Socket, tls: boolean, options: ConnectOptions): Promise<TransportSocket> {
  const { timeout, signal } = options;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const giveUp = new Promise<never>((_, reject) => {
    if (timeout !== undefined && timeout !== Number.POSITIVE_INFINITY) {
      timer = setTimeout(() => reject(new ConnectError("timeout", `connect timed out after ${timeout} ms`)), timeout);
    }
    onAbort = () => reject(connectAborted(signal));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    await Promise.race([socket.opened, giveUp]);
  } catch (err) {
    socket.close().catch(() => {});
    if (err instanceof ConnectError) throw err;
    const message = String((err as Error)?.message ?? err);
    const kind = /refused/i.test(message) ? "refused" : tls && /tls|ssl|certificate/i.test(message) ? "tls" : "other";
    throw new ConnectError(kind, message, err);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
  }
  const { stream, unlock } = byteStream(socket);
  const result = new StreamSocket(stream);
  opened.set(result, { socket, unlock });
  return result;
}
