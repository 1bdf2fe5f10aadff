// Security regressions: what a call must not carry to another host, checked with two real hosts
// (servers on 127.0.0.1 and 127.0.0.2, not two ports of one host): per-request cookies stay on
// the request's host, a Digest challenge is answered only on the origin the credentials were given
// for, and module-level calls (`requests.get` …) share no cookies with each other.
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import requests, { HTTPDigestAuth, RequestsCookieJar, type Response, Session } from "../../src/index.js";

interface Seen {
  host: "one" | "two";
  path: string;
  cookie: string | undefined;
  authorization: string | undefined;
}

const seen: Seen[] = [];
const closers: Array<() => Promise<void>> = [];
/** Base URLs of the two hosts. */
const base = { one: "", two: "" };

const md5 = (s: string) => createHash("md5").update(s).digest("hex");

function app(host: Seen["host"]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    const q = url.searchParams;
    seen.push({ host, path: url.pathname, cookie: req.headers.cookie, authorization: req.headers.authorization });
    switch (url.pathname) {
      case "/redirect": {
        const headers: Record<string, string | string[]> = { location: q.get("to") ?? "/", "content-length": "0" };
        const set = q.getAll("set");
        if (set.length > 0) headers["set-cookie"] = set;
        res.writeHead(Number(q.get("status") ?? 302), headers);
        res.end();
        return;
      }
      case "/cookies/set":
        res.writeHead(200, { "set-cookie": q.getAll("c"), "content-length": "2" });
        res.end("ok");
        return;
      case "/digest": {
        // any Digest answer for user "u" / password "p" under a nonce this server made is accepted
        const auth = req.headers.authorization ?? "";
        const p: Record<string, string> = {};
        for (const m of auth.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) p[m[1] as string] = m[2] ?? m[3] ?? "";
        const ha1 = md5(`u:${host}:p`);
        const expected = md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${md5(`${req.method}:${p.uri}`)}`);
        if (auth.startsWith("Digest ") && p.response === expected) {
          res.writeHead(200, { "content-length": "6" });
          res.end("secret");
          return;
        }
        const nonce = randomBytes(8).toString("hex");
        res.writeHead(401, {
          "www-authenticate": `Digest realm="${host}", nonce="${nonce}", qop="auth", algorithm=MD5`,
          "content-length": "0",
        });
        res.end();
        return;
      }
      default:
        res.writeHead(200, { "content-length": "2" });
        res.end("ok");
    }
  };
}

beforeAll(async () => {
  for (const [host, address] of [
    ["one", "127.0.0.1"],
    ["two", "127.0.0.2"],
  ] as const) {
    const server = createServer(app(host));
    const port = await new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, address, () => resolve((server.address() as { port: number }).port));
    });
    closers.push(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    base[host] = `http://${address}:${port}`;
  }
});

afterAll(async () => {
  for (const close of closers.splice(0)) await close();
});

const hitsSince = (n: number, path: string) => seen.slice(n).filter((x) => x.path === path);

describe("module-level calls share no state", () => {
  it("a cookie one call receives is not sent by the next call, to the same host or another", async () => {
    const n = seen.length;
    const set = await requests.get(`${base.one}/cookies/set?c=x%3D1`);
    expect(set.cookies.get("x")).toBe("1");
    await requests.get(`${base.one}/cookies`);
    await requests.post(`${base.one}/cookies`, { data: "a" });
    await requests.get(`${base.two}/cookies`);
    const later = hitsSince(n, "/cookies");
    expect(later).toHaveLength(3);
    for (const hit of later) expect(hit.cookie).toBeUndefined();
  });

  it("within one call, a cookie set by a redirect is sent on the next hop, then forgotten", async () => {
    const n = seen.length;
    const r = await requests.get(`${base.one}/redirect?set=hop%3D1&to=/cookies`);
    expect(r.status_code).toBe(200);
    expect(hitsSince(n, "/cookies").map((x) => x.cookie)).toEqual(["hop=1"]);
    await requests.get(`${base.one}/cookies`);
    expect(hitsSince(n, "/cookies").map((x) => x.cookie)).toEqual(["hop=1", undefined]);
  });

  it("calls with hooks or retries (the longer path) leave no cookies behind either", async () => {
    const n = seen.length;
    const hooks = { response: [(r: Response) => r] };
    await requests.get(`${base.one}/redirect?set=h%3D1&to=/cookies`, { hooks });
    await requests.get(`${base.one}/cookies/set?c=r%3D1`, { retries: 2 });
    await requests.get(`${base.one}/cookies`, { hooks, retries: 1 });
    expect(hitsSince(n, "/cookies").map((x) => x.cookie)).toEqual(["h=1", undefined]);
  });

  it("concurrent calls never see each other's cookies", async () => {
    const n = seen.length;
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        requests.get(`${base.one}/redirect?set=user${i}%3D${i}&to=${encodeURIComponent(`/cookies?u=${i}`)}`),
      ),
    );
    const hits = hitsSince(n, "/cookies");
    expect(hits).toHaveLength(8);
    for (const hit of hits) expect(hit.cookie).toMatch(/^user\d=\d$/);
  });

  it("a Session keeps its jar across calls, as before", async () => {
    const s = new Session();
    try {
      const n = seen.length;
      await s.get(`${base.one}/cookies/set?c=kept%3D1`);
      await s.get(`${base.one}/cookies`);
      expect(hitsSince(n, "/cookies").map((x) => x.cookie)).toEqual(["kept=1"]);
    } finally {
      s.close();
    }
  });
});

describe("per-request cookies stay on the request's host", () => {
  it("are sent to the first host and not to another host a redirect leads to", async () => {
    const n = seen.length;
    const r = await requests.get(`${base.one}/redirect?to=${encodeURIComponent(`${base.two}/cookies`)}`, {
      cookies: { token: "s" },
    });
    expect(r.status_code).toBe(200);
    expect(hitsSince(n, "/redirect").map((x) => x.cookie)).toEqual(["token=s"]);
    expect(hitsSince(n, "/cookies")).toEqual([
      { host: "two", path: "/cookies", cookie: undefined, authorization: undefined },
    ]);
  });

  it("follow a redirect on the same host (another path), from a dict or a jar, in a Session too", async () => {
    const s = new Session();
    try {
      const jar = new RequestsCookieJar();
      jar.set("j", "1");
      const n = seen.length;
      await requests.get(`${base.one}/redirect?to=/cookies`, { cookies: { token: "s" } });
      await s.get(`${base.one}/redirect?to=/cookies`, { cookies: jar });
      await s.get(`${base.one}/redirect?to=${encodeURIComponent(`${base.two}/cookies`)}`, { cookies: jar });
      expect(hitsSince(n, "/cookies").map((x) => [x.host, x.cookie])).toEqual([
        ["one", "token=s"],
        ["one", "j=1"],
        ["two", undefined],
      ]);
      // never kept by the session
      expect(s.cookies.size).toBe(0);
    } finally {
      s.close();
    }
  });
});

describe("Digest credentials answer only their own origin", () => {
  it("a redirect to another host that sends a Digest 401 gets its 401 back, with no answer", async () => {
    const s = new Session();
    s.auth = new HTTPDigestAuth("u", "p");
    try {
      const n = seen.length;
      const r = await s.get(`${base.one}/redirect?to=${encodeURIComponent(`${base.two}/digest`)}`);
      expect(r.status_code).toBe(401);
      const digestHits = hitsSince(n, "/digest");
      expect(digestHits).toHaveLength(1);
      expect(digestHits[0]?.authorization).toBeUndefined();
      // the same credentials asked of that host directly are answered
      const direct = await s.get(`${base.two}/digest`);
      expect([direct.status_code, direct.text]).toEqual([200, "secret"]);
    } finally {
      s.close();
    }
  });

  it("a redirect on the same origin is still answered (per request and module-level)", async () => {
    const r = await requests.get(`${base.one}/redirect?to=/digest`, { auth: new HTTPDigestAuth("u", "p") });
    expect([r.status_code, r.text]).toEqual([200, "secret"]);
    expect(r.history.map((h) => h.status_code)).toEqual([302, 401]);
  });
});
