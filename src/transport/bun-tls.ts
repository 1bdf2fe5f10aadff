// TLS on Bun: the options Bun.connect takes, what a failed handshake means, and TLS with the
// target through a proxy's tunnel (upgradeTLS). Loaded by the first TLS connection (bun.ts): a
// program that only speaks plain HTTP never needs it.
import type { BunConnection, BunSocketHandler, BunTlsOptions } from "./bun.js";
import { bareHost, ConnectError, type ConnectOptions, type TlsOptions, type TransportSocket } from "./types.js";

/** ALPN "http/1.1" in wire format. */
const ALPN_HTTP11 = new Uint8Array([8, ...new TextEncoder().encode("http/1.1")]);

function isIP(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(":");
}

/** Bun's TLS options for a connection to `hostname`. */
export function bunTls(tls: TlsOptions, hostname: string): BunTlsOptions {
  return {
    rejectUnauthorized: tls.rejectUnauthorized,
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    serverName: tls.servername ?? (isIP(hostname) ? undefined : hostname),
    ALPNProtocols: ALPN_HTTP11,
  };
}

/**
 * A certificate check failed (chain, expiry, host name), as opposed to the handshake itself
 * failing: Bun reports those with errno-style codes (EPROTO, ECONNRESET) or OpenSSL messages.
 */
function isVerifyError(err: Error): boolean {
  const code = String((err as { code?: unknown }).code ?? "");
  return code !== "" && !/^E[A-Z0-9]+$/.test(code) && !/SSL routines/.test(err.message);
}

/** Whether `err` ended a TLS connection's TLS: like node:tls, anything that ends the handshake does. */
export function endsTls(err: Error, handshaking: boolean): boolean {
  return handshaking || isVerifyError(err) || /certificate|SSL|TLS/i.test(String(err?.message));
}

/** Whether a connection may be used after its handshake (verify=false: the certificate is not checked). */
export function handshakeOk(error: Error | null, rejectUnauthorized: boolean): boolean {
  return error === null || error === undefined || (!rejectUnauthorized && isVerifyError(error));
}

/** TLS with the target over a proxy's tunnel (the socket's upgradeTLS): the tunnel's plain socket. */
export function bunStartTls(
  attempt: (
    options: ConnectOptions,
    tls: TlsOptions | undefined,
    start: (conn: BunConnection) => void,
  ) => Promise<TransportSocket>,
  handlers: BunSocketHandler,
  socket: TransportSocket,
  options: ConnectOptions,
): Promise<TransportSocket> {
  const { host, tls } = options;
  if (tls === undefined) return Promise.resolve(socket);
  const raw = (socket as Partial<BunConnection>).raw;
  const upgrade = raw?.upgradeTLS;
  if (upgrade === undefined) {
    return Promise.reject(new ConnectError("tls", "this socket cannot run TLS through a proxy tunnel (no upgradeTLS)"));
  }
  const hostname = bareHost(host);
  return attempt(options, tls, (conn) => {
    try {
      // decrypted bytes go to the new connection's handlers from now on
      const [, upgraded] = upgrade.call(raw, { data: conn, socket: handlers, tls: bunTls(tls, hostname) });
      conn.opened(upgraded);
    } catch (err) {
      conn.connectFailed(err);
    }
  });
}
