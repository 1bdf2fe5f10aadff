// A transport whose code loads with the first connection: a runtime's socket code (and the
// runtime modules it imports: node:net and node:tls, cloudflare:sockets) stays out of what loads
// with reqwire, and a program that never connects never loads it.
import { ConnectError, type ConnectOptions, type Transport, type TransportSocket } from "./types.js";

/**
 * `load` must be a literal `() => import("./file.js").then(…)` for bundlers to see the chunk.
 * `startTls`: whether the loaded transport has startTls (the method must be known before the load:
 * its absence is how a tunnel learns https through a proxy is not possible). A failed load is
 * tried again with the next connection.
 */
export function deferredTransport(load: () => Promise<Transport>, startTls: boolean): Transport {
  let loaded: Transport | undefined;
  let pending: Promise<Transport> | undefined;
  const get = (): Promise<Transport> => {
    pending ??= load().then(
      (t) => {
        loaded = t;
        return t;
      },
      (err: unknown) => {
        pending = undefined;
        const reason = err instanceof Error ? err.message : String(err);
        throw new ConnectError(
          "other",
          `reqwire could not load its socket code (${reason}): is a chunk of dist/ missing?`,
          err,
        );
      },
    );
    return pending;
  };
  const transport: Transport = {
    connect: (options: ConnectOptions): Promise<TransportSocket> =>
      loaded !== undefined ? loaded.connect(options) : get().then((t) => t.connect(options)),
  };
  if (startTls) {
    transport.startTls = (socket: TransportSocket, options: ConnectOptions) =>
      get().then((t) => (t.startTls as NonNullable<Transport["startTls"]>).call(t, socket, options));
  }
  return transport;
}
