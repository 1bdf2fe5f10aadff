// Code that loads on first use, used for the first time: the decoders load with the first body
// that has a Content-Encoding (until their code is in, the body waits on the decoding chain), the
// body encoders with the first request that has data= or json=, the query-string code with the
// first that has params, the body writer with the first streamed (or very large) body, the
// Set-Cookie reader with the first response that sets a cookie (the response is handed out, or
// fails, once it is in). Each test imports reqwire afresh (vi.resetModules), so its first such
// request is the one that loads them.
import { createServer, type ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { gate, listen, onCleanup, runCleanups, sleep, until } from "./helpers.js";

afterEach(runCleanups);
beforeEach(() => {
  vi.resetModules();
});

const BODY = Buffer.from(Array.from({ length: 4000 }, (_, i) => `line ${i} of the body\n`).join(""));
const GZ = gzipSync(BODY);

/** Writes `bytes` in pieces, a few ms apart, so the body arrives while the decoder loads. */
async function dribble(res: ServerResponse, bytes: Buffer, pieces = 8): Promise<void> {
  const step = Math.ceil(bytes.length / pieces);
  for (let at = 0; at < bytes.length; at += step) {
    res.write(bytes.subarray(at, at + step));
    await new Promise((r) => setTimeout(r, 5));
  }
  res.end();
}

/** Requests the server received, all paths. */
let received = 0;
/** The request-target and Cookie header of the last request. */
let lastUrl: string | undefined;
let lastCookie: string | undefined;

async function server(): Promise<string> {
  received = 0;
  const srv = createServer((req, res) => {
    received++;
    lastUrl = req.url;
    lastCookie = req.headers.cookie;
    if (req.url === "/cookie") {
      res.writeHead(200, { "set-cookie": ["a=1; Path=/", "b=2; Max-Age=60"], "content-type": "text/plain" });
      void dribble(res, BODY);
    } else if (req.url === "/cookie-cut") {
      // the body stops short of its length
      res.writeHead(200, { "set-cookie": "a=1; Path=/", "content-length": String(BODY.length) });
      res.write(BODY.subarray(0, 100), () => res.destroy());
    } else if (req.url === "/cookie-hang") {
      // a head, then nothing: the caller gives up
      res.writeHead(200, { "set-cookie": "a=1; Path=/", "content-length": "10" });
      res.write("x");
    } else if (req.url?.startsWith("/plain")) {
      res.end("plain");
    } else if (req.url === "/gzip") {
      res.writeHead(200, { "content-encoding": "gzip" });
      void dribble(res, GZ);
    } else if (req.url === "/echo") {
      const parts: Buffer[] = [];
      req.on("data", (c: Buffer) => parts.push(c));
      req.on("end", () => {
        res.writeHead(200, { "content-type": String(req.headers["content-type"]) });
        res.end(Buffer.concat(parts));
      });
    } else if (req.url === "/long-chain") {
      res.writeHead(200, { "content-encoding": "gzip, gzip, gzip, gzip, gzip, gzip" });
      res.end(GZ);
    } else {
      res.writeHead(200, { "content-encoding": "gzip" });
      res.end(Buffer.from("this is not gzip at all"));
    }
  });
  const port = await listen(srv);
  return `http://127.0.0.1:${port}`;
}

async function freshSession() {
  const { Session } = await import("../../src/index.js");
  const s = new Session();
  s.trust_env = false;
  onCleanup(() => s.close());
  return s;
}

describe("the first encoded body of a fresh import", () => {
  it("is decoded whole when buffered", async () => {
    const base = await server();
    const r = await (await freshSession()).get(`${base}/gzip`);
    expect(Buffer.from(r.content).equals(BODY)).toBe(true);
  });

  it("is decoded in order when streamed", async () => {
    const base = await server();
    const r = await (await freshSession()).get(`${base}/gzip`, { stream: true });
    const parts: Uint8Array[] = [];
    for await (const part of r.iter_content()) parts.push(part);
    expect(Buffer.concat(parts).equals(BODY)).toBe(true);
  });

  it("fails with ContentDecodingError when Content-Encoding lists too many codings", async () => {
    const base = await server();
    const { ContentDecodingError } = await import("../../src/errors.js");
    const err = await (await freshSession()).get(`${base}/long-chain`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ContentDecodingError);
    expect((err as Error).message).toMatch(/codings/);
  });

  it("fails with ContentDecodingError when the body is not what it says", async () => {
    const base = await server();
    const { ContentDecodingError } = await import("../../src/errors.js");
    const err = await (await freshSession()).get(`${base}/bad`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ContentDecodingError);
  });
});

describe("the first body of a fresh import", () => {
  it("json= is encoded once its encoder is in, as requests writes it", async () => {
    const base = await server();
    const r = await (await freshSession()).post(`${base}/echo`, { json: { a: [1, "é"] } });
    expect(r.headers["content-type"]).toBe("application/json");
    expect(r.text).toBe('{"a": [1, "\\u00e9"]}');
  });

  it("data= fields are sent as a form", async () => {
    const base = await server();
    const r = await (await freshSession()).post(`${base}/echo`, { data: { q: "a b", n: [1, 2] } });
    expect(r.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(r.text).toBe("q=a+b&n=1&n=2");
  });

  it("json= that JSON cannot carry fails with InvalidJSONError, and nothing is sent", async () => {
    const base = await server();
    const { InvalidJSONError } = await import("../../src/errors.js");
    const err = await (await freshSession()).post(`${base}/echo`, { json: { x: Number.NaN } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvalidJSONError);
    expect(received).toBe(0);
  });
});

describe("the first streamed request body of a fresh import", () => {
  async function* parts(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < 5; i++) yield new TextEncoder().encode(`part ${i};`);
  }

  it("is written chunked once its writer is in", async () => {
    const base = await server();
    const r = await (await freshSession()).post(`${base}/echo`, { data: parts() });
    expect(r.text).toBe("part 0;part 1;part 2;part 3;part 4;");
  });

  it("of bytes too large for one write is written in pieces, with its length", async () => {
    const base = await server();
    const big = new Uint8Array(1_500_000).map((_, i) => i % 251);
    const r = await (await freshSession()).post(`${base}/echo`, { data: big });
    expect(Buffer.from(r.content).equals(Buffer.from(big))).toBe(true);
  });
});

describe("the first Set-Cookie of a fresh import", () => {
  it("is in r.cookies and the session's jar when a buffered response is handed out", async () => {
    const base = await server();
    const s = await freshSession();
    const r = await s.get(`${base}/cookie`);
    expect(Buffer.from(r.content).equals(BODY)).toBe(true);
    expect(r.cookies.toObject()).toEqual({ a: "1", b: "2" });
    expect(s.cookies.toObject()).toEqual({ a: "1", b: "2" });
    await s.get(`${base}/plain`);
    expect(lastCookie).toBe("a=1; b=2");
  });

  it("is in r.cookies when a streamed response is handed out; the body follows in order", async () => {
    const base = await server();
    const s = await freshSession();
    const r = await s.get(`${base}/cookie`, { stream: true });
    expect(r.cookies.get("a")).toBe("1");
    const parts: Uint8Array[] = [];
    for await (const part of r.iter_content()) parts.push(part);
    expect(Buffer.concat(parts).equals(BODY)).toBe(true);
    expect(s.cookies.get("b")).toBe("2");
  });

  it("is readable from the response of an error", async () => {
    const base = await server();
    const err = await (await freshSession()).get(`${base}/cookie-cut`).then(
      () => undefined,
      (e: unknown) => e as { response?: { cookies: { get(n: string): string | undefined } } },
    );
    expect(err).toBeInstanceOf(Error);
    expect(err?.response?.cookies.get("a")).toBe("1");
  });

  it("is readable from the response of an error that comes while the reader loads", async () => {
    // the reader's load waits for the gate: the abort arrives before it is in
    const [loaded, open] = gate();
    let asked = false;
    vi.doMock("../../src/api/cookies/set-cookie.js", async () => {
      asked = true;
      await loaded;
      return await vi.importActual("../../src/api/cookies/set-cookie.js");
    });
    onCleanup(() => vi.doUnmock("../../src/api/cookies/set-cookie.js"));
    const base = await server();
    const { RequestAborted } = await import("../../src/errors.js");
    const abort = new AbortController();
    let settled = false;
    const failed = (await freshSession()).get(`${base}/cookie-hang`, { signal: abort.signal }).then(
      () => undefined,
      (e: unknown) => e as Error & { response?: { cookies: { get(n: string): string | undefined } } },
    );
    void failed.finally(() => {
      settled = true;
    });
    await until(() => asked, 5_000, "the head, and the reader's load");
    abort.abort();
    await sleep(20);
    expect(settled).toBe(false);
    open();
    const err = await failed;
    expect(err).toBeInstanceOf(RequestAborted);
    expect(err?.response?.cookies.get("a")).toBe("1");
  });

  it("is readable in a response hook", async () => {
    const base = await server();
    const seen: Array<string | undefined> = [];
    await (await freshSession()).get(`${base}/cookie`, {
      hooks: { response: (r) => void seen.push(r.cookies.get("a")) },
    });
    expect(seen).toEqual(["1"]);
  });

  it("jar.extract() loads the reader and resolves once the cookies are stored", async () => {
    const { RequestsCookieJar } = await import("../../src/index.js");
    const jar = new RequestsCookieJar();
    await jar.extract(new URL("http://h.test/x/y"), ["a=1", "b=2; Path=/x; Secure"]);
    expect([...jar].map((c) => [c.name, c.path])).toEqual([["a", "/x"]]);
    await expect(jar.extract(new URL("http://h.test/"), ["c=3"], Number.NaN)).rejects.toThrow(TypeError);
  });

  it("fails the request with a RequestException naming it when its code cannot be loaded", async () => {
    vi.doMock("../../src/api/cookies/set-cookie.js", () => {
      throw new Error("chunk gone");
    });
    onCleanup(() => vi.doUnmock("../../src/api/cookies/set-cookie.js"));
    const base = await server();
    const { RequestException } = await import("../../src/errors.js");
    const s = await freshSession();
    const err = await s.get(`${base}/cookie`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RequestException);
    expect((err as Error).message).toContain("could not load its Set-Cookie code");
    // a response without Set-Cookie never needs it
    expect((await s.get(`${base}/plain`)).text).toBe("plain");
  });
});

describe("the first params of a fresh import", () => {
  it("are encoded into the query once their code is in, the session's under the request's", async () => {
    const base = await server();
    const s = await freshSession();
    s.params = { s: "1", q: "session" };
    await s.get(`${base}/plain?x=0`, { params: { q: "a b", n: [1, 2] } });
    expect(lastUrl).toBe("/plain?x=0&s=1&q=a+b&n=1&n=2");
  });

  it("are in a request made by prepare_request", async () => {
    const base = await server();
    const p = await (await freshSession()).prepare_request("GET", `${base}/plain`, { params: "raw=1" });
    expect(p.url).toBe(`${base}/plain?raw=1`);
  });
});
