// TLS through a proxy's CONNECT tunnel on Deno (Deno.startTls over the tunnel's TCP connection).
// Loaded by the first https request through a proxy.
import type { DenoApi, DenoConn } from "./deno.js";
import type { StreamSocket } from "./stream-socket.js";
import { bareHost, ConnectError, type ConnectOptions, type TransportSocket } from "./types.js";

/** What deno.ts lends (passed in, not imported: this chunk then needs no code of deno.ts's). */
export interface DenoParts {
  conns: WeakMap<TransportSocket, { conn: DenoConn; tls: boolean }>;
  settle(Deno: DenoApi, opening: Promise<DenoConn>, tls: boolean, options: ConnectOptions): Promise<TransportSocket>;
}

/**
 * TLS with the target over a proxy's tunnel (Deno.startTls): the tunnel's plain TCP socket,
 * handed over once the proxy said yes. Deno.startTls always verifies and takes no client
 * certificate, and cannot run inside a TLS connection to the proxy: those are refused.
 */
export async function denoStartTls(
  { conns, settle }: DenoParts,
  Deno: DenoApi,
  socket: TransportSocket,
  options: ConnectOptions,
): Promise<TransportSocket> {
  const { tls } = options;
  if (tls === undefined) return socket;
  const entry = conns.get(socket);
  const refuse = (why: string) => Promise.reject(new ConnectError("tls", `${why} through a proxy tunnel here`));
  // every socket in `conns` is a StreamSocket
  if (entry === undefined) return refuse("only this transport's sockets run TLS");
  if (Deno.startTls === undefined) return refuse("Deno.startTls is missing: TLS cannot run");
  if (entry.tls) return refuse("TLS inside a TLS connection to the proxy is not available");
  if (!tls.rejectUnauthorized) {
    return refuse("verify=false is not available (Deno.startTls always verifies): pass the CA certificate as verify");
  }
  if (tls.cert !== undefined) return refuse("a client certificate is not available (Deno.startTls takes none)");
  // Deno.startTls needs the connection with no read in flight: the tunnel handed it over
  if (!(socket as StreamSocket).handedOver) return refuse("a socket that was not handed over cannot run TLS");
  const hostname = bareHost(options.host);
  const opening = Deno.startTls(entry.conn, {
    hostname,
    caCerts: tls.ca === undefined ? undefined : [tls.ca],
    alpnProtocols: ["http/1.1"],
  });
  return settle(Deno, opening, true, options);
}
