// Transport over Deno.connect and Deno.connectTls (needs --allow-net for the hosts used).
import { lazy } from "../lazy.js";
import { type ByteStream, StreamSocket } from "./stream-socket.js";
import {
  bareHost,
  ConnectError,
  type ConnectFailure,
  type ConnectOptions,
  connectAborted,
  type Transport,
  type TransportSocket,
} from "./types.js";

/** The part of a Deno connection used here. */
export interface DenoConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
  ref(): void;
  unref(): void;
  setNoDelay?(noDelay?: boolean): void;
  handshake?(): Promise<unknown>;
}

/** The part of the `Deno` namespace reqwire uses (declared here: no Deno types at build time). */
export interface DenoApi {
  connect(options: { hostname: string; port: number }): Promise<DenoConn>;
  connectTls(options: {
    hostname: string;
    port: number;
    caCerts?: string[];
    alpnProtocols?: string[];
    cert?: string;
    key?: string;
  }): Promise<DenoConn>;
  /** TLS over an open TCP connection (which it consumes). */
  startTls?(
    conn: DenoConn,
    options: { hostname: string; caCerts?: string[]; alpnProtocols?: string[] },
  ): Promise<DenoConn>;
  readTextFileSync(path: string): string;
  env: { get(name: string): string | undefined };
  unrefTimer(id: number): void;
  errors: Record<string, new (...args: never[]) => Error>;
}

/** Bytes a read may return at once. */
const READ_SIZE = 64 * 1024;
/** Reads land in slabs of this size and large ones are handed out as views of it. */
const SLAB_SIZE = 256 * 1024;
/** Reads smaller than this are copied out, so a small response does not keep a slab alive. */
const COPY_BELOW = 4096;
/** Slabs kept per connection for reading into again (released ones beyond this are dropped). */
const MAX_SPARE = 8;

/** A Deno connection as a ByteStream, reading into slabs it reuses when the receiver lets it. */
export function byteStream(conn: DenoConn): ByteStream {
  // Large reads go straight into a slab and are handed out as views (no copy). JS cannot allocate
  // without zero-filling, so a fresh slab costs a pass over its memory: once the connection says
  // the views handed out are no longer referenced (release(true): a buffered response was joined
  // into its own array), the slabs are read into again. `lent`: earlier slabs with views handed
  // out since the last release; the current one has them in [0, at).
  let slab: Uint8Array = new Uint8Array(SLAB_SIZE);
  let at = 0;
  let reading = false;
  const lent: Uint8Array[] = [];
  const spare: Uint8Array[] = [];
  const takeSlab = () => {
    slab = spare.pop() ?? new Uint8Array(SLAB_SIZE);
    at = 0;
  };
  return {
    async read(): Promise<Uint8Array | null> {
      if (SLAB_SIZE - at < READ_SIZE) {
        if (at > 0) lent.push(slab);
        takeSlab();
      }
      const region = slab.subarray(at, at + READ_SIZE);
      reading = true;
      let n: number | null;
      try {
        n = await conn.read(region);
      } finally {
        reading = false;
      }
      if (n === null) return null;
      if (n < COPY_BELOW) return region.slice(0, n);
      // the slab may have changed while reading (release): the view is of the one read into
      if (region.buffer === slab.buffer) at += n;
      return region.subarray(0, n);
    },
    release(reusable: boolean): void {
      if (reusable) for (const s of lent) if (spare.length < MAX_SPARE) spare.push(s);
      lent.length = 0;
      // reusable and no read landing: the current slab takes reads again from its start. Else what
      // was handed out stays with its holders, and a read landing at `at` belongs to what comes
      // next: the current slab is left to them.
      if (reusable && !reading) at = 0;
      else takeSlab();
    },
    async write(data: Uint8Array): Promise<void> {
      let sent = 0;
      while (sent < data.length) sent += await conn.write(sent === 0 ? data : data.subarray(sent));
    },
    closeWrite: () => conn.closeWrite(),
    close: () => conn.close(),
    ref: () => conn.ref(),
    unref: () => conn.unref(),
  };
}

function classify(Deno: DenoApi, err: unknown, tls: boolean): ConnectFailure {
  const e = Deno.errors;
  const is = (name: string) => e[name] !== undefined && err instanceof (e[name] as new () => Error);
  if (is("ConnectionRefused")) return "refused";
  if (is("TimedOut")) return "timeout";
  const message = String((err as Error)?.message ?? err);
  if (/failed to lookup|Name or service not known|dns error|No address/i.test(message)) return "dns";
  if (tls && (is("InvalidData") || /certificate|tls|handshake/i.test(message))) return "tls";
  return "other";
}

/** TLS through a proxy's tunnel: loaded by the first request that needs it. */
const tunnelTls = lazy(() => import("./deno-tunnel.js"), "proxy TLS");

/** The Deno connection behind each socket made here, and whether it runs TLS (for startTls). */
const conns = new WeakMap<TransportSocket, { conn: DenoConn; tls: boolean }>();

/**
 * The socket for a connection being opened: settles once `opening` has connected (and, with TLS,
 * finished its handshake, so that TLS errors are connect errors), or fails on the timeout or the
 * abort signal of `options`; a connection that arrives after either is closed.
 */
function settle(
  Deno: DenoApi,
  opening: Promise<DenoConn>,
  tls: boolean,
  options: ConnectOptions,
): Promise<TransportSocket> {
  const { timeout, signal } = options;
  return new Promise<TransportSocket>((resolve, reject) => {
    let done = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (err: ConnectError | undefined, conn?: DenoConn) => {
      if (done) {
        // the attempt was given up (timeout, abort): close what arrived late
        try {
          conn?.close();
        } catch {}
        return;
      }
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (err !== undefined) {
        try {
          conn?.close();
        } catch {}
        reject(err);
        return;
      }
      const socket = new StreamSocket(byteStream(conn as DenoConn));
      conns.set(socket, { conn: conn as DenoConn, tls });
      resolve(socket);
    };
    const onAbort = () => finish(connectAborted(signal));
    signal?.addEventListener("abort", onAbort, { once: true });
    if (timeout !== undefined && timeout !== Number.POSITIVE_INFINITY) {
      timer = setTimeout(() => finish(new ConnectError("timeout", `connect timed out after ${timeout} ms`)), timeout);
    }
    opening.then(
      async (conn) => {
        try {
          conn.setNoDelay?.(true);
          // TLS errors surface here, as connect errors, not on the first write
          if (tls) await conn.handshake?.();
        } catch (err) {
          finish(new ConnectError(classify(Deno, err, true), String((err as Error)?.message ?? err), err), conn);
          return;
        }
        finish(undefined, conn);
      },
      (err: unknown) => finish(new ConnectError(classify(Deno, err, tls), String((err as Error)?.message ?? err), err)),
    );
  });
}

/**
 * Opens sockets with the given `Deno` namespace. Deno.connectTls always verifies certificates,
 * so connections with `verify: false` go through `insecure` (Deno's node:tls, which can skip
 * verification); without it they are refused.
 */
export function denoTransport(Deno: DenoApi, insecure?: Transport): Transport {
  return {
    connect(options: ConnectOptions): Promise<TransportSocket> {
      const { host, port, tls, signal } = options;
      if (signal?.aborted) return Promise.reject(connectAborted(signal));
      if (tls !== undefined && !tls.rejectUnauthorized) {
        if (insecure !== undefined) return insecure.connect(options);
        return Promise.reject(
          new ConnectError(
            "tls",
            "verify=false is not available here (Deno.connectTls always verifies): pass the server's CA certificate as verify instead",
          ),
        );
      }
      const hostname = bareHost(host);
      const opening =
        tls === undefined
          ? Deno.connect({ hostname, port })
          : Deno.connectTls({
              hostname,
              port,
              caCerts: tls.ca === undefined ? undefined : [tls.ca],
              cert: tls.cert,
              key: tls.key,
              alpnProtocols: ["http/1.1"],
            });
      return settle(Deno, opening, tls !== undefined, options);
    },

    /** TLS with the target over a proxy's tunnel (deno-tunnel.ts, loaded by the first such request). */
    startTls: (socket: TransportSocket, options: ConnectOptions) =>
      tunnelTls.use((m) => m.denoStartTls({ conns, settle }, Deno, socket, options)),
  };
}
