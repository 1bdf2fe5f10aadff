// Transport adapters and interceptors: Session.mount with requests' prefix rules, get_adapter,
// HTTPAdapter's options (max_retries, pool_connections, pool_block), FetchAdapter, an adapter of
// the user's own, and session.use interceptors (order, every hop, short-circuit) — against real
// servers on 127.0.0.1.
import { afterEach, describe, expect, it } from "vitest";
import {
  type Adapter,
  ConnectionError,
  FetchAdapter,
  fetchTransport,
  HTTPAdapter,
  type Interceptor,
  InvalidSchema,
  type PreparedRequest,
  type Response,
  type SendOptions,
} from "../../../src/index.js";
import { httpServer, raw, rawEach, rejectionOf, runCleanups, session } from "../helpers.js";

afterEach(runCleanups);

const ok = (body: string) => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

/** An adapter that hands each request to another and notes what it saw. */
class Recording implements Adapter {
  readonly seen: string[] = [];
  closed = 0;
  constructor(
    readonly name: string,
    readonly inner: Adapter,
  ) {}
  send(request: PreparedRequest, options: SendOptions): Promise<Response> {
    this.seen.push(`${request.method} ${request.url}`);
    request.headers["X-Adapter"] = this.name;
    return this.inner.send(request, options);
  }
  close(): void {
    this.closed++;
    this.inner.close();
  }
}

describe("Session.mount and get_adapter", () => {
  it("mounts HTTPAdapter for https:// and http:// by default; the longest prefix wins, in any case", () => {
    const s = session();
    expect([...s.adapters.keys()]).toEqual(["https://", "http://"]);
    expect(s.get_adapter("http://x/")).toBeInstanceOf(HTTPAdapter);
    const api = new HTTPAdapter();
    const v1 = new HTTPAdapter();
    s.mount("http://api.example/", api);
    s.mount("http://api.example/v1/", v1);
    // requests' order: longer prefixes first, shorter ones moved after each new mount
    expect([...s.adapters.keys()]).toEqual(["http://api.example/v1/", "http://api.example/", "https://", "http://"]);
    expect(s.get_adapter("HTTP://API.EXAMPLE/v1/users")).toBe(v1);
    expect(s.get_adapter("http://api.example/v2")).toBe(api);
    expect(s.get_adapter("http://other/")).toBe(s.adapters.get("http://"));
  });

  it("raises InvalidSchema, without connecting, when no prefix matches", async () => {
    const srv = await rawEach(() => ok("x"));
    const s = session();
    s.adapters.delete("http://");
    expect(() => s.get_adapter(`${srv.url}/`)).toThrow(InvalidSchema);
    const err = await rejectionOf(s.get(`${srv.url}/`));
    expect(err).toBeInstanceOf(InvalidSchema);
    expect(String((err as Error).message)).toContain("No connection adapters were found");
    expect(srv.connections).toBe(0);
  });

  it("sends each request, and each redirect hop, through the adapter of its own URL", async () => {
    const b = await rawEach((req) => ok(`b ${req.target} ${req.headers.find(([n]) => n === "X-Adapter")?.[1]}`));
    const a = await rawEach(() => `HTTP/1.1 302 Found\r\nLocation: ${b.url}/landed\r\nContent-Length: 0\r\n\r\n`);
    const s = session();
    const base = s.get_adapter("http://");
    const ra = new Recording("a", base);
    const rb = new Recording("b", base);
    s.mount(`${a.url}/`, ra);
    s.mount(`${b.url}/`, rb);
    const r = await s.get(`${a.url}/start`);
    expect(r.text).toBe("b /landed b");
    expect(r.history.map((h) => h.status_code)).toEqual([302]);
    expect(ra.seen).toEqual([`GET ${a.url}/start`]);
    expect(rb.seen).toEqual([`GET ${b.url}/landed`]);
  });

  it("close() closes every mounted adapter once, however many prefixes it is mounted for", () => {
    const s = session();
    const mine = new Recording("m", new HTTPAdapter());
    s.mount("http://one/", mine);
    s.mount("http://two/", mine);
    s.close();
    expect(mine.closed).toBe(1);
  });
});

describe("HTTPAdapter", () => {
  it("max_retries retries what its requests' session and request leave unset", async () => {
    let n = 0;
    const srv = await raw(async (conn) => {
      await conn.readRequest();
      if (++n === 1) {
        conn.destroy(); // the first attempt gets no response at all
        return;
      }
      conn.end(ok("second"));
    });
    const plain = session();
    expect(await rejectionOf(plain.get(`${srv.url}/`))).toBeInstanceOf(ConnectionError);
    n = 0;
    const s = session();
    s.mount("http://", new HTTPAdapter({ max_retries: 1 }));
    expect((await s.get(`${srv.url}/`)).text).toBe("second");
    expect(n).toBe(2);
    // a request's own retries win over the adapter's
    n = 0;
    expect(await rejectionOf(s.get(`${srv.url}/`, { retries: 0 }))).toBeInstanceOf(ConnectionError);
  });

  it("pool_connections retires the least recently used pool, not the first opened", async () => {
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => rawEach((req) => ok(req.target))));
    const s = session({ pool_connections: 2 });
    for (const srv of [a, b, a, c, a, b, a, c, a]) expect((await s.get(`${srv?.url}/x`)).text).toBe("/x");
    // A, used between every other request, keeps its one connection; B and C take turns
    expect(a?.connections).toBe(1);
    expect(b?.connections).toBe(2);
    expect(c?.connections).toBe(2);
  });

  it("pool_connections keeps that many origins' pools, closing the oldest idle one's connections", async () => {
    const servers = await Promise.all([1, 2, 3].map(() => rawEach((req) => ok(req.target))));
    const s = session({ pool_connections: 2 });
    for (const srv of servers) expect((await s.get(`${srv.url}/p`)).text).toBe("/p");
    expect(s.agent.pools.size).toBe(2);
    // the first origin's pool was retired: its idle connection closed, and a new one is opened
    expect((await s.get(`${servers[0]?.url}/again`)).text).toBe("/again");
    expect(servers[0]?.connections).toBe(2);
    expect(s.agent.pools.size).toBe(2);
  });
});

describe("FetchAdapter", () => {
  it("sends through fetch where it is mounted, the rest through sockets", async () => {
    const srv = await httpServer((req, res) => void res.end(String(req.headers["sec-fetch-mode"] ?? "socket")));
    const s = session();
    s.mount(`${srv.url}/fetch/`, new FetchAdapter());
    expect((await s.get(`${srv.url}/fetch/x`)).text).toBe("cors");
    expect((await s.get(`${srv.url}/plain`)).text).toBe("socket");
  });

  it("is what `transport: fetchTransport()` mounts", () => {
    const s = session({ transport: fetchTransport() });
    expect(s.get_adapter("https://x/")).toBeInstanceOf(FetchAdapter);
    expect(s.get_adapter("http://x/")).toBe(s.get_adapter("https://x/"));
  });
});

describe("session.use", () => {
  it("runs interceptors in the order added, around every request that reaches an adapter", async () => {
    const srv = await rawEach((req) =>
      req.target === "/from"
        ? "HTTP/1.1 301 Moved\r\nLocation: /to\r\nContent-Length: 0\r\n\r\n"
        : ok(
            req.headers
              .filter(([n]) => n.toLowerCase().startsWith("x-seen-"))
              .map(([n]) => n.slice(7).toLowerCase())
              .join(","),
          ),
    );
    const log: string[] = [];
    const tag =
      (name: string): Interceptor =>
      (next) =>
      async (request, options) => {
        log.push(`${name}> ${new URL(request.url).pathname}`);
        request.headers[`X-Seen-${name}`] = "1";
        const r = await next(request, options);
        log.push(`${name}< ${r.status_code}`);
        return r;
      };
    const s = session();
    expect(s.use(tag("a"), tag("b"))).toBe(s);
    const r = await s.get(`${srv.url}/from`);
    expect(r.text).toBe("a,b");
    expect(log).toEqual(["a> /from", "b> /from", "b< 301", "a< 301", "a> /to", "b> /to", "b< 200", "a< 200"]);
  });

  it("may answer without calling next: nothing is sent", async () => {
    const srv = await rawEach((req) => ok(req.target));
    const s = session();
    const first = await s.get(`${srv.url}/cached`);
    s.use(
      (next) => (request, options) =>
        request.url.endsWith("/cached") ? Promise.resolve(first) : next(request, options),
    );
    expect(await s.get(`${srv.url}/cached`)).toBe(first);
    expect((await s.get(`${srv.url}/fresh`)).text).toBe("/fresh");
    expect(srv.seen.map((x) => x.req.target)).toEqual(["/cached", "/fresh"]);
  });

  it("shares no mutable options between requests: the options of plain requests are frozen", async () => {
    const srv = await rawEach((req) => ok(`${req.target} is longer than ten bytes`));
    const s = session();
    const refused: string[] = [];
    s.use((next) => (request, options) => {
      if (request.url.endsWith("/small")) {
        try {
          (options as { max_body_size?: number }).max_body_size = 10;
        } catch (err) {
          refused.push((err as Error).name);
        }
      }
      return next(request, options);
    });
    expect((await s.get(`${srv.url}/small`)).text).toBe("/small is longer than ten bytes");
    expect((await s.get(`${srv.url}/other`)).text).toBe("/other is longer than ten bytes");
    expect(refused).toEqual(["TypeError"]);
  });

  it("an interceptor may answer with a Response rather than a promise of one", async () => {
    const srv = await rawEach((req) => ok(req.target));
    const s = session();
    const first = await s.get(`${srv.url}/first`);
    s.use(() => () => first as unknown as Promise<Response>);
    expect(await s.get(`${srv.url}/any`)).toBe(first);
  });

  it("an interceptor that throws rejects the call with its error", async () => {
    const s = session();
    const boom = new Error("interceptor failed");
    s.use(() => () => {
      throw boom;
    });
    expect(await rejectionOf(s.get("http://127.0.0.1:9/"))).toBe(boom);
  });
});
