// Security regressions: credentials carried across a redirect. Authorization (a header, Basic
// auth from a tuple or from the URL), an explicit Cookie and Proxy-Authorization must not follow
// a redirect to another origin (host or port), nor from https down to http; jar cookies follow
// only where their domain, path and Secure flag allow. Same-origin redirects, and the http ⇒ https
// upgrade on the default ports, keep them (as requests does).
//
// A test transport dials 127.0.0.1 whatever the host: port 443 reaches the https server, 81 a
// second http server, anything else the first; the certificate names a.test and b.test.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "../../src/index.js";
import { nodeTransport } from "../../src/transport/node.js";
import type { Transport } from "../../src/transport/types.js";
import { makeCA, makeServerCert } from "../support/certs.js";

interface Seen {
  origin: string;
  path: string;
  authorization: string | undefined;
  cookie: string | undefined;
  proxyAuthorization: string | undefined;
}

const seen: Seen[] = [];
let servers: Array<[Server, string]> = [];
const ports = { http: 0, https: 0, other: 0 };
let ca = "";

function app(origin: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    seen.push({
      origin,
      path: url.pathname,
      authorization: req.headers.authorization,
      cookie: req.headers.cookie,
      proxyAuthorization: req.headers["proxy-authorization"],
    });
    if (url.pathname === "/redirect") {
      const headers: Record<string, string | string[]> = {
        location: url.searchParams.get("to") ?? "/",
        "content-length": "0",
      };
      const set = url.searchParams.getAll("set");
      if (set.length > 0) headers["set-cookie"] = set;
      res.writeHead(Number(url.searchParams.get("status") ?? 302), headers);
      res.end();
      return;
    }
    res.writeHead(200, { "content-length": "2" });
    res.end("ok");
  };
}

function listen(s: Server): Promise<number> {
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve((s.address() as AddressInfo).port)));
}

beforeAll(async () => {
  const authority = makeCA();
  ca = authority.cert;
  const leaf = makeServerCert(authority, { hosts: ["a.test", "b.test", "127.0.0.1"] });
  const http = createServer(app("http"));
  const other = createServer(app("other"));
  const https = createHttpsServer({ cert: leaf.cert, key: leaf.key }, app("https"));
  servers = [
    [http, "http"],
    [other, "other"],
    [https, "https"],
  ];
  ports.http = await listen(http);
  ports.other = await listen(other);
  ports.https = await listen(https);
});

afterAll(async () => {
  for (const [s] of servers) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

const dialer: Transport = {
  connect(o) {
    const port = o.port === 443 ? ports.https : o.port === 81 ? ports.other : ports.http;
    return nodeTransport.connect({ ...o, host: "127.0.0.1", port });
  },
};

function newSession(): Session {
  const s = new Session({ transport: dialer });
  s.verify = ca;
  s.trust_env = false;
  return s;
}

const CREDENTIALS = {
  Authorization: "Bearer secret-token",
  Cookie: "sid=secret",
  "Proxy-Authorization": "Basic cHJveHk6cGFzcw==",
};

/** Follows one redirect from `from` to `to` with every kind of credential; what reached `to`. */
async function afterRedirect(from: string, to: string, status = 302): Promise<Seen[]> {
  const s = newSession();
  try {
    const n = seen.length;
    const redirect = `${from}/redirect?status=${status}&to=${encodeURIComponent(`${to}/target`)}`;
    const runs: Array<() => Promise<unknown>> = [
      () => s.get(redirect, { headers: CREDENTIALS }),
      () => s.get(redirect, { auth: ["user", "pass"] }),
      () => s.get(redirect.replace("://", "://user:pass@")),
      () => s.post(redirect.replace(`status=${status}`, "status=307"), { headers: CREDENTIALS, data: "x" }),
    ];
    for (const run of runs) expect((await run()) as { status_code: number }).toMatchObject({ status_code: 200 });
    const hits = seen.slice(n);
    expect(hits.filter((x) => x.path === "/redirect")).toHaveLength(runs.length);
    // the credentials reached the redirecting server: the test is not vacuous
    expect(hits.find((x) => x.path === "/redirect")?.authorization).toBe(CREDENTIALS.Authorization);
    return hits.filter((x) => x.path === "/target");
  } finally {
    s.close();
  }
}

function expectNone(hits: Seen[]): void {
  expect(hits).toHaveLength(4);
  for (const h of hits) {
    expect(h).toMatchObject({ authorization: undefined, cookie: undefined, proxyAuthorization: undefined });
  }
}

describe("credentials on redirect", () => {
  it("credentials kept across a cross-origin redirect (Authorization, Cookie, Proxy-Authorization)", async () => {
    // another host, another port, another host on https
    expectNone(await afterRedirect("http://a.test", "http://b.test"));
    expectNone(await afterRedirect("http://a.test", "http://a.test:81"));
    expectNone(await afterRedirect("https://a.test", "https://b.test", 301));
    expectNone(await afterRedirect("http://a.test:8080", "https://a.test"));
    // control: the same origin keeps them
    const same = await afterRedirect("http://a.test", "http://a.test");
    expect(same.map((h) => h.authorization)).toEqual([
      CREDENTIALS.Authorization,
      `Basic ${Buffer.from("user:pass").toString("base64")}`,
      `Basic ${Buffer.from("user:pass").toString("base64")}`,
      CREDENTIALS.Authorization,
    ]);
    // jar cookies go only where their domain says, whatever the redirect
    const s = newSession();
    try {
      const n = seen.length;
      await s.get(`http://a.test/redirect?set=jar=a-only&to=${encodeURIComponent("http://b.test/target")}`);
      expect(seen.slice(n).find((x) => x.path === "/target")).toMatchObject({ origin: "http", cookie: undefined });
    } finally {
      s.close();
    }
  });

  it("credentials kept on https ⇒ http", async () => {
    expectNone(await afterRedirect("https://a.test", "http://a.test"));
    // a Secure cookie set over https never goes to http, even on the same host
    const s = newSession();
    try {
      const n = seen.length;
      const set = encodeURIComponent("sec=1; Secure");
      await s.get(`https://a.test/redirect?set=${set}&to=${encodeURIComponent("http://a.test/target")}`);
      const target = seen.slice(n).find((x) => x.path === "/target");
      expect(target).toMatchObject({ origin: "http", cookie: undefined });
      // while the same cookie does go back over https
      await s.get("https://a.test/target");
      expect(seen.at(-1)).toMatchObject({ origin: "https", cookie: "sec=1" });
    } finally {
      s.close();
    }
  });
});
