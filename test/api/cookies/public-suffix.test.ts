// Public suffixes (RFC 6265 §5.3 step 5) by the Public Suffix List, compiled at build time from the
// pinned psl package: a Domain attribute that is a suffix is refused unless it is the request host,
// whose cookie it then is alone. ICANN and PRIVATE rules count alike; wildcard and exception rules
// as the list's algorithm reads them. The list's chunk loads only with the first Set-Cookie line
// that has a Domain attribute, and a response with one is handed out once it is in.
import { createServer } from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RequestsCookieJar } from "../../../src/api/cookies/jar.js";
import { isPublicSuffix } from "../../../src/api/cookies/public-suffix.js";
import { listen, onCleanup, runCleanups } from "../helpers.js";

afterEach(runCleanups);

const u = (s: string) => new URL(s);
const T = Date.UTC(2030, 0, 1);

/** A jar holding the given Set-Cookie lines, received from `url`. */
async function received(url: string, lines: string[]): Promise<RequestsCookieJar> {
  const jar = new RequestsCookieJar();
  await jar.extract(u(url), lines, T);
  return jar;
}

/** [name, domain, hostOnly] of each stored cookie. */
const stored = (jar: RequestsCookieJar) => [...jar].map((c) => [c.name, c.domain, c.hostOnly]);

describe("the jar and the Public Suffix List", () => {
  it("refuses Domain=github.io, uk.com and k12.ca.us from a site under them, and sends nothing to a sibling", async () => {
    const cases = [
      ["https://foo.github.io/", "github.io", "https://bar.github.io/"],
      ["https://shop.uk.com/", "uk.com", "https://other.uk.com/"],
      ["https://school.k12.ca.us/", "k12.ca.us", "https://another.k12.ca.us/"],
    ] as const;
    for (const [site, suffix, sibling] of cases) {
      const jar = await received(site, [`a=1; Domain=${suffix}`, `b=2; Domain=.${suffix.toUpperCase()}; Path=/`]);
      expect(jar.size, suffix).toBe(0);
      expect(jar.cookieHeader(u(sibling), T), suffix).toBeUndefined();
      expect(jar.cookieHeader(u(site), T), suffix).toBeUndefined();
    }
  });

  it("accepts Domain=example.co.uk for www.example.co.uk, and sends it to the registrable domain's hosts only", async () => {
    const jar = await received("https://www.example.co.uk/", ["a=1; Domain=example.co.uk", "b=2; Domain=co.uk"]);
    expect(stored(jar)).toEqual([["a", "example.co.uk", false]]);
    expect(jar.cookieHeader(u("https://example.co.uk/"), T)).toBe("a=1");
    expect(jar.cookieHeader(u("https://shop.example.co.uk/"), T)).toBe("a=1");
    expect(jar.cookieHeader(u("https://other.co.uk/"), T)).toBeUndefined();
  });

  it("lets a site of the PRIVATE section (github.io) set its own cookies, and a suffix only as the exact host", async () => {
    const own = await received("https://foo.github.io/", ["a=1; Domain=foo.github.io", "b=2"]);
    expect(stored(own)).toEqual([
      ["a", "foo.github.io", false],
      ["b", "foo.github.io", true],
    ]);
    expect(own.cookieHeader(u("https://x.foo.github.io/"), T)).toBe("a=1");
    expect(own.cookieHeader(u("https://bar.github.io/"), T)).toBeUndefined();

    // the suffix itself, as its own host: a host-only cookie, never sent to the sites under it
    const exact = await received("https://github.io/", ["a=1; Domain=github.io", "b=2; Domain=GITHUB.IO."]);
    expect(stored(exact)).toEqual([["a", "github.io", true]]);
    expect(exact.cookieHeader(u("https://github.io/"), T)).toBe("a=1");
    expect(exact.cookieHeader(u("https://foo.github.io/"), T)).toBeUndefined();
  });

  it("reads wildcard and exception rules (*.ck, !www.ck) as the list's algorithm does", async () => {
    // *.ck: every name directly under ck is a suffix, so is ck
    const wild = await received("https://a.shop.ck/", [
      "a=1; Domain=shop.ck",
      "b=2; Domain=ck",
      "c=3; Domain=a.shop.ck",
    ]);
    expect(stored(wild)).toEqual([["c", "a.shop.ck", false]]);
    expect(wild.cookieHeader(u("https://b.shop.ck/"), T)).toBeUndefined();
    const deeper = await received("https://x.a.shop.ck/", ["a=1; Domain=a.shop.ck"]);
    expect(stored(deeper)).toEqual([["a", "a.shop.ck", false]]);
    // !www.ck: www.ck is a registrable domain, not a suffix
    const exception = await received("https://app.www.ck/", ["a=1; Domain=www.ck", "b=2; Domain=ck"]);
    expect(stored(exception)).toEqual([["a", "www.ck", false]]);
    expect(exception.cookieHeader(u("https://www.ck/"), T)).toBe("a=1");
    expect(exception.cookieHeader(u("https://shop.ck/"), T)).toBeUndefined();
  });

  it("compares an IDN suffix (公司.cn) in punycode, written either way", async () => {
    const jar = await received("https://www.例子.公司.cn/", [
      "a=1; Domain=公司.cn",
      "b=2; Domain=xn--55qx5d.cn",
      "c=3; Domain=例子.公司.cn",
    ]);
    expect(stored(jar)).toEqual([["c", "xn--fsqu00a.xn--55qx5d.cn", false]]);
    expect(jar.cookieHeader(u("https://例子.公司.cn/"), T)).toBe("c=3");
    expect(jar.cookieHeader(u("https://别的.公司.cn/"), T)).toBeUndefined();
  });

  it("isPublicSuffix: both sections, the default rule, wildcards and exceptions", () => {
    for (const d of ["com", "co.uk", "uk.com", "k12.ca.us", "github.io", "shop.ck", "xn--55qx5d.cn", "localhost"]) {
      expect(isPublicSuffix(d), d).toBe(true);
    }
    for (const d of [
      "example.com",
      "example.co.uk",
      "foo.github.io",
      "www.ck",
      "a.shop.ck",
      "xn--fsqu00a.xn--55qx5d.cn",
    ]) {
      expect(isPublicSuffix(d), d).toBe(false);
    }
  });
});

/** reqwire imported afresh: its lazily loaded code is not in yet. */
async function fresh() {
  vi.resetModules();
  const api = await import("../../../src/index.js");
  const { Mocker } = await import("../../../src/testing/index.js");
  const { setCookieCode } = await import("../../../src/api/cookies/jar.js");
  const { publicSuffixCode } = await import("../../../src/api/cookies/set-cookie.js");
  const { fetchTransport } = await import("../../../src/transport/fetch.js");
  return { ...api, Mocker, setCookieCode, publicSuffixCode, fetchTransport };
}

/** A server on 127.0.0.1: /plain, /cookie (Set-Cookie without Domain), /domain (with one). */
async function server(): Promise<string> {
  const srv = createServer((req, res) => {
    if (req.url === "/cookie") {
      res.setHeader("set-cookie", ["a=1; Path=/", "b=domain=x; Path=/", "c=3; Path=/; xdomain=127.0.0.1"]);
    } else if (req.url === "/domain") {
      res.setHeader("set-cookie", ["d=4; Path=/; dOmAiN = 127.0.0.1"]);
    }
    res.end("ok");
  });
  return `http://127.0.0.1:${await listen(srv)}`;
}

describe("loading the list", () => {
  it("a plain GET and Set-Cookie lines without Domain leave it unloaded; the first Domain loads it before the response is out", async () => {
    const base = await server();
    const r = await fresh();
    const s = new r.Session();
    onCleanup(() => s.close());
    await s.get(`${base}/plain`);
    expect(r.setCookieCode.loaded).toBeUndefined();
    expect(r.publicSuffixCode.loaded).toBeUndefined();
    await s.get(`${base}/cookie`);
    expect(r.setCookieCode.loaded).toBeDefined();
    expect(r.publicSuffixCode.loaded).toBeUndefined();
    expect(s.cookies.keys()).toEqual(["a", "b", "c"]);
    await s.get(`${base}/domain`);
    expect(r.publicSuffixCode.loaded).toBeDefined();
    expect([...s.cookies].find((c) => c.name === "d")).toMatchObject({ domain: "127.0.0.1", hostOnly: false });
  });

  it("module-level calls and the fetch transport wait for it too (r.cookies reads the lines at once)", async () => {
    const base = await server();
    const r = await fresh();
    const first = await r.get(`${base}/domain`);
    expect(r.publicSuffixCode.loaded).toBeDefined();
    expect(first.cookies.get("d")).toBe("4");

    const f = await fresh();
    const s = new f.Session({ transport: f.fetchTransport() });
    onCleanup(() => s.close());
    const viaFetch = await s.get(`${base}/domain`);
    expect(f.publicSuffixCode.loaded).toBeDefined();
    expect(viaFetch.cookies.get("d")).toBe("4");
    expect(s.cookies.get("d")).toBe("4");
  });

  it("a session with the Set-Cookie reader in waits for the list on its first Domain; sibling sites get nothing", async () => {
    const r = await fresh();
    const m = new r.Mocker();
    m.get("https://foo.github.io/hello", { headers: [["Set-Cookie", "plain=1"]] });
    m.get("https://foo.github.io/login", {
      headers: [
        ["Set-Cookie", "wide=1; Domain=github.io"],
        ["Set-Cookie", "own=2; Domain=foo.github.io"],
      ],
    });
    const sibling = m.get("https://bar.github.io/", { text: "bar" });
    const s = new r.Session({ transport: m.transport });
    onCleanup(() => s.close());
    await s.get("https://foo.github.io/hello");
    expect(r.setCookieCode.loaded).toBeDefined();
    expect(r.publicSuffixCode.loaded).toBeUndefined();
    const login = await s.get("https://foo.github.io/login");
    expect(r.publicSuffixCode.loaded).toBeDefined();
    expect(login.cookies.keys()).toEqual(["own"]);
    expect(s.cookies.keys()).toEqual(["plain", "own"]);
    await s.get("https://bar.github.io/");
    expect(sibling.last_request?.headers.cookie).toBeUndefined();
  });

  it("judges every redirect hop's cookies by the list, the first hop's Domain loading it", async () => {
    const r = await fresh();
    const m = new r.Mocker();
    m.get("https://www.example.co.uk/start", {
      status: 302,
      headers: [
        ["Location", "https://shop.uk.com/next"],
        ["Set-Cookie", "site=1; Domain=example.co.uk"],
        ["Set-Cookie", "wide=1; Domain=co.uk"],
      ],
    });
    m.get("https://shop.uk.com/next", {
      headers: [
        ["Set-Cookie", "shop=2; Domain=shop.uk.com"],
        ["Set-Cookie", "all=2; Domain=uk.com"],
      ],
      text: "done",
    });
    const other = m.get("https://other.uk.com/", { text: "other" });
    const s = new r.Session({ transport: m.transport });
    onCleanup(() => s.close());
    const done = await s.get("https://www.example.co.uk/start");
    expect(done.text).toBe("done");
    expect([...s.cookies].map((c) => [c.name, c.domain])).toEqual([
      ["site", "example.co.uk"],
      ["shop", "shop.uk.com"],
    ]);
    await s.get("https://other.uk.com/");
    expect(other.last_request?.headers.cookie).toBeUndefined();
  });

  it("jar.extract() waits for it; the internal synchronous read refuses to judge a Domain without it", async () => {
    const r = await fresh();
    const { RequestsCookieJar: Jar } = await import("../../../src/api/cookies/jar.js");
    await r.setCookieCode();
    const jar = new Jar();
    jar._extract(u("https://foo.github.io/"), ["a=1"]);
    expect(() => jar._extract(u("https://foo.github.io/"), ["b=2; Domain=github.io"])).toThrow(r.RequestException);
    expect(jar.keys()).toEqual(["a"]);
    expect(r.publicSuffixCode.loaded).toBeUndefined();
    await jar.extract(u("https://foo.github.io/"), ["b=2; Domain=github.io", "c=3; Domain=foo.github.io"], T);
    expect(r.publicSuffixCode.loaded).toBeDefined();
    expect(jar.keys()).toEqual(["a", "c"]);
  });
});
