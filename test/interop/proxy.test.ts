// reqwire through a real forward proxy nobody here wrote: tinyproxy from Debian's packages
// (`.ci/run` installs it). http targets go in absolute-form; https targets through a CONNECT
// tunnel with TLS to the target inside it; proxy credentials; failures as ProxyError; proxies
// from the environment with NO_PROXY.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ProxyError, Session } from "../../src/index.js";
import { onCleanup, rawEach, runCleanups } from "../api/helpers.js";
import { makeCA, makeServerCert } from "../support/certs.js";
import { startTinyproxy, type Tinyproxy } from "../support/proxy.js";

afterEach(runCleanups);

interface Seen {
  url: string;
  via: string | undefined;
  proxyAuthorization: string | undefined;
  port: number | undefined;
}

const seen: Seen[] = [];
let origin: Server;
let secure: Server;
let httpUrl = "";
let httpsUrl = "";
let ca = "";
let open: Tinyproxy;
let locked: Tinyproxy;

function record(req: IncomingMessage): void {
  seen.push({
    url: req.url ?? "",
    via: req.headers.via,
    proxyAuthorization: req.headers["proxy-authorization"],
    port: (req.socket as Socket).remotePort,
  });
}

function listen(s: Server): Promise<number> {
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve((s.address() as AddressInfo).port)));
}

beforeAll(async () => {
  const authority = makeCA();
  ca = authority.cert;
  const leaf = makeServerCert(authority, { hosts: ["127.0.0.1"] });
  const handler = (req: IncomingMessage, res: import("node:http").ServerResponse) => {
    record(req);
    req.resume();
    req.on("end", () => res.end(`hello from ${req.url}`));
  };
  origin = createServer(handler);
  secure = createHttpsServer({ cert: leaf.cert, key: leaf.key }, handler);
  httpUrl = `http://127.0.0.1:${await listen(origin)}`;
  httpsUrl = `https://127.0.0.1:${await listen(secure)}`;
  open = await startTinyproxy();
  locked = await startTinyproxy({ basicAuth: ["proxyuser", "proxypass"] });
}, 20_000);

afterAll(async () => {
  await open?.stop();
  await locked?.stop();
  for (const s of [origin, secure]) {
    s?.closeAllConnections();
    await new Promise<void>((resolve) => s?.close(() => resolve()));
  }
});

function newSession(): Session {
  const s = new Session();
  s.trust_env = false;
  s.verify = ca;
  onCleanup(() => s.close());
  return s;
}

const last = () => seen[seen.length - 1] as Seen;

describe("through tinyproxy", () => {
  it("an http target goes through the proxy in absolute-form", async () => {
    const s = newSession();
    const r = await s.get(`${httpUrl}/plain?x=1`, { proxies: { http: open.url } });
    expect([r.status_code, r.text]).toEqual([200, "hello from /plain?x=1"]);
    expect(last().via).toMatch(/tinyproxy/);
    expect(open.log()).toContain("/plain?x=1");
  });

  it("an https target goes through a CONNECT tunnel, TLS with the target inside it, and the tunnel is reused", async () => {
    const s = newSession();
    s.proxies = { https: open.url };
    const a = await s.get(`${httpsUrl}/tls/1`);
    const b = await s.post(`${httpsUrl}/tls/2`, { data: "body" });
    expect([a.text, b.text]).toEqual(["hello from /tls/1", "hello from /tls/2"]);
    const tls = seen.filter((x) => x.url.startsWith("/tls/"));
    expect(tls.map((x) => x.via)).toEqual([undefined, undefined]); // the proxy cannot see inside TLS
    expect(tls[1]?.port).toBe(tls[0]?.port); // one tunnel, kept alive
    expect(open.log()).toMatch(/CONNECT/);
  });

  it("proxy credentials from the proxy URL are sent to the proxy, never to the target", async () => {
    const s = newSession();
    const proxy = locked.url.replace("://", "://proxyuser:proxypass@");
    const r = await s.get(`${httpUrl}/authed`, { proxies: { http: proxy } });
    expect(r.status_code).toBe(200);
    expect(last().proxyAuthorization).toBeUndefined();
    const t = await s.get(`${httpsUrl}/authed-tls`, { proxies: { https: proxy } });
    expect(t.status_code).toBe(200);
  });

  it("non-ASCII proxy credentials go out as UTF-8: absolute-form through tinyproxy, and in CONNECT", async () => {
    const s = newSession();
    // "usér:päss" percent-encoded as UTF-8; base64 of its UTF-8 bytes (Latin-1 would be "dXPpcjpw5HNz")
    const creds = "us%C3%A9r:p%C3%A4ss@";
    const expected = "Basic dXPDqXI6cMOkc3M=";
    // tinyproxy without BasicAuth forwards Proxy-Authorization to the origin as it got it
    const r = await s.get(`${httpUrl}/utf8-proxy-creds`, { proxies: { http: open.url.replace("://", `://${creds}`) } });
    expect(r.status_code).toBe(200);
    expect(last().proxyAuthorization).toBe(expected);
    // CONNECT (src/http/tunnel.ts): a scripted proxy records the request and refuses it
    const proxy = await rawEach(() => "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
    const err = await s
      .get(`${httpsUrl}/utf8-tunnel-creds`, { proxies: { https: `http://${creds}127.0.0.1:${proxy.port}` } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProxyError);
    const connect = proxy.seen[0]?.req;
    expect(connect?.method).toBe("CONNECT");
    expect(connect?.headers.filter(([n]) => n.toLowerCase() === "proxy-authorization").map(([, v]) => v)).toEqual([
      expected,
    ]);
  });

  it("without credentials: an http target gets the proxy's 407; an https tunnel fails with ProxyError", async () => {
    const s = newSession();
    const r = await s.get(`${httpUrl}/no-creds`, { proxies: { http: locked.url } });
    expect(r.status_code).toBe(407);
    const err = await s.get(`${httpsUrl}/no-creds`, { proxies: { https: locked.url } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProxyError);
    expect((err as ProxyError).message).toMatch(/407/);
  });

  it("a proxy that is not there is a ProxyError", async () => {
    const s = newSession();
    const closed = createServer();
    const port = await listen(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    for (const [scheme, url] of [
      ["http", httpUrl],
      ["https", httpsUrl],
    ] as const) {
      const err = await s
        .get(`${url}/x`, { proxies: { [scheme]: `http://127.0.0.1:${port}` } })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProxyError);
    }
  });

  it("with trust_env, HTTP_PROXY/HTTPS_PROXY are used and NO_PROXY is honoured; a request's null removes a proxy", async () => {
    const saved = { ...process.env };
    onCleanup(() => {
      for (const k of [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "NO_PROXY",
        "no_proxy",
        "ALL_PROXY",
        "all_proxy",
      ]) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    });
    for (const k of ["http_proxy", "https_proxy", "no_proxy", "all_proxy", "ALL_PROXY"]) delete process.env[k];
    process.env.HTTP_PROXY = open.url;
    process.env.NO_PROXY = "";
    const s = new Session();
    s.verify = ca;
    onCleanup(() => s.close());
    await s.get(`${httpUrl}/from-env`);
    expect(last().via).toMatch(/tinyproxy/);
    await s.get(`${httpUrl}/direct`, { proxies: { http: null } });
    expect(last().via).toBeUndefined();
    process.env.NO_PROXY = "localhost,127.0.0.0/8";
    const t = new Session();
    onCleanup(() => t.close());
    await t.get(`${httpUrl}/bypassed`);
    expect(last().url).toBe("/bypassed");
    expect(last().via).toBeUndefined();
    s.trust_env = false;
    await new Promise((r) => setTimeout(r, 1100)); // the environment is read at most once a second
    await s.get(`${httpUrl}/no-env`);
    expect(last().via).toBeUndefined();
  });
});
