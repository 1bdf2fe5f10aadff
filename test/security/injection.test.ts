// Security regression: CRLF/NUL injection. Whatever a caller puts in the method, the URL, a
// header name or a header value (directly, from the session, as a cookie or a parameter), no
// byte of it may end a line of the request: the request is refused before any connection is
// made (InvalidHeader, InvalidURL), or the characters arrive percent-encoded / removed as the
// URL standard does. The server must never see an injected header or a second request.
import { afterEach, describe, expect, it } from "vitest";
import { InvalidHeader, InvalidURL, RequestException } from "../../src/index.js";
import { rawEach, rejection, runCleanups, session } from "../api/helpers.js";

afterEach(runCleanups);

const OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

async function server() {
  const srv = await rawEach(() => OK);
  const s = session();
  s.trust_env = false;
  /** Nothing was injected into anything the server received, and it got `requests` requests. */
  const check = async (requests: number) => {
    await srv.idle(100);
    expect(srv.seen.length).toBe(requests);
    for (const { req } of srv.seen) {
      // one request line, then only the fields the client means to send
      expect(req.headers.map(([name]) => name.toLowerCase())).not.toContain("x-injected");
      expect(req.raw.toString("latin1").split("\r\n").slice(1)).not.toContainEqual(expect.stringMatching(/^GET /));
      expect(req.raw.includes(0)).toBe(false);
    }
  };
  return { srv, s, check };
}

/** Bad input refused before any byte was sent: a typed error, no connection. */
async function refused(p: Promise<unknown>, cls: typeof RequestException, connections: () => number) {
  const err = await rejection(p);
  expect(err).toBeInstanceOf(cls);
  expect(connections()).toBe(0);
}

describe("CRLF/NUL injection", () => {
  it("CRLF/NUL injection in the method", async () => {
    const { srv, s, check } = await server();
    for (const method of [
      "GET\r\nX-Injected: 1",
      "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /smuggled",
      "GE\u0000T",
      "GET\n",
      "GET\r",
      "GET /x",
      "",
    ]) {
      await refused(s.request(method, `${srv.url}/m`), InvalidHeader, () => srv.connections);
    }
    await check(0);
  });

  it("CRLF/NUL injection in the URL", async () => {
    const { srv, s, check } = await server();
    // in the host: not a URL at all
    for (const host of ["127.0.0.1\r\nX-Injected: 1", "127.0.0.1\u0000x", "a b"]) {
      await refused(s.get(`http://${host}:${srv.port}/`), InvalidURL, () => srv.connections);
    }
    // in the path, query and parameters: removed (tab, CR, LF, as WHATWG URL does) or encoded
    await s.get(`${srv.url}/a\r\nX-Injected: 1\r\n\r\nGET /smuggled HTTP/1.1`);
    await s.get(`${srv.url}/b?q=\r\nX-Injected: 1`);
    await s.get(`${srv.url}/c\u0000d?e\u0000f`);
    await s.get(`${srv.url}/d`, { params: { "k\r\nX-Injected": "v\r\n\u0000" } });
    await check(4);
    const targets = srv.seen.map(({ req }) => req.target);
    for (const t of targets) expect(t).toMatch(/^[\x21-\x7e]+$/);
    expect(targets[2]).toBe("/c%00d?e%00f");
    expect(targets[3]).toBe("/d?k%0D%0AX-Injected=v%0D%0A%00");
  });

  it("CRLF/NUL injection in a header name", async () => {
    const { srv, s, check } = await server();
    for (const name of ["X-A\r\nX-Injected", "X-A\nX-Injected", "X-A\u0000", "X-A\r", "X-Injected:1\r\nX-B"]) {
      await refused(s.get(`${srv.url}/n`, { headers: { [name]: "1" } }), InvalidHeader, () => srv.connections);
    }
    s.headers["X-Session\r\nX-Injected"] = "1";
    await refused(s.get(`${srv.url}/n`), InvalidHeader, () => srv.connections);
    await check(0);
  });

  it("CRLF/NUL injection in a header value", async () => {
    const { srv, s, check } = await server();
    for (const value of [
      "1\r\nX-Injected: 1",
      "1\nX-Injected: 1",
      "1\rX-Injected: 1",
      "1\u0000",
      "1\r\n\r\nGET /smuggled",
    ]) {
      await refused(s.get(`${srv.url}/v`, { headers: { "X-A": value } }), InvalidHeader, () => srv.connections);
      // the same through other ways of setting a header: a cookie, the session
      await refused(s.get(`${srv.url}/v`, { cookies: { c: value } }), RequestException, () => srv.connections);
    }
    s.headers["X-Session"] = "1\r\nX-Injected: 1";
    await refused(s.get(`${srv.url}/v`), InvalidHeader, () => srv.connections);
    await check(0);
  });
});
