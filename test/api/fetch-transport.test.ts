// The fetch transport under Node (its fetch is undici): what it cannot honour is refused, never
// silently ignored. Proxies given to a request or a session are refused with ProxyError before
// anything is sent; proxies from the environment are the runtime's business and left to its fetch.
// What a browser's fetch does with redirects is played here by a fetch of the test's own (the
// browser itself: test/runtimes/browser.test.ts).
import { createServer } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { dropsPageHeaders } from "../../src/http/fetch.js";
import { OpaqueRedirect, ProxyError, Session, Timeout } from "../../src/index.js";
import { fetchTransport } from "../../src/transport/fetch.js";
import { listen, onCleanup, rejectionOf, runCleanups } from "./helpers.js";

afterEach(runCleanups);

let hits = 0;

async function server(): Promise<string> {
  hits = 0;
  const srv = createServer((_req, res) => {
    hits++;
    res.end("direct");
  });
  return `http://127.0.0.1:${await listen(srv)}`;
}

function fetchSession(): Session {
  const s = new Session({ transport: fetchTransport() });
  onCleanup(() => s.close());
  return s;
}

describe("the fetch transport and proxies", () => {
  it("refuses a session's proxy with ProxyError, and sends nothing", async () => {
    const base = await server();
    const s = fetchSession();
    s.proxies = { http: "http://127.0.0.1:9" };
    const err = await rejectionOf(s.get(`${base}/`));
    expect(err).toBeInstanceOf(ProxyError);
    expect(err.message).toMatch(/fetch transport cannot send through a proxy/);
    expect(hits).toBe(0);
  });

  it("refuses a request's proxy the same way", async () => {
    const base = await server();
    const err = await rejectionOf(fetchSession().get(`${base}/`, { proxies: { all: "http://127.0.0.1:9" } }));
    expect(err).toBeInstanceOf(ProxyError);
    expect(hits).toBe(0);
  });

  it("sends directly when no_proxy bypasses the URL", async () => {
    const base = await server();
    const s = fetchSession();
    s.proxies = { http: "http://127.0.0.1:9", no_proxy: "127.0.0.1" };
    expect((await s.get(`${base}/`)).text).toBe("direct");
  });

  it("leaves proxies from the environment to the runtime's fetch", async () => {
    const base = await server();
    const saved = process.env.HTTP_PROXY;
    process.env.HTTP_PROXY = "http://127.0.0.1:9";
    onCleanup(() => {
      if (saved === undefined) delete process.env.HTTP_PROXY;
      else process.env.HTTP_PROXY = saved;
    });
    // Node's fetch does not read HTTP_PROXY: the request goes out directly
    expect((await fetchSession().get(`${base}/`)).text).toBe("direct");
  });
});

describe("the fetch transport and timeouts", () => {
  it("timeout.total still bounds a request fetch sends (a server that never answers)", async () => {
    const server = createServer(() => {
      // never answers
    });
    const port = await listen(server);
    const s = new Session({ transport: fetchTransport() });
    onCleanup(() => s.close());
    const start = performance.now();
    const err = await rejectionOf(s.get(`http://127.0.0.1:${port}/`, { timeout: { total: 0.5 } }));
    expect(err).toBeInstanceOf(Timeout);
    expect(err.message).toContain("total timeout of 0.5 s (while fetching)");
    expect((performance.now() - start) / 1000).toBeLessThan(4);
  });
});

describe("the fetch transport and redirects", () => {
  /** A transport whose runtime follows redirects itself, over `answer`; `modes` gets each request's `redirect`. */
  function following(modes: string[], answer: () => globalThis.Response): Session {
    const s = new Session({
      transport: {
        ...fetchTransport(),
        followsRedirects: true,
        fetch: async (_input, init) => {
          modes.push(String(init.redirect));
          return answer();
        },
      },
    });
    onCleanup(() => s.close());
    return s;
  }

  it("lets a runtime that follows redirects do so only when allow_redirects does", async () => {
    const modes: string[] = [];
    const s = following(modes, () => new Response("ok"));
    await s.get("http://127.0.0.1:9/");
    await s.get("http://127.0.0.1:9/", { allow_redirects: false });
    await s.head("http://127.0.0.1:9/");
    expect(modes).toEqual(["follow", "manual", "manual"]);
  });

  it("raises OpaqueRedirect for a redirect the runtime hides, sent once", async () => {
    const modes: string[] = [];
    // a browser's answer to "manual": type "opaqueredirect", status 0, no headers
    const opaque = () => Object.defineProperty(new Response(null), "type", { value: "opaqueredirect" });
    const err = await rejectionOf(following(modes, opaque).get("http://127.0.0.1:9/", { allow_redirects: false }));
    expect(err).toBeInstanceOf(OpaqueRedirect);
    expect(err.message).toContain("not followed");
    expect(modes).toEqual(["manual"]);
  });
});

describe("the fetch transport and the headers a browser page may not set", () => {
  it("finds that Node's fetch keeps them: none is refused there", () => {
    expect(dropsPageHeaders()).toBe(false);
  });
});
