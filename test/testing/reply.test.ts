// Each kind of reply, read through a real Session: the bytes a mock answers with go through
// reqwire's parser, receiver, decoders, redirects and cookies, as a server's would.
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectTimeout, HTTPError, ReadTimeout, RequestAborted } from "../../src/index.js";
import { Mocker } from "../../src/testing/index.js";
import { runCleanups, session } from "../api/helpers.js";

afterEach(runCleanups);

function mocked() {
  const m = new Mocker();
  return { m, s: session({ transport: m.transport }) };
}

const enc = new TextEncoder();

describe("bodies", () => {
  it("json: the body, Content-Type and Content-Length", async () => {
    const { m, s } = mocked();
    m.get("http://api.test/user", { json: { id: 7, name: "Zoë" } });
    const r = await s.get("http://api.test/user");
    expect(r.status_code).toBe(200);
    expect(r.reason).toBe("OK");
    expect(r.json()).toEqual({ id: 7, name: "Zoë" });
    expect(r.headers["content-type"]).toBe("application/json");
    expect(r.headers["content-length"]).toBe(String(enc.encode('{"id":7,"name":"Zoë"}').length));
  });

  it("text: UTF-8 with its charset; a Content-Type given is kept", async () => {
    const { m, s } = mocked();
    m.get("http://api.test/t", { text: "héllo wörld" });
    m.get("http://api.test/html", { text: "<p>hi</p>", headers: { "Content-Type": "text/html; charset=utf-8" } });
    const r = await s.get("http://api.test/t");
    expect(r.text).toBe("héllo wörld");
    expect(r.encoding).toBe("utf-8");
    expect(r.headers["content-type"]).toBe("text/plain; charset=utf-8");
    const h = await s.get("http://api.test/html");
    expect(h.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(h.text).toBe("<p>hi</p>");
  });

  it("body: bytes as they are (an ArrayBuffer too)", async () => {
    const { m, s } = mocked();
    const bytes = new Uint8Array(256).map((_, i) => i);
    m.get("http://api.test/bin", { body: bytes, headers: { "Content-Type": "application/octet-stream" } });
    m.get("http://api.test/buf", { body: bytes.slice(0, 3).buffer });
    expect(Array.from((await s.get("http://api.test/bin")).content)).toEqual(Array.from(bytes));
    expect(Array.from((await s.get("http://api.test/buf")).content)).toEqual([0, 1, 2]);
  });

  it("a large body arrives whole, however it is cut", async () => {
    const { m, s } = mocked();
    const big = new Uint8Array(300_000).map((_, i) => (i * 31 + 7) & 0xff);
    m.get("http://api.test/big", { body: big });
    const r = await s.get("http://api.test/big");
    expect(r.content.length).toBe(big.length);
    expect(Buffer.from(r.content).equals(Buffer.from(big))).toBe(true);
  });

  it("an empty reply is a 200 with Content-Length: 0", async () => {
    const { m, s } = mocked();
    m.delete("http://api.test/x");
    const r = await s.delete("http://api.test/x");
    expect(r.status_code).toBe(200);
    expect(r.headers["content-length"]).toBe("0");
    expect(r.content.length).toBe(0);
  });

  it("a gzip body with Content-Encoding: gzip is decoded by the client's decoder", async () => {
    const { m, s } = mocked();
    const text = "compressed ".repeat(2000);
    const gz = gzipSync(text);
    m.get("http://api.test/gz", { body: gz, headers: { "Content-Encoding": "gzip", "Content-Type": "text/plain" } });
    const r = await s.get("http://api.test/gz");
    expect(r.headers["content-encoding"]).toBe("gzip");
    expect(r.headers["content-length"]).toBe(String(gz.length));
    expect(r.text).toBe(text);
    // what the client advertised, as a server would see it
    expect(m.last_request?.headers["accept-encoding"]).toContain("gzip");
  });

  it("a corrupt gzip body fails as a real one would", async () => {
    const { m, s } = mocked();
    m.get("http://api.test/bad-gz", { body: enc.encode("not gzip"), headers: { "Content-Encoding": "gzip" } });
    await expect(s.get("http://api.test/bad-gz")).rejects.toMatchObject({ name: "ContentDecodingError" });
  });
});

describe("chunked replies", () => {
  it("chunks are sent chunked, each piece when the iterable gives it", async () => {
    const { m, s } = mocked();
    // the second piece is made only after the client has read the first
    let firstRead!: () => void;
    const readFirst = new Promise<void>((resolve) => {
      firstRead = resolve;
    });
    async function* pieces() {
      yield "first,";
      await readFirst;
      yield enc.encode("second,");
      yield "third";
    }
    m.get("http://api.test/stream", { chunks: pieces(), headers: { "Content-Type": "text/plain" } });
    const r = await s.get("http://api.test/stream", { stream: true });
    expect(r.headers["transfer-encoding"]).toBe("chunked");
    expect(r.headers["content-length"]).toBeUndefined();
    const got: string[] = [];
    const dec = new TextDecoder();
    for await (const c of r.iter_content()) {
      got.push(dec.decode(c));
      if (got.length === 1) firstRead();
    }
    expect(got.join("")).toBe("first,second,third");
    expect(got[0]).toBe("first,");
  });

  it("an array of chunks, read with iter_content(n) and buffered", async () => {
    const { m, s } = mocked();
    m.get("http://api.test/arr", { chunks: ["ab", "cde", "", "f"] });
    const r = await s.get("http://api.test/arr", { stream: true });
    const sized: string[] = [];
    for await (const c of r.iter_content(2)) sized.push(new TextDecoder().decode(c));
    expect(sized).toEqual(["ab", "cd", "ef"]);
    expect((await s.get("http://api.test/arr")).text).toBe("abcdef");
  });

  it("Transfer-Encoding: chunked in the headers sends a json body as one chunk", async () => {
    const { m, s } = mocked();
    m.get("http://api.test/te", { json: [1, 2], headers: { "Transfer-Encoding": "chunked" } });
    const r = await s.get("http://api.test/te");
    expect(r.headers["content-length"]).toBeUndefined();
    expect(r.json()).toEqual([1, 2]);
  });

  it("an iterable that throws breaks the body off with its error", async () => {
    const { m, s } = mocked();
    const broken = new Error("stream broke");
    async function* pieces() {
      yield "partial";
      throw broken;
    }
    m.get("http://api.test/broken", { chunks: pieces() });
    const r = await s.get("http://api.test/broken", { stream: true });
    const got: Uint8Array[] = [];
    const err = await (async () => {
      for await (const c of r.iter_content()) got.push(c);
    })().catch((e: unknown) => e);
    expect(err).toBe(broken);
    expect(new TextDecoder().decode(got[0])).toBe("partial");
  });
});

describe("status, headers and bodiless answers", () => {
  it("status, reason and repeated headers as given; raise_for_status sees them", async () => {
    const { m, s } = mocked();
    m.get("http://api.test/missing", {
      status: 404,
      reason: "Nope",
      headers: [
        ["X-Multi", "a"],
        ["X-Multi", "b"],
      ],
    });
    m.get("http://api.test/teapot", { status: 418 });
    const r = await s.get("http://api.test/missing");
    expect(r.status_code).toBe(404);
    expect(r.reason).toBe("Nope");
    expect(r.headers["x-multi"]).toBe("a, b");
    expect(() => r.raise_for_status()).toThrow(HTTPError);
    expect((await s.get("http://api.test/teapot")).reason).toBe("I'm a Teapot");
  });

  it("HEAD gets the Content-Length of the body and no body", async () => {
    const { m, s } = mocked();
    m.head("http://api.test/h", { text: "twelve bytes" });
    m.get("http://api.test/after", { text: "next" });
    const r = await s.head("http://api.test/h");
    expect(r.headers["content-length"]).toBe("12");
    expect(r.content.length).toBe(0);
    // the connection is still in step: the next answer is read correctly
    expect((await s.get("http://api.test/after")).text).toBe("next");
  });

  it("204 and 304 carry no body and no Content-Length", async () => {
    const { m, s } = mocked();
    m.put("http://api.test/nc", { status: 204 });
    m.get("http://api.test/nm", { status: 304, headers: { ETag: '"v1"' } });
    const a = await s.put("http://api.test/nc");
    expect(a.status_code).toBe(204);
    expect(a.headers["content-length"]).toBeUndefined();
    const b = await s.get("http://api.test/nm");
    expect(b.status_code).toBe(304);
    expect(b.headers.etag).toBe('"v1"');
  });
});

describe("through the session's own machinery", () => {
  it("a 302 is followed by the session, with the redirect in history", async () => {
    const { m, s } = mocked();
    m.post("http://api.test/login", { status: 302, headers: { Location: "/home?welcome=1" } });
    m.get("http://api.test/home", { text: "home" });
    const r = await s.post("http://api.test/login", { data: "u=1" });
    expect(r.status_code).toBe(200);
    expect(r.text).toBe("home");
    expect(r.url).toBe("http://api.test/home?welcome=1");
    expect(r.history.map((h) => h.status_code)).toEqual([302]);
    // 302 turns the POST into a GET, as requests does
    expect(m.request_history.map((q) => `${q.method} ${q.path}`)).toEqual(["POST /login", "GET /home"]);
    const stay = await s.post("http://api.test/login", { data: "u=1", allow_redirects: false });
    expect(stay.status_code).toBe(302);
    expect(stay.is_redirect).toBe(true);
  });

  it("a redirect to another mocked host is followed too", async () => {
    const { m, s } = mocked();
    m.get("http://a.test/go", { status: 301, headers: { Location: "https://b.test/there" } });
    m.get("https://b.test/there", { json: { ok: true } });
    const r = await s.get("http://a.test/go");
    expect(r.json()).toEqual({ ok: true });
    expect(r.url).toBe("https://b.test/there");
  });

  it("Set-Cookie lands in the session's jar and is sent back", async () => {
    const { m, s } = mocked();
    m.get("http://api.test/login", {
      headers: [
        ["Set-Cookie", "sid=abc123; Path=/; HttpOnly"],
        ["Set-Cookie", "theme=dark; Path=/"],
      ],
    });
    const me = m.get("http://api.test/me", { text: "me" });
    const r = await s.get("http://api.test/login");
    expect(r.cookies.get("sid")).toBe("abc123");
    expect(s.cookies.get("sid")).toBe("abc123");
    expect(s.cookies.get("theme")).toBe("dark");
    await s.get("http://api.test/me");
    expect(me.last_request?.headers.cookie).toBe("sid=abc123; theme=dark");
  });

  it("keep-alive: requests to one origin share one connection", async () => {
    const { m, s } = mocked();
    m.get("http://api.test/k", { text: "k" });
    for (let i = 0; i < 3; i++) expect((await s.get("http://api.test/k")).text).toBe("k");
    const pools = [...s.agent.pools.values()];
    expect(pools).toHaveLength(1);
    expect(pools[0]?.size).toBe(1);
  });

  it("a reply with Connection: close ends its connection; the next request opens another", async () => {
    const { m, s } = mocked();
    m.get("http://api.test/c", { text: "c", headers: { Connection: "close" } });
    expect((await s.get("http://api.test/c")).text).toBe("c");
    await new Promise((resolve) => setTimeout(resolve, 0));
    const pool = [...s.agent.pools.values()][0];
    expect(pool?.size).toBe(0);
    expect((await s.get("http://api.test/c")).text).toBe("c");
  });
});

describe("errors and timing", () => {
  it("exc: the request rejects with that very error", async () => {
    const { m, s } = mocked();
    const timeout = new ConnectTimeout("mocked connect timeout");
    class Custom extends Error {}
    const custom = new Custom("not a reqwire error");
    m.get("http://api.test/t", { exc: timeout });
    m.get("http://api.test/c", { exc: custom });
    const err = await s.get("http://api.test/t").catch((e: unknown) => e);
    expect(err).toBe(timeout);
    expect(err).toBeInstanceOf(ConnectTimeout);
    expect((err as ConnectTimeout).request?.url).toBe("http://api.test/t");
    await expect(s.get("http://api.test/c")).rejects.toBe(custom);
    // the session goes on working (on a new connection)
    m.get("http://api.test/ok", { text: "fine" });
    expect((await s.get("http://api.test/ok")).text).toBe("fine");
  });

  it("exc in a list: a failure, then a success", async () => {
    const { m, s } = mocked();
    const flaky = new ConnectTimeout("first try fails");
    m.get("http://api.test/flaky", [{ exc: flaky }, { text: "second try" }]);
    await expect(s.get("http://api.test/flaky")).rejects.toBe(flaky);
    expect((await s.get("http://api.test/flaky")).text).toBe("second try");
  });

  it("delay longer than the timeout is a ReadTimeout", async () => {
    const { m, s } = mocked();
    m.get("http://api.test/slow", { text: "late", delay: 500 });
    const started = Date.now();
    await expect(s.get("http://api.test/slow", { timeout: 0.1 })).rejects.toBeInstanceOf(ReadTimeout);
    expect(Date.now() - started).toBeLessThan(450);
  });

  it("delay shorter than the timeout answers after the delay", async () => {
    const { m, s } = mocked();
    m.get("http://api.test/slow", { text: "late", delay: 80 });
    const started = Date.now();
    const r = await s.get("http://api.test/slow", { timeout: 2 });
    expect(r.text).toBe("late");
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
  });

  it("an abort while a reply is delayed is a RequestAborted", async () => {
    const { m, s } = mocked();
    m.get("http://api.test/slow", { text: "late", delay: 2000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    await expect(s.get("http://api.test/slow", { signal: ac.signal })).rejects.toBeInstanceOf(RequestAborted);
  });
});

describe("requests as the mock receives them", () => {
  it("a streamed (chunked) upload is read whole", async () => {
    const { m, s } = mocked();
    m.post("http://api.test/up", (r) => ({ text: `${r.body.length}:${r.text}` }));
    async function* parts() {
      yield enc.encode("one,");
      yield enc.encode("two,");
      yield enc.encode("three");
    }
    const r = await s.post("http://api.test/up", { data: parts() });
    expect(r.text).toBe("13:one,two,three");
    expect(m.last_request?.headers["transfer-encoding"]).toBe("chunked");
  });

  it("a multipart upload arrives as the client encoded it", async () => {
    const { m, s } = mocked();
    m.post("http://api.test/files", { status: 201 });
    await s.post("http://api.test/files", { files: { f: ["a.txt", "file body", "text/plain"] } });
    const r = m.last_request;
    expect(r?.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(r?.text).toContain('filename="a.txt"');
    expect(r?.text).toContain("file body");
  });
});
