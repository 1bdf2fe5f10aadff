// Behaviour of the requests-style API against real servers on 127.0.0.1 / ::1: node:http servers
// for ordinary exchanges, the scripted raw server where the exact bytes matter. Every test checks
// what the server received and what the user gets back.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as zlib from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { sharedSession } from "../../src/api/shared-session.js";
import * as errorModule from "../../src/errors.js";
import requests, {
  BodyTooLarge,
  ChunkedEncodingError,
  ConnectionError,
  ContentDecodingError,
  DecodedBodyTooLarge,
  del,
  get,
  HTTPBasicAuth,
  HTTPError,
  head,
  InvalidHeader,
  InvalidJSONError,
  InvalidSchema,
  InvalidURL,
  JSONDecodeError,
  MissingSchema,
  options as optionsFn,
  ParseError,
  PreparedRequest,
  patch,
  post,
  put,
  ReadTimeout,
  RequestException,
  Response,
  request,
  SerializeError,
  StreamConsumedError,
  Timeout,
  VERSION,
} from "../../src/index.js";
import { nodeTransport } from "../../src/transport/node.js";
import type { ConnectOptions, Transport } from "../../src/transport/types.js";
import { getHeader, type RawRequest } from "../support/raw-server.js";
import {
  ALL_BYTES,
  chunked,
  expectBytes,
  field,
  fields,
  httpServer,
  type Part,
  parseMultipart,
  raw,
  rawEach,
  rejection,
  response,
  runCleanups,
  session,
  sleep,
  thrown,
  until,
} from "./helpers.js";

afterEach(runCleanups);
// The module functions (requests.get, ...) share one session: close its connections at the end.
afterAll(() => sharedSession().close());

const enc = new TextEncoder();
const utf8 = (s: string) => Buffer.from(s, "utf8");
const latin1 = (s: string) => Buffer.from(s, "latin1");
const bytes = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** An async generator of the given chunks (strings or bytes). */
async function* generate(chunks: Array<string | Uint8Array>): AsyncGenerator<Uint8Array | string> {
  for (const c of chunks) {
    await sleep(1);
    yield c;
  }
}

/** A raw server answering every request with 200 and `body` (default "ok"). */
const okServer = (body = "ok") => rawEach(() => response("200 OK", [["Content-Type", "text/plain"]], body));

// ---------------------------------------------------------------------------------------------

describe("verbs", () => {
  const VERBS = [
    ["GET", "get"],
    ["HEAD", "head"],
    ["POST", "post"],
    ["PUT", "put"],
    ["PATCH", "patch"],
    ["DELETE", "delete"],
    ["OPTIONS", "options"],
  ] as const;

  const echoMethod = () =>
    httpServer((req, res) => {
      res.setHeader("X-Method", req.method ?? "");
      res.end(`${req.method} ${req.url}`);
    });

  it("requests.get/head/post/put/patch/delete/options send their method", async () => {
    const srv = await echoMethod();
    for (const [method, fn] of VERBS) {
      const r = await requests[fn](`${srv.url}/v/${fn}`);
      expect(r).toBeInstanceOf(Response);
      expect(r.status_code).toBe(200);
      expect(r.headers["X-Method"]).toBe(method);
      expect(r.text).toBe(method === "HEAD" ? "" : `${method} /v/${fn}`);
      expect(r.request.method).toBe(method);
    }
    expect(srv.received.map((x) => [x.method, x.url])).toEqual(VERBS.map(([m, fn]) => [m, `/v/${fn}`]));
  });

  it("the named exports (get, head, post, put, patch, del, options, request) send their method", async () => {
    const srv = await echoMethod();
    const calls: Array<[string, () => Promise<Response>]> = [
      ["GET", () => get(`${srv.url}/n`)],
      ["HEAD", () => head(`${srv.url}/n`)],
      ["POST", () => post(`${srv.url}/n`)],
      ["PUT", () => put(`${srv.url}/n`)],
      ["PATCH", () => patch(`${srv.url}/n`)],
      ["DELETE", () => del(`${srv.url}/n`)],
      ["OPTIONS", () => optionsFn(`${srv.url}/n`)],
      ["PATCH", () => request("patch", `${srv.url}/n`)],
      ["PROPFIND", () => requests.request("PropFind", `${srv.url}/n`)],
    ];
    for (const [method, call] of calls) {
      const r = await call();
      expect(r.status_code).toBe(200);
      expect(r.headers.get("x-method")).toBe(method);
    }
    expect(srv.received.map((x) => x.method)).toEqual(calls.map(([m]) => m));
    expect(requests.delete).toBe(del);
  });

  it("a Session has the same verbs and reuses one keep-alive connection", async () => {
    const srv = await echoMethod();
    const s = session();
    expect(s).toBeInstanceOf(requests.Session);
    for (const [method, fn] of VERBS) {
      const r = await s[fn](`${srv.url}/s/${fn}`);
      expect(r.status_code).toBe(200);
      expect(r.text).toBe(method === "HEAD" ? "" : `${method} /s/${fn}`);
    }
    const r = await s.request("delete", `${srv.url}/s/request`);
    expect(r.text).toBe("DELETE /s/request");
    expect(srv.received.map((x) => x.method)).toEqual([...VERBS.map(([m]) => m), "DELETE"]);
    expect(srv.received.every((x) => x.connection === 1)).toBe(true);
    expect(srv.connections()).toBe(1);
  });

  it("concurrent requests on one session each get their own response", async () => {
    const srv = await httpServer(async (req, res) => {
      await sleep(Number(req.url?.split("/")[2] ?? 0));
      res.end(`body of ${req.url}`);
    });
    const s = session();
    const paths = ["/c/30/a", "/c/0/b", "/c/15/c", "/c/5/d", "/c/0/e", "/c/20/f"];
    const rs = await Promise.all(paths.map((p) => s.get(`${srv.url}${p}`)));
    expect(rs.map((r) => r.text)).toEqual(paths.map((p) => `body of ${p}`));
    expect(rs.map((r) => r.url)).toEqual(paths.map((p) => `${srv.url}${p}`));
    expect(srv.received.map((x) => x.url).sort()).toEqual([...paths].sort());
  });

  it("a HEAD response has no body, even with a Content-Length", async () => {
    const srv = await rawEach(() => latin1("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nX-A: 1\r\n\r\n"));
    const s = session();
    const r = await s.head(`${srv.url}/h`);
    expect(r.status_code).toBe(200);
    expect(r.headers["content-length"]).toBe("1234");
    expect(r.content).toEqual(new Uint8Array(0));
    // The connection stays usable: the next response is read from the same one.
    const r2 = await s.head(`${srv.url}/h2`);
    expect(r2.headers["x-a"]).toBe("1");
    expect(srv.seen.map((x) => [x.req.method, x.req.target, x.connection])).toEqual([
      ["HEAD", "/h", 1],
      ["HEAD", "/h2", 1],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("URLs", () => {
  it("percent-escapes of unreserved characters are sent decoded (as requests' requote_uri); others stay", async () => {
    const srv = await okServer();
    const r = await get(`${srv.url}/%7Efoo/%41%2d%2E%5f/a%2Fb/%E2%98%95?q=%7E%2A%26`);
    const target = "/~foo/A-._/a%2Fb/%E2%98%95?q=~%2A%26";
    expect(srv.seen[0]?.req.target).toBe(target);
    expect(r.url).toBe(`${srv.url}${target}`);
  });
});

describe("params", () => {
  it("an object: arrays repeat the key, null is left out, values encoded as requests does", async () => {
    const srv = await okServer();
    const r = await get(`${srv.url}/p`, {
      params: { q: "a b", tag: ["x", "y"], n: 2, yes: true, skip: null, u: "é/&=" },
    });
    const target = "/p?q=a+b&tag=x&tag=y&n=2&yes=true&u=%C3%A9%2F%26%3D";
    expect(srv.seen[0]?.req.target).toBe(target);
    expect(r.url).toBe(`${srv.url}${target}`);
    expect(r.request.url).toBe(`${srv.url}${target}`);
  });

  it("pairs, a Map and URLSearchParams keep their order and repeated keys", async () => {
    const srv = await okServer();
    const s = session();
    await s.get(`${srv.url}/a`, {
      params: [
        ["k", "1"],
        ["k", "2"],
        ["a b", "c d"],
      ],
    });
    await s.get(`${srv.url}/b`, { params: new Map([["m", ["1", "2"]]]) });
    await s.get(`${srv.url}/c`, { params: new URLSearchParams([["z", "~*"]]) });
    expect(srv.seen.map((x) => x.req.target)).toEqual(["/a?k=1&k=2&a+b=c+d", "/b?m=1&m=2", "/c?z=~%2A"]);
  });

  it("a string is sent as it is", async () => {
    const srv = await okServer();
    await get(`${srv.url}/s`, { params: "a=1&b=%20x&flag" });
    expect(srv.seen[0]?.req.target).toBe("/s?a=1&b=%20x&flag");
  });

  it("is merged after a query already in the URL", async () => {
    const srv = await okServer();
    const s = session();
    await s.get(`${srv.url}/m?x=1`, { params: { y: 2 } });
    await s.get(`${srv.url}/m?`, { params: { y: 3 } });
    await s.get(`${srv.url}/m?x=1&x=2`, { params: "z=4" });
    expect(srv.seen.map((x) => x.req.target)).toEqual(["/m?x=1&y=2", "/m?y=3", "/m?x=1&x=2&z=4"]);
  });

  it("never sends the fragment", async () => {
    const srv = await okServer();
    const s = session();
    await s.get(`${srv.url}/f?x=1#frag`, { params: { y: 2 } });
    await s.get(`${srv.url}/f#only-a-fragment`);
    await s.get(`${srv.url}/f?q#a?b=c`);
    expect(srv.seen.map((x) => x.req.target)).toEqual(["/f?x=1&y=2", "/f", "/f?q"]);
    for (const { req } of srv.seen) expect(req.raw.includes("#")).toBe(false);
  });

  it("a URL's non-ASCII characters and spaces are percent-encoded as UTF-8", async () => {
    const srv = await okServer();
    await get(`${srv.url}/ü a/€?q=ü b`, { params: { r: "ü b" } });
    expect(srv.seen[0]?.req.target).toBe("/%C3%BC%20a/%E2%82%AC?q=%C3%BC%20b&r=%C3%BC+b");
  });

  it("session params come first, then the request's", async () => {
    const srv = await okServer();
    const s = session();
    s.params = { s: "1", list: ["a", "b"] };
    await s.get(`${srv.url}/sp?u=0`, { params: { q: "2" } });
    await s.get(`${srv.url}/sp`);
    expect(srv.seen.map((x) => x.req.target)).toEqual(["/sp?u=0&s=1&list=a&list=b&q=2", "/sp?s=1&list=a&list=b"]);
  });

  it("a request param replaces the session param of the same name, and null removes it (requests' merge)", async () => {
    const srv = await okServer();
    const s = session();
    s.params = { page: "1", k: "v", drop: "me" };
    await s.get(`${srv.url}/o`, { params: { page: "2", drop: null } });
    // requests: merge_setting(request.params, session.params) ⇒ {page: "2", k: "v"}
    expect(srv.seen[0]?.req.target).toBe("/o?page=2&k=v");
  });
});

// ---------------------------------------------------------------------------------------------

describe("request headers", () => {
  it("are the requests defaults, exactly, with Host first", async () => {
    const srv = await okServer();
    await get(`${srv.url}/d`);
    const { req } = srv.seen[0] as { req: RawRequest };
    expect(req.headers).toEqual([
      ["Host", `127.0.0.1:${srv.port}`],
      ["User-Agent", `reqwire/${VERSION}`],
      ["Accept-Encoding", "gzip, deflate, br"],
      ["Accept", "*/*"],
      ["Connection", "keep-alive"],
    ]);
    expect(req.raw.toString("latin1")).toBe(
      `GET /d HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nUser-Agent: reqwire/${VERSION}\r\n` +
        "Accept-Encoding: gzip, deflate, br\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n",
    );
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    expect(VERSION).toBe(pkg.version);
    expect(requests.__version__).toBe(VERSION);
  });

  it("Host has the port only when it is not the scheme's default", async () => {
    const srv = await okServer();
    const dialed: ConnectOptions[] = [];
    // A transport that dials the test server whatever port the URL names (so port 80 is testable).
    const transport: Transport = {
      connect(o) {
        dialed.push(o);
        return nodeTransport.connect({ ...o, host: "127.0.0.1", port: srv.port });
      },
    };
    const s = session({ transport });
    await s.get("http://127.0.0.1/implicit");
    await s.get("http://127.0.0.1:80/explicit-default");
    await s.get(`http://127.0.0.1:${srv.port}/other`);
    expect(srv.seen.map((x) => [x.req.target, getHeader(x.req.headers, "host")])).toEqual([
      ["/implicit", "127.0.0.1"],
      ["/explicit-default", "127.0.0.1"],
      ["/other", `127.0.0.1:${srv.port}`],
    ]);
    expect(dialed.map((o) => [o.host, o.port])).toEqual([
      ["127.0.0.1", 80],
      ["127.0.0.1", srv.port],
    ]);
  });

  it("Host of an IPv6 literal keeps its brackets", async () => {
    const srv = await rawEach(() => response("200 OK", [], "six"), { host: "::1" });
    const s = session();
    const r = await s.get(`http://[::1]:${srv.port}/v6`);
    expect(r.text).toBe("six");
    expect(getHeader(srv.seen[0]?.req.headers ?? [], "host")).toBe(`[::1]:${srv.port}`);
  });

  it("are merged over the session's, case-insensitively, each sent once", async () => {
    const srv = await okServer();
    const s = session();
    s.headers["X-Session"] = "s";
    s.headers["X-Shared"] = "session";
    await s.get(`${srv.url}/h`, { headers: { "x-shared": "request", "X-Request": "r", ACCEPT: "text/plain" } });
    const h = srv.seen[0]?.req.headers ?? [];
    expect(fields(h, "x-session")).toEqual(["s"]);
    expect(fields(h, "x-shared")).toEqual(["request"]);
    expect(fields(h, "x-request")).toEqual(["r"]);
    expect(fields(h, "accept")).toEqual(["text/plain"]);
    expect(fields(h, "user-agent")).toEqual([`reqwire/${VERSION}`]);
    // The session's own headers are not changed by a request's.
    expect(s.headers["x-shared"]).toBe("session");
    expect(s.headers.has("x-request")).toBe(false);
  });

  it("a null value removes a default or session header for that request only", async () => {
    const srv = await okServer();
    const s = session();
    s.headers["X-Session"] = "s";
    await s.get(`${srv.url}/1`, { headers: { "User-Agent": null, "accept-encoding": null, "x-session": null } });
    await s.get(`${srv.url}/2`);
    const [first, second] = srv.seen.map((x) => x.req.headers);
    expect(first?.map(([n]) => n.toLowerCase())).toEqual(["host", "accept", "connection"]);
    expect(field(second ?? [], "user-agent")).toBe(`reqwire/${VERSION}`);
    expect(field(second ?? [], "x-session")).toBe("s");
  });

  it("each session has its own copy of the defaults", async () => {
    const srv = await okServer();
    const changed = session();
    changed.headers["User-Agent"] = "changed/1";
    changed.headers["X-Only-Here"] = "1";
    const other = session();
    await other.get(`${srv.url}/other`);
    await get(`${srv.url}/module`);
    for (const { req } of srv.seen) {
      expect(field(req.headers, "user-agent")).toBe(`reqwire/${VERSION}`);
      expect(field(req.headers, "x-only-here")).toBeUndefined();
    }
    expect(srv.seen.length).toBe(2);
  });

  it("session headers can be replaced and removed", async () => {
    const srv = await okServer();
    const s = session();
    s.headers["user-agent"] = "custom-agent/2";
    delete s.headers.Accept;
    s.headers["Accept-Encoding"] = null as unknown as string;
    await s.get(`${srv.url}/x`);
    const h = srv.seen[0]?.req.headers ?? [];
    expect(fields(h, "user-agent")).toEqual(["custom-agent/2"]);
    expect(field(h, "accept")).toBeUndefined();
    expect(field(h, "accept-encoding")).toBeUndefined();
  });

  it("a Host header given by the caller replaces the generated one", async () => {
    const srv = await okServer();
    await get(`${srv.url}/vhost`, { headers: { host: "virtual.example:8080" } });
    expect(fields(srv.seen[0]?.req.headers ?? [], "host")).toEqual(["virtual.example:8080"]);
  });

  it("a value with ISO-8859-1 characters is sent as ISO-8859-1 bytes (as http.client does)", async () => {
    const srv = await okServer();
    await get(`${srv.url}/l1`, { headers: { "X-Name": "café" } });
    const line = srv.seen[0]?.req.raw
      .toString("latin1")
      .split("\r\n")
      .find((l) => l.startsWith("X-Name:"));
    expect(line).toBe("X-Name: caf\xe9");
  });

  it("may be given as a Headers object or as pairs", async () => {
    const srv = await okServer();
    const s = session();
    await s.get(`${srv.url}/a`, { headers: new Headers({ "X-From-Headers": "1" }) });
    await s.get(`${srv.url}/b`, { headers: [["X-From-Pairs", "2"]] });
    expect(field(srv.seen[0]?.req.headers ?? [], "x-from-headers")).toBe("1");
    expect(field(srv.seen[1]?.req.headers ?? [], "x-from-pairs")).toBe("2");
  });
});

// ---------------------------------------------------------------------------------------------

describe("request bodies", () => {
  /** The one request the server got; fails if there is not exactly one. */
  const only = (srv: { seen: Array<{ req: RawRequest }> }): RawRequest => {
    expect(srv.seen.length).toBe(1);
    return (srv.seen[0] as { req: RawRequest }).req;
  };

  it("json: application/json with json.dumps' bytes and an exact Content-Length", async () => {
    const srv = await okServer();
    const r = await post(`${srv.url}/j`, { json: { a: 1, b: [true, null], s: "é€", nested: { x: 1.5 } } });
    const req = only(srv);
    const expected = latin1('{"a": 1, "b": [true, null], "s": "\\u00e9\\u20ac", "nested": {"x": 1.5}}');
    expect(req.body).toEqual(expected);
    expect(getHeader(req.headers, "content-type")).toBe("application/json");
    expect(getHeader(req.headers, "content-length")).toBe(String(expected.length));
    expect(getHeader(req.headers, "transfer-encoding")).toBeUndefined();
    expect(bytes(r.request.body as Uint8Array)).toEqual(expected);
  });

  it("json: separators inside strings are kept, non-ASCII and DEL escaped as \\uXXXX (ensure_ascii)", async () => {
    const srv = await okServer();
    await post(`${srv.url}/j`, { json: { 's:,"': 'a, b: "c"\n😀\x7f', list: [] } });
    expect(only(srv).body.toString("latin1")).toBe('{"s:,\\"": "a, b: \\"c\\"\\n\\ud83d\\ude00\\u007f", "list": []}');
  });

  it("json keeps a Content-Type the caller set", async () => {
    const srv = await okServer();
    await post(`${srv.url}/j`, { json: [1], headers: { "content-type": "application/vnd.api+json" } });
    expect(fields(only(srv).headers, "content-type")).toEqual(["application/vnd.api+json"]);
    expect(only(srv).body.toString()).toBe("[1]");
  });

  it("data as an object is sent form-urlencoded", async () => {
    const srv = await okServer();
    await put(`${srv.url}/f`, { data: { a: "1", b: "x y", list: ["p", "q"], e: "é&=" } });
    const req = only(srv);
    expect(req.body.toString("latin1")).toBe("a=1&b=x+y&list=p&list=q&e=%C3%A9%26%3D");
    expect(getHeader(req.headers, "content-type")).toBe("application/x-www-form-urlencoded");
    expect(getHeader(req.headers, "content-length")).toBe(String(req.body.length));
  });

  it("data as a string is sent as UTF-8, without a Content-Type", async () => {
    const srv = await okServer();
    await post(`${srv.url}/s`, { data: "héllo wörld" });
    const req = only(srv);
    expect(req.body).toEqual(utf8("héllo wörld"));
    expect(getHeader(req.headers, "content-length")).toBe("13");
    expect(getHeader(req.headers, "content-type")).toBeUndefined();
    expect(getHeader(req.headers, "transfer-encoding")).toBeUndefined();
  });

  it("data as a Uint8Array is sent byte for byte", async () => {
    const srv = await okServer();
    await patch(`${srv.url}/b`, { data: new Uint8Array(ALL_BYTES) });
    const req = only(srv);
    expect(req.body).toEqual(ALL_BYTES);
    expect(getHeader(req.headers, "content-length")).toBe("256");
    expect(getHeader(req.headers, "content-type")).toBeUndefined();
  });

  it("data as a Blob is sent with its type as Content-Type and its size as Content-Length", async () => {
    const srv = await okServer();
    const blob = new Blob([new Uint8Array(ALL_BYTES), "tail"], { type: "image/x-test" });
    await post(`${srv.url}/blob`, { data: blob });
    const req = only(srv);
    expect(req.body).toEqual(Buffer.concat([ALL_BYTES, latin1("tail")]));
    expect(getHeader(req.headers, "content-type")).toBe("image/x-test");
    expect(getHeader(req.headers, "content-length")).toBe("260");
    expect(getHeader(req.headers, "transfer-encoding")).toBeUndefined();
  });

  it("data as an async generator is uploaded chunked, byte-exact", async () => {
    const srv = await okServer();
    const big = Buffer.alloc(100_000, 0x61);
    const s = session();
    const r = await s.post(`${srv.url}/gen`, { data: generate(["ab", new Uint8Array(0), ALL_BYTES, "€", big]) });
    expect(r.status_code).toBe(200);
    // The chunked body was framed completely: the next request follows on the same connection.
    expect((await s.get(`${srv.url}/next`)).status_code).toBe(200);
    expect(srv.seen.map((x) => [x.req.target, x.connection])).toEqual([
      ["/gen", 1],
      ["/next", 1],
    ]);
    const req = srv.seen[0]?.req as RawRequest;
    expect(fields(req.headers, "transfer-encoding")).toEqual(["chunked"]);
    expect(getHeader(req.headers, "content-length")).toBeUndefined();
    expectBytes(req.body, Buffer.concat([latin1("ab"), ALL_BYTES, utf8("€"), big]));
    expect(req.trailers).toEqual([]);
    expect(req.raw.subarray(req.raw.length - 5).toString("latin1")).toBe("0\r\n\r\n");
  });

  it("data as a sync iterable of chunks is uploaded chunked", async () => {
    const srv = await okServer();
    await post(`${srv.url}/it`, { data: ["one ", enc.encode("two"), " three"][Symbol.iterator]() });
    const req = only(srv);
    expect(fields(req.headers, "transfer-encoding")).toEqual(["chunked"]);
    expect(req.body.toString()).toBe("one two three");
  });

  it("data as a Blob without a type is sent without a Content-Type", async () => {
    const srv = await okServer();
    await post(`${srv.url}/b`, { data: new Blob(["xyz"]) });
    const req = only(srv);
    expect(req.body.toString()).toBe("xyz");
    expect(getHeader(req.headers, "content-type")).toBeUndefined();
    expect(getHeader(req.headers, "content-length")).toBe("3");
  });

  it("data as a ReadableStream is uploaded chunked, byte-exact", async () => {
    const srv = await okServer();
    const pieces = [ALL_BYTES, utf8("stream"), Buffer.alloc(70_000, 0xfe)];
    let i = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const p = pieces[i++];
        if (p === undefined) controller.close();
        else controller.enqueue(new Uint8Array(p));
      },
    });
    await put(`${srv.url}/rs`, { data: stream });
    const req = only(srv);
    expect(req.method).toBe("PUT");
    expect(fields(req.headers, "transfer-encoding")).toEqual(["chunked"]);
    expect(getHeader(req.headers, "content-length")).toBeUndefined();
    expectBytes(req.body, Buffer.concat(pieces));
  });

  it("Content-Length: none on a bodyless GET/HEAD, 0 on a bodyless POST/PUT/PATCH/DELETE/OPTIONS", async () => {
    const srv = await okServer();
    const s = session();
    for (const m of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) await s.request(m, `${srv.url}/cl`);
    expect(
      srv.seen.map((x) => [
        x.req.method,
        fields(x.req.headers, "content-length"),
        getHeader(x.req.headers, "transfer-encoding"),
      ]),
    ).toEqual([
      ["GET", [], undefined],
      ["HEAD", [], undefined],
      ["POST", ["0"], undefined],
      ["PUT", ["0"], undefined],
      ["PATCH", ["0"], undefined],
      ["DELETE", ["0"], undefined],
      ["OPTIONS", ["0"], undefined],
    ]);
  });

  it("Content-Length: 0 for empty data, the exact length for a body on any method", async () => {
    const srv = await okServer();
    const s = session();
    await s.post(`${srv.url}/empty`, { data: "" });
    await s.put(`${srv.url}/empty-form`, { data: {} });
    await s.get(`${srv.url}/get-body`, { data: "xyz" });
    await s.delete(`${srv.url}/del-body`, { json: { id: 7 } });
    expect(
      srv.seen.every((x) => getHeader(x.req.headers, "content-type") !== "application/x-www-form-urlencoded"),
    ).toBe(true);
    expect(srv.seen.map((x) => [x.req.target, fields(x.req.headers, "content-length"), x.req.body.toString()])).toEqual(
      [
        ["/empty", ["0"], ""],
        ["/empty-form", ["0"], ""],
        ["/get-body", ["3"], "xyz"],
        ["/del-body", ["9"], '{"id": 7}'],
      ],
    );
  });

  it("files: a multipart body with the data fields first, every part's headers and bytes", async () => {
    const srv = await okServer();
    await post(`${srv.url}/upload`, {
      data: { title: "Report", tags: ["a", "b"] },
      files: {
        report: ["report.csv", "a,b\r\n1,2\r\n", "text/csv"],
        blob: new File([new Uint8Array(ALL_BYTES)], "bytes.bin", { type: "application/octet-stream" }),
        note: "just text",
        extra: ["x.txt", new Uint8Array([1, 2, 3]), null, { "X-Part": "1" }],
      },
    });
    const req = only(srv);
    expect(getHeader(req.headers, "content-length")).toBe(String(req.body.length));
    expect(getHeader(req.headers, "transfer-encoding")).toBeUndefined();
    const { boundary, parts } = parseMultipart(req.body, getHeader(req.headers, "content-type"));
    expect(boundary).toMatch(/^[0-9a-f]{32}$/);
    const expected: Part[] = [
      { headers: [["Content-Disposition", 'form-data; name="title"']], content: latin1("Report") },
      { headers: [["Content-Disposition", 'form-data; name="tags"']], content: latin1("a") },
      { headers: [["Content-Disposition", 'form-data; name="tags"']], content: latin1("b") },
      {
        headers: [
          ["Content-Disposition", 'form-data; name="report"; filename="report.csv"'],
          ["Content-Type", "text/csv"],
        ],
        content: latin1("a,b\r\n1,2\r\n"),
      },
      {
        headers: [
          ["Content-Disposition", 'form-data; name="blob"; filename="bytes.bin"'],
          ["Content-Type", "application/octet-stream"],
        ],
        content: ALL_BYTES,
      },
      {
        headers: [["Content-Disposition", 'form-data; name="note"; filename="note"']],
        content: latin1("just text"),
      },
      {
        headers: [
          ["Content-Disposition", 'form-data; name="extra"; filename="x.txt"'],
          ["X-Part", "1"],
        ],
        content: Buffer.from([1, 2, 3]),
      },
    ];
    expect(parts).toEqual(expected);
  });

  it("files: names with quotes, CR/LF and non-ASCII characters are written as browsers and urllib3 do", async () => {
    const srv = await okServer();
    await post(`${srv.url}/names`, {
      files: [
        ['fi"eld', ['a"b\r\nc.txt', "1", "text/plain"]],
        ["ünï", ["résumé.pdf", "2", "application/pdf"]],
      ],
    });
    const { parts } = parseMultipart(only(srv).body, getHeader(only(srv).headers, "content-type"));
    expect(parts.map((p) => p.headers[0])).toEqual([
      ["Content-Disposition", 'form-data; name="fi%22eld"; filename="a%22b%0D%0Ac.txt"'],
      // UTF-8 bytes, shown here one character per byte as the parser reads them
      ["Content-Disposition", utf8('form-data; name="ünï"; filename="résumé.pdf"').toString("latin1")],
    ]);
    expect(parts.map((p) => p.content.toString())).toEqual(["1", "2"]);
  });

  it("files with a stream part are uploaded chunked", async () => {
    const srv = await okServer();
    await post(`${srv.url}/stream-upload`, {
      data: [["k", "v"]],
      files: [
        ["up", ["up.bin", generate([ALL_BYTES, "--", ALL_BYTES]) as AsyncIterable<Uint8Array>, "application/x-up"]],
        ["small", ["s.txt", "small"]],
      ],
    });
    const req = only(srv);
    expect(fields(req.headers, "transfer-encoding")).toEqual(["chunked"]);
    expect(getHeader(req.headers, "content-length")).toBeUndefined();
    const { parts } = parseMultipart(req.body, getHeader(req.headers, "content-type"));
    expect(parts).toEqual([
      { headers: [["Content-Disposition", 'form-data; name="k"']], content: latin1("v") },
      {
        headers: [
          ["Content-Disposition", 'form-data; name="up"; filename="up.bin"'],
          ["Content-Type", "application/x-up"],
        ],
        content: Buffer.concat([ALL_BYTES, latin1("--"), ALL_BYTES]),
      },
      { headers: [["Content-Disposition", 'form-data; name="small"; filename="s.txt"']], content: latin1("small") },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("auth and cookies", () => {
  const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;

  it("[user, pass] sends Basic credentials", async () => {
    const srv = await okServer();
    await get(`${srv.url}/a`, { auth: ["user", "pass"] });
    expect(fields(srv.seen[0]?.req.headers ?? [], "authorization")).toEqual(["Basic dXNlcjpwYXNz"]);
  });

  it("Basic credentials go out as UTF-8, whatever characters they hold", async () => {
    const srv = await okServer();
    await get(`${srv.url}/latin`, { auth: ["user", "päss"] });
    await get(`${srv.url}/euro`, { auth: ["user", "pass€"] });
    await get(`${srv.url}/both`, { auth: new HTTPBasicAuth("usér", "p€ss") });
    // URL userinfo: percent-encoded UTF-8 (what new URL() makes of "usér:päss")
    await get(`http://us%C3%A9r:p%C3%A4ss@127.0.0.1:${srv.port}/url`);
    expect(srv.seen.map((x) => getHeader(x.req.headers, "authorization"))).toEqual([
      "Basic dXNlcjpww6Rzcw==", // user:p\xc3\xa4ss, not user:p\xe4ss ("dXNlcjpw5HNz")
      "Basic dXNlcjpwYXNz4oKs",
      "Basic dXPDqXI6cOKCrHNz",
      "Basic dXPDqXI6cMOkc3M=",
    ]);
  });

  it("HTTPBasicAuth, as an option or as Session.auth, sends what [user, pass] sends", async () => {
    const srv = await okServer();
    await get(`${srv.url}/1`, { auth: new requests.auth.HTTPBasicAuth("user", "pass") });
    const s = session();
    s.auth = new HTTPBasicAuth("sess", "ion");
    await s.get(`${srv.url}/2`);
    await s.get(`${srv.url}/3`, { auth: ["req", "uest"] });
    expect(srv.seen.map((x) => getHeader(x.req.headers, "authorization"))).toEqual([
      "Basic dXNlcjpwYXNz",
      basic("sess", "ion"),
      basic("req", "uest"),
    ]);
  });

  it("credentials in the URL become Basic auth and are never sent in the request line or Host", async () => {
    const srv = await okServer();
    const r = await get(`http://us%40er:p%3Ass@127.0.0.1:${srv.port}/private?x=1`);
    expect(r.status_code).toBe(200);
    const req = srv.seen[0]?.req as RawRequest;
    expect(req.target).toBe("/private?x=1");
    expect(getHeader(req.headers, "host")).toBe(`127.0.0.1:${srv.port}`);
    expect(fields(req.headers, "authorization")).toEqual([basic("us@er", "p:ss")]);
    const wire = req.raw.toString("latin1");
    expect(wire).not.toContain("us%40er");
    expect(wire).not.toContain("p%3Ass");
    expect(wire).not.toContain("@");
  });

  it("explicit auth wins over credentials in the URL", async () => {
    const srv = await okServer();
    await get(`http://url:cred@127.0.0.1:${srv.port}/x`, { auth: ["opt", "ion"] });
    expect(fields(srv.seen[0]?.req.headers ?? [], "authorization")).toEqual([basic("opt", "ion")]);
  });

  it("a function edits the prepared request", async () => {
    const srv = await okServer();
    const seen: PreparedRequest[] = [];
    const sign = (p: PreparedRequest) => {
      seen.push(p);
      p.headers.set("X-Signature", `${p.method} ${new URL(p.url).pathname} ${(p.body as Uint8Array).length}`);
      p.headers.set("Authorization", "Token abc");
      return p;
    };
    const r = await post(`${srv.url}/signed`, { data: "12345", auth: sign });
    const h = srv.seen[0]?.req.headers ?? [];
    expect(field(h, "x-signature")).toBe("POST /signed 5");
    expect(fields(h, "authorization")).toEqual(["Token abc"]);
    expect(seen.length).toBe(1);
    expect(seen[0]).toBeInstanceOf(PreparedRequest);
    expect(r.request.headers.get("x-signature")).toBe("POST /signed 5");
  });

  it("a function may return another request, which is the one sent", async () => {
    const srv = await okServer();
    await get(`${srv.url}/copy`, {
      auth: (p) => {
        const c = p.copy();
        c.headers.set("X-Copied", "yes");
        return c;
      },
    });
    expect(field(srv.seen[0]?.req.headers ?? [], "x-copied")).toBe("yes");
  });

  it("session auth is the default, a request's auth replaces it", async () => {
    const srv = await okServer();
    const s = session();
    s.auth = ["sess", "ion"];
    await s.get(`${srv.url}/1`);
    await s.get(`${srv.url}/2`, { auth: ["req", "uest"] });
    s.auth = (p) => {
      p.headers.set("Authorization", "Bearer from-session");
      return undefined;
    };
    await s.get(`${srv.url}/3`);
    expect(srv.seen.map((x) => getHeader(x.req.headers, "authorization"))).toEqual([
      basic("sess", "ion"),
      basic("req", "uest"),
      "Bearer from-session",
    ]);
  });

  it("the cookies option sends a Cookie header and is not kept in the session", async () => {
    const srv = await okServer();
    const s = session();
    await s.get(`${srv.url}/1`, { cookies: { a: "1", b: "two" } });
    await s.get(`${srv.url}/2`);
    expect(fields(srv.seen[0]?.req.headers ?? [], "cookie")).toEqual(["a=1; b=two"]);
    expect(fields(srv.seen[1]?.req.headers ?? [], "cookie")).toEqual([]);
    expect(s.cookies.size).toBe(0);
  });

  it("session cookies go with every request; a request cookie of the same name wins", async () => {
    const srv = await okServer();
    const s = session();
    s.cookies.set("sid", "session");
    s.cookies.set("theme", "dark");
    await s.get(`${srv.url}/1`);
    await s.get(`${srv.url}/2`, { cookies: { sid: "override", extra: "1" } });
    const parse = (v: string | undefined) =>
      Object.fromEntries((v ?? "").split("; ").map((kv) => kv.split("=") as [string, string]));
    const cookieLines = srv.seen.map((x) => fields(x.req.headers, "cookie"));
    expect(cookieLines.map((l) => l.length)).toEqual([1, 1]);
    expect(parse(cookieLines[0]?.[0])).toEqual({ sid: "session", theme: "dark" });
    expect(parse(cookieLines[1]?.[0])).toEqual({ sid: "override", theme: "dark", extra: "1" });
    expect((cookieLines[1]?.[0] ?? "").split("; ").length).toBe(3);
    expect(s.cookies.toObject()).toEqual({ sid: "session", theme: "dark" });
  });
});

// ---------------------------------------------------------------------------------------------

describe("Response", () => {
  it("status_code, reason and ok", async () => {
    const srv = await rawEach((req) => {
      const status = decodeURIComponent(req.target.slice(1)).replace("_", " ");
      return response(status, [], "");
    });
    const s = session();
    const cases: Array<[string, number, string, boolean]> = [
      ["200_OK", 200, "OK", true],
      ["201_Created", 201, "Created", true],
      ["302_Found", 302, "Found", true],
      ["399_Odd", 399, "Odd", true],
      ["404_Not Found", 404, "Not Found", false],
      ["418_I'm a teapot", 418, "I'm a teapot", false],
      ["503_Service Unavailable", 503, "Service Unavailable", false],
    ];
    for (const [path, code, reason, ok] of cases) {
      const r = await s.get(`${srv.url}/${encodeURI(path).replace(/'/g, "%27")}`);
      expect([r.status_code, r.reason, r.ok]).toEqual([code, reason, ok]);
      expect(String(r)).toBe(`<Response [${code}]>`);
    }
  });

  it("headers: case-insensitive by bracket, get and has; iteration in the order received", async () => {
    const srv = await rawEach(() =>
      response(
        "200 OK",
        [
          ["Content-Type", "text/plain; charset=utf-8"],
          ["X-Custom", "Value With Case"],
          ["etag", '"abc"'],
        ],
        "hi",
      ),
    );
    const r = await get(`${srv.url}/h`);
    expect(r.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(r.headers["Content-Type"]).toBe("text/plain; charset=utf-8");
    expect(r.headers["CONTENT-TYPE"]).toBe("text/plain; charset=utf-8");
    expect(r.headers.get("x-custom")).toBe("Value With Case");
    expect(r.headers.get("ETag")).toBe('"abc"');
    expect(r.headers.get("missing")).toBeUndefined();
    expect(r.headers.get("missing", "fallback")).toBe("fallback");
    expect(r.headers.has("X-CUSTOM")).toBe(true);
    expect(r.headers.has("x-nope")).toBe(false);
    expect(r.headers["x-nope"]).toBeUndefined();
    expect("content-type" in r.headers).toBe(true);
    expect([...r.headers]).toEqual([
      ["Content-Type", "text/plain; charset=utf-8"],
      ["X-Custom", "Value With Case"],
      ["etag", '"abc"'],
      ["Content-Length", "2"],
    ]);
    expect(Object.keys(r.headers)).toEqual(["Content-Type", "X-Custom", "etag", "Content-Length"]);
  });

  it("repeated fields are joined with ', '; getAll('set-cookie') keeps each value", async () => {
    const srv = await rawEach(() =>
      response(
        "200 OK",
        [
          ["Set-Cookie", "a=1; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT"],
          ["X-Multi", "one"],
          ["set-cookie", "b=2; HttpOnly"],
          ["x-multi", "two"],
        ],
        "",
      ),
    );
    const r = await get(`${srv.url}/c`);
    expect(r.headers["x-multi"]).toBe("one, two");
    expect(r.headers["Set-Cookie"]).toBe("a=1; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT, b=2; HttpOnly");
    expect(r.headers.getAll("set-cookie")).toEqual([
      "a=1; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT",
      "b=2; HttpOnly",
    ]);
    expect(r.headers.getAll("X-MULTI")).toEqual(["one", "two"]);
    expect(r.headers.getAll("content-length")).toEqual(["0"]);
    expect(r.headers.getAll("absent")).toEqual([]);
  });

  it("content is the body as a Uint8Array", async () => {
    const srv = await rawEach(() => response("200 OK", [["Content-Type", "application/octet-stream"]], ALL_BYTES));
    const r = await get(`${srv.url}/bin`);
    expect(r.content).toBeInstanceOf(Uint8Array);
    expect(bytes(r.content)).toEqual(ALL_BYTES);
  });

  it("text is decoded with the charset of Content-Type", async () => {
    const bodies: Record<string, [string, Buffer]> = {
      "/utf8": ["text/html; charset=utf-8", utf8("héllo € 😀")],
      "/quoted": ['text/plain; charset="UTF-8"', utf8("naïve")],
      "/utf16": ["text/plain; charset=utf-16le", Buffer.from("ünï", "utf16le")],
      "/json": ["application/json", utf8('{"k": "ü"}')],
      "/latin1": ["text/plain; charset=iso-8859-1", latin1("caf\xe9")],
      "/latin1-alias": ["text/plain; charset=latin1", latin1("\x80\xe9")],
    };
    const srv = await rawEach((req) => {
      const [type, body] = bodies[req.target] as [string, Buffer];
      return response("200 OK", [["Content-Type", type]], body);
    });
    const s = session();
    const texts: Record<string, [string | undefined, string]> = {};
    for (const path of Object.keys(bodies)) {
      const r = await s.get(`${srv.url}${path}`);
      texts[path] = [r.encoding?.toLowerCase(), r.text];
    }
    expect(texts).toEqual({
      "/utf8": ["utf-8", "héllo € 😀"],
      "/quoted": ["utf-8", "naïve"],
      "/utf16": ["utf-16le", "ünï"],
      "/json": ["utf-8", '{"k": "ü"}'],
      "/latin1": ["iso-8859-1", "café"],
      "/latin1-alias": ["latin1", "\x80é"],
    });
  });

  it("charset=windows-1252 maps 0x80-0x9F to its own characters (Python's cp1252), not to C1 controls", async () => {
    const body = latin1("\x80\x85\x93\x94\x99\xe9");
    const srv = await rawEach(() => response("200 OK", [["Content-Type", "text/html; charset=windows-1252"]], body));
    const r = await get(`${srv.url}/cp1252`);
    expect(r.encoding).toBe("windows-1252");
    // b"\x80\x85\x93\x94\x99\xe9".decode("cp1252") == "€…“”™é"
    expect(r.text).toBe("€…“”™é");
  });

  it("text/* without a charset is ISO-8859-1, every byte 0x00-0xFF mapped 1:1", async () => {
    const srv = await rawEach(() => response("200 OK", [["Content-Type", "text/plain"]], ALL_BYTES));
    const r = await get(`${srv.url}/l1`);
    expect(r.encoding).toBe("ISO-8859-1");
    const expected = String.fromCharCode(...ALL_BYTES);
    expect(r.text).toBe(expected);
    // 0x80-0x9F are the C1 controls, not windows-1252's "€‚ƒ…"
    expect(r.text.charCodeAt(0x80)).toBe(0x80);
    expect(r.text.charCodeAt(0x9f)).toBe(0x9f);
  });

  it("without a Content-Type, text is UTF-8 when the body is UTF-8, else ISO-8859-1", async () => {
    const srv = await rawEach((req) =>
      response("200 OK", [], req.target === "/u8" ? utf8("żółw €") : latin1("caf\xe9")),
    );
    const s = session();
    const u8 = await s.get(`${srv.url}/u8`);
    expect(u8.encoding).toBeUndefined();
    expect(u8.text).toBe("żółw €");
    const l1 = await s.get(`${srv.url}/l1`);
    expect(l1.text).toBe("café");
  });

  it("encoding can be set, and text follows it", async () => {
    const srv = await rawEach(() => response("200 OK", [["Content-Type", "text/plain"]], utf8("é€")));
    const r = await get(`${srv.url}/e`);
    expect(r.text).toBe("\xc3\xa9\xe2\x82\xac");
    r.encoding = "utf-8";
    expect(r.encoding).toBe("utf-8");
    expect(r.text).toBe("é€");
    r.encoding = "ISO-8859-1";
    expect(r.text).toBe("\xc3\xa9\xe2\x82\xac");
  });

  it("json() parses the body; JSONDecodeError otherwise, with the response", async () => {
    const srv = await rawEach((req) =>
      req.target === "/good"
        ? response("200 OK", [["Content-Type", "application/json"]], utf8('{"a": [1, 2], "s": "é"}'))
        : response("200 OK", [["Content-Type", "application/json"]], req.target === "/empty" ? "" : "not json"),
    );
    const s = session();
    const good = await s.get(`${srv.url}/good`);
    expect(good.json()).toEqual({ a: [1, 2], s: "é" });
    const empty = await s.get(`${srv.url}/empty`);
    expect(thrown(() => empty.json())).toBeInstanceOf(JSONDecodeError);
    const bad = await s.get(`${srv.url}/bad`);
    const err = thrown(() => bad.json());
    expect(err).toBeInstanceOf(requests.JSONDecodeError);
    expect(err).toBeInstanceOf(JSONDecodeError);
    expect(err).toBeInstanceOf(requests.exceptions.JSONDecodeError);
    expect(err).toBeInstanceOf(InvalidJSONError);
    expect(err).toBeInstanceOf(requests.RequestException);
    expect(err).toBeInstanceOf(Error);
    const e = err as JSONDecodeError;
    expect(e.code).toBe("JSON_DECODE_ERROR");
    expect(e.name).toBe("JSONDecodeError");
    expect(e.response).toBe(bad);
    expect(e.request).toBe(bad.request);
    expect(e.cause).toBeInstanceOf(SyntaxError);
  });

  it("raise_for_status() raises HTTPError for 4xx and 5xx with requests' message", async () => {
    const srv = await httpServer((req, res) => {
      const code = Number(req.url?.split("/")[1]);
      res.statusCode = code;
      if (code === 499) res.statusMessage = "Custom Reason";
      res.end();
    });
    const s = session();
    for (const code of [200, 204, 301, 399]) {
      const r = await s.get(`${srv.url}/${code}`);
      expect(r.raise_for_status()).toBeUndefined();
    }
    const expectations: Array<[number, string]> = [
      [404, "404 Client Error: Not Found for url: "],
      [499, "499 Client Error: Custom Reason for url: "],
      [500, "500 Server Error: Internal Server Error for url: "],
      [503, "503 Server Error: Service Unavailable for url: "],
    ];
    for (const [code, prefix] of expectations) {
      const r = await s.get(`${srv.url}/${code}/x?y=1`);
      const err = thrown(() => r.raise_for_status());
      expect(err).toBeInstanceOf(HTTPError);
      expect(err).toBeInstanceOf(RequestException);
      const e = err as HTTPError;
      expect(e.message).toBe(`${prefix}${srv.url}/${code}/x?y=1`);
      expect(e.code).toBe("HTTP_ERROR");
      expect(e.response).toBe(r);
      expect(e.request).toBe(r.request);
    }
  });

  it("url is the URL requested (with params) and elapsed is a non-negative duration", async () => {
    const srv = await okServer();
    const r = await get(`${srv.url}/u`, { params: { a: "b" } });
    expect(r.url).toBe(`${srv.url}/u?a=b`);
    const seconds = r.elapsed.total_seconds();
    expect(Number.isFinite(seconds)).toBe(true);
    expect(seconds).toBeGreaterThanOrEqual(0);
    expect(r.elapsed.milliseconds).toBeCloseTo(seconds * 1000, 6);
  });

  it("links parses a Link header with several links and quoted parameters", async () => {
    const link =
      '<http://127.0.0.1/items?page=2>; rel="next"; title="Page, two; ok", ' +
      "<http://127.0.0.1/items?page=9>; rel=last, " +
      '</styles.css>; type="text/css"';
    const srv = await rawEach(() => response("200 OK", [["Link", link]], ""));
    const r = await get(`${srv.url}/l`);
    expect(r.links).toEqual({
      next: { url: "http://127.0.0.1/items?page=2", rel: "next", title: "Page, two; ok" },
      last: { url: "http://127.0.0.1/items?page=9", rel: "last" },
      "/styles.css": { url: "/styles.css", type: "text/css" },
    });
  });

  it("a response without a Link header has no links", async () => {
    const srv = await okServer();
    expect((await get(`${srv.url}/n`)).links).toEqual({});
  });

  it("is_redirect and is_permanent_redirect for 301/302/307/308 with a Location (not followed)", async () => {
    const srv = await rawEach((req) => {
      const code = req.target.slice(1, 4);
      const headers: Array<[string, string]> = req.target.endsWith("nolocation") ? [] : [["Location", "/target"]];
      return response(`${code} Moved`, headers, "");
    });
    const s = session();
    const results: Array<[number, boolean, boolean]> = [];
    for (const path of ["301", "302", "303", "307", "308", "302-nolocation", "200"]) {
      const r = await s.get(`${srv.url}/${path}`, { allow_redirects: false });
      results.push([r.status_code, r.is_redirect, r.is_permanent_redirect]);
      if (r.headers.has("location")) expect(r.headers.location).toBe("/target");
      expect(r.history).toEqual([]);
    }
    expect(results).toEqual([
      [301, true, true],
      [302, true, false],
      [303, true, false],
      [307, true, false],
      [308, true, true],
      [302, false, false],
      [200, false, false],
    ]);
    // Nothing was followed: the server saw only the six requests made.
    expect(srv.seen.map((x) => x.req.target)).toEqual([
      "/301",
      "/302",
      "/303",
      "/307",
      "/308",
      "/302-nolocation",
      "/200",
    ]);
  });

  it("request is the PreparedRequest that was sent", async () => {
    const srv = await okServer();
    const r = await post(`${srv.url}/p?x=1`, { params: { y: "2" }, json: { k: "v" }, headers: { "X-A": "a" } });
    const p = r.request;
    expect(p).toBeInstanceOf(PreparedRequest);
    expect(p.method).toBe("POST");
    expect(p.url).toBe(`${srv.url}/p?x=1&y=2`);
    expect(p.headers.get("x-a")).toBe("a");
    expect(p.headers.get("Content-Type")).toBe("application/json");
    expect(bytes(p.body as Uint8Array)).toEqual(srv.seen[0]?.req.body);
    // Every header of the prepared request is what the server got (plus Host).
    expect(srv.seen[0]?.req.headers.slice(1)).toEqual([...p.headers]);
  });

  it("an interim 103 response is skipped: the user gets the final one", async () => {
    const srv = await rawEach(() =>
      latin1(
        "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n" +
          "HTTP/1.1 200 OK\r\nX-Final: yes\r\nContent-Length: 5\r\n\r\nfinal",
      ),
    );
    const r = await get(`${srv.url}/hints`);
    expect(r.status_code).toBe(200);
    expect(r.text).toBe("final");
    expect([...r.headers]).toEqual([
      ["X-Final", "yes"],
      ["Content-Length", "5"],
    ]);
  });

  it("a body delimited by the end of the connection is read to the end; the next request uses a new connection", async () => {
    const srv = await raw(async (conn) => {
      const req = await conn.readRequest();
      if (req.target === "/eof") conn.end("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");
      else conn.end(response("200 OK", [["Connection", "close"]], "second"));
    });
    const s = session();
    const r = await s.get(`${srv.url}/eof`);
    expect(r.text).toBe("until the end");
    const r2 = await s.get(`${srv.url}/second`);
    expect(r2.text).toBe("second");
    expect(srv.requests.map((x) => [x.target, x.connection])).toEqual([
      ["/eof", 1],
      ["/second", 2],
    ]);
  });

  it("trailers of a chunked response", async () => {
    const srv = await rawEach(() =>
      Buffer.concat([
        latin1("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum, X-Count\r\n\r\n"),
        chunked(
          ["hel", "lo"],
          [
            ["X-Checksum", "5d41402a"],
            ["X-Count", "2"],
          ],
        ),
      ]),
    );
    const r = await get(`${srv.url}/t`);
    expect(r.text).toBe("hello");
    expect(r.trailers?.["x-checksum"]).toBe("5d41402a");
    expect(r.trailers?.get("X-COUNT")).toBe("2");
    expect(r.headers.has("x-checksum")).toBe(false);
  });

  it("a response without trailers has none", async () => {
    const srv = await okServer();
    const r = await get(`${srv.url}/n`);
    expect(r.trailers === undefined || r.trailers.size === 0).toBe(true);
    expect(r.text).toBe("ok");
  });
});

// ---------------------------------------------------------------------------------------------

describe("content decoding", () => {
  const BODY = utf8(`${"reqwire decodes response bodies. ".repeat(2000)}é€😀`);
  const encodings: Record<string, [string, Buffer]> = {
    "/gzip": ["gzip", zlib.gzipSync(BODY)],
    "/x-gzip": ["x-gzip", zlib.gzipSync(BODY)],
    "/deflate-zlib": ["deflate", zlib.deflateSync(BODY)],
    "/deflate-raw": ["deflate", zlib.deflateRawSync(BODY)],
    "/br": ["br", zlib.brotliCompressSync(BODY)],
    "/chain": ["gzip, br", zlib.brotliCompressSync(zlib.gzipSync(BODY))],
    "/identity": ["identity", BODY],
  };

  it("decodes gzip, deflate (zlib and raw), br and the chain 'gzip, br'", async () => {
    const srv = await rawEach((req) => {
      const [coding, body] = encodings[req.target] as [string, Buffer];
      return response(
        "200 OK",
        [
          ["Content-Type", "text/plain; charset=utf-8"],
          ["Content-Encoding", coding],
        ],
        body,
      );
    });
    const s = session();
    for (const path of Object.keys(encodings)) {
      const r = await s.get(`${srv.url}${path}`);
      expectBytes(r.content, BODY, path);
      expect(r.text.endsWith("é€😀"), path).toBe(true);
      // The headers stay as received.
      expect(r.headers["content-encoding"]).toBe(encodings[path]?.[0]);
    }
    expect(srv.seen.every((x) => getHeader(x.req.headers, "accept-encoding") === "gzip, deflate, br")).toBe(true);
  });

  it("decodes a gzip body sent chunked in small pieces, streamed", async () => {
    const gz = zlib.gzipSync(BODY);
    const srv = await raw(async (conn) => {
      await conn.readRequest();
      conn.write("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n");
      const pieces: Buffer[] = [];
      for (let i = 0; i < gz.length; i += 777) pieces.push(gz.subarray(i, i + 777));
      await conn.writeSlowly(chunked(pieces), { chunkSize: 4096, delayMs: 1 });
    });
    const s = session();
    const r = await s.get(`${srv.url}/gz`, { stream: true });
    const got: Buffer[] = [];
    for await (const c of r.iter_content()) got.push(bytes(c));
    expectBytes(Buffer.concat(got), BODY);
  });

  describe("a decompression bomb", () => {
    let bomb: Buffer;
    beforeAll(() => {
      bomb = zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024), { level: 9 });
    });

    it("over max_decoded_size is DecodedBodyTooLarge (a ContentDecodingError)", async () => {
      expect(bomb.length).toBeLessThan(200_000);
      const srv = await rawEach(() => response("200 OK", [["Content-Encoding", "gzip"]], bomb), {
        tolerateErrors: true,
      });
      const s = session();
      const err = await rejection(s.get(`${srv.url}/bomb`, { max_decoded_size: 1_000_000 }));
      expect(err).toBeInstanceOf(DecodedBodyTooLarge);
      expect(err).toBeInstanceOf(ContentDecodingError);
      expect(err).toBeInstanceOf(requests.ContentDecodingError);
      expect(err).toBeInstanceOf(RequestException);
      const e = err as DecodedBodyTooLarge;
      expect(e.code).toBe("DECODED_BODY_TOO_LARGE");
      expect(e.request?.url).toBe(`${srv.url}/bomb`);
      expect(e.response?.status_code).toBe(200);
      // the limit is ours: no decompressor failed, so nothing is wrapped as the cause
      expect(e.cause).toBeUndefined();
      expect(e.message).toMatch(/decodes to more than 1000000 bytes/);
    });

    it("streamed, fails while iterating, never yielding more than the limit", async () => {
      const srv = await rawEach(() => response("200 OK", [["Content-Encoding", "gzip"]], bomb), {
        tolerateErrors: true,
      });
      const s = session();
      const r = await s.get(`${srv.url}/bomb`, { stream: true, max_decoded_size: 1_000_000 });
      expect(r.status_code).toBe(200);
      let yielded = 0;
      const err = await rejection(async () => {
        for await (const c of r.iter_content()) yielded += c.length;
      });
      expect(err).toBeInstanceOf(DecodedBodyTooLarge);
      expect(yielded).toBeLessThanOrEqual(1_000_000);
      expect((err as DecodedBodyTooLarge).response).toBe(r);
    });
  });

  it("HEAD, 204 and an empty body under Content-Encoding: gzip are empty, without an error", async () => {
    const srv = await rawEach((req) => {
      if (req.target === "/204") return latin1("HTTP/1.1 204 No Content\r\nContent-Encoding: gzip\r\n\r\n");
      if (req.method === "HEAD")
        return latin1("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 30\r\n\r\n");
      return response("200 OK", [["Content-Encoding", "gzip"]], "");
    });
    const s = session();
    const rs = [await s.head(`${srv.url}/head`), await s.get(`${srv.url}/204`), await s.get(`${srv.url}/empty`)];
    expect(rs.map((r) => [r.status_code, r.content.length])).toEqual([
      [200, 0],
      [204, 0],
      [200, 0],
    ]);
    expect(srv.seen.every((x) => x.connection === 1)).toBe(true);
  });

  it("deflate and br delivered a few bytes at a time are decoded", async () => {
    const body = utf8("small body, decoded from tiny pieces: é€😀 ".repeat(20));
    const encoded: Record<string, [string, Buffer]> = {
      "/deflate": ["deflate", zlib.deflateSync(body)],
      "/raw": ["deflate", zlib.deflateRawSync(body)],
      "/br": ["br", zlib.brotliCompressSync(body)],
      "/gzip": ["gzip", zlib.gzipSync(body)],
    };
    const srv = await raw(async (conn) => {
      for (;;) {
        const req = await conn.nextRequest({ timeoutMs: 30_000 });
        if (req === null) return;
        const [coding, data] = encoded[req.target] as [string, Buffer];
        conn.write(`HTTP/1.1 200 OK\r\nContent-Encoding: ${coding}\r\nTransfer-Encoding: chunked\r\n\r\n`);
        const pieces: Buffer[] = [];
        // a lone first byte (deflate's wrapper check needs two), then 3 bytes per chunk
        pieces.push(data.subarray(0, 1));
        for (let i = 1; i < data.length; i += 3) pieces.push(data.subarray(i, i + 3));
        await conn.writeSlowly(chunked(pieces), { chunkSize: 16, delayMs: 1 });
      }
    });
    const s = session();
    for (const path of Object.keys(encoded)) {
      const r = await s.get(`${srv.url}${path}`);
      expectBytes(r.content, body, path);
    }
  });

  it("a corrupt gzip body is ContentDecodingError", async () => {
    const corrupt = Buffer.concat([zlib.gzipSync(BODY).subarray(0, 10), Buffer.from("this is not deflate data")]);
    const srv = await rawEach(() => response("200 OK", [["Content-Encoding", "gzip"]], corrupt), {
      tolerateErrors: true,
    });
    const s = session();
    const err = await rejection(s.get(`${srv.url}/corrupt`));
    expect(err).toBeInstanceOf(ContentDecodingError);
    expect(err).not.toBeInstanceOf(DecodedBodyTooLarge);
    const e = err as ContentDecodingError;
    expect(e.code).toBe("CONTENT_DECODING_ERROR");
    expect(e.request).toBeInstanceOf(PreparedRequest);
    expect(e.response?.status_code).toBe(200);
    expect(e.cause).toBeDefined();
  });

  it("max_body_size exceeded by the Content-Length is BodyTooLarge", async () => {
    const srv = await raw(
      async (conn) => {
        await conn.readRequest();
        conn.write("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n");
        await conn.writeSlowly(Buffer.alloc(1_000_000, 0x41), { chunkSize: 65536, delayMs: 1 });
      },
      { tolerateErrors: true },
    );
    const s = session();
    const err = await rejection(s.get(`${srv.url}/big`, { max_body_size: 1000 }));
    expect(err).toBeInstanceOf(BodyTooLarge);
    const e = err as BodyTooLarge;
    expect(e.code).toBe("BODY_TOO_LARGE");
    expect(e.request).toBeInstanceOf(PreparedRequest);
    expect(e.response?.status_code).toBe(200);
  });

  it("max_body_size exceeded by the Content-Length of a streamed response is BodyTooLarge", async () => {
    const srv = await rawEach(() => response("200 OK", [], Buffer.alloc(5000, 0x41)), { tolerateErrors: true });
    const s = session();
    const outcome = await rejection(async () => {
      const r = await s.get(`${srv.url}/big-stream`, { stream: true, max_body_size: 1000, timeout: 10 });
      for await (const _ of r.iter_content()) {
        // the body must not be delivered
      }
    });
    expect(outcome).toBeInstanceOf(BodyTooLarge);
    expect((outcome as BodyTooLarge).code).toBe("BODY_TOO_LARGE");
  });

  it("max_body_size exceeded by a chunked body is BodyTooLarge", async () => {
    const srv = await raw(
      async (conn) => {
        await conn.readRequest();
        conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (let i = 0; i < 20 && conn.write(chunked([Buffer.alloc(600, 0x42)]).subarray(0, -5)); i++) await sleep(1);
        conn.end("0\r\n\r\n");
      },
      { tolerateErrors: true },
    );
    const s = session();
    s.max_body_size = 1000;
    const err = await rejection(s.get(`${srv.url}/chunked-big`));
    expect(err).toBeInstanceOf(BodyTooLarge);
    expect((err as BodyTooLarge).response?.status_code).toBe(200);
  });

  it("a body exactly at max_body_size is accepted", async () => {
    const srv = await rawEach(() => response("200 OK", [], Buffer.alloc(1000, 0x43)));
    const r = await get(`${srv.url}/exact`, { max_body_size: 1000 });
    expect(r.content.length).toBe(1000);
  });
});

// ---------------------------------------------------------------------------------------------

describe("stream: true", () => {
  it("iter_content(n) yields pieces of n bytes, the last shorter", async () => {
    const srv = await raw(async (conn) => {
      await conn.readRequest();
      conn.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
      await conn.writeSlowly("abcdefghij", { chunkSize: 4, delayMs: 2 });
    });
    const s = session();
    const r = await s.get(`${srv.url}/ic`, { stream: true });
    const pieces: string[] = [];
    for await (const c of r.iter_content(3)) pieces.push(Buffer.from(c).toString("latin1"));
    expect(pieces).toEqual(["abc", "def", "ghi", "j"]);
  });

  it("iter_content(n) also works on a buffered response", async () => {
    const srv = await rawEach(() => response("200 OK", [], "0123456789"));
    const r = await get(`${srv.url}/b`);
    const pieces: string[] = [];
    for await (const c of r.iter_content(4)) pieces.push(Buffer.from(c).toString());
    expect(pieces).toEqual(["0123", "4567", "89"]);
    expect(r.text).toBe("0123456789");
  });

  it("a streamed body read to the end gives its connection back for the next request", async () => {
    const srv = await rawEach((req) => response("200 OK", [], `body ${req.target}`));
    const s = session();
    const r1 = await s.get(`${srv.url}/1`, { stream: true });
    const got: string[] = [];
    for await (const c of r1.iter_content()) got.push(Buffer.from(c).toString());
    const r2 = await s.get(`${srv.url}/2`, { stream: true });
    await r2.read();
    const r3 = await s.get(`${srv.url}/3`);
    expect([got.join(""), r2.text, r3.text]).toEqual(["body /1", "body /2", "body /3"]);
    expect(srv.seen.map((x) => x.connection)).toEqual([1, 1, 1]);
  });

  it("iter_content() without a size yields every byte, in order", async () => {
    const srv = await raw(async (conn) => {
      await conn.readRequest();
      conn.write(`HTTP/1.1 200 OK\r\nContent-Length: ${ALL_BYTES.length}\r\n\r\n`);
      await conn.writeSlowly(ALL_BYTES, { chunkSize: 50, delayMs: 1 });
    });
    const r = await session().get(`${srv.url}/ic`, { stream: true });
    const got: Buffer[] = [];
    for await (const c of r.iter_content()) got.push(Buffer.from(c));
    expect(Buffer.concat(got)).toEqual(ALL_BYTES);
  });

  it("iter_lines() splits on \\n and \\r\\n, also across chunks", async () => {
    const body = "one\ntwo\r\nthree\r\n\r\nfive\nlast";
    const srv = await raw(async (conn) => {
      await conn.readRequest();
      conn.write(
        `HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      await conn.writeSlowly(body, { chunkSize: 3, delayMs: 1 });
    });
    const r = await session().get(`${srv.url}/lines`, { stream: true });
    const lines: string[] = [];
    for await (const line of r.iter_lines()) {
      expect(line).toBeInstanceOf(Uint8Array);
      lines.push(Buffer.from(line).toString("latin1"));
    }
    expect(lines).toEqual(["one", "two", "three", "", "five", "last"]);
  });

  it("iter_lines() gives the same lines whatever the chunk_size (a CRLF split between pieces)", async () => {
    const body = "alpha\r\nbeta\n\r\ngamma\r\n";
    const srv = await rawEach(() => response("200 OK", [["Content-Type", "text/plain"]], body));
    const s = session();
    for (const chunk_size of [1, 2, 3, 5, 6, 64]) {
      const r = await s.get(`${srv.url}/cs${chunk_size}`, { stream: true });
      const lines: string[] = [];
      for await (const line of r.iter_lines({ chunk_size })) lines.push(Buffer.from(line).toString("latin1"));
      expect(lines, `chunk_size ${chunk_size}`).toEqual(["alpha", "beta", "", "gamma"]);
    }
  });

  it("iter_lines({ decode_unicode: true }) yields strings, a character split across chunks intact", async () => {
    const body = utf8("héllo\r\nwörld €\n😀 end\n");
    const srv = await raw(async (conn) => {
      await conn.readRequest();
      conn.write(
        `HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      await conn.writeSlowly(body, { chunkSize: 1, delayMs: 0 });
    });
    const r = await session().get(`${srv.url}/u`, { stream: true });
    const lines: string[] = [];
    for await (const line of r.iter_lines({ decode_unicode: true })) {
      expect(typeof line).toBe("string");
      lines.push(line);
    }
    expect(lines).toEqual(["héllo", "wörld €", "😀 end"]);
  });

  it("await r.read() reads the rest, then content, text and json() work", async () => {
    const body = utf8('{"streamed": "é"}');
    const srv = await raw(async (conn) => {
      await conn.readRequest();
      conn.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
      await conn.writeSlowly(body, { chunkSize: 5, delayMs: 2 });
    });
    const r = await session().get(`${srv.url}/r`, { stream: true });
    expect(r.status_code).toBe(200);
    const read = await r.read();
    expect(bytes(read)).toEqual(body);
    expect(bytes(r.content)).toEqual(body);
    expect(r.text).toBe('{"streamed": "é"}');
    expect(r.json()).toEqual({ streamed: "é" });
    // Reading again gives the same bytes.
    expect(bytes(await r.read())).toEqual(body);
  });

  it("a second read of a consumed stream is StreamConsumedError", async () => {
    const srv = await rawEach(() => response("200 OK", [], "consumed once"));
    const r = await session().get(`${srv.url}/c`, { stream: true });
    const got: Buffer[] = [];
    for await (const c of r.iter_content()) got.push(Buffer.from(c));
    expect(Buffer.concat(got).toString()).toBe("consumed once");

    const again = await rejection(async () => {
      for await (const _ of r.iter_content()) {
        // never reached
      }
    });
    expect(again).toBeInstanceOf(StreamConsumedError);
    expect((again as StreamConsumedError).code).toBe("STREAM_CONSUMED");
    expect((again as StreamConsumedError).response).toBe(r);
    expect((again as StreamConsumedError).request).toBe(r.request);

    const read = await rejection(r.read());
    expect(read).toBeInstanceOf(StreamConsumedError);
    expect(read).toBeInstanceOf(RequestException);
    expect((read as StreamConsumedError).request).toBe(r.request);
    expect((read as StreamConsumedError).response).toBe(r);
    expect(thrown(() => r.content)).toBeInstanceOf(StreamConsumedError);
  });

  it("a 5 MiB download is consumed incrementally, chunk by chunk, while the server writes slowly", async () => {
    const TOTAL = 5 * 1024 * 1024;
    const PIECE = 64 * 1024;
    const expected = createHash("sha256");
    for (let i = 0; i < TOTAL / PIECE; i++) expected.update(Buffer.alloc(PIECE, i & 0xff));
    let written = 0;
    let consumed = 0;
    let serverGaveUp = false;
    const srv = await httpServer(async (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": String(TOTAL) });
      for (let i = 0; written < TOTAL; i++) {
        const ok = res.write(Buffer.alloc(PIECE, i & 0xff));
        written += PIECE;
        if (!ok) await new Promise((resolve) => res.once("drain", resolve));
        await sleep(1);
        // Every MiB, wait until the client has consumed everything sent so far: a client that
        // held the body back until the end would never get there (bounded: then give up).
        if (written % (1024 * 1024) === 0 && written < TOTAL) {
          const deadline = Date.now() + 15_000;
          while (consumed < written && Date.now() < deadline) await sleep(2);
          if (consumed < written) {
            serverGaveUp = true;
            res.destroy();
            return;
          }
        }
      }
      res.end();
    });
    const r = await session().get(`${srv.url}/big`, { stream: true, timeout: 30 });
    expect(r.headers["content-length"]).toBe(String(TOTAL));
    const hash = createHash("sha256");
    let chunks = 0;
    let largest = 0;
    for await (const c of r.iter_content(PIECE)) {
      hash.update(c);
      consumed += c.length;
      chunks++;
      largest = Math.max(largest, c.length);
    }
    expect(serverGaveUp).toBe(false);
    expect(consumed).toBe(TOTAL);
    expect(chunks).toBe(TOTAL / PIECE);
    expect(largest).toBe(PIECE);
    expect(hash.digest("hex")).toBe(expected.digest("hex"));
  });

  it("backpressure: a reader that stops reading stops the server (the body is not buffered)", async () => {
    const TOTAL = 64 * 1024 * 1024;
    const PIECE = 64 * 1024;
    let written = 0;
    let waitingForDrain = false;
    const srv = await httpServer(async (_req, res) => {
      res.writeHead(200, { "Content-Length": String(TOTAL) });
      while (written < TOTAL && !res.destroyed) {
        const ok = res.write(Buffer.alloc(PIECE, 0x5a));
        written += PIECE;
        if (!ok) {
          waitingForDrain = true;
          await new Promise((resolve) => {
            const done = () => {
              res.off("drain", done);
              res.off("close", done);
              resolve(undefined);
            };
            res.on("drain", done);
            res.on("close", done);
          });
          waitingForDrain = false;
        }
      }
      res.end();
    });
    const r = await session().get(`${srv.url}/huge`, { stream: true, timeout: 30 });
    const it = r.iter_content()[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.done).toBe(false);
    // Stop reading; wait (bounded) until the server is stuck waiting for 'drain' and stable.
    let last = -1;
    let stable = 0;
    for (let i = 0; i < 500 && stable < 10; i++) {
      await sleep(10);
      stable = waitingForDrain && written === last ? stable + 1 : 0;
      last = written;
    }
    expect(waitingForDrain).toBe(true);
    expect(written).toBeLessThan(TOTAL / 2);
    // Reading again lets the server go on to the end.
    let received = (first.value as Uint8Array).length;
    for (let n = await it.next(); !n.done; n = await it.next()) received += n.value.length;
    expect(received).toBe(TOTAL);
  });

  it("r.close() on an unread body closes its connection; the session's next request works", async () => {
    let firstConnClosedByClient: Promise<boolean> | undefined;
    const srv = await raw(async (conn) => {
      const req = await conn.readRequest();
      if (req.target === "/endless") {
        conn.write("HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n");
        conn.write(Buffer.alloc(100_000, 0x61));
        firstConnClosedByClient = conn.waitForClientClose(10_000);
        await firstConnClosedByClient;
        return;
      }
      conn.write(response("200 OK", [], `after ${req.target}`));
      await conn.waitForClientClose(30_000);
    });
    const s = session();
    const r = await s.get(`${srv.url}/endless`, { stream: true });
    const it = r.iter_content()[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    r.close();
    await until(() => firstConnClosedByClient !== undefined);
    expect(await firstConnClosedByClient).toBe(true);
    const r2 = await s.get(`${srv.url}/next`);
    expect(r2.status_code).toBe(200);
    expect(r2.text).toBe("after /next");
    expect(srv.requests.map((x) => [x.target, x.connection])).toEqual([
      ["/endless", 1],
      ["/next", 2],
    ]);
  });

  it("r.close() before any read, then the session goes on", async () => {
    const srv = await rawEach((req) =>
      req.target === "/unread"
        ? response("200 OK", [], Buffer.alloc(3 * 1024 * 1024, 0x62))
        : response("200 OK", [], "fine"),
    );
    const s = session();
    const r = await s.get(`${srv.url}/unread`, { stream: true });
    r.close();
    const r2 = await s.get(`${srv.url}/after`);
    expect(r2.text).toBe("fine");
    expect(srv.seen.map((x) => x.req.target)).toEqual(["/unread", "/after"]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("errors before any byte is sent", () => {
  /**
   * A server that logs every connection and request; `check` asserts that nothing reached it,
   * then sends a valid request on `s` and asserts that it is the first thing that arrived.
   */
  async function guarded() {
    const srv = await rawEach((req) => response("200 OK", [], `got ${req.target}`));
    const s = session();
    return {
      srv,
      s,
      async check(): Promise<void> {
        expect(srv.connections).toBe(0);
        const r = await s.get(`${srv.url}/valid`);
        expect(r.text).toBe("got /valid");
        expect(srv.connections).toBe(1);
        expect(srv.seen.length).toBe(1);
        expect(srv.seen[0]?.req.raw.toString("latin1").startsWith("GET /valid HTTP/1.1\r\n")).toBe(true);
      },
    };
  }

  it("MissingSchema for a URL without a scheme", async () => {
    const { s, check } = await guarded();
    const err = await rejection(s.get("example.test/x"));
    expect(err).toBeInstanceOf(MissingSchema);
    expect(err).toBeInstanceOf(RequestException);
    expect((err as MissingSchema).code).toBe("MISSING_SCHEMA");
    expect((err as MissingSchema).message).toBe(
      "Invalid URL 'example.test/x': No scheme supplied. Perhaps you meant https://example.test/x?",
    );
    expect((err as MissingSchema).request).toBeUndefined();
    const err2 = await rejection(get("example.test/x"));
    expect(err2).toBeInstanceOf(requests.MissingSchema);
    await check();
  });

  it("InvalidURL for credentials in the URL that are not UTF-8 percent-encoding", async () => {
    const { srv, s, check } = await guarded();
    const err = await rejection(s.get(`http://us%E9r:x@127.0.0.1:${srv.port}/x`));
    expect(err).toBeInstanceOf(InvalidURL);
    expect((err as InvalidURL).message).toMatch(/credentials are not UTF-8 percent-encoded/);
    await check();
  });

  it("InvalidSchema for a scheme other than http/https", async () => {
    const { srv, s, check } = await guarded();
    const err = await rejection(s.get(`ftp://127.0.0.1:${srv.port}/file`));
    expect(err).toBeInstanceOf(InvalidSchema);
    expect((err as InvalidSchema).code).toBe("INVALID_SCHEMA");
    expect((err as InvalidSchema).message).toBe(
      `No connection adapters were found for 'ftp://127.0.0.1:${srv.port}/file'`,
    );
    await check();
  });

  it("InvalidURL for a URL that cannot be parsed", async () => {
    const { srv, s, check } = await guarded();
    for (const bad of [`http://[127.0.0.1]:${srv.port}/x`, `http://127.0.0.1:${srv.port}99999/x`, "http://"]) {
      const err = await rejection(s.get(bad));
      expect(err, bad).toBeInstanceOf(InvalidURL);
      expect((err as InvalidURL).code).toBe("INVALID_URL");
      expect((err as InvalidURL).cause, bad).toBeInstanceOf(TypeError);
    }
    await check();
  });

  it("InvalidHeader for CR or LF in a header value (no injected header is sent)", async () => {
    const { srv, s, check } = await guarded();
    for (const value of ["a\r\nX-Injected: 1", "a\nX-Injected: 1", "a\rb"]) {
      const err = await rejection(s.get(`${srv.url}/crlf`, { headers: { "X-Bad": value } }));
      expect(err).toBeInstanceOf(InvalidHeader);
      const e = err as InvalidHeader;
      expect(e.code).toBe("INVALID_HEADER");
      expect(e.request).toBeInstanceOf(PreparedRequest);
      expect(e.request?.headers.get("x-bad")).toBe(value);
      expect(e.cause).toBeInstanceOf(SerializeError);
      expect(e.response).toBeUndefined();
    }
    await check();
  });

  it("InvalidHeader for a header name that is not a token", async () => {
    const { srv, s, check } = await guarded();
    for (const name of ["Bad Name", "X-A:", "X-Ü", ""]) {
      const err = await rejection(s.get(`${srv.url}/name`, { headers: { [name]: "v" } }));
      expect(err, JSON.stringify(name)).toBeInstanceOf(InvalidHeader);
      expect((err as InvalidHeader).code).toBe("INVALID_HEADER");
    }
    await check();
  });

  it("InvalidHeader for leading whitespace in a value, also from the session", async () => {
    const { srv, s, check } = await guarded();
    for (const value of [" leading", "\tleading"]) {
      const err = await rejection(s.get(`${srv.url}/ws`, { headers: { "X-Ws": value } }));
      expect(err).toBeInstanceOf(InvalidHeader);
      expect((err as InvalidHeader).code).toBe("INVALID_HEADER");
    }
    const s2 = session();
    s2.headers["X-From-Session"] = " bad";
    expect(await rejection(s2.get(`${srv.url}/ws2`))).toBeInstanceOf(InvalidHeader);
    await check();
  });

  it("InvalidJSONError for a value JSON cannot carry (BigInt, NaN, a cycle)", async () => {
    const { srv, s, check } = await guarded();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const value of [{ n: 1n }, { x: Number.NaN }, { x: Number.POSITIVE_INFINITY }, cycle]) {
      const err = await rejection(s.post(`${srv.url}/json`, { json: value }));
      expect(err).toBeInstanceOf(InvalidJSONError);
      expect(err).not.toBeInstanceOf(JSONDecodeError);
      const e = err as InvalidJSONError;
      expect(e.code).toBe("INVALID_JSON");
      expect(e.cause).toBeInstanceOf(Error);
    }
    await check();
  });
});

// ---------------------------------------------------------------------------------------------

describe("errors carry code, request, response and cause", () => {
  it("ConnectionError for a refused connection, with the socket error as cause", async () => {
    const srv = await httpServer();
    const port = srv.port;
    await srv.close();
    const err = await rejection(session().get(`http://127.0.0.1:${port}/refused`));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toBeInstanceOf(requests.ConnectionError);
    const e = err as ConnectionError;
    expect(e.code).toBe("CONNECTION_ERROR");
    expect(e.request).toBeInstanceOf(PreparedRequest);
    expect(e.request?.url).toBe(`http://127.0.0.1:${port}/refused`);
    expect(e.response).toBeUndefined();
    expect((e.cause as NodeJS.ErrnoException | undefined)?.code).toBe("ECONNREFUSED");
  });

  it("ReadTimeout when the server sends nothing, with the request", async () => {
    const srv = await raw(
      async (conn) => {
        await conn.readRequest();
        await conn.waitForClientClose(20_000);
      },
      { tolerateErrors: true },
    );
    const err = await rejection(session().get(`${srv.url}/silent`, { timeout: 0.3 }));
    expect(err).toBeInstanceOf(ReadTimeout);
    expect(err).toBeInstanceOf(Timeout);
    const e = err as ReadTimeout;
    expect(e.code).toBe("READ_TIMEOUT");
    expect(e.request?.url).toBe(`${srv.url}/silent`);
    expect(e.response).toBeUndefined();
  });

  it("ChunkedEncodingError when the body is cut short, with the response", async () => {
    const srv = await raw(async (conn) => {
      await conn.readRequest();
      conn.end("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf");
    });
    const err = await rejection(session().get(`${srv.url}/short`));
    expect(err).toBeInstanceOf(ChunkedEncodingError);
    const e = err as ChunkedEncodingError;
    expect(e.code).toBe("CHUNKED_ENCODING_ERROR");
    expect(e.request?.method).toBe("GET");
    expect(e.response?.status_code).toBe(200);
    expect(e.cause).toBeInstanceOf(ParseError);
  });

  it("RequestAborted when the signal aborts, with the signal's reason as cause", async () => {
    const srv = await raw(
      async (conn) => {
        await conn.readRequest();
        await conn.waitForClientClose(20_000);
      },
      { tolerateErrors: true },
    );
    const controller = new AbortController();
    const reason = new Error("user gave up");
    const pending = session().get(`${srv.url}/abort`, { signal: controller.signal });
    await until(() => srv.requests.length === 1);
    controller.abort(reason);
    const err = await rejection(pending);
    expect(err).toBeInstanceOf(requests.RequestAborted);
    const e = err as RequestException;
    expect(e.code).toBe("ABORTED");
    expect(e.cause).toBe(reason);
    expect(e.request?.url).toBe(`${srv.url}/abort`);
  });

  it("every exported error class has a distinct stable code and extends RequestException", () => {
    const classes = Object.entries(requests.exceptions).filter(
      ([, v]) => typeof v === "function" && (v === RequestException || v.prototype instanceof RequestException),
    ) as Array<[string, typeof RequestException]>;
    expect(classes.length).toBeGreaterThan(20);
    const codes = new Set<string>();
    for (const [name, Cls] of classes) {
      const e = new Cls("m", { cause: "c" });
      expect(e.name).toBe(name);
      expect(e.code).toMatch(/^[A-Z_]+$/);
      expect(e.code).toBe(Cls.code);
      expect(e.cause).toBe("c");
      codes.add(e.code);
    }
    expect(codes.size).toBe(classes.length);
    // requests.exceptions lists every error class errors.ts exports, and nothing else
    const exported = Object.entries(errorModule).filter(
      ([, v]) => typeof v === "function" && (v === RequestException || v.prototype instanceof RequestException),
    );
    expect(Object.keys(requests.exceptions).sort()).toEqual(exported.map(([name]) => name).sort());
    expect(Object.isFrozen(requests.exceptions)).toBe(true);
  });
});
