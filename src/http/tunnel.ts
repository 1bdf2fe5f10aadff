// A tunnel through an HTTP proxy (CONNECT, RFC 9110 §9.3.6), for https targets: connect to the
// proxy, ask it for a tunnel to the target, then run TLS with the target over that tunnel. The
// result is a Transport, so a pool uses it like any other and never knows a proxy is there.
import { ParseError, ParserEvent, ResponseParser } from "../core/api.js";
import { ProxyError, RequestException } from "../errors.js";
import {
  ConnectError,
  type ConnectOptions,
  NO_HANDLERS,
  type TlsOptions,
  type Transport,
  type TransportSocket,
} from "../transport/types.js";
import { writeHead } from "./head.js";

/** Where the proxy is and what to tell it. */
export interface ProxyEndpoint {
  host: string;
  port: number;
  /** TLS to the proxy itself (an https:// proxy). */
  tls?: TlsOptions | undefined;
  /** Fields added to the CONNECT request (Proxy-Authorization). */
  headers: ReadonlyArray<readonly [string, string]>;
}

/** Bytes a proxy's answer to CONNECT may take before it is refused. */
const MAX_ANSWER = 64 * 1024;

function authority(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/**
 * Sends CONNECT and waits for the proxy's 2xx; anything else is a ProxyError. With `tls`, the
 * socket is handed over (it reads nothing more) once the tunnel is open: TLS takes it next.
 */
function openTunnel(
  sock: TransportSocket,
  target: string,
  proxy: ProxyEndpoint,
  timeout: number | undefined,
  tls: boolean,
): Promise<void> {
  let head: Uint8Array;
  try {
    head = writeHead({ method: "CONNECT", target, fields: [["Host", target], ...proxy.headers] }, target);
  } catch (err) {
    sock.destroy();
    return Promise.reject(err);
  }
  return new Promise((resolve, reject) => {
    const parser = new ResponseParser();
    parser.expect({ connect: true });
    let seen = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = (err?: Error) => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      sock.setHandlers(NO_HANDLERS);
      if (err === undefined) resolve();
      else {
        sock.destroy();
        reject(err);
      }
    };
    const fail = (message: string, cause?: unknown) =>
      done(new ProxyError(`Tunnel connection failed: ${message}`, { cause }));
    sock.setHandlers({
      data(chunk) {
        seen += chunk.length;
        if (seen > MAX_ANSWER) return fail("the proxy's answer is too long");
        try {
          parser.feed(chunk);
          for (let ev = parser.next(); ev !== ParserEvent.NeedMore; ev = parser.next()) {
            if (ev === ParserEvent.Upgrade) {
              // bytes after the proxy's head belong to the target's TLS, which speaks first only
              // after our ClientHello: there must be none
              if (parser.upgradeOffset < chunk.length) return fail("the proxy sent bytes after its answer");
              // the socket reads nothing more: the target's TLS takes it over
              if (tls) sock.handOver?.();
              return done();
            }
            if (
              ev === ParserEvent.Head &&
              !parser.informational &&
              (parser.statusCode < 200 || parser.statusCode > 299)
            ) {
              return fail(`${parser.statusCode} ${parser.reason}`);
            }
            if (ev === ParserEvent.Done) return fail(`${parser.statusCode} ${parser.reason}`);
          }
        } catch (err) {
          fail(err instanceof ParseError ? `invalid answer (${err.message})` : String(err), err);
        }
      },
      end: () => fail("the proxy closed the connection"),
      error: (err) => fail(err.message, err),
      close: () => fail("the proxy closed the connection"),
      drain() {},
    });
    if (timeout !== undefined && timeout !== Number.POSITIVE_INFINITY) {
      timer = setTimeout(
        () => done(new ProxyError(`the proxy did not open the tunnel within ${timeout / 1000} s`)),
        timeout,
      );
    }
    sock.write(head);
  });
}

/** A Transport whose connections to https targets go through a CONNECT tunnel of `proxy`. */
export function tunnelTransport(base: Transport, proxy: ProxyEndpoint): Transport {
  return {
    async connect(options: ConnectOptions): Promise<TransportSocket> {
      const startTls = base.startTls;
      if (startTls === undefined) {
        throw new ProxyError("this runtime's transport cannot run TLS inside a proxy tunnel");
      }
      const started = Date.now();
      let sock: TransportSocket;
      try {
        sock = await base.connect({
          host: proxy.host,
          port: proxy.port,
          tls: proxy.tls,
          timeout: options.timeout,
          signal: options.signal,
          upgradable: options.tls !== undefined,
        });
      } catch (err) {
        if (err instanceof ConnectError && err.kind === "aborted") throw err;
        throw new ProxyError(
          `cannot connect to the proxy ${authority(proxy.host, proxy.port)}: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
      const left = options.timeout === undefined ? undefined : Math.max(1, options.timeout - (Date.now() - started));
      await openTunnel(sock, authority(options.host, options.port), proxy, left, options.tls !== undefined);
      if (options.tls === undefined) return sock;
      try {
        return await startTls.call(base, sock, options);
      } catch (err) {
        sock.destroy();
        if (err instanceof RequestException) throw err;
        throw err instanceof ConnectError ? err : new ConnectError("tls", String((err as Error)?.message ?? err), err);
      }
    },
  };
}

/** A Transport to a forward proxy itself (http targets in absolute-form): failures are ProxyErrors. */
export function forwardTransport(base: Transport, proxy: ProxyEndpoint): Transport {
  return {
    async connect(options: ConnectOptions): Promise<TransportSocket> {
      try {
        return await base.connect(options);
      } catch (err) {
        if (err instanceof ConnectError && err.kind === "aborted") throw err;
        throw new ProxyError(
          `cannot connect to the proxy ${authority(proxy.host, proxy.port)}: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
    },
  };
}
