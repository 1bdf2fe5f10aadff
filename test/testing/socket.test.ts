// The mock transport's connections: real_http (requests no mock matches go to a real server on
// 127.0.0.1, mixed with mocked ones on the same connection), and what it does with a connection
// that fails or closes.
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionError, type Transport } from "../../src/index.js";
import { Mocker, NoMockAddress } from "../../src/testing/index.js";
import { nodeTransport } from "../../src/transport/node.js";
import { httpServer, runCleanups, session } from "../api/helpers.js";

afterEach(runCleanups);

describe("real_http", () => {
  it("sends what no mock matches to the real server; mocks still answer the rest", async () => {
    const srv = await httpServer((req, res) => {
      res.setHeader("Content-Type", "text/plain");
      res.end(`real ${req.method} ${req.url}`);
    });
    const m = new Mocker({ real_http: true });
    const s = session({ transport: m.transport });
    m.get(`${srv.url}/mocked`, { text: "mocked" });
    const texts: string[] = [];
    texts.push((await s.get(`${srv.url}/mocked`)).text);
    texts.push((await s.get(`${srv.url}/real?x=1`)).text);
    texts.push((await s.get(`${srv.url}/mocked`)).text);
    texts.push((await s.post(`${srv.url}/real`, { data: "body" })).text);
    expect(texts).toEqual(["mocked", "real GET /real?x=1", "mocked", "real POST /real"]);
    // the server saw only the unmatched requests, with their bodies, over one connection
    expect(srv.received.map((r) => `${r.method} ${r.url} ${r.body.toString()}`)).toEqual([
      "GET /real?x=1 ",
      "POST /real body",
    ]);
    expect(srv.connections()).toBe(1);
    // every request is in the history, passed through or not
    expect(m.request_history.map((r) => r.path)).toEqual(["/mocked", "/real", "/mocked", "/real"]);
  });

  it("passes a read-to-close body and the server's close through", async () => {
    const srv = await httpServer((_req, res) => {
      // no Content-Length, not chunked: the body ends where the connection does
      res.useChunkedEncodingByDefault = false;
      res.shouldKeepAlive = false;
      res.write("to the ");
      res.end("end");
    });
    const m = new Mocker({ real_http: true });
    const s = session({ transport: m.transport });
    expect((await s.get(`${srv.url}/close`)).text).toBe("to the end");
    expect((await s.get(`${srv.url}/close`)).text).toBe("to the end");
    expect(srv.connections()).toBe(2);
  });

  it("takes a transport of its own", async () => {
    const srv = await httpServer((_req, res) => void res.end("through the given transport"));
    let connects = 0;
    const counting: Transport = {
      connect: (options) => {
        connects++;
        return nodeTransport.connect(options);
      },
    };
    const m = new Mocker({ real_http: counting });
    const s = session({ transport: m.transport });
    expect((await s.get(`${srv.url}/`)).text).toBe("through the given transport");
    expect(connects).toBe(1);
  });

  it("a real server that cannot be reached is a ConnectionError", async () => {
    const srv = await httpServer();
    const port = srv.port;
    await srv.close();
    const m = new Mocker({ real_http: true });
    const s = session({ transport: m.transport });
    const err = await s.get(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).not.toBeInstanceOf(NoMockAddress);
    expect((err as Error).message).toContain(`cannot connect to 127.0.0.1:${port}`);
  });

  it("without real_http nothing reaches the network", async () => {
    const srv = await httpServer();
    const m = new Mocker();
    const s = session({ transport: m.transport });
    await expect(s.get(`${srv.url}/`)).rejects.toBeInstanceOf(NoMockAddress);
    expect(srv.received).toHaveLength(0);
    expect(srv.connections()).toBe(0);
  });
});

describe("connections", () => {
  it("after a failed request the session goes on, on a new connection", async () => {
    const m = new Mocker();
    const s = session({ transport: m.transport });
    m.get("http://api.test/ok", { text: "ok" });
    expect((await s.get("http://api.test/ok")).text).toBe("ok");
    await expect(s.get("http://api.test/nope")).rejects.toBeInstanceOf(NoMockAddress);
    expect((await s.get("http://api.test/ok")).text).toBe("ok");
    const pool = [...s.agent.pools.values()][0];
    expect(pool?.size).toBe(1);
  });

  it("a NoMockAddress is not retried as a stale connection would be", async () => {
    const m = new Mocker();
    const s = session({ transport: m.transport });
    m.get("http://api.test/ok", { text: "ok" });
    await s.get("http://api.test/ok"); // the connection is reused for the next request
    await expect(s.get("http://api.test/unknown")).rejects.toBeInstanceOf(NoMockAddress);
    expect(m.request_history.map((r) => r.path)).toEqual(["/ok", "/unknown"]);
  });

  it("through a proxy (a CONNECT tunnel for https, absolute-form for http) the targets are mocked", async () => {
    const m = new Mocker();
    const s = session({ transport: m.transport });
    s.proxies = { http: "http://proxy.test:3128", https: "http://proxy.test:3128" };
    m.get("https://api.test/secure", { text: "through the tunnel" });
    m.get("http://api.test/plain", { text: "through the proxy" });
    expect((await s.get("https://api.test/secure")).text).toBe("through the tunnel");
    expect((await s.get("https://api.test/secure")).text).toBe("through the tunnel");
    expect((await s.get("http://api.test/plain")).text).toBe("through the proxy");
    // CONNECT is the proxy's business: the history holds the requests to the targets
    expect(m.request_history.map(String)).toEqual([
      "GET https://api.test/secure",
      "GET https://api.test/secure",
      "GET http://api.test/plain",
    ]);
  });

  it("a connect aborted before it starts fails as the pool would fail it", async () => {
    const m = new Mocker();
    const ac = new AbortController();
    ac.abort(new Error("stop"));
    await expect(m.transport.connect({ host: "api.test", port: 80, signal: ac.signal })).rejects.toMatchObject({
      kind: "aborted",
    });
  });
});
