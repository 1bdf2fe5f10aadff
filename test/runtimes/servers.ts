// The servers the runtime suite talks to, run by Node on 127.0.0.1 (node:http, node:https with
// a CA made here, and a raw TCP server for malformed responses). Every runtime's run gets the
// same SuiteConfig describing them. They answer CORS preflights and let any origin read their
// responses, for the suite run by a browser page on another origin.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import {
  createServer as createNetServer,
  type Server as NetServer,
  connect as netConnect,
  type Socket,
} from "node:net";
import { gzipSync } from "node:zlib";
import { makeCA, makeServerCert } from "../support/certs.js";
import type { SuiteConfig } from "./suite.js";

export interface SuiteServers {
  config: SuiteConfig;
  /** Requests received on /counted so far (to prove a request was not sent twice). */
  counted(): number;
  close(): Promise<void>;
}

const BIG = 1024 * 1024;
const BOMB = 16 * 1024 * 1024;
let bomb: Buffer | undefined;

function bigBody(): Buffer {
  const b = Buffer.alloc(BIG);
  for (let i = 0; i < BIG; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => resolve(Buffer.concat(parts)));
    req.on("error", reject);
  });
}

let countedHits = 0;
/** What the proxy was asked, oldest first: "CONNECT host:port" or "METHOD absolute-URL". */
const proxyLog: string[] = [];
/** Every request the http and https servers received, oldest first: "METHOD target" (preflights too). */
const requestLog: string[] = [];

/**
 * Lets a page on any origin read the response (non-credentialed, as the fetch transport sends),
 * and answers a CORS preflight (an OPTIONS with Access-Control-Request-Method), allowing what it
 * asks. True when the request was a preflight, answered here.
 */
function allowCors(req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  res.setHeader("access-control-allow-origin", origin);
  res.setHeader("access-control-expose-headers", "*");
  const method = req.headers["access-control-request-method"];
  if (req.method !== "OPTIONS" || method === undefined) return false;
  res.setHeader("access-control-allow-methods", method);
  const asked = req.headers["access-control-request-headers"];
  if (asked !== undefined) res.setHeader("access-control-allow-headers", asked);
  res.writeHead(204);
  res.end();
  return true;
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  requestLog.push(`${req.method} ${req.url}`);
  if (allowCors(req, res)) return;
  const url = new URL(req.url ?? "/", "http://x");
  const path = url.pathname;
  if (path === "/proxy-log" || path === "/request-log") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(path === "/proxy-log" ? proxyLog : requestLog));
    return;
  }
  if (path === "/counted") {
    await readBody(req);
    countedHits++;
    res.end(String(countedHits));
    return;
  }
  if (path === "/echo") {
    const body = await readBody(req);
    const json = JSON.stringify({
      method: req.method,
      path: req.url,
      headers: req.headers,
      body: body.toString("latin1"),
      length: body.length,
      chunked: req.headers["transfer-encoding"] === "chunked",
      port: req.socket.remotePort,
    });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(json);
    return;
  }
  await readBody(req);
  if (path.startsWith("/status/")) {
    res.writeHead(Number(path.slice(8)), { "content-type": "text/plain" });
    res.end(`status ${path.slice(8)}`);
  } else if (path === "/chunked") {
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "transfer-encoding": "chunked" });
    const pieces = ["héllo ", "chunked ", "wörld"];
    let i = 0;
    const next = () => {
      if (i < pieces.length) {
        res.write(pieces[i++]);
        setTimeout(next, 5);
      } else res.end();
    };
    next();
  } else if (path === "/gzip") {
    const body = gzipSync(Buffer.from("compressed ".repeat(1000)));
    res.writeHead(200, { "content-type": "text/plain", "content-encoding": "gzip", "content-length": body.length });
    res.end(body);
  } else if (path === "/bomb") {
    // 16 MiB of zeros in ~16 KB of gzip: over the default max_decompression_ratio (100)
    bomb ??= gzipSync(Buffer.alloc(BOMB), { level: 9 });
    res.writeHead(200, { "content-type": "text/plain", "content-encoding": "gzip", "content-length": bomb.length });
    res.end(bomb);
  } else if (path === "/big") {
    const body = bigBody();
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length });
    res.end(body);
  } else if (path === "/slow") {
    const timer = setTimeout(() => {
      if (!res.destroyed) res.end("late");
    }, 3000);
    res.on("close", () => clearTimeout(timer));
  } else if (path === "/redirect") {
    const status = Number(url.searchParams.get("status") ?? 302);
    res.writeHead(status, { location: url.searchParams.get("to") ?? "/echo", "set-cookie": "hop=1; Path=/" });
    res.end();
  } else if (path === "/loop") {
    res.writeHead(302, { location: "/loop" });
    res.end();
  } else if (path === "/cookies") {
    res.setHeader("set-cookie", ["a=1; Path=/", "b=2; Path=/"]);
    res.end("ok");
  } else if (path === "/unexposed") {
    // readable by other origins, but none of its headers beyond the CORS-safelisted ones
    res.removeHeader("access-control-expose-headers");
    res.writeHead(200, { "content-type": "text/plain", "x-unexposed": "1" });
    res.end("ok");
  } else if (path === "/head") {
    res.writeHead(200, { "content-type": "text/plain", "content-length": "12" });
    res.end(req.method === "HEAD" ? undefined : "twelve bytes");
  } else {
    res.writeHead(404);
    res.end("not found");
  }
}

function listen(server: Server | NetServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const a = server.address();
      resolve(typeof a === "object" && a !== null ? a.port : 0);
    });
  });
}

/** A raw server answering each path with exact bytes. */
function rawResponses(socket: Socket): void {
  let seen = "";
  socket.on("error", () => {});
  socket.on("data", (d: Buffer) => {
    seen += d.toString("latin1");
    if (!seen.includes("\r\n\r\n")) return;
    const path = seen.split(" ")[1] ?? "/";
    seen = "";
    if (path === "/bad-length") {
      socket.end("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");
    } else if (path === "/truncated") {
      // readable by a page on another origin: the body, not CORS, is what fails
      socket.end("HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 100\r\n\r\nonly this much");
    } else if (path === "/close") {
      socket.destroy();
    } else if (path === "/trickle-head") {
      // a head a byte every 100 ms (about 5 s in all), then nothing more
      const head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";
      let i = 0;
      const timer = setInterval(() => {
        if (i >= head.length || socket.destroyed) return clearInterval(timer);
        socket.write(head[i++] as string);
      }, 100);
      socket.on("close", () => clearInterval(timer));
    } else if (path === "/continue-flood") {
      // 100 Continue every 30 ms, never a final response
      const timer = setInterval(() => {
        if (socket.destroyed) return clearInterval(timer);
        socket.write("HTTP/1.1 100 Continue\r\n\r\n");
      }, 30);
      socket.on("close", () => clearInterval(timer));
    } else if (path === "/silent") {
      // reads the request, never answers
    } else {
      socket.end("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    }
  });
}

/**
 * A proxy for 127.0.0.1 only: CONNECT opens a tunnel (RFC 9110 §9.3.6), any other method is an
 * absolute-form request passed on as it is (the origin servers accept that form). Each client
 * connection goes to one target: the suite sends every proxied request to one origin.
 */
function proxyConnection(client: Socket, sockets: Set<Socket>): void {
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) {
      if (head.length > 16_384) client.destroy();
      return;
    }
    client.off("data", onData);
    client.pause();
    const [method = "", target = ""] = head.subarray(0, head.indexOf("\r\n")).toString("latin1").split(" ");
    const connectTo = method === "CONNECT" ? new URL(`http://${target}`) : new URL(target);
    if (connectTo.hostname !== "127.0.0.1") {
      client.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    proxyLog.push(`${method} ${target}`);
    const upstream = netConnect(Number(connectTo.port), "127.0.0.1", () => {
      if (method === "CONNECT") {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        const rest = head.subarray(end + 4);
        if (rest.length > 0) upstream.write(rest);
      } else {
        upstream.write(head);
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  };
  client.on("data", onData);
}

/** Answers one request as the suite's http server does (for a server of the runner's own). */
export function answerSuiteRequest(req: IncomingMessage, res: ServerResponse): void {
  handle(req, res).catch(() => res.destroy());
}

/** Starts every server; `close()` stops them and their sockets. */
export async function startSuiteServers(): Promise<SuiteServers> {
  const ca = makeCA({ commonName: "reqwire runtime suite CA" });
  const leaf = makeServerCert(ca, { hosts: ["127.0.0.1", "localhost"] });
  const http = createHttpServer({ keepAliveTimeout: 10_000 }, answerSuiteRequest);
  const https = createHttpsServer({ cert: leaf.cert, key: leaf.key, keepAliveTimeout: 10_000 }, answerSuiteRequest);
  const sockets = new Set<Socket>();
  const raw = createNetServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    rawResponses(s);
  });
  const proxy = createNetServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    proxyConnection(s, sockets);
  });
  // a port nothing listens on: bind, note it, close
  const closed = createNetServer();
  const refusedPort = await listen(closed);
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const [httpPort, httpsPort, rawPort, proxyPort] = await Promise.all([
    listen(http),
    listen(https),
    listen(raw),
    listen(proxy),
  ]);
  return {
    config: {
      http: `http://127.0.0.1:${httpPort}`,
      https: `https://127.0.0.1:${httpsPort}`,
      raw: `http://127.0.0.1:${rawPort}`,
      refused: `http://127.0.0.1:${refusedPort}`,
      proxy: `http://127.0.0.1:${proxyPort}`,
      ca: ca.cert,
      transport: "sockets",
      tls: "ca",
    },
    counted: () => countedHits,
    async close() {
      for (const s of sockets) s.destroy();
      http.closeAllConnections();
      https.closeAllConnections();
      await Promise.all(
        [http, https, raw, proxy].map((s) => new Promise<void>((resolve) => (s as NetServer).close(() => resolve()))),
      );
    },
  };
}
