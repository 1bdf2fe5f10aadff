// One behaviour suite for every runtime: verbs, bodies, headers, errors, chunked, gzip,
// keep-alive, timeouts, TLS, redirects, cookies. It imports nothing but the library under test
// (passed in), so it runs unchanged in Node, Deno, Bun, inside workerd and in a browser page.
// Each case throws on failure.
import type * as Reqwire from "../../src/main.js";
import type * as ReqwireTesting from "../../src/testing/index.js";

export type Lib = typeof Reqwire;
/** reqwire/testing, imported by the runner beside the library. */
export type TestingLib = typeof ReqwireTesting;

/** What a run is told about the servers (see servers.ts) and the runtime. */
export interface SuiteConfig {
  http: string;
  https: string;
  /** A raw server with exact malformed answers. */
  raw: string;
  /** A port nothing listens on. */
  refused: string;
  /** A proxy (CONNECT tunnels and absolute-form requests) for 127.0.0.1. */
  proxy: string;
  /** The PEM of the CA that signed the https server's certificate. */
  ca: string;
  /** Sockets (reqwire's HTTP/1.1) or the fetch transport. */
  transport: "sockets" | "fetch";
  /** TLS trust: "ca" passes the CA as `verify`; "runtime" means the runtime already trusts it. */
  tls: "ca" | "runtime";
  /** The runtime's sockets cannot run TLS inside a proxy tunnel: https through a proxy is refused. */
  noTunnelTls?: boolean;
  /**
   * The origin of the browser page the suite runs in (the servers above are another origin: CORS
   * applies), whose fetch keeps a page's rules: forbidden headers, hidden redirects and Set-Cookie.
   */
  page?: string;
}

/** What decides which cases a configuration runs. */
export type SuiteKind = Pick<SuiteConfig, "transport" | "page">;

export interface CaseResult {
  name: string;
  ok: boolean;
  error?: string;
}

interface Case {
  name: string;
  /** Only for socket transports (reqwire parses the bytes itself). */
  socketsOnly?: boolean;
  /** Only in a browser page. */
  pageOnly?: boolean;
  run(lib: Lib, cfg: SuiteConfig, s: Reqwire.Session, testing: TestingLib | undefined): Promise<void>;
}

function fail(message: string): never {
  throw new Error(message);
}

function eq<T>(actual: T, expected: T, what: string): void {
  if (actual !== expected) fail(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** Awaits a rejection and checks the error's class (by constructor and by name). */
async function rejects(p: Promise<unknown>, cls: abstract new (...a: never[]) => Error, name?: string): Promise<Error> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  if (err === undefined) fail(`expected ${cls.name}, but it resolved`);
  if (!(err instanceof cls)) fail(`expected ${cls.name}, got ${(err as Error)?.name}: ${(err as Error)?.message}`);
  if (name !== undefined) eq((err as Error).name, name, "error name");
  return err as Error;
}

interface Echo {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  length: number;
  chunked: boolean;
  port: number;
}

/** A session on the configuration's transport. */
function newSession(lib: Lib, cfg: SuiteConfig): Reqwire.Session {
  return new lib.Session(cfg.transport === "fetch" ? { transport: lib.fetchTransport() } : {});
}

let tags = 0;
/** A word found in no other request's target: its requests can be picked out of the server's log. */
function uniqueTag(): string {
  return `tag${++tags}x${Math.random().toString(36).slice(2, 10)}`;
}

/** The requests the http server received whose target contains `tag`, as "METHOD target" (preflights too). */
async function received(s: Reqwire.Session, cfg: SuiteConfig, tag: string): Promise<string[]> {
  return (await s.get(`${cfg.http}/request-log`)).json<string[]>().filter((line) => line.includes(tag));
}

const BIG = 1024 * 1024;

function checkBig(bytes: Uint8Array): void {
  eq(bytes.length, BIG, "body length");
  for (let i = 0; i < BIG; i += 4099) eq(bytes[i], (i * 31 + 7) & 0xff, `byte ${i}`);
}

async function* pieces(...parts: string[]): AsyncGenerator<Uint8Array> {
  const enc = new TextEncoder();
  for (const p of parts) yield enc.encode(p);
}

/** `text` gzipped with the runtime's CompressionStream. */
async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const CASES: Case[] = [
  {
    name: "GET with params, response fields and JSON",
    async run(_lib, cfg, s) {
      const r = await s.get(`${cfg.http}/echo?x=1`, { params: { y: "2 3", z: ["a", "b"] } });
      eq(r.status_code, 200, "status");
      eq(r.reason, "OK", "reason");
      eq(r.ok, true, "ok");
      eq(r.headers["Content-Type"], "application/json", "content-type, any case");
      const e = r.json<Echo>();
      eq(e.method, "GET", "method");
      eq(e.path, "/echo?x=1&y=2+3&z=a&z=b", "path and query");
      // a browser page sends the browser's own User-Agent in place of reqwire's default
      eq(
        e.headers["user-agent"]?.startsWith("reqwire/"),
        cfg.page === undefined,
        "user-agent: reqwire's, or the browser's",
      );
      eq(r.url, `${cfg.http}/echo?x=1&y=2+3&z=a&z=b`, "url");
    },
  },
  {
    name: "every verb, through the module functions and a session",
    async run(lib, cfg, s) {
      const verbs = ["post", "put", "patch", "delete", "options"] as const;
      for (const v of verbs) {
        const r = await s[v](`${cfg.http}/echo`);
        eq(r.json<Echo>().method, v.toUpperCase(), `${v} method`);
      }
      const h = await s.head(`${cfg.http}/head`);
      eq(h.content.length, 0, "HEAD body");
      eq(h.headers["content-length"], "12", "HEAD content-length");
      if (cfg.transport === "sockets") {
        const r = await lib.get(`${cfg.http}/echo`);
        eq(r.json<Echo>().method, "GET", "module get");
        const d = await lib.del(`${cfg.http}/echo`);
        eq(d.json<Echo>().method, "DELETE", "module del");
        const p = await lib.default.post(`${cfg.http}/echo`, { data: "x" });
        eq(p.json<Echo>().body, "x", "requests.post");
      }
    },
  },
  {
    name: "request bodies: json, form, bytes, text, multipart",
    async run(_lib, cfg, s) {
      const j = (await s.post(`${cfg.http}/echo`, { json: { a: [1, "é"] } })).json<Echo>();
      eq(j.headers["content-type"], "application/json", "json content-type");
      eq(j.body, '{"a": [1, "\\u00e9"]}', "json body, serialized as requests does");
      const f = (await s.post(`${cfg.http}/echo`, { data: { a: "1", b: "x y&z" } })).json<Echo>();
      eq(f.headers["content-type"], "application/x-www-form-urlencoded", "form content-type");
      eq(f.body, "a=1&b=x+y%26z", "form body");
      const b = (await s.put(`${cfg.http}/echo`, { data: new Uint8Array([0, 1, 2, 255]) })).json<Echo>();
      eq(b.length, 4, "bytes length");
      eq(b.headers["content-length"], "4", "bytes content-length");
      const m = (
        await s.post(`${cfg.http}/echo`, {
          data: { field: "v" },
          files: { up: ["a.txt", "file body", "text/plain"] },
        })
      ).json<Echo>();
      eq(m.headers["content-type"]?.startsWith("multipart/form-data; boundary="), true, "multipart type");
      eq(m.body.includes('name="up"; filename="a.txt"'), true, "multipart file part");
      eq(m.body.includes("file body"), true, "multipart file content");
      eq(m.body.includes('name="field"'), true, "multipart data field");
    },
  },
  {
    name: "a streamed request body",
    async run(_lib, cfg, s) {
      const e = (await s.post(`${cfg.http}/echo`, { data: pieces("one,", "two,", "three") })).json<Echo>();
      eq(e.body, "one,two,three", "streamed body");
      if (cfg.transport === "sockets") eq(e.chunked, true, "sent chunked");
    },
  },
  {
    name: "headers: sent as given, read case-insensitively, null removes a session header",
    async run(lib, cfg) {
      const s = newSession(lib, cfg);
      try {
        s.headers["X-Session"] = "s";
        s.headers["X-Drop"] = "d";
        const e = (await s.get(`${cfg.http}/echo`, { headers: { "X-Test": "v", "x-drop": null } })).json<Echo>();
        eq(e.headers["x-test"], "v", "request header");
        eq(e.headers["x-session"], "s", "session header");
        eq(e.headers["x-drop"], undefined, "removed header");
      } finally {
        s.close();
      }
    },
  },
  {
    name: "a chunked response, decoded as UTF-8 from its charset",
    async run(_lib, cfg, s) {
      const r = await s.get(`${cfg.http}/chunked`);
      eq(r.encoding, "utf-8", "encoding");
      eq(r.text, "héllo chunked wörld", "text");
    },
  },
  {
    name: "a gzip response is decompressed",
    async run(_lib, cfg, s) {
      const r = await s.get(`${cfg.http}/gzip`);
      eq(r.headers["content-encoding"], "gzip", "content-encoding kept");
      eq(r.text, "compressed ".repeat(1000), "decoded text");
    },
  },
  {
    name: "a decompression bomb stops at the default max_decompression_ratio; null lifts it",
    // (fetch decodes bodies itself: reqwire never sees the compressed bytes)
    socketsOnly: true,
    async run(lib, cfg, s) {
      const err = await rejects(s.get(`${cfg.http}/bomb`), lib.DecodedBodyTooLarge, "DecompressionRatioExceeded");
      eq(err instanceof lib.DecompressionRatioExceeded, true, "DecompressionRatioExceeded");
      eq((err as InstanceType<Lib["DecompressionRatioExceeded"]>).code, "DECOMPRESSION_RATIO_EXCEEDED", "code");
      const r = await s.get(`${cfg.http}/bomb`, { stream: true });
      let read = 0;
      await rejects(
        (async () => {
          for await (const c of r.iter_content()) read += c.length;
        })(),
        lib.DecompressionRatioExceeded,
      );
      if (read >= 16 * 1024 * 1024) fail(`streamed: ${read} bytes read before the error`);
      const lifted = await s.get(`${cfg.http}/bomb`, { max_decompression_ratio: null });
      eq(lifted.content.length, 16 * 1024 * 1024, "decoded length with the ratio lifted");
    },
  },
  {
    name: "a 1 MiB body, buffered and streamed",
    async run(_lib, cfg, s) {
      checkBig((await s.get(`${cfg.http}/big`)).content);
      const r = await s.get(`${cfg.http}/big`, { stream: true });
      const parts: Uint8Array[] = [];
      for await (const c of r.iter_content()) parts.push(c);
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        all.set(p, at);
        at += p.length;
      }
      checkBig(all);
    },
  },
  {
    name: "4xx and 5xx: raise_for_status raises HTTPError",
    async run(lib, cfg, s) {
      for (const code of [404, 500]) {
        const r = await s.get(`${cfg.http}/status/${code}`);
        eq(r.status_code, code, "status");
        eq(r.ok, false, "ok");
        let raised: unknown;
        try {
          r.raise_for_status();
        } catch (e) {
          raised = e;
        }
        eq(raised instanceof lib.HTTPError, true, `HTTPError for ${code}`);
      }
      await rejects(
        Promise.resolve().then(() => s.get(`${cfg.http}/status/200`).then((r) => r.json())),
        lib.JSONDecodeError,
      );
    },
  },
  {
    name: "redirects are followed, with the cookie set on the way",
    async run(lib, cfg) {
      const s = newSession(lib, cfg);
      try {
        const r = await s.post(`${cfg.http}/redirect?to=/echo`, { data: "dropped" });
        eq(r.status_code, 200, "final status");
        const e = r.json<Echo>();
        eq(e.method, "GET", "302 turns POST into GET");
        const see = (await s.post(`${cfg.http}/redirect?to=/echo&status=303`, { json: { a: 1 } })).json<Echo>();
        eq(see.method, "GET", "303 turns POST into GET");
        eq(see.length, 0, "without the body");
        if (cfg.page !== undefined) {
          // the browser followed the redirect itself: only where it ended is known
          eq(r.history.length, 0, "no redirect seen");
          eq(r.url, `${cfg.http}/echo`, "the final URL");
          return;
        }
        eq(r.history.length, 1, "one redirect");
        eq(r.history[0]?.status_code, 302, "the redirect");
        eq(e.headers.cookie, "hop=1", "cookie from the redirect");
        eq(s.cookies.get("hop"), "1", "cookie kept in the session");
      } finally {
        s.close();
      }
    },
  },
  {
    name: "allow_redirects=false and head(): the redirect itself, sent once, not followed (a browser hides it: OpaqueRedirect)",
    async run(lib, cfg, s) {
      const tag = uniqueTag();
      const url = `${cfg.http}/redirect?to=/echo?${tag}`;
      for (const sent of [() => s.get(url, { allow_redirects: false }), () => s.head(url)]) {
        if (cfg.page !== undefined) {
          // a browser's "manual" redirect has no status and no Location
          await rejects(sent(), lib.OpaqueRedirect);
          continue;
        }
        const r = await sent();
        eq(r.status_code, 302, "the redirect's status");
        eq(r.headers.location, `/echo?${tag}`, "its Location");
        eq(r.history.length, 0, "nothing followed");
      }
      const seen = await received(s, cfg, tag);
      const expected = [`GET /redirect?to=/echo?${tag}`, `HEAD /redirect?to=/echo?${tag}`];
      eq(JSON.stringify(seen), JSON.stringify(expected), "what the server received");
    },
  },
  {
    name: "a redirect loop raises TooManyRedirects (a browser's fetch reports it as a network error: ConnectionError)",
    async run(lib, cfg) {
      const s = newSession(lib, cfg);
      s.max_redirects = 5;
      try {
        if (cfg.page !== undefined) {
          // the browser follows up to its own limit, then fails as it fails for a network error
          await rejects(s.get(`${cfg.http}/loop`), lib.ConnectionError);
          return;
        }
        const err = await rejects(s.get(`${cfg.http}/loop`), lib.TooManyRedirects);
        eq((err as InstanceType<Lib["TooManyRedirects"]>).response?.status_code, 302, "the last redirect");
      } finally {
        s.close();
      }
    },
  },
  {
    name: "max_redirects bounds a chain (a browser follows redirects itself, up to its own limit)",
    async run(lib, cfg) {
      const s = newSession(lib, cfg);
      s.max_redirects = 1;
      const chain = `${cfg.http}/redirect?to=${encodeURIComponent("/redirect?to=/echo")}`;
      try {
        if (cfg.page !== undefined) {
          // the browser followed both redirects: reqwire never saw them to count
          eq((await s.get(chain)).status_code, 200, "where the chain ends");
          return;
        }
        await rejects(s.get(chain), lib.TooManyRedirects);
      } finally {
        s.close();
      }
    },
  },
  {
    name: "a response header the server does not expose to other origins (a browser page does not see it)",
    async run(_lib, cfg, s) {
      const r = await s.get(`${cfg.http}/unexposed`);
      eq(r.text, "ok", "the body");
      eq(r.headers["content-type"], "text/plain", "a CORS-safelisted header");
      eq(r.headers["x-unexposed"], cfg.page === undefined ? "1" : undefined, "a header not exposed");
    },
  },
  {
    name: "cookies=, the session's jar and a Cookie or User-Agent header are sent (refused in a browser page, unsent)",
    async run(lib, cfg) {
      const tag = uniqueTag();
      const withJar = newSession(lib, cfg);
      const plain = newSession(lib, cfg);
      try {
        withJar.cookies.set("jar", "1");
        const url = `${cfg.http}/echo?${tag}`;
        const tries: Array<[() => Promise<Reqwire.Response>, string, string]> = [
          [() => plain.get(url, { cookies: { own: "2" } }), "cookie", "own=2"],
          [() => withJar.get(url), "cookie", "jar=1"],
          [() => plain.get(url, { headers: { Cookie: "h=3" } }), "cookie", "h=3"],
          [() => plain.get(url, { headers: { "User-Agent": "app/1" } }), "user-agent", "app/1"],
        ];
        for (const [send, name, value] of tries) {
          const sent = send();
          if (cfg.page !== undefined) {
            const err = await rejects(sent, lib.InvalidHeader);
            if (!err.message.includes(name)) fail(`the refusal does not name ${name}: ${err.message}`);
          } else {
            eq((await sent).json<Echo>().headers[name], value, name);
          }
        }
        const seen = await received(plain, cfg, tag);
        eq(seen.length, cfg.page !== undefined ? 0 : tries.length, `requests received: ${JSON.stringify(seen)}`);
      } finally {
        withJar.close();
        plain.close();
      }
    },
  },
  {
    name: "Set-Cookie fills r.cookies and the session's jar (a browser page never sees it: both stay empty)",
    async run(lib, cfg) {
      const s = newSession(lib, cfg);
      try {
        const r = await s.get(`${cfg.http}/cookies`);
        eq(r.text, "ok", "the body");
        const shown = cfg.page === undefined;
        eq(r.headers["set-cookie"] !== undefined, shown, "the Set-Cookie header");
        eq(r.cookies.get("a"), shown ? "1" : undefined, "r.cookies");
        eq(s.cookies.get("b"), shown ? "2" : undefined, "the session's jar");
      } finally {
        s.close();
      }
    },
  },
  {
    name: "a browser page: the browser's own cookies go with same-origin requests, not to another origin",
    pageOnly: true,
    async run(_lib, cfg, s) {
      const page = cfg.page as string;
      await s.get(`${page}/cookies`);
      eq(s.cookies.get("a"), undefined, "not in reqwire's jar");
      eq((await s.get(`${page}/echo`)).json<Echo>().headers.cookie, "a=1; b=2", "sent to the page's origin");
      eq((await s.get(`${cfg.http}/echo`)).json<Echo>().headers.cookie, undefined, "not to another origin");
    },
  },
  {
    name: "a server that lets no other origin read its answers: answered (a browser page: ConnectionError)",
    async run(lib, cfg, s) {
      const sent = s.get(`${cfg.raw}/no-cors`);
      if (cfg.page !== undefined) await rejects(sent, lib.ConnectionError);
      else eq((await sent).text, "ok", "the body");
    },
  },
  {
    name: "keep-alive: a session reuses its connection",
    socketsOnly: true,
    async run(_lib, cfg, s) {
      const a = (await s.get(`${cfg.http}/echo`)).json<Echo>();
      const b = (await s.get(`${cfg.http}/echo`)).json<Echo>();
      eq(b.port, a.port, "same client port");
    },
  },
  {
    name: "concurrent requests all get their own response",
    async run(_lib, cfg, s) {
      const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => s.get(`${cfg.http}/echo?i=${i}`)));
      for (const [i, r] of rs.entries()) eq(r.json<Echo>().path, `/echo?i=${i}`, `response ${i}`);
    },
  },
  {
    name: "a read timeout raises Timeout",
    async run(lib, cfg, s) {
      const err = await rejects(s.get(`${cfg.http}/slow`, { timeout: 0.3 }), lib.Timeout);
      eq(err instanceof lib.RequestException, true, "a RequestException");
    },
  },
  {
    name: "deadlines: a trickled head, a 1xx flood, a full pool, a total timeout",
    socketsOnly: true,
    async run(lib, cfg, s) {
      const start = Date.now();
      const trickled = await rejects(s.get(`${cfg.raw}/trickle-head`, { timeout: 0.5 }), lib.ReadTimeout);
      if (!trickled.message.includes("head did not arrive")) fail(`trickled head: ${trickled.message}`);
      await rejects(s.get(`${cfg.raw}/continue-flood`, { timeout: 2 }), lib.ProtocolError);
      const pool = new lib.Session({ pool_maxsize: 1, pool_block: true });
      try {
        const first = rejects(pool.get(`${cfg.raw}/silent`, { timeout: 0.5 }), lib.ReadTimeout);
        await rejects(pool.get(`${cfg.raw}/silent`, { timeout: { read: 0.5, pool: 0.2 } }), lib.PoolTimeout);
        await first;
      } finally {
        pool.close();
      }
      const total = await rejects(s.get(`${cfg.raw}/trickle-head`, { timeout: { total: 0.5 } }), lib.Timeout);
      if (!total.message.includes("total timeout")) fail(`total: ${total.message}`);
      const seconds = (Date.now() - start) / 1000;
      if (seconds > 10) fail(`the four deadlines took ${seconds} s`);
    },
  },
  {
    name: "an abort signal raises RequestAborted",
    async run(lib, cfg, s) {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      await rejects(s.get(`${cfg.http}/slow`, { signal: ac.signal }), lib.RequestAborted);
    },
  },
  {
    name: "a refused connection raises ConnectionError",
    async run(lib, cfg, s) {
      await rejects(s.get(`${cfg.refused}/`), lib.ConnectionError);
    },
  },
  {
    name: "a malformed response raises ProtocolError",
    socketsOnly: true,
    async run(lib, cfg, s) {
      await rejects(s.get(`${cfg.raw}/bad-length`), lib.ProtocolError);
      await rejects(s.get(`${cfg.raw}/close`), lib.ConnectionError);
    },
  },
  {
    name: "a body cut short raises ChunkedEncodingError",
    async run(lib, cfg, s) {
      await rejects(s.get(`${cfg.raw}/truncated`), lib.ChunkedEncodingError);
    },
  },
  {
    name: "bad input raises typed errors before anything is sent",
    async run(lib, cfg, s) {
      await rejects(s.get("127.0.0.1/no-scheme"), lib.MissingSchema);
      await rejects(s.get("ftp://127.0.0.1/"), lib.InvalidSchema);
      await rejects(s.get(`${cfg.http}/echo`, { headers: { "X-Bad": "a\r\nInjected: 1" } }), lib.InvalidHeader);
      await rejects(s.request("GE T", `${cfg.http}/echo`), lib.RequestException);
    },
  },
  {
    name: "through a proxy: http in absolute-form, https in a CONNECT tunnel",
    async run(lib, cfg, s) {
      const proxies = { http: cfg.proxy, https: cfg.proxy };
      if (cfg.transport === "fetch") {
        // the runtime's fetch chooses its own proxy: refused, never silently sent directly
        await rejects(s.get(`${cfg.http}/echo`, { proxies }), lib.ProxyError);
        return;
      }
      const r = await s.get(`${cfg.http}/echo`, { proxies });
      eq(r.json<Echo>().path, `${cfg.http}/echo`, "the target as the origin received it");
      const options = cfg.tls === "ca" ? { verify: cfg.ca } : {};
      const tunnelled = s.post(`${cfg.https}/echo`, { ...options, proxies, json: { tunnel: true } });
      if (cfg.noTunnelTls) {
        await rejects(tunnelled, lib.ProxyError);
        return;
      }
      eq((await tunnelled).json<Echo>().body, '{"tunnel": true}', "body through the tunnel");
      // without verification: Deno.startTls always verifies and workerd's trust is its own, so
      // those two refuse it (never silently verify or skip); the others run it
      const unverified = s.get(`${cfg.https}/echo`, { proxies, verify: false });
      if (lib.runtime() === "deno" || cfg.tls === "runtime") await rejects(unverified, lib.SSLError);
      else eq((await unverified).status_code, 200, "status through the tunnel without verification");
      const log = (await s.get(`${cfg.http}/proxy-log`)).json<string[]>();
      const authority = cfg.https.slice("https://".length);
      if (!log.includes(`CONNECT ${authority}`)) fail(`the proxy saw no CONNECT ${authority}: ${JSON.stringify(log)}`);
      if (!log.includes(`GET ${cfg.http}/echo`)) fail(`the proxy saw no GET ${cfg.http}/echo: ${JSON.stringify(log)}`);
    },
  },
  {
    name: "https with the test CA",
    async run(lib, cfg, s) {
      const options = cfg.tls === "ca" ? { verify: cfg.ca } : {};
      if (cfg.transport === "fetch" && cfg.tls === "ca") {
        // fetch has no per-request CA: the option is refused, not ignored
        await rejects(s.get(`${cfg.https}/echo`, options), lib.SSLError);
        return;
      }
      const r = await s.post(`${cfg.https}/echo`, { ...options, json: { tls: true } });
      eq(r.json<Echo>().body, '{"tls": true}', "body over TLS");
      if (cfg.tls === "ca") await rejects(s.get(`${cfg.https}/echo`), lib.SSLError);
    },
  },
  {
    name: "https with verify=false, where the runtime allows it",
    async run(lib, cfg, s) {
      const p = s.get(`${cfg.https}/echo`, { verify: false });
      if (cfg.transport === "fetch" || cfg.tls === "runtime") {
        // fetch and workerd take TLS trust from the runtime: refused, never silently ignored
        await rejects(p, lib.SSLError);
        return;
      }
      eq((await p).status_code, 200, "status without verification");
    },
  },
];

CASES.push({
  name: "reqwire/testing: mocked answers go through the real receiver; real_http reaches the server",
  socketsOnly: true,
  async run(lib, cfg, _s, testing) {
    if (testing === undefined) fail("the runner did not import reqwire/testing");
    const m = new testing.Mocker({ real_http: true });
    const s = new lib.Session({ transport: m.transport });
    try {
      const text = "mocked ".repeat(200);
      m.get("http://api.test/gz", { body: await gzip(text), headers: { "Content-Encoding": "gzip" } });
      m.post("http://api.test/login", { status: 302, headers: { Location: "/home", "Set-Cookie": "sid=1; Path=/" } });
      m.get("http://api.test/home", (r) => ({ json: { cookie: r.headers.get("cookie") ?? null } }));
      m.get("http://api.test/stream", { chunks: ["one,", "two"] });
      const exc = new lib.ConnectTimeout("mocked");
      m.get("http://api.test/down", { exc });
      eq((await s.get("http://api.test/gz")).text, text, "a gzip body decoded");
      const r = await s.post("http://api.test/login", { json: { u: "a" } });
      eq(r.url, "http://api.test/home", "the redirect followed");
      eq(r.json<{ cookie: string | null }>().cookie, "sid=1", "the cookie sent back");
      eq(m.request_history[1]?.json<{ u: string }>().u, "a", "the request body in the history");
      const st = await s.get("http://api.test/stream", { stream: true });
      const parts: string[] = [];
      for await (const c of st.iter_content()) parts.push(new TextDecoder().decode(c));
      eq(parts.join(""), "one,two", "a chunked body streamed");
      eq((await rejects(s.get("http://api.test/down"), lib.ConnectTimeout)) === exc, true, "exc is that very error");
      const e = (await s.get(`${cfg.http}/echo?real=1`)).json<Echo>();
      eq(e.path, "/echo?real=1", "an unmatched request reached the real server");
      m.assert_all_called();
    } finally {
      s.close();
    }
    const strict = new testing.Mocker();
    const t = new lib.Session({ transport: strict.transport });
    try {
      const err = await rejects(t.get(`${cfg.http}/echo`), lib.ConnectionError, "NoMockAddress");
      eq(err instanceof testing.NoMockAddress, true, "NoMockAddress");
    } finally {
      t.close();
    }
  },
});

/** Whether a configuration runs a case. */
function runs(c: Case, kind: SuiteKind): boolean {
  if (c.socketsOnly && kind.transport !== "sockets") return false;
  return !c.pageOnly || kind.page !== undefined;
}

/** The names of the cases a configuration runs. */
export function caseNames(kind: SuiteKind): string[] {
  return CASES.filter((c) => runs(c, kind)).map((c) => c.name);
}

/** Runs every case (one session for all) and reports each; never throws. */
export async function runSuite(lib: Lib, cfg: SuiteConfig, testing?: TestingLib): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const s = newSession(lib, cfg);
  try {
    for (const c of CASES) {
      if (!runs(c, cfg)) continue;
      try {
        await c.run(lib, cfg, s, testing);
        results.push({ name: c.name, ok: true });
      } catch (err) {
        const e = err as Error;
        results.push({ name: c.name, ok: false, error: `${e?.name}: ${e?.message}` });
      }
    }
  } finally {
    s.close();
  }
  return results;
}
