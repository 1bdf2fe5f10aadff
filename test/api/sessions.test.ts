// Sessions beyond one request: redirects, credentials on redirect, cookies, auth (Basic, Digest,
// .netrc, functions), retries, hooks, progress and session defaults. One node:http app serves
// "virtual hosts": a test transport dials 127.0.0.1 whatever host the URL names, so a.test,
// b.test and the scheme's default ports can be used in URLs, and a certificate names them all.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  ConnectionError,
  HTTPDigestAuth,
  InvalidHeader,
  type PreparedRequest,
  type Response,
  Retry,
  RetryError,
  Session,
  type SessionOptions,
  TooManyRedirects,
  UnrewindableBodyError,
} from "../../src/index.js";
import { nodeTransport } from "../../src/transport/node.js";
import type { Transport } from "../../src/transport/types.js";
import { makeCA, makeServerCert } from "../support/certs.js";
import { session as closedSession, onCleanup, rawEach, runCleanups } from "./helpers.js";

afterEach(runCleanups);

interface Seen {
  host: string;
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
  tls: boolean;
}

const seen: Seen[] = [];
let digestNonce = "";
let digestNc = 0;
const hits = new Map<string, number>();

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => resolve(Buffer.concat(parts).toString("latin1")));
  });
}

const md5 = (s: string) => createHash("md5").update(s).digest("hex");

function digestParams(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of value.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) out[m[1] as string] = m[2] ?? m[3] ?? "";
  return out;
}

/** The app: every path is a behaviour; `seen` records every request. */
async function app(req: IncomingMessage, res: ServerResponse, tls: boolean): Promise<void> {
  const body = await readBody(req);
  const url = new URL(req.url ?? "/", "http://x");
  const q = url.searchParams;
  seen.push({
    host: req.headers.host ?? "",
    method: req.method ?? "",
    path: req.url ?? "",
    headers: req.headers,
    body,
    tls,
  });
  const key = url.pathname;
  hits.set(key, (hits.get(key) ?? 0) + 1);
  switch (url.pathname.replace(/^\/dir\//, "/")) {
    case "/redirect": {
      const headers: Record<string, string | string[]> = { location: q.get("to") ?? "/echo", "content-length": "0" };
      const cookie = q.getAll("set");
      if (cookie.length > 0) headers["set-cookie"] = cookie;
      res.writeHead(Number(q.get("status") ?? 302), headers);
      res.end();
      return;
    }
    case "/raw-location": {
      // the Location as raw UTF-8 bytes, as servers send it
      res.writeHead(302, [
        ["Location", Buffer.from("/caf\u00e9 ü?q=ä", "utf8").toString("latin1")],
        ["Content-Length", "0"],
      ]);
      res.end();
      return;
    }
    case "/loop":
      res.writeHead(302, { location: `/loop?n=${Number(q.get("n") ?? 0) + 1}`, "content-length": "0" });
      res.end();
      return;
    case "/setcookie":
      res.writeHead(200, { "set-cookie": q.getAll("c"), "content-length": "2" });
      res.end("ok");
      return;
    case "/flaky": {
      // fails with `status` until the n-th hit of this path
      const n = hits.get(key) ?? 0;
      if (n < Number(q.get("until") ?? 3)) {
        res.writeHead(Number(q.get("status") ?? 503), { "retry-after": "0", "content-length": "4" });
        res.end("busy");
        return;
      }
      res.writeHead(200, { "content-length": "2" });
      res.end("ok");
      return;
    }
    case "/digest": {
      const auth = req.headers.authorization ?? "";
      const p = auth.startsWith("Digest ") ? digestParams(auth) : {};
      const ha1 = md5(`alice:tests:wonder land`);
      const ha2 = md5(`${req.method}:${req.url}`);
      const nc = Number.parseInt(p.nc ?? "0", 16);
      const ok =
        p.nonce === digestNonce &&
        p.username === "alice" &&
        p.uri === req.url &&
        p.qop === "auth" &&
        nc > digestNc &&
        p.response === md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`);
      if (!ok) {
        digestNonce = randomBytes(8).toString("hex");
        digestNc = 0;
        res.writeHead(401, {
          "www-authenticate": `Digest realm="tests", nonce="${digestNonce}", qop="auth", algorithm=MD5`,
          "content-length": "0",
        });
        res.end();
        return;
      }
      digestNc = nc;
      res.writeHead(200, { "content-length": "6" });
      res.end("secret");
      return;
    }
    case "/big":
      res.writeHead(200, { "content-length": String(300 * 1024) });
      res.end(Buffer.alloc(300 * 1024, 7));
      return;
    default: {
      const json = JSON.stringify({ method: req.method, path: req.url, headers: req.headers, body });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
      res.end(json);
    }
  }
}

let http: Server;
let https: Server;
let ports = { http: 0, https: 0, other: 0 };
let other: Server;
let ca = "";

function listen(s: Server): Promise<number> {
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve((s.address() as AddressInfo).port)));
}

beforeAll(async () => {
  const authority = makeCA();
  ca = authority.cert;
  const leaf = makeServerCert(authority, { hosts: ["a.test", "b.test", "127.0.0.1"] });
  http = createServer((req, res) => void app(req, res, false));
  other = createServer((req, res) => void app(req, res, false));
  https = createHttpsServer({ cert: leaf.cert, key: leaf.key }, (req, res) => void app(req, res, true));
  ports = { http: await listen(http), https: await listen(https), other: await listen(other) };
});

afterAll(async () => {
  for (const s of [http, https, other]) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

/**
 * Dials 127.0.0.1 for every host: port 80 and 8080 reach the http app, 443 the https app, 81 the
 * "other" app (a second http origin on the same host). Refused: port 9.
 */
const dialer: Transport = {
  connect(o) {
    const port = o.port === 443 ? ports.https : o.port === 81 ? ports.other : o.port === 9 ? 9 : ports.http;
    return nodeTransport.connect({ ...o, host: "127.0.0.1", port });
  },
};

function newSession(options: SessionOptions = {}): Session {
  const s = new Session({ transport: dialer, ...options });
  s.verify = ca;
  s.trust_env = false;
  onCleanup(() => s.close());
  return s;
}

const lastSeen = () => seen[seen.length - 1] as Seen;
const since = (n: number) => seen.slice(n);

describe("redirects", () => {
  it("follows each redirect status to its target; history holds the redirects in order, never the final response", async () => {
    const s = newSession();
    for (const status of [301, 302, 303, 307, 308]) {
      const r = await s.get(`http://a.test/redirect?status=${status}&to=/redirect%3Fstatus%3D302%26to%3D/echo`);
      expect(r.status_code).toBe(200);
      expect(r.url).toBe("http://a.test/echo");
      expect(r.history.map((h) => h.status_code)).toEqual([status, 302]);
      expect(r.history[1]?.history.map((h) => h.status_code)).toEqual([status]);
      expect(r.history.includes(r)).toBe(false);
    }
  });

  it("rewrites the method as requests does: 303 and 302 to GET, 301 POST to GET, HEAD kept, 307/308 kept", async () => {
    const s = newSession();
    const cases: Array<[string, number, string]> = [
      ["POST", 303, "GET"],
      ["PUT", 303, "GET"],
      ["POST", 302, "GET"],
      ["DELETE", 302, "GET"],
      ["POST", 301, "GET"],
      ["PUT", 301, "PUT"],
      ["HEAD", 302, "HEAD"],
      ["HEAD", 303, "HEAD"],
      ["POST", 307, "POST"],
      ["PATCH", 308, "PATCH"],
    ];
    for (const [method, status, expected] of cases) {
      const r = await s.request(method, `http://a.test/redirect?status=${status}&to=/echo`, {
        data: "payload",
        allow_redirects: true,
      });
      expect([method, status, lastSeen().method]).toEqual([method, status, expected]);
      expect(r.status_code).toBe(200);
    }
  });

  it("drops the body and its headers after a rewrite, and resends them on 307/308", async () => {
    const s = newSession();
    await s.post("http://a.test/redirect?status=302&to=/echo", { json: { a: 1 } });
    const after = lastSeen();
    expect(after.body).toBe("");
    expect(after.headers["content-type"]).toBeUndefined();
    expect(after.headers["content-length"]).toBeUndefined();
    // a 301 keeps PUT and PATCH but drops the body: the next request says it has none, as any
    // bodiless PUT or PATCH does (RFC 9110 §8.6; requests sends the same)
    for (const method of ["PUT", "PATCH"]) {
      await s.request(method, "http://a.test/redirect?status=301&to=/echo", { json: { a: 1 } });
      expect([lastSeen().method, lastSeen().body]).toEqual([method, ""]);
      expect(lastSeen().headers["content-length"]).toBe("0");
      expect(lastSeen().headers["content-type"]).toBeUndefined();
    }
    for (const status of [307, 308]) {
      await s.post(`http://a.test/redirect?status=${status}&to=/echo`, { json: { a: 1 } });
      expect(lastSeen().body).toBe('{"a": 1}');
      expect(lastSeen().headers["content-type"]).toBe("application/json");
    }
  });

  it("a 307 for a streamed body it cannot replay raises UnrewindableBodyError, sending it once", async () => {
    const s = newSession();
    const before = seen.length;
    async function* body() {
      yield new TextEncoder().encode("once");
    }
    const err = await s.post("http://a.test/redirect?status=307&to=/echo", { data: body() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnrewindableBodyError);
    expect((err as UnrewindableBodyError).response?.status_code).toBe(307);
    expect(since(before).length).toBe(1);
  });

  it("stops after max_redirects with TooManyRedirects carrying the last response", async () => {
    const s = newSession();
    s.max_redirects = 5;
    const before = seen.length;
    const err = await s.get("http://a.test/loop").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyRedirects);
    expect((err as TooManyRedirects).response?.status_code).toBe(302);
    expect(since(before).length).toBe(6);
  });

  it("allow_redirects: false returns the 3xx; head() does not follow unless asked", async () => {
    const s = newSession();
    const r = await s.get("http://a.test/redirect?status=302&to=/echo", { allow_redirects: false });
    expect([r.status_code, r.is_redirect, r.history.length]).toEqual([302, true, 0]);
    expect((await s.head("http://a.test/redirect?to=/echo")).status_code).toBe(302);
    expect((await s.head("http://a.test/redirect?to=/echo", { allow_redirects: true })).status_code).toBe(200);
  });

  it("resolves relative, '//host' and non-ASCII Locations", async () => {
    const s = newSession();
    expect((await s.get("http://a.test/dir/redirect?to=sub/page")).url).toBe("http://a.test/dir/sub/page");
    const r = await s.get(`http://a.test/redirect?to=${encodeURIComponent("//b.test/from-authority")}`);
    expect(r.url).toBe("http://b.test/from-authority");
    expect(lastSeen().host).toBe("b.test");
    const n = await s.get("http://a.test/raw-location");
    expect(n.url).toBe("http://a.test/caf%C3%A9%20%C3%BC?q=%C3%A4");
    expect(lastSeen().path).toBe("/caf%C3%A9%20%C3%BC?q=%C3%A4");
  });

  it("keeps the fragment in the URL but never sends it", async () => {
    const s = newSession();
    const r = await s.get("http://a.test/redirect?to=/echo#section");
    expect(r.url).toBe("http://a.test/echo#section");
    expect(r.history[0]?.url).toBe("http://a.test/redirect?to=/echo#section");
    expect(seen.slice(-2).map((x) => x.path)).toEqual(["/redirect?to=/echo", "/echo"]);
    const own = await s.get(`http://a.test/redirect?to=${encodeURIComponent("/echo#theirs")}#mine`);
    expect(own.url).toBe("http://a.test/echo#theirs");
  });
});

describe("credentials on redirect", () => {
  const cases: Array<[string, string, string, boolean]> = [
    ["same origin", "http://a.test/redirect", "http://a.test/echo", true],
    ["another host", "http://a.test/redirect", "http://b.test/echo", false],
    ["another port", "http://a.test/redirect", "http://a.test:81/echo", false],
    ["http ⇒ https on the default ports (an upgrade)", "http://a.test/redirect", "https://a.test/echo", true],
    ["https ⇒ http", "https://a.test/redirect", "http://a.test/echo", false],
    ["http ⇒ https on another port", "http://a.test:8080/redirect", "https://a.test/echo", false],
  ];
  for (const [name, from, to, kept] of cases) {
    it(`Authorization, an explicit Cookie and Proxy-Authorization are ${kept ? "kept" : "dropped"}: ${name}`, async () => {
      const s = newSession();
      await s.get(`${from}?to=${encodeURIComponent(to)}`, {
        headers: { Authorization: "Bearer token", Cookie: "sid=1", "Proxy-Authorization": "Basic cHJveHk=" },
      });
      const last = lastSeen();
      expect(last.path).toBe("/echo");
      expect(last.headers.authorization).toBe(kept ? "Bearer token" : undefined);
      expect(last.headers.cookie).toBe(kept ? "sid=1" : undefined);
      expect(last.headers["proxy-authorization"]).toBe(kept ? "Basic cHJveHk=" : undefined);
    });
  }

  it("Basic auth from a tuple and from URL userinfo is dropped on a cross-host redirect", async () => {
    const s = newSession();
    await s.get(`http://a.test/redirect?to=${encodeURIComponent("http://b.test/echo")}`, { auth: ["u", "p"] });
    expect(seen[seen.length - 2]?.headers.authorization).toBe(`Basic ${Buffer.from("u:p").toString("base64")}`);
    expect(lastSeen().headers.authorization).toBeUndefined();
    await s.get(`http://u:p@a.test/redirect?to=${encodeURIComponent("http://b.test/echo")}`);
    expect(lastSeen().headers.authorization).toBeUndefined();
  });
});

describe("cookies", () => {
  it("keeps Set-Cookie from every hop of a redirect chain and sends each where it belongs", async () => {
    const s = newSession();
    const to = encodeURIComponent("http://b.test/redirect?set=hop2=2&to=http://a.test/echo");
    const r = await s.get(`http://a.test/redirect?set=hop1=1&to=${to}`);
    expect(r.status_code).toBe(200);
    // hop1 is a.test's (host-only), hop2 b.test's
    expect(lastSeen().headers.cookie).toBe("hop1=1");
    expect(s.cookies.toObject()).toEqual({ hop1: "1", hop2: "2" });
    await s.get("http://b.test/echo");
    expect(lastSeen().headers.cookie).toBe("hop2=2");
  });

  it("honours Domain, Path, Secure, Max-Age and deletion", async () => {
    const s = newSession();
    const set = (...c: string[]) =>
      s.get(`http://a.test/setcookie?${c.map((x) => `c=${encodeURIComponent(x)}`).join("&")}`);
    await set("d=1; Domain=test.example", "p=1; Path=/only", "sec=1; Secure", "gone=1; Max-Age=0", "keep=1");
    expect(s.cookies.toObject()).toEqual({ p: "1", keep: "1" });
    await s.get("http://a.test/only/x");
    expect(lastSeen().headers.cookie).toBe("p=1; keep=1");
    await s.get("http://a.test/elsewhere");
    expect(lastSeen().headers.cookie).toBe("keep=1");
    const secure = await s.get("https://a.test/setcookie?c=sec%3D1%3B%20Secure");
    expect(secure.cookies.get("sec")).toBe("1");
    await s.get("http://a.test/plain");
    expect(lastSeen().headers.cookie).toBe("keep=1");
    await s.get("https://a.test/tls");
    expect(lastSeen().headers.cookie).toBe("keep=1; sec=1");
    await set("keep=; Max-Age=0");
    expect(s.cookies.toObject()).toEqual({ p: "1", sec: "1" });
  });

  it("per-request cookies override the session's for that request only", async () => {
    const s = newSession();
    s.cookies.set("theme", "dark");
    await s.get("http://a.test/echo", { cookies: { theme: "light", extra: "1" } });
    expect(lastSeen().headers.cookie).toBe("theme=light; extra=1");
    await s.get("http://a.test/echo");
    expect(lastSeen().headers.cookie).toBe("theme=dark");
    expect(s.cookies.toObject()).toEqual({ theme: "dark" });
  });

  it("r.cookies has the cookies the response set", async () => {
    const s = newSession();
    const r = await s.get("http://a.test/setcookie?c=a%3D1&c=b%3D2%3B%20Path%3D%2Fx");
    expect(r.cookies.toObject()).toEqual({ a: "1", b: "2" });
  });
});

describe("auth", () => {
  it("Digest: answers the 401 once, then sends the header at once with a growing nonce count", async () => {
    const s = newSession();
    s.auth = new HTTPDigestAuth("alice", "wonder land");
    const before = seen.length;
    const r = await s.get("http://a.test/digest");
    expect([r.status_code, r.text]).toEqual([200, "secret"]);
    expect(r.history.map((h) => h.status_code)).toEqual([401]);
    expect(since(before).length).toBe(2);
    const again = await s.get("http://a.test/digest");
    expect(again.status_code).toBe(200);
    expect(since(before).length).toBe(3); // pre-emptive: no second 401
    expect(digestParams(lastSeen().headers.authorization ?? "").nc).toBe("00000002");
  });

  it("Digest with wrong credentials gives the 401 back after one answer", async () => {
    const s = newSession();
    const before = seen.length;
    const r = await s.get("http://a.test/digest", { auth: new HTTPDigestAuth("alice", "wrong") });
    expect(r.status_code).toBe(401);
    expect(since(before).length).toBe(2);
  });

  it("a custom auth function edits the prepared request", async () => {
    const s = newSession();
    const sign = (p: PreparedRequest) => {
      p.headers["X-Signature"] = `signed ${p.method} ${p.url}`;
      return p;
    };
    await s.get("http://a.test/echo", { auth: sign });
    expect(lastSeen().headers["x-signature"]).toBe("signed GET http://a.test/echo");
  });

  it(".netrc (trust_env, NETRC) is used for exactly its host, and not when trust_env is false", async () => {
    const dir = mkdtempSync(join(tmpdir(), "reqwire-netrc-"));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "netrc");
    writeFileSync(file, "machine a.test login nu password np\n");
    const saved = process.env.NETRC;
    process.env.NETRC = file;
    onCleanup(() => {
      if (saved === undefined) delete process.env.NETRC;
      else process.env.NETRC = saved;
    });
    const s = newSession();
    s.trust_env = true;
    await s.get("http://a.test/echo");
    expect(lastSeen().headers.authorization).toBe(`Basic ${Buffer.from("nu:np").toString("base64")}`);
    await s.get("http://b.test/echo");
    expect(lastSeen().headers.authorization).toBeUndefined();
    await s.get(`http://a.test/redirect?to=${encodeURIComponent("http://b.test/echo")}`);
    expect(lastSeen().headers.authorization).toBeUndefined();
    s.trust_env = false;
    await s.get("http://a.test/echo");
    expect(lastSeen().headers.authorization).toBeUndefined();
  });
});

describe("retries", () => {
  it("retries a status in status_forcelist (Retry-After 0) until it succeeds", async () => {
    const s = newSession();
    hits.delete("/flaky");
    const r = await s.get("http://a.test/flaky?until=3", { retries: new Retry({ total: 5, status_forcelist: [503] }) });
    expect(r.status_code).toBe(200);
    expect(hits.get("/flaky")).toBe(3);
  });

  it("raises RetryError when status retries run out, or returns the last response with raise_on_status false", async () => {
    const s = newSession();
    hits.delete("/flaky");
    const err = await s
      .get("http://a.test/flaky?until=10", { retries: new Retry({ total: 2, status_forcelist: [503] }) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryError);
    expect(hits.get("/flaky")).toBe(3);
    hits.delete("/flaky");
    const r = await s.get("http://a.test/flaky?until=10", {
      retries: new Retry({ total: 1, status_forcelist: [503], raise_on_status: false }),
    });
    expect(r.status_code).toBe(503);
    expect(hits.get("/flaky")).toBe(2);
  });

  it("never replays a POST unless allowed_methods lists it", async () => {
    const s = newSession();
    hits.delete("/flaky");
    const r = await s.post("http://a.test/flaky?until=3", {
      data: "x",
      retries: new Retry({ total: 5, status_forcelist: [503] }),
    });
    expect(r.status_code).toBe(503);
    expect(hits.get("/flaky")).toBe(1);
    hits.delete("/flaky");
    const ok = await s.post("http://a.test/flaky?until=3", {
      data: "x",
      retries: new Retry({ total: 5, status_forcelist: [503], allowed_methods: ["POST"] }),
    });
    expect(ok.status_code).toBe(200);
    expect(hits.get("/flaky")).toBe(3);
  });

  it("retries connection failures (a number of retries), then raises RetryError caused by the last one", async () => {
    let dials = 0;
    const counting: Transport = {
      connect(o) {
        dials++;
        return dialer.connect(o);
      },
    };
    const s = newSession({ transport: counting });
    s.retries = 2;
    const err = await s.post("http://a.test:9/", { data: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryError);
    expect((err as RetryError).cause).toBeInstanceOf(ConnectionError);
    // what told the retry "nothing was sent" is not kept on the error the user gets
    const last = (err as RetryError).cause as ConnectionError;
    expect(Object.keys(last).sort()).toEqual(["code", "name", "request", "response"]);
    expect(Object.getOwnPropertySymbols(last)).toEqual([]);
    s.retries = 0;
    expect(await s.get("http://a.test:9/").catch((e: unknown) => e)).toBeInstanceOf(ConnectionError);
    expect(dials).toBe(4); // 3 attempts (connecting failed: nothing was sent, so even a POST goes again), then 1
  });
});

describe("hooks and progress", () => {
  it("runs session hooks; a request's hooks replace them; a hook may return another response", async () => {
    const s = newSession();
    const calls: string[] = [];
    s.hooks.response.push((r) => {
      calls.push(`session ${r.status_code}`);
    });
    await s.get("http://a.test/redirect?to=/echo");
    expect(calls).toEqual(["session 302", "session 200"]);
    calls.length = 0;
    let replacement: Response | undefined;
    const r = await s.get("http://a.test/echo", {
      hooks: {
        response: [
          async () => {
            calls.push("request");
            replacement = await s.get("http://a.test/other", { hooks: { response: [] } });
            return replacement;
          },
        ],
      },
    });
    expect(calls).toEqual(["request"]);
    expect(r).toBe(replacement);
  });

  it("reports upload and download progress up to the total", async () => {
    const s = newSession();
    const up: Array<[number, number | undefined]> = [];
    const down: Array<[number, number | undefined]> = [];
    const body = new Uint8Array(200 * 1024);
    await s.post("http://a.test/echo", {
      data: body,
      on_upload_progress: (p) => up.push([p.loaded, p.total]),
    });
    expect(lastSeen().body.length).toBe(body.length);
    expect(up[0]).toEqual([0, body.length]);
    expect(up[up.length - 1]).toEqual([body.length, body.length]);
    expect(up.length).toBeGreaterThan(2);
    const loaded = up.map(([n]) => n);
    expect(loaded).toEqual([...loaded].sort((x, y) => x - y));
    const r = await s.get("http://a.test/big", { on_download_progress: (p) => down.push([p.loaded, p.total]) });
    expect(r.content.length).toBe(300 * 1024);
    expect(down[0]).toEqual([0, 300 * 1024]);
    expect(down[down.length - 1]).toEqual([300 * 1024, 300 * 1024]);
  });
});

describe("session defaults", () => {
  it("merges headers, params and auth like requests; a request's null removes a session header", async () => {
    const s = newSession();
    s.headers["X-Team"] = "blue";
    s.headers["X-Drop"] = "me";
    s.params = { a: "1", b: "2" };
    s.auth = ["s", "p"];
    await s.get("http://a.test/echo", { params: { b: "3", c: "4" }, headers: { "X-Drop": null } });
    const last = lastSeen();
    expect(last.path).toBe("/echo?a=1&b=3&c=4");
    expect(last.headers["x-team"]).toBe("blue");
    expect(last.headers["x-drop"]).toBeUndefined();
    expect(last.headers.authorization).toBe(`Basic ${Buffer.from("s:p").toString("base64")}`);
  });

  it("send() of a prepared request whose head cannot be written rejects (no throw), and sends nothing", async () => {
    const s = newSession();
    await s.get("http://a.test/echo"); // the exchange code is loaded: send() runs its first steps at once
    const prepared = await s.prepare_request("GET", "http://a.test/echo");
    prepared.headers.set("X-Smuggled", "a\r\nX-Injected: 1");
    const before = seen.length;
    let result: Promise<unknown> | undefined;
    expect(() => {
      result = s.send(prepared);
    }).not.toThrow();
    await expect(result).rejects.toBeInstanceOf(InvalidHeader);
    expect(seen.length).toBe(before);
  });
});

describe("session settings changed in place", () => {
  it("proxies filled in after a first request are used by the next", async () => {
    const ok = (body: string) => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const origin = await rawEach(() => ok("direct"));
    const proxy = await rawEach((req) => ok(`proxied ${req.target}`));
    const s = closedSession();
    s.trust_env = false;
    expect((await s.get(`${origin.url}/a`)).text).toBe("direct");
    s.proxies.http = proxy.url;
    expect((await s.get(`${origin.url}/b`)).text).toBe(`proxied ${origin.url}/b`);
    delete s.proxies.http;
    expect((await s.get(`${origin.url}/c`)).text).toBe("direct");
  });
});
