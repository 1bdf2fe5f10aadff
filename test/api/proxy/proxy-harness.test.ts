// The tinyproxy harness (test/support/proxy.ts) works: plain node:http requests in absolute-form
// reach a local server through it, CONNECT tunnels carry TLS to a local https server, ConnectPort
// restricts tunnels, and BasicAuth answers 407. Without tinyproxy these tests fail (they do not
// skip): CI installs it, and the proxy tests of reqwire depend on it.
import { execFileSync } from "node:child_process";
import { createServer as createHttpServer, type IncomingMessage, request } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type CertAndKey, makeCA, makeServerCert } from "../../support/certs.js";
import { startTinyproxy, type Tinyproxy, tinyproxyPath } from "../../support/proxy.js";
import { listen, onCleanup, runCleanups, until } from "../helpers.js";

afterEach(runCleanups);

async function proxy(options?: Parameters<typeof startTinyproxy>[0]): Promise<Tinyproxy> {
  const p = await startTinyproxy(options);
  onCleanup(() => p.stop());
  return p;
}

let ca: CertAndKey;
let originPort: number;
let httpsPort: number;
/** Closes the servers shared by all tests (afterAll), last started first. */
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  ca = makeCA();
  const cert = makeServerCert(ca, { hosts: ["127.0.0.1"] });
  const origin = createHttpServer((req, res) => {
    const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
  const secure = createHttpsServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    res.end(`secure ${req.method} ${req.url}`);
  });
  const register = (close: () => Promise<void>): void => {
    closers.push(close);
  };
  originPort = await listen(origin, register);
  httpsPort = await listen(secure, register);
});
afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

interface Answer {
  status: number;
  headers: IncomingMessage["headers"];
  body: string;
}

/** GET target through the proxy in absolute-form. */
function viaProxy(p: Tinyproxy, target: string, headers: Record<string, string> = {}): Promise<Answer> {
  const t = new URL(target);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: p.port,
        method: "GET",
        path: target,
        headers: { host: t.host, ...headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** CONNECT host:port through the proxy: the proxy's answer and, on 200, the tunnel socket. */
function connectVia(
  p: Tinyproxy,
  authority: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; statusMessage: string; headers: IncomingMessage["headers"]; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: "127.0.0.1",
      port: p.port,
      method: "CONNECT",
      path: authority,
      headers: { host: authority, ...headers },
      agent: false,
    });
    req.on("connect", (res: IncomingMessage, socket: Socket) => {
      onCleanup(() => socket.destroy());
      resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? "", headers: res.headers, socket });
    });
    // a refusal with a body comes as an ordinary response
    req.on("response", (res: IncomingMessage) => {
      res.resume();
      onCleanup(() => res.socket?.destroy());
      resolve({
        status: res.statusCode ?? 0,
        statusMessage: res.statusMessage ?? "",
        headers: res.headers,
        socket: res.socket,
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/** TLS over a tunnel to the local https server, one GET, the whole answer. */
function tlsGet(socket: Socket, path: string): Promise<{ authorized: boolean; text: string }> {
  return new Promise((resolve, reject) => {
    const tls = tlsConnect({ socket, host: "127.0.0.1", ca: ca.cert });
    onCleanup(() => tls.destroy());
    let text = "";
    tls.on("secureConnect", () => {
      tls.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${httpsPort}\r\nConnection: close\r\n\r\n`);
    });
    tls.on("data", (d: Buffer) => {
      text += d.toString();
    });
    tls.on("end", () => resolve({ authorized: tls.authorized, text }));
    tls.on("error", reject);
  });
}

describe("tinyproxy", () => {
  it("is installed", () => {
    const path = tinyproxyPath();
    expect(
      path,
      "tinyproxy is not installed: run `apt-get install tinyproxy` (CI's .ci/run installs it)",
    ).toBeDefined();
    const version = execFileSync(path ?? "tinyproxy", ["-v"], { encoding: "utf8" });
    expect(version).toMatch(/^tinyproxy \d+\.\d+/);
  });

  it("forwards an absolute-form GET to a local server, in origin-form, and logs it", async () => {
    const p = await proxy();
    expect(p.url).toBe(`http://127.0.0.1:${p.port}`);
    const target = `http://127.0.0.1:${originPort}/x?y=1`;
    const answer = await viaProxy(p, target, { "x-test": "1" });
    expect(answer.status).toBe(200);
    const seen = JSON.parse(answer.body) as { method: string; url: string; headers: Record<string, string> };
    expect(seen.method).toBe("GET");
    expect(seen.url).toBe("/x?y=1");
    expect(seen.headers.host).toBe(`127.0.0.1:${originPort}`);
    expect(seen.headers["x-test"]).toBe("1");
    expect(seen.headers.via).toMatch(/^1\.1 \S+ \(tinyproxy\/1\.\d+\.\d+\)$/);
    expect(seen.headers["x-tinyproxy"]).toBeUndefined();
    expect(seen.headers.connection).toBe("close");
    await until(() => p.log().includes(`GET ${target} HTTP/1.1`), 5000, "the request in the proxy log");
  });

  it("without BasicAuth, forwards a Proxy-Authorization header to the origin as it is", async () => {
    const p = await proxy();
    const answer = await viaProxy(p, `http://127.0.0.1:${originPort}/`, { "proxy-authorization": "Basic eDp5" });
    expect(JSON.parse(answer.body).headers["proxy-authorization"]).toBe("Basic eDp5");
  });

  it("tunnels TLS to a local https server with CONNECT (any port by default)", async () => {
    const p = await proxy();
    const tunnel = await connectVia(p, `127.0.0.1:${httpsPort}`);
    expect(tunnel.status).toBe(200);
    expect(tunnel.statusMessage).toBe("Connection established");
    const { authorized, text } = await tlsGet(tunnel.socket, "/over-tls");
    expect(authorized).toBe(true);
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text.endsWith("secure GET /over-tls")).toBe(true);
    await until(
      () => p.log().includes(`CONNECT 127.0.0.1:${httpsPort} HTTP/1.1`),
      5000,
      "the CONNECT in the proxy log",
    );
  });

  it("allowConnectPorts: CONNECT to a listed port works, another gets 403", async () => {
    const allowed = await proxy({ allowConnectPorts: [httpsPort] });
    const ok = await connectVia(allowed, `127.0.0.1:${httpsPort}`);
    expect(ok.status).toBe(200);
    expect((await tlsGet(ok.socket, "/p")).text.endsWith("secure GET /p")).toBe(true);

    const only443 = await proxy({ allowConnectPorts: [443] });
    const refused = await connectVia(only443, `127.0.0.1:${httpsPort}`);
    expect(refused.status).toBe(403);
    expect(refused.statusMessage).toBe("Access violation");
    await until(
      () => only443.log().includes(`Refused CONNECT method on port ${httpsPort}`),
      5000,
      "the refusal in the log",
    );
  });

  describe("basicAuth", () => {
    const creds: [string, string] = ["user", "Pa.ss-1_x"];
    const basic = (u: string, pw: string) => `Basic ${Buffer.from(`${u}:${pw}`).toString("base64")}`;

    it("answers 407 without Proxy-Authorization, for requests and for CONNECT", async () => {
      const p = await proxy({ basicAuth: creds });
      const answer = await viaProxy(p, `http://127.0.0.1:${originPort}/`);
      expect(answer.status).toBe(407);
      expect(answer.headers["proxy-authenticate"]).toBe('Basic realm="Tinyproxy"');
      const tunnel = await connectVia(p, `127.0.0.1:${httpsPort}`);
      expect(tunnel.status).toBe(407);
    });

    it("lets the right credentials through and does not forward them", async () => {
      const p = await proxy({ basicAuth: creds });
      const answer = await viaProxy(p, `http://127.0.0.1:${originPort}/in`, {
        "proxy-authorization": basic(...creds),
      });
      expect(answer.status).toBe(200);
      const seen = JSON.parse(answer.body) as { url: string; headers: Record<string, string> };
      expect(seen.url).toBe("/in");
      expect(seen.headers["proxy-authorization"]).toBeUndefined();
      const tunnel = await connectVia(p, `127.0.0.1:${httpsPort}`, { "proxy-authorization": basic(...creds) });
      expect(tunnel.status).toBe(200);
      expect((await tlsGet(tunnel.socket, "/t")).text.endsWith("secure GET /t")).toBe(true);
    });

    it("refuses wrong credentials (tinyproxy 1.11.1 answers 401, not 407)", async () => {
      const p = await proxy({ basicAuth: creds });
      const answer = await viaProxy(p, `http://127.0.0.1:${originPort}/`, {
        "proxy-authorization": basic("user", "wrong"),
      });
      expect([401, 407]).toContain(answer.status);
    });

    it("refuses credentials tinyproxy's configuration cannot hold", async () => {
      await expect(startTinyproxy({ basicAuth: ["user", "p ss"] })).rejects.toThrow(/only \[-A-Za-z0-9._\]/);
    });
  });

  it("stop() ends the process and frees the port", async () => {
    const p = await startTinyproxy();
    await p.stop();
    await p.stop(); // idempotent
    await expect(viaProxy(p, `http://127.0.0.1:${originPort}/`)).rejects.toThrow(/ECONNREFUSED/);
    expect(p.log()).toBe(""); // its directory is gone
  });
});
