import { describe, expect, it } from "vitest";
import { type Cookie, cookiejarFromDict, RequestsCookieJar } from "../../../src/api/cookies/jar.js";
import { parseCookieDate } from "../../../src/api/cookies/set-cookie.js";
import { CookieConflictError, RequestException } from "../../../src/errors.js";

const u = (s: string) => new URL(s);
const T = Date.UTC(2030, 0, 1);

/** A jar holding the given Set-Cookie lines, received from `url` at time `now`. */
async function received(url: string, lines: string[], now = T): Promise<RequestsCookieJar> {
  const jar = new RequestsCookieJar();
  await jar.extract(u(url), lines, now);
  return jar;
}

function only(jar: RequestsCookieJar): Cookie {
  const all = [...jar];
  expect(all).toHaveLength(1);
  return all[0] as Cookie;
}

describe("RFC 6265 domain rules", () => {
  it("host-only cookies go to their host only; Domain cookies to subdomains too", async () => {
    const jar = await received("http://example.com/", ["host=1", "dom=2; Domain=example.com"]);
    expect([...jar].map((c) => [c.name, c.domain, c.hostOnly])).toEqual([
      ["host", "example.com", true],
      ["dom", "example.com", false],
    ]);
    expect(jar.cookieHeader(u("http://example.com/"), T)).toBe("host=1; dom=2");
    expect(jar.cookieHeader(u("http://www.example.com/"), T)).toBe("dom=2");
    expect(jar.cookieHeader(u("http://a.b.example.com/"), T)).toBe("dom=2");
    expect(jar.cookieHeader(u("http://notexample.com/"), T)).toBeUndefined();
    expect(jar.cookieHeader(u("http://com/"), T)).toBeUndefined();

    const sub = await received("http://www.example.com/", ["h=1"]);
    expect(sub.cookieHeader(u("http://example.com/"), T)).toBeUndefined();
    expect(sub.cookieHeader(u("http://x.www.example.com/"), T)).toBeUndefined();
    expect(sub.cookieHeader(u("http://WWW.Example.COM:8080/"), T)).toBe("h=1");
  });

  it("ignores one leading dot of Domain and lowercases it", async () => {
    const jar = await received("http://www.example.com/", ["a=1; Domain=.Example.COM"]);
    expect(only(jar)).toMatchObject({ domain: "example.com", hostOnly: false });
    expect(jar.cookieHeader(u("http://example.com/"), T)).toBe("a=1");
    expect(jar.cookieHeader(u("http://other.example.com/"), T)).toBe("a=1");
    // an empty Domain is ignored: the cookie is host-only
    expect(only(await received("http://www.example.com/", ["a=1; Domain="]))).toMatchObject({
      domain: "www.example.com",
      hostOnly: true,
    });
  });

  it("rejects a Domain the request host does not domain-match", async () => {
    const jar = await received("http://www.example.com/", [
      "a=1; Domain=other.com",
      "b=2; Domain=sub.www.example.com",
      "c=3; Domain=ample.com",
      "d=4; Domain=www.example.com.evil",
      "e=5; Domain=example.com/evil",
    ]);
    expect(jar.size).toBe(0);
  });

  it("rejects a public-suffix Domain (com, co.uk, a single label) unless it is the host itself", async () => {
    expect((await received("http://www.example.com/", ["a=1; Domain=com", "b=1; Domain=.com"])).size).toBe(0);
    expect((await received("http://www.example.co.uk/", ["a=1; Domain=co.uk"])).size).toBe(0);
    expect((await received("http://app.localhost/", ["a=1; Domain=localhost"])).size).toBe(0);
    // the registrable domain under such a suffix is fine
    expect(only(await received("http://www.example.co.uk/", ["a=1; Domain=example.co.uk"])).domain).toBe(
      "example.co.uk",
    );
    // a single-label Domain equal to the host gives a host-only cookie (RFC 6265 §5.3 step 5)
    const jar = await received("http://localhost/", ["a=1; Domain=localhost"]);
    expect(only(jar)).toMatchObject({ domain: "localhost", hostOnly: true });
    expect(jar.cookieHeader(u("http://app.localhost/"), T)).toBeUndefined();
  });

  it("lets an IP-address host set only cookies for itself", async () => {
    const jar = await received("http://127.0.0.1:8080/", [
      "host=1",
      "same=2; Domain=127.0.0.1",
      "suffix=3; Domain=0.0.1",
      "dot=4; Domain=.0.0.1",
      "name=5; Domain=localhost",
    ]);
    expect(jar.keys()).toEqual(["host", "same"]);
    expect(jar.cookieHeader(u("http://127.0.0.1/"), T)).toBe("host=1; same=2");
    expect(jar.cookieHeader(u("http://127.0.0.2/"), T)).toBeUndefined();

    const v6 = await received("http://[::1]/", ["a=1", "b=2; Domain=::1", "c=3; Domain=[::1]", "d=4; Domain=1"]);
    expect(v6.keys()).toEqual(["a", "b", "c"]);
    expect(v6.cookieHeader(u("http://[::1]:3000/"), T)).toBe("a=1; b=2; c=3");
    expect(v6.cookieHeader(u("http://[::2]/"), T)).toBeUndefined();
  });

  it("takes no cookie from a URL without a host", async () => {
    expect((await received("file:///tmp/x", ["a=1"])).size).toBe(0);
  });

  it("turns an IDN Domain into the punycode of the host", async () => {
    const jar = await received("http://www.bücher.example/", ["a=1; Domain=BÜCHER.example"]);
    expect(only(jar).domain).toBe("xn--bcher-kva.example");
    expect(jar.cookieHeader(u("http://bücher.example/"), T)).toBe("a=1");
  });
});

describe("RFC 6265 paths", () => {
  it("defaults Path to the request path up to its last slash (§5.1.4)", async () => {
    expect(only(await received("http://h.test/foo/bar", ["a=1"])).path).toBe("/foo");
    expect(only(await received("http://h.test/foo/bar/", ["a=1"])).path).toBe("/foo/bar");
    expect(only(await received("http://h.test/foo", ["a=1"])).path).toBe("/");
    expect(only(await received("http://h.test/", ["a=1"])).path).toBe("/");
    expect(only(await received("http://h.test/foo/bar?x=/y/z", ["a=1"])).path).toBe("/foo");
    // a Path that is empty or does not start with "/" means the default path
    expect(only(await received("http://h.test/foo/bar", ["a=1; Path=x"])).path).toBe("/foo");
    expect(only(await received("http://h.test/foo/bar", ["a=1; Path="])).path).toBe("/foo");
  });

  it("path-matches /foo against /foo, /foo/, /foo/bar but not /foobar or /", async () => {
    const jar = await received("http://h.test/", ["a=1; Path=/foo", "b=2; Path=/foo/"]);
    const header = (path: string) => jar.cookieHeader(u(`http://h.test${path}`), T);
    expect(header("/foo")).toBe("a=1");
    expect(header("/foo/")).toBe("b=2; a=1");
    expect(header("/foo/bar")).toBe("b=2; a=1");
    expect(header("/foo/bar?q=1")).toBe("b=2; a=1");
    expect(header("/foobar")).toBeUndefined();
    expect(header("/")).toBeUndefined();
    expect(header("/Foo")).toBeUndefined();
  });
});

describe("Secure", () => {
  it("sends Secure cookies only over https and wss, and ignores a Secure cookie from http", async () => {
    const jar = await received("https://example.com/", ["s=1; Secure", "p=2"]);
    expect(only(await received("https://example.com/", ["s=1; Secure"])).secure).toBe(true);
    expect(jar.cookieHeader(u("https://example.com/"), T)).toBe("s=1; p=2");
    expect(jar.cookieHeader(u("wss://example.com/"), T)).toBe("s=1; p=2");
    expect(jar.cookieHeader(u("http://example.com/"), T)).toBe("p=2");
    expect(jar.cookieHeader(u("ws://example.com/"), T)).toBe("p=2");
    // kept strict: a local http origin is not a secure context here
    const local = await received("https://localhost/", ["s=1; Secure"]);
    expect(local.cookieHeader(u("http://localhost/"), T)).toBeUndefined();

    expect((await received("http://example.com/", ["s=1; Secure"])).size).toBe(0);
  });

  it("does not let plain http overwrite or shadow a Secure cookie of the same name (RFC 6265bis)", async () => {
    const jar = await received("https://example.com/", ["id=secure; Secure; Path=/"]);
    await jar.extract(u("http://example.com/"), ["id=plain", "id=sub; Domain=example.com; Path=/app", "other=1"], T);
    expect(jar.items()).toEqual([
      ["id", "secure"],
      ["other", "1"],
    ]);
    // nor delete it
    await jar.extract(u("http://example.com/"), ["id=; Max-Age=0"], T);
    expect(jar.get("id")).toBe("secure");
    // https may
    await jar.extract(u("https://example.com/"), ["id=new; Path=/"], T);
    expect(jar.get("id")).toBe("new");
  });

  it("keeps __Secure- and __Host- cookies only when they meet their prefix's rules (RFC 6265bis)", async () => {
    const jar = await received("https://www.example.com/app/x", [
      "__Secure-a=1; Secure",
      "__Secure-b=1",
      "__Host-c=1; Secure; Path=/",
      "__host-d=1; Secure", // the prefix is matched in any case
      "__Host-e=1; Secure",
      "__Host-f=1; Secure; Path=/; Domain=www.example.com",
      "__Host-g=1; Path=/",
    ]);
    expect(jar.keys()).toEqual(["__Secure-a", "__Host-c"]);
  });
});

describe("expiry", () => {
  it("prefers Max-Age over Expires whatever their order", async () => {
    const past = "Wed, 21 Oct 2015 07:28:00 GMT";
    const a = await received("http://h.test/", [`a=1; Max-Age=60; Expires=${past}`]);
    expect(only(a).expires).toBe(T + 60_000);
    const b = await received("http://h.test/", [`a=1; Expires=${past}; Max-Age=60`]);
    expect(only(b).expires).toBe(T + 60_000);
    const c = await received("http://h.test/", ["a=1; Max-Age=-5; Expires=Fri, 01 Jan 2100 00:00:00 GMT"]);
    expect(c.size).toBe(0);
    // an invalid Max-Age is ignored: Expires (or a session cookie) remains
    expect(only(await received("http://h.test/", ["a=1; Max-Age=1x"])).expires).toBeUndefined();
    expect(only(await received("http://h.test/", ["a=1; Max-Age=+5"])).expires).toBeUndefined();
    expect(only(await received("http://h.test/", ["a=1; Max-Age=-"])).expires).toBeUndefined();
    expect(only(await received("http://h.test/", ["a=1; Max-Age=10; Max-Age=20"])).expires).toBe(T + 20_000);
  });

  it("deletes the stored cookie on Max-Age=0 (or below)", async () => {
    const jar = await received("http://h.test/", ["a=1", "b=2", "c=3"]);
    await jar.extract(u("http://h.test/"), ["a=; Max-Age=0", "b=x; Max-Age=-1", "new=1; Max-Age=0"], T);
    expect(jar.keys()).toEqual(["c"]);
  });

  it("deletes the stored cookie on an Expires in the past", async () => {
    const jar = await received("http://h.test/", ["a=1; Path=/", "b=2"]);
    await jar.extract(u("http://h.test/"), ["a=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"], T);
    expect(jar.keys()).toEqual(["b"]);
    // only the cookie with the same name, domain and path
    await jar.extract(u("http://h.test/"), ["b=; Path=/other; Expires=Thu, 01 Jan 1970 00:00:00 GMT"], T);
    expect(jar.keys()).toEqual(["b"]);
  });

  it("lets cookies expire over time and removes them when they are due", async () => {
    const jar = await received("http://h.test/", [
      "m=1; Max-Age=10",
      "e=2; Expires=Tue, 01 Jan 2030 00:01:00 GMT",
      "s=3",
    ]);
    expect(jar.cookieHeader(u("http://h.test/"), T + 9_999)).toBe("m=1; e=2; s=3");
    expect(jar.cookieHeader(u("http://h.test/"), T + 10_000)).toBe("e=2; s=3");
    expect(jar.size).toBe(2);
    expect(jar.cookieHeader(u("http://h.test/"), T + 60_000)).toBe("s=3");
    expect(jar.keys()).toEqual(["s"]);

    const later = await received("http://h.test/", ["m=1; Max-Age=10"]);
    later.clearExpired(T + 10_000);
    expect(later.size).toBe(0);
  });

  it("parses dates with the RFC 6265 §5.1.1 algorithm, leniently", async () => {
    const expected = Date.UTC(2015, 9, 21, 7, 28, 0);
    for (const text of [
      "Wed, 21 Oct 2015 07:28:00 GMT",
      "Wednesday, 21-Oct-15 07:28:00 GMT",
      "Wed Oct 21 07:28:00 2015",
      "21 october 2015 7:28:0",
      "2015-oct-21 07:28:00garbage",
      "  ,;21;;OCT;;2015;;07:28:00;;  ",
    ]) {
      expect(parseCookieDate(text), text).toBe(expected);
    }
    expect(parseCookieDate("Thu, 01 Jan 70 00:00:00 GMT")).toBe(0);
    expect(parseCookieDate("01 Jan 69 00:00:00")).toBe(Date.UTC(2069, 0, 1));
    for (const bad of [
      "",
      "Wed, 21 Oct 2015",
      "21 Oct 2015 24:00:00",
      "21 Oct 2015 07:60:00",
      "30 Feb 2016 00:00:00",
      "32 Jan 2016 00:00:00",
      "0 Jan 2016 00:00:00",
      "01 Jan 1600 00:00:00",
      "01 Foo 2016 00:00:00",
      "01 Jan 2016 007:00:00",
    ]) {
      expect(parseCookieDate(bad), bad).toBeUndefined();
    }
    // an unparsable Expires is ignored: a session cookie
    expect(only(await received("http://h.test/", ["a=1; Expires=soon"])).expires).toBeUndefined();
  });
});

describe("storage and the Cookie header", () => {
  it("replaces a cookie with the same name, domain and path, keeping its creation time and place", async () => {
    const jar = new RequestsCookieJar();
    const url = u("http://h.test/");
    await jar.extract(url, ["a=1"], T);
    await jar.extract(url, ["b=2"], T + 1);
    const created = [...jar][0]?.creation;
    await jar.extract(url, ["a=3; HttpOnly"], T + 2);
    expect(jar.cookieHeader(url, T + 3)).toBe("a=3; b=2");
    expect([...jar].map((c) => [c.name, c.value, c.creation, c.httpOnly])).toEqual([
      ["a", "3", created, true],
      ["b", "2", T + 1, false],
    ]);
    // another path is another cookie
    await jar.extract(url, ["a=4; Path=/x"], T + 4);
    expect(jar.size).toBe(3);
  });

  it("keeps creation times strictly increasing within one millisecond", async () => {
    const jar = await received("http://h.test/", ["a=1", "b=2", "c=3"]);
    expect([...jar].map((c) => c.creation)).toEqual([T, T + 1, T + 2]);
    await jar.extract(u("http://h.test/"), ["d=4"], T);
    expect(jar.cookieHeader(u("http://h.test/"), T)).toBe("a=1; b=2; c=3; d=4");
  });

  it("orders the Cookie header by longer path first, then earlier creation", async () => {
    const jar = await received("http://h.test/", ["a=1; Path=/", "b=2; Path=/x/y", "c=3; Path=/x", "d=4; Path=/x/y"]);
    expect(jar.cookieHeader(u("http://h.test/x/y/z"), T)).toBe("b=2; d=4; c=3; a=1");
    expect(jar.cookieHeader(u("http://h.test/x"), T)).toBe("c=3; a=1");
  });

  it('joins several cookies in one header with "; "', async () => {
    const jar = await received("http://h.test/", ["a=1", "b=2", "c="]);
    jar.set("any", "x");
    expect(jar.cookieHeader(u("http://h.test/"), T)).toBe("a=1; b=2; c=; any=x");
  });

  it("keeps quoted values as they are and trims spaces around name and value", async () => {
    const jar = await received("http://h.test/", ['q="hello world"', " n \t= v w ; Path=/", 'e=""', "eq=a=b=c"]);
    expect(jar.items()).toEqual([
      ["q", '"hello world"'],
      ["n", "v w"],
      ["e", '""'],
      ["eq", "a=b=c"],
    ]);
    expect(jar.cookieHeader(u("http://h.test/"), T)).toBe('q="hello world"; n=v w; e=""; eq=a=b=c');
  });

  it("reads attribute names in any case", async () => {
    const jar = await received("https://www.example.com/p/q", [
      "a=1; DOMAIN=example.com; PATH=/p; SECURE; HTTPONLY; MAX-AGE=5; SameSite=STRICT",
      "b=2; expires=Fri, 01 Jan 2100 00:00:00 GMT; samesite=lax; path = /",
    ]);
    expect([...jar]).toEqual([
      {
        name: "a",
        value: "1",
        domain: "example.com",
        path: "/p",
        hostOnly: false,
        secure: true,
        httpOnly: true,
        sameSite: "Strict",
        expires: T + 5_000,
        creation: T,
      },
      {
        name: "b",
        value: "2",
        domain: "www.example.com",
        path: "/",
        hostOnly: true,
        secure: false,
        httpOnly: false,
        sameSite: "Lax",
        expires: Date.UTC(2100, 0, 1),
        creation: T + 1,
      },
    ]);
    // an unknown SameSite value leaves it unset
    expect(only(await received("http://h.test/", ["a=1; SameSite=bogus"])).sameSite).toBeUndefined();
  });

  it("ignores junk lines: no '=' in the name-value pair, an empty name, control characters", async () => {
    const jar = await received("http://h.test/", [
      "",
      "novalue",
      "novalue; Path=/",
      ";a=1",
      "=nameless",
      "  =x",
      "a\u0000b=c",
      "a=b\r\nX-Injected: 1",
      "a=b; Path=/\u0001",
      "ok=1;;; ; junk ;=x; Path",
    ]);
    expect(only(jar)).toMatchObject({ name: "ok", value: "1", path: "/" });
    // a line that is not a string is skipped too
    await jar.extract(u("http://h.test/"), [42 as unknown as string, "ok2=1"], T);
    expect(jar.keys()).toEqual(["ok", "ok2"]);
  });
});

describe("the requests-style API", () => {
  it("sets, gets, deletes and clears cookies by name, domain and path", async () => {
    const jar = new RequestsCookieJar();
    jar.set("a", "1");
    jar.set("b", "2", { domain: ".Example.com", path: "/p", secure: true });
    expect(jar.get("a")).toBe("1");
    expect(jar.get("b", { domain: "example.com" })).toBe("2");
    expect(jar.get("b", { path: "/" })).toBeUndefined();
    expect(jar.get("missing")).toBeUndefined();
    expect([...jar][1]).toMatchObject({ domain: "example.com", path: "/p", secure: true, hostOnly: false });

    jar.set("a", "3"); // replaces
    expect(jar.size).toBe(2);
    expect(jar.get("a")).toBe("3");

    expect(jar.delete("a")).toBe(true);
    expect(jar.delete("a")).toBe(false);
    jar.set("c", "1");
    jar.set("c", null); // None deletes, as in requests
    expect(jar.keys()).toEqual(["b"]);

    jar.set("x", "1", { domain: "example.com", path: "/p" });
    jar.set("y", "1", { domain: "example.com" });
    jar.set("z", "1", { domain: "other.com" });
    jar.clear("example.com", "/p", "x");
    expect(jar.keys()).toEqual(["b", "y", "z"]);
    jar.clear("example.com", "/p");
    expect(jar.keys()).toEqual(["y", "z"]);
    jar.clear("example.com");
    expect(jar.keys()).toEqual(["z"]);
    jar.clear();
    expect(jar.size).toBe(0);

    // expires is in milliseconds; a time in the past deletes
    jar.set("t", "1", { expires: T });
    expect([...jar][0]?.expires).toBe(T);
    jar.set("t", "1", { expires: 0 });
    expect(jar.size).toBe(0);
  });

  it("raises CookieConflictError when several cookies match get()", async () => {
    const jar = await received("http://example.com/", ["s=1"]);
    await jar.extract(u("http://other.com/"), ["s=2"], T);
    await jar.extract(u("http://other.com/"), ["s=3; Path=/x"], T);
    expect(() => jar.get("s")).toThrow(CookieConflictError);
    expect(() => jar.get("s")).toThrow(/multiple cookies with name, "s"/);
    // as in requests, a domain alone may still be ambiguous
    expect(() => jar.get("s", { domain: "other.com" })).toThrow(CookieConflictError);
    expect(jar.get("s", { domain: "example.com" })).toBe("1");
    expect(jar.get("s", { domain: "other.com", path: "/x" })).toBe("3");
    const err = (() => {
      try {
        jar.get("s");
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe("CookieConflictError");
    // a RequestException with a stable code, as every public error
    expect(err).toBeInstanceOf(RequestException);
    expect((err as CookieConflictError).code).toBe("COOKIE_CONFLICT");
  });

  it("lists keys, values, items and toObject, and iterates cookies in creation order", async () => {
    const jar = cookiejarFromDict({ a: "1", b: "2" });
    await jar.extract(u("http://h.test/"), ["a=3", "__proto__=p"], T);
    expect(jar.keys()).toEqual(["a", "b", "a", "__proto__"]);
    expect(jar.values()).toEqual(["1", "2", "3", "p"]);
    expect(jar.items()).toEqual([
      ["a", "1"],
      ["b", "2"],
      ["a", "3"],
      ["__proto__", "p"],
    ]);
    const dict = jar.toObject();
    expect(Object.keys(dict)).toEqual(["a", "b", "__proto__"]);
    expect(dict.a).toBe("3");
    expect(Object.getPrototypeOf(dict)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(dict, "__proto__")?.value).toBe("p");
    expect(jar.toObject({ domain: "h.test" })).toEqual({ a: "3", ["__proto__"]: "p" });
    expect([...jar].map((c) => c.name)).toEqual(["a", "b", "a", "__proto__"]);
    // cookies handed out are frozen snapshots
    const first = [...jar][0] as Cookie;
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => {
      first.value = "changed";
    }).toThrow(TypeError);
  });

  it("updates from a dict or another jar, copies independently, and builds from a dict", async () => {
    const jar = new RequestsCookieJar();
    jar.update({ a: "1", b: "2" });
    const other = await received("https://example.com/", ["s=1; Secure; HttpOnly; SameSite=Lax"]);
    jar.update(other);
    expect(jar.items()).toEqual([
      ["a", "1"],
      ["b", "2"],
      ["s", "1"],
    ]);
    expect([...jar][2]).toMatchObject({ domain: "example.com", hostOnly: true, secure: true, sameSite: "Lax" });

    const copy = jar.copy();
    copy.set("a", "changed");
    copy.set("c", "3");
    expect(jar.get("a")).toBe("1");
    expect(jar.size).toBe(3);
    expect(copy.items()).toEqual([
      ["a", "changed"],
      ["b", "2"],
      ["s", "1"],
      ["c", "3"],
    ]);
    expect([...copy].slice(0, 3).map((c) => c.creation)).toEqual([...jar].map((c) => c.creation));

    const target = cookiejarFromDict({ a: "x" });
    expect(cookiejarFromDict({ b: "y" }, target)).toBe(target);
    cookiejarFromDict({ a: "kept?", c: "z" }, target, false);
    expect(target.toObject()).toEqual({ a: "x", b: "y", c: "z" });
  });

  it("sends cookies set without a domain to every host ('any host' cookies)", async () => {
    const jar = cookiejarFromDict({ token: "t" });
    expect(only(jar)).toMatchObject({ domain: "", hostOnly: false, path: "/", secure: false, expires: undefined });
    expect(jar.cookieHeader(u("http://example.com/"), T)).toBe("token=t");
    expect(jar.cookieHeader(u("https://other.test/deep/path"), T)).toBe("token=t");
    expect(jar.cookieHeader(u("http://127.0.0.1:8080/"), T)).toBe("token=t");
    jar.set("scoped", "1", { path: "/api" });
    expect(jar.cookieHeader(u("http://example.com/api/v1"), T)).toBe("scoped=1; token=t");
    expect(jar.cookieHeader(u("http://example.com/"), T)).toBe("token=t");
    // a domain makes it a domain cookie: that domain and its subdomains
    jar.set("d", "1", { domain: "example.com" });
    expect(jar.cookieHeader(u("http://www.example.com/"), T)).toBe("token=t; d=1");
    expect(jar.cookieHeader(u("http://example.org/"), T)).toBe("token=t");
  });
});

describe("limits", () => {
  it("ignores a Set-Cookie line over 8 KiB and a name plus value over 4096 bytes", async () => {
    const pad = (line: string, bytes: number) => `${line}; x=${"p".repeat(bytes - line.length - 4)}`;
    const exact = pad("a=1", 8192);
    expect(exact.length).toBe(8192);
    expect((await received("http://h.test/", [exact])).keys()).toEqual(["a"]);
    expect((await received("http://h.test/", [pad("a=1", 8193)])).size).toBe(0);
    // bytes, not characters: "€" is 3 bytes in UTF-8
    expect((await received("http://h.test/", [`${pad("a=1", 8190)}€`])).size).toBe(0);

    expect((await received("http://h.test/", [`n=${"v".repeat(4095)}`])).size).toBe(1);
    expect((await received("http://h.test/", [`n=${"v".repeat(4096)}`])).size).toBe(0);
    // an attribute value over 1024 bytes is ignored, the cookie kept
    const long = only(await received("http://h.test/a/b", [`a=1; Path=/${"x".repeat(1024)}`]));
    expect(long.path).toBe("/a");
  });

  it("keeps at most 50 cookies per domain, evicting expired ones first, then the oldest", async () => {
    const url = u("http://h.test/");
    const jar = new RequestsCookieJar();
    for (let i = 0; i < 50; i++) await jar.extract(url, [i === 10 ? `c${i}=1; Max-Age=1` : `c${i}=1`], T);
    expect(jar.size).toBe(50);
    // c10 has expired by now: it goes first
    await jar.extract(url, ["new1=1"], T + 5_000);
    expect(jar.size).toBe(50);
    expect(jar.keys()).not.toContain("c10");
    expect(jar.keys()[0]).toBe("c0");
    // then the oldest
    await jar.extract(url, ["new2=1"], T + 5_000);
    expect(jar.size).toBe(50);
    expect(jar.keys()[0]).toBe("c1");
    expect(jar.keys().at(-1)).toBe("new2");
    // other domains and "any host" cookies are not counted against this one
    await jar.extract(u("http://other.test/"), ["o=1"], T + 5_000);
    for (let i = 0; i < 60; i++) jar.set(`any${i}`, "1");
    expect(jar.size).toBe(50 + 1 + 60);
  });

  it("keeps at most 3000 cookies in a jar, evicting the oldest", async () => {
    const jar = new RequestsCookieJar();
    for (let d = 0; d < 61; d++) {
      const lines = Array.from({ length: 50 }, (_, i) => `c${i}=${d}`);
      await jar.extract(u(`http://d${d}.test/`), lines, T + d);
    }
    expect(jar.size).toBe(3000);
    expect(jar.cookieHeader(u("http://d0.test/"), T + 100)).toBeUndefined();
    expect(jar.cookieHeader(u("http://d60.test/"), T + 100)?.split("; ")).toHaveLength(50);
  });

  it("finishes in linear time on a 1 MB hostile attribute string and ignores the line", async () => {
    const mb = 1024 * 1024;
    const hostile = [
      `a=b; Expires=${"1:".repeat(mb / 2)}`,
      `a=b; Domain=${".".repeat(mb)}`,
      `a=b${";".repeat(mb)}`,
      `a=${"=".repeat(mb)}`,
      `${" ".repeat(mb)}a=b`,
      `a=b; Max-Age=${"9".repeat(mb)}`,
    ];
    const jar = await received("http://h.test/", hostile);
    expect(jar.size).toBe(0);
    // the date algorithm itself is one pass over its input
    expect(parseCookieDate("1:".repeat(mb / 2))).toBeUndefined();
    expect(parseCookieDate(`${"Jan 1 ".repeat(mb / 6)}`)).toBeUndefined();
    expect(parseCookieDate(`${"9".repeat(mb)} Jan 1 00:00:00 2020`)).toBe(Date.UTC(2020, 0, 1));
    // the same shapes just under the line limit are parsed, and cost a linear pass each
    const near = 8000;
    const many = new RequestsCookieJar();
    await many.extract(
      u("http://h.test/"),
      [
        `a=b; Expires=${"1:".repeat(near / 2)}`,
        `b=b;${"; x".repeat(near / 3)}`,
        `c=b; Expires=${"Jan 1 ".repeat(near / 6)}`,
        `d=${"=".repeat(4000)}`,
      ],
      T,
    );
    expect(many.keys()).toEqual(["a", "b", "c", "d"]);
    expect([...many].map((c) => c.expires)).toEqual([undefined, undefined, undefined, undefined]);
  });
});
