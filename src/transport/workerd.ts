// Transport over connect() from cloudflare:sockets (Cloudflare Workers, workerd). TLS uses the
// trust store workerd is configured with; a Worker cannot choose a CA, a client certificate, or
// to skip verification per connection, so those options are refused with a clear error.
import { connect } from "cloudflare:sockets";
import { StreamSocket } from "./stream-socket.js";
import { ConnectError, type ConnectOptions, NotSentError, type Transport, type TransportSocket } from "./types.js";

function byteStream(socket: ReturnType<typeof connect>) {
  const reader = socket.readable.getReader();
  const writer = socket.writable.getWriter();
  return {
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
}

function unsupported(what: string): ConnectError {
  return new ConnectError("tls", `${what} is not available on workerd: TLS trust comes from workerd's configuration`);
}

/** Opens sockets with cloudflare:sockets. */
export const workerdTransport: Transport = {
  async connect(options: ConnectOptions): Promise<TransportSocket> {
    const { host, port, tls, timeout, signal } = options;
    if (signal?.aborted) throw new ConnectError("aborted", "connect aborted", signal.reason);
    if (tls !== undefined) {
      if (!tls.rejectUnauthorized) throw unsupported("verify=false");
      if (tls.ca !== undefined) throw unsupported("a CA certificate given as verify");
      if (tls.cert !== undefined) throw unsupported("a client certificate");
    }
    const hostname = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
    const socket = connect(
      { hostname, port },
      { secureTransport: tls === undefined ? "off" : "on", allowHalfOpen: false },
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const giveUp = new Promise<never>((_, reject) => {
      if (timeout !== undefined && timeout !== Number.POSITIVE_INFINITY) {
        timer = setTimeout(() => reject(new ConnectError("timeout", `connect timed out after ${timeout} ms`)), timeout);
      }
      onAbort = () => reject(new ConnectError("aborted", "connect aborted", signal?.reason));
      signal?.addEventListener("abort", onAbort, { once: true });
    });
    try {
      await Promise.race([socket.opened, giveUp]);
    } catch (err) {
      socket.close().catch(() => {});
      if (err instanceof ConnectError) throw err;
      const message = String((err as Error)?.message ?? err);
      const kind = /refused/i.test(message)
        ? "refused"
        : tls !== undefined && /tls|ssl|certificate/i.test(message)
          ? "tls"
          : "other";
      throw new ConnectError(kind, message, err);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
    }
    return new StreamSocket(byteStream(socket));
  },
};
