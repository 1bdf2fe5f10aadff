// The Mocker: which mock answers which request (URL forms, query subsets, prefixes, RegExps,
// headers, bodies, custom matchers, times, newest first), reply lists and callbacks, the history,
// assert_all_called and reset_mock.
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionError, RequestException } from "../../src/index.js";
import { ANY, Mocker, type MockerOptions, NoMockAddress } from "../../src/testing/index.js";
import { runCleanups, session } from "../api/helpers.js";

afterEach(runCleanups);

function mocked(options?: MockerOptions) {
  const m = new Mocker(options);
  return { m, s: session({ transport: m.transport }) };
}

/** The status a GET gets, or the class name of the error it fails with. */
async function outcome(p: Promise<{ status_code: number }>): Promise<number | string> {
  try {
    return (await p).status_code;
  } catch (err) {
    return (err as Error).name;
  }
}

describe("matching URLs", () => {
  it("an absolute URL matches that scheme, host, port and path only", async () => {
    const { m, s } = mocked();
    m.get("http://api.test/users", { status: 201 });
    expect(await outcome(s.get("http://api.test/users"))).toBe(201);
    expect(await outcome(s.get("http://API.test:80/users"))).toBe(201);
    expect(await outcome(s.get("http://api.test/users/1"))).toBe("NoMockAddress");
    expect(await outcome(s.get("http://api.test/Users"))).toBe("NoMockAddress");
    expect(await outcome(s.get("http://api.test:8080/users"))).toBe("NoMockAddress");
    expect(await outcome(s.get("https://api.test/users"))).toBe("NoMockAddress");
    expect(await outcome(s.get("http://api.test.evil/users"))).toBe("NoMockAddress");
    expect(await outcome(s.post("http://api.test/users"))).toBe("NoMockAddress");
  });

  it("https URLs and ports are mocked too (no TLS happens in memory)", async () => {
    const { m, s } = mocked();
    m.get("https://secure.test:8443/x", { text: "tls" });
    expect((await s.get("https://secure.test:8443/x")).text).toBe("tls");
    expect(m.last_request?.url).toBe("https://secure.test:8443/x");
    expect(m.last_request?.scheme).toBe("https");
    expect(m.last_request?.port).toBe(8443);
  });

  it("a registered query must be a subset of the request's, in any order", async () => {
    const { m, s } = mocked();
    m.get("http://api.test/search?a=1&tag=x", { status: 200 });
    expect(await outcome(s.get("http://api.test/search?tag=x&b=2&a=1"))).toBe(200);
    expect(await outcome(s.get("http://api.test/search", { params: { a: "1", tag: ["y", "x"] } }))).toBe(200);
    expect(await outcome(s.get("http://api.test/search?a=1"))).toBe("NoMockAddress");
    expect(await outcome(s.get("http://api.test/search?a=2&tag=x"))).toBe("NoMockAddress");
    expect(await outcome(s.get("http://api.test/search"))).toBe("NoMockAddress");
  });

  it("complete_qs allows no parameter beyond the registered ones", async () => {
    const { m, s } = mocked();
    m.get("http://api.test/q?a=1", { status: 200 }, { complete_qs: true });
    expect(await outcome(s.get("http://api.test/q?a=1"))).toBe(200);
    expect(await outcome(s.get("http://api.test/q?a=1&b=2"))).toBe("NoMockAddress");
    expect(await outcome(s.get("http://api.test/q?a=1&a=1"))).toBe("NoMockAddress");
  });

  it("the query option is compared decoded, an array needing each value", async () => {
    const { m, s } = mocked();
    m.get("http://api.test/q", { status: 200 }, { query: { q: "a b", id: ["1", "2"] } });
    expect(await outcome(s.get("http://api.test/q?id=2&q=a+b&id=1"))).toBe(200);
    expect(await outcome(s.get("http://api.test/q?q=a%20b&id=1&id=2"))).toBe(200);
    expect(await outcome(s.get("http://api.test/q?q=a+b&id=1"))).toBe("NoMockAddress");
  });

  it("prefix matches every path that starts with the registered one", async () => {
    const { m, s } = mocked();
    m.get("http://api.test/v1/", { text: "v1" }, { prefix: true });
    expect((await s.get("http://api.test/v1/users/7?x=1")).text).toBe("v1");
    expect((await s.get("http://api.test/v1/")).text).toBe("v1");
    expect(await outcome(s.get("http://api.test/v1"))).toBe("NoMockAddress");
    expect(await outcome(s.get("http://api.test/v2/users"))).toBe("NoMockAddress");
    expect(await outcome(s.get("http://other.test/v1/users"))).toBe("NoMockAddress");
  });

  it("a RegExp is tested against the full URL", async () => {
    const { m, s } = mocked();
    m.get(/^http:\/\/api\.test\/users\/\d+$/g, { text: "user" });
    expect((await s.get("http://api.test/users/42")).text).toBe("user");
    expect((await s.get("http://api.test/users/43")).text).toBe("user"); // a /g RegExp keeps no state
    expect(await outcome(s.get("http://api.test/users/x"))).toBe("NoMockAddress");
    expect(await outcome(s.get("http://api.test/users/42?page=2"))).toBe("NoMockAddress");
  });

  it("a path matches on any host; ANY matches any method and any URL", async () => {
    const { m, s } = mocked();
    m.get("/health", { text: "ok" });
    m.register(ANY, "http://any.test/thing", { text: "any method" });
    expect((await s.get("http://one.test/health")).text).toBe("ok");
    expect((await s.get("https://two.test:9/health")).text).toBe("ok");
    expect((await s.delete("http://any.test/thing")).text).toBe("any method");
    expect((await s.patch("http://any.test/thing")).text).toBe("any method");
    const all = m.register(ANY, ANY, { status: 418 });
    expect((await s.put("http://else.test/a/b?c")).status_code).toBe(418);
    expect(all.call_count).toBe(1);
  });
});

describe("matching requests", () => {
  it("headers must be present with those values, names in any case", async () => {
    const { m, s } = mocked();
    m.get("http://api.test/me", { text: "authorized" }, { headers: { authorization: "Bearer t", "X-Version": "2" } });
    const ok = await s.get("http://api.test/me", {
      headers: { Authorization: "Bearer t", "x-version": "2", "X-More": "y" },
    });
    expect(ok.text).toBe("authorized");
    expect(await outcome(s.get("http://api.test/me", { headers: { Authorization: "Bearer t" } }))).toBe(
      "NoMockAddress",
    );
    expect(
      await outcome(s.get("http://api.test/me", { headers: { Authorization: "Bearer u", "X-Version": "2" } })),
    ).toBe("NoMockAddress");
  });

  it("json compares the request body as JSON, key order aside", async () => {
    const { m, s } = mocked();
    m.post("http://api.test/items", { status: 201 }, { json: { name: "a", tags: [1, { b: true }] } });
    expect(await outcome(s.post("http://api.test/items", { json: { tags: [1, { b: true }], name: "a" } }))).toBe(201);
    expect(await outcome(s.post("http://api.test/items", { data: '{"name":"a","tags":[1,{"b":true}]}' }))).toBe(201);
    expect(await outcome(s.post("http://api.test/items", { json: { name: "a", tags: [1] } }))).toBe("NoMockAddress");
    expect(await outcome(s.post("http://api.test/items", { json: { name: "a", tags: [1, { b: true }], x: 1 } }))).toBe(
      "NoMockAddress",
    );
    expect(await outcome(s.post("http://api.test/items", { data: "not json" }))).toBe("NoMockAddress");
  });

  it("text compares the body decoded as UTF-8", async () => {
    const { m, s } = mocked();
    m.put("http://api.test/note", { status: 204 }, { text: "héllo" });
    expect(await outcome(s.put("http://api.test/note", { data: "héllo" }))).toBe(204);
    expect(await outcome(s.put("http://api.test/note", { data: "hello" }))).toBe("NoMockAddress");
  });

  it("a custom match function sees the request", async () => {
    const { m, s } = mocked();
    m.post("http://api.test/upload", { status: 200 }, { match: (r) => r.body.length > 3 });
    expect(await outcome(s.post("http://api.test/upload", { data: new Uint8Array(4) }))).toBe(200);
    expect(await outcome(s.post("http://api.test/upload", { data: new Uint8Array(3) }))).toBe("NoMockAddress");
  });

  it("times: a mock answers that many requests, then is exhausted", async () => {
    const { m, s } = mocked();
    const twice = m.get("http://api.test/once", { status: 200 }, { times: 2 });
    expect(await outcome(s.get("http://api.test/once"))).toBe(200);
    expect(twice.exhausted).toBe(false);
    expect(await outcome(s.get("http://api.test/once"))).toBe(200);
    expect(twice.exhausted).toBe(true);
    expect(await outcome(s.get("http://api.test/once"))).toBe("NoMockAddress");
    expect(twice.call_count).toBe(2);
  });

  it("the newest matching mock answers; an exhausted one leaves the older to answer", async () => {
    const { m, s } = mocked();
    m.get("http://api.test/x", { text: "old" });
    m.get("http://api.test/x", { text: "new, twice" }, { times: 2 });
    const texts: string[] = [];
    for (let i = 0; i < 4; i++) texts.push((await s.get("http://api.test/x")).text);
    expect(texts).toEqual(["new, twice", "new, twice", "old", "old"]);
  });
});

describe("replies", () => {
  it("a list of replies is used in turn, the last one again and again", async () => {
    const { m, s } = mocked();
    m.get("http://api.test/poll", [{ status: 202 }, { status: 202 }, { json: { done: true } }]);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await s.get("http://api.test/poll")).status_code);
    expect(statuses).toEqual([202, 202, 200, 200]);
  });

  it("a callback makes the reply from the request, sync or async", async () => {
    const { m, s } = mocked();
    m.post("http://api.test/echo", (r) => ({ json: { got: r.json(), q: r.qs } }));
    m.get("http://api.test/later", async (r) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { text: `path ${r.path}` };
    });
    const echoed = await s.post("http://api.test/echo?x=1&x=2", { json: { a: 1 } });
    expect(echoed.json()).toEqual({ got: { a: 1 }, q: { x: ["1", "2"] } });
    expect((await s.get("http://api.test/later")).text).toBe("path /later");
  });

  it("a callback that throws fails the request with its error", async () => {
    const { m, s } = mocked();
    const boom = new RangeError("callback broke");
    m.get("http://api.test/broken", () => {
      throw boom;
    });
    await expect(s.get("http://api.test/broken")).rejects.toBe(boom);
  });

  it("a reply that cannot be sent is refused when registered", () => {
    const m = new Mocker();
    expect(() => m.get("http://api.test/", { json: 1, text: "x" })).toThrow(/one body at most/);
    expect(() => m.get("http://api.test/", { status: 99 })).toThrow(/status/);
    expect(() => m.get("http://api.test/", { headers: { "Bad Name": "x" } })).toThrow(/token/);
    expect(() => m.get("http://api.test/", { headers: { "X-A": "a\r\nInjected: 1" } })).toThrow(/CR, LF/);
    expect(() => m.get("http://api.test/", { status: 204, text: "x" })).toThrow(/no body/);
    expect(() => m.get("http://api.test/", [])).toThrow(/empty/);
    expect(() => m.get("api.test/x")).toThrow(TypeError);
    expect(() => m.get("ftp://api.test/x")).toThrow(/http or https/);
    expect(() => m.get("http://api.test/", {}, { times: 0 })).toThrow(/times/);
    expect(() => m.register("GE T", "http://api.test/")).toThrow(/not a method/);
    expect(m.mocks).toHaveLength(0);
  });
});

describe("history", () => {
  it("each request is kept with method, URL, headers, body, text, json and query", async () => {
    const { m, s } = mocked();
    const mock = m.post("http://api.test/items", { status: 201 });
    await s.post("http://api.test/items?b=2&a=1&a=3", { json: { n: 1, s: "é" }, headers: { "X-Trace": "t1" } });
    const r = mock.last_request;
    expect(r).toBeDefined();
    if (r === undefined) return;
    expect(r.method).toBe("POST");
    expect(r.url).toBe("http://api.test/items?b=2&a=1&a=3");
    expect(r.hostname).toBe("api.test");
    expect(r.path).toBe("/items");
    expect(r.query).toBe("b=2&a=1&a=3");
    expect(r.qs).toEqual({ b: ["2"], a: ["1", "3"] });
    expect(r.headers["x-trace"]).toBe("t1");
    expect(r.headers.get("X-TRACE")).toBe("t1");
    expect(r.headers["Content-Type"]).toBe("application/json");
    expect(r.headers.host).toBe("api.test");
    expect(r.headers["user-agent"]).toMatch(/^reqwire\//);
    expect(r.text).toBe('{"n": 1, "s": "\\u00e9"}');
    expect(Array.from(r.body)).toEqual(Array.from(new TextEncoder().encode(r.text)));
    expect(r.headers["content-length"]).toBe(String(r.body.length));
    expect(r.json()).toEqual({ n: 1, s: "é" });
    expect(String(r)).toBe("POST http://api.test/items?b=2&a=1&a=3");
  });

  it("per mock: called, call_count, last_request; the Mocker keeps every request, matched or not", async () => {
    const { m, s } = mocked();
    const a = m.get("http://api.test/a");
    const b = m.get("http://api.test/b");
    expect(a.called).toBe(false);
    await s.get("http://api.test/a?n=1");
    await s.get("http://api.test/a?n=2");
    await s.get("http://api.test/nothing").catch(() => {});
    expect(a.called).toBe(true);
    expect(a.call_count).toBe(2);
    expect(a.last_request?.qs).toEqual({ n: ["2"] });
    expect(a.request_history.map((r) => r.query)).toEqual(["n=1", "n=2"]);
    expect(a.calls).toBe(a.request_history);
    expect(b.called).toBe(false);
    expect(b.last_request).toBeUndefined();
    expect(m.called).toBe(true);
    expect(m.call_count).toBe(3);
    expect(m.request_history.map((r) => r.path)).toEqual(["/a", "/a", "/nothing"]);
    expect(m.last_request?.path).toBe("/nothing");
  });

  it("assert_all_called names every mock never used", async () => {
    const { m, s } = mocked();
    m.get("http://api.test/used");
    m.post("http://api.test/never");
    m.get(/unused-regexp/);
    await s.get("http://api.test/used");
    let message = "";
    try {
      m.assert_all_called();
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("2 of 3 mocks were never called");
    expect(message).toContain("POST http://api.test/never");
    expect(message).toContain("GET /unused-regexp/");
    expect(message).not.toContain("http://api.test/used");
    await s.post("http://api.test/never");
    await s.get("http://api.test/unused-regexp");
    expect(() => m.assert_all_called()).not.toThrow();
  });

  it("reset_mock forgets the requests and keeps the mocks", async () => {
    const { m, s } = mocked();
    const a = m.get("http://api.test/a", { text: "a" });
    await s.get("http://api.test/a");
    m.reset_mock();
    expect(m.call_count).toBe(0);
    expect(a.called).toBe(false);
    expect(() => m.assert_all_called()).toThrow(/never called/);
    expect((await s.get("http://api.test/a")).text).toBe("a");
  });
});

describe("NoMockAddress", () => {
  it("is a ConnectionError naming the method and URL, with the request", async () => {
    const { m, s } = mocked();
    m.get("http://api.test/known");
    const err = await s.post("http://api.test/unknown?x=1", { data: "d" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoMockAddress);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toBeInstanceOf(RequestException);
    const e = err as NoMockAddress;
    expect(e.message).toBe("No mock address: POST http://api.test/unknown?x=1");
    expect(e.name).toBe("NoMockAddress");
    expect(e.code).toBe("NO_MOCK_ADDRESS");
    expect(e.method).toBe("POST");
    expect(e.url).toBe("http://api.test/unknown?x=1");
    expect(e.request?.url).toBe("http://api.test/unknown?x=1");
    // the request was received all the same
    expect(m.last_request?.text).toBe("d");
  });
});
