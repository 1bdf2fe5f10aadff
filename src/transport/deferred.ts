// A transport whose code loads with the first connection: a runtime's socket code (and the
// runtime modules it imports: node:net and node:tls, cloudflare:sockets) stays out of what loads
// with reqwire, and a program that never connects never loads it.
import { lazy } from "../lazy.js";
import { ConnectError, type ConnectOptions, type Transport, type TransportSocket } from "./types.js";

/**
 * `load` must be a literal `() => import("./file.js").then(…)` for bundlers to see the chunk.
 * `startTls`: whether the loaded transport has startTls (the method must be known before the load:
 * its absence is how a tunnel learns https through a proxy is not possible). A load that fails
 * fails the connect with a ConnectError, and is tried again with the next connection.
 */
export function deferredTransport(load: () => Promise<Transport>, startTls: boolean): Transport {
  const code = lazy(load, "socket", (message, cause) => new ConnectError("other", message, cause));
  const transport: Transport = {
    connect: (options: ConnectOptions): Promise<TransportSocket> => code.use((t) => t.connect(options)),
  };
  if (startTls) {
    transport.startTls = (socket: TransportSocket, options: ConnectOptions) =>
      code.use((t) => (t.startTls as NonNullable<Transport["startTls"]>).call(t, socket, options));
  }
  return transport;
}
