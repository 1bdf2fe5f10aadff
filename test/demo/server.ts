// The embedded local server used by the demo and the tests: node:http on 127.0.0.1, random
// port. It answers like the JSON playgrounds tutorials use (posts, echo, status codes), so the
// classic requests examples have something real to talk to.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface DemoServer {
  /** Base URL, e.g. http://127.0.0.1:43210 */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Requests served so far (method and path), for tests. */
  readonly log: Array<{ method: string; path: string }>;
  /** TCP connections accepted so far. */
  readonly connections: () => number;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => resolve(Buffer.concat(parts)));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": body.length,
    ...headers,
  });
  res.end(body);
}

function parseBody(req: IncomingMessage, raw: Buffer): unknown {
  const type = req.headers["content-type"] ?? "";
  const text = raw.toString("utf8");
  if (type.startsWith("application/json")) return text.length > 0 ? JSON.parse(text) : null;
  if (type.startsWith("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(text));
  return text;
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const path = url.pathname;
  const raw = await readBody(req);
  res.setHeader("Server", "reqwire-demo");

  if (path === "/posts/1" && (req.method === "GET" || req.method === "HEAD")) {
    return sendJson(res, 200, { userId: 1, id: 1, title: "Hello from the demo server", body: "HTTP in wasm." });
  }
  if (path === "/posts" && req.method === "POST") {
    const data = parseBody(req, raw) as Record<string, unknown>;
    return sendJson(res, 201, { id: 101, ...data }, { Location: "/posts/101" });
  }
  if (path.startsWith("/posts/") && (req.method === "PUT" || req.method === "PATCH")) {
    return sendJson(res, 200, { id: Number(path.slice(7)), ...(parseBody(req, raw) as object) });
  }
  if (path.startsWith("/posts/") && req.method === "DELETE") return sendJson(res, 200, {});
  if (path === "/echo/put/json" && req.method === "PUT") return sendJson(res, 200, { success: "true" });
  if (path === "/profile" && req.method === "PUT") return sendJson(res, 201, parseBody(req, raw));
  if (path === "/no-content") {
    res.writeHead(204);
    return void res.end();
  }
  if (path === "/status") {
    const code = Number(url.searchParams.get("code") ?? "200");
    return sendJson(res, code, { status: code });
  }
  if (path === "/basic-auth/user/passwd") {
    if (req.headers.authorization !== `Basic ${Buffer.from("user:passwd").toString("base64")}`) {
      return sendJson(res, 401, { authenticated: false }, { "WWW-Authenticate": 'Basic realm="demo"' });
    }
    return sendJson(res, 200, { authenticated: true, user: "user" });
  }
  if (path === "/bearer") {
    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith("Bearer ")) return sendJson(res, 401, { authenticated: false });
    return sendJson(res, 200, { authenticated: true, token: auth.slice(7) });
  }
  if (path.startsWith("/items/") && req.method === "PUT") {
    if (path === "/items/existing") {
      res.writeHead(204);
      return void res.end();
    }
    return sendJson(res, 201, { created: path.slice(7), ...(parseBody(req, raw) as object) }, { Location: path });
  }
  if (path === "/form" && req.method === "PUT") {
    return sendJson(
      res,
      200,
      { form: parseBody(req, raw) },
      { "X-Form-Fields": String(Object.keys(parseBody(req, raw) as object).length) },
    );
  }
  if (path === "/auth") {
    const auth = req.headers.authorization;
    if (auth === undefined)
      return sendJson(res, 401, { error: "unauthorized" }, { "WWW-Authenticate": 'Basic realm="demo"' });
    return sendJson(res, 200, { authorization: auth });
  }
  if (path === "/chunked") {
    const n = Number(url.searchParams.get("n") ?? "5");
    res.writeHead(200, { "Content-Type": "text/plain" });
    for (let i = 0; i < n; i++) res.write(`chunk ${i}\n`);
    return void res.end();
  }
  if (path === "/echo" || path.startsWith("/echo/")) {
    return sendJson(res, 200, {
      method: req.method,
      path,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: raw.toString("utf8"),
    });
  }
  sendJson(res, 404, { error: "not found", path });
}

/** Starts the demo server on 127.0.0.1 at a random port. */
export async function startDemoServer(): Promise<DemoServer> {
  const log: Array<{ method: string; path: string }> = [];
  const server: Server = createServer((req, res) => {
    log.push({ method: req.method ?? "", path: req.url ?? "" });
    handle(req, res).catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  let connections = 0;
  server.on("connection", () => {
    connections++;
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: "127.0.0.1",
    port,
    log,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
