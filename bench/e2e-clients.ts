// The clients of bench/e2e.ts behind one interface, and the drivers that time them: a closed loop
// (K requests, C in flight), sequential latency (tinybench), and heap bytes allocated per request.
// Each client library is imported only when that client is made, so a worker process holds only
// its own client's code.
//
// Two kinds of ops. The byte ops (small, download, upload) read every body whole as bytes: the
// floor of each client. The user ops (json, post-json, html, headers30) read a response the way
// each library documents it (reqwire `r.json()` / `r.text` / `r.headers[name]`, undici
// `body.json()`, fetch `res.json()`, …): what users write.
import { createHash } from "node:crypto";
import http from "node:http";
import { createRequire } from "node:module";
import { connect, type Socket } from "node:net";
import { resolve } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import v8 from "node:v8";
import { Bench } from "tinybench";

export const CLIENT_IDS = [
  "reqwire-default",
  "reqwire",
  "reqwire-cjs",
  "reqwire-b",
  "fetch",
  "undici",
  "http",
  "axios",
  "got",
  "node-fetch",
  "wire",
] as const;
export type ClientId = (typeof CLIENT_IDS)[number];

/** The reqwire rows (each a Session of some build of reqwire). */
export const REQWIRE_IDS: readonly ClientId[] = ["reqwire-default", "reqwire", "reqwire-cjs", "reqwire-b"];

/** Labels; `{N}` stands for the scenario's pool size. */
export const CLIENT_LABELS: Record<ClientId, string> = {
  "reqwire-default": "reqwire, default `Session()`",
  reqwire: "reqwire, `pool_maxsize: {N}`",
  "reqwire-cjs": "reqwire through require(), `pool_maxsize: {N}`",
  "reqwire-b": "reqwire B (`REQWIRE_E2E_MODULE_B`), `pool_maxsize: {N}`",
  fetch: "fetch (global)",
  undici: "undici.request",
  http: "node:http",
  axios: "axios",
  got: "got",
  "node-fetch": "node-fetch",
  wire: "wire limit (raw net)",
};

export type Op = "small" | "download" | "upload" | "json" | "post-json" | "post-json-echo" | "html" | "headers30";
export const PATHS: Record<Op, string> = {
  small: "/small",
  download: "/chunked-1m",
  upload: "/upload",
  json: "/small",
  "post-json": "/post-json",
  "post-json-echo": "/post-json/echo",
  html: "/page.html",
  headers30: "/headers30",
};

/** Ops whose responses are read as bytes (the others are read as users do: JSON, text, headers). */
export const isByteOp = (op: Op): boolean => op === "small" || op === "download" || op === "upload";

/**
 * The object every client POSTs as JSON in the post-json scenario: about 1 KB as compact JSON (a
 * little more with requests' `", "` / `": "` spacing), a typical order with one non-ASCII name.
 */
export const POST_OBJECT = {
  orderId: "ord_7Hk29XqP4mZ1",
  createdAt: "2025-01-14T10:23:45Z",
  customer: { id: 88123, name: "Zoë Müller", email: "zoe.mueller@example.com", tier: "gold", newsletter: false },
  items: [
    { sku: "WID-4711-BL", name: "widget, blue", qty: 2, unitPrice: 19.99, discount: 0 },
    { sku: "WID-4712-RD", name: "widget, red", qty: 1, unitPrice: 19.99, discount: 0.1 },
    { sku: "GAD-0042-XL", name: "gadget XL", qty: 1, unitPrice: 149.5, discount: 0 },
    { sku: "CBL-USB-C-2M", name: "USB-C cable 2 m", qty: 3, unitPrice: 9.95, discount: 0 },
    { sku: "BAT-AA-8", name: "AA batteries, 8-pack", qty: 2, unitPrice: 6.49, discount: 0.05 },
  ],
  shipping: {
    method: "express",
    address: { street: "Hauptstraße 12", city: "Berlin", postcode: "10115", country: "DE" },
    instructions: "Leave at the reception desk if nobody answers.",
  },
  payment: { method: "card", brand: "visa", last4: "4242", captured: true },
  totals: { subtotal: 296.74, shipping: 7.9, tax: 57.88, total: 362.52, currency: "EUR" },
  tags: ["web", "returning-customer", "promo-jan"],
  notes: null,
};

/** What a client reads in the headers30 scenario. */
export interface HeadersReading {
  status: number;
  contentType: string | null | undefined;
  etag: string | null | undefined;
  requestId: string | null | undefined;
  body: unknown;
}

/** What a response must be: body (HTTP clients) or whole response (wire), length and SHA-1. */
export interface Expected {
  body: number;
  response: number;
  hash: string;
  responseHash: string;
  /** User ops: the body as text (JSON bodies are compact `JSON.stringify` output). */
  text?: string;
  /** headers30: the fields read by name (lower-case name → value). */
  headers?: Record<string, string>;
}

export interface ClientConfig {
  port: number;
  /** Connections per origin (pool size). */
  sockets: number;
  /** The PUT body (a Uint8Array; sent with Content-Length). */
  payload: Uint8Array;
  /** Wire client only: resolve with the raw response bytes instead of their count (verification). */
  capture?: boolean;
}

export interface Client {
  readonly id: ClientId;
  /**
   * One request with its body fully read. Byte ops: resolves with the body as one byte array
   * (HTTP clients), or with the number of response bytes (the wire client, which parses nothing).
   * User ops: with the parsed JSON (json, post-json), the text (html) or a HeadersReading
   * (headers30). Rejects unless the status is 200.
   */
  send(op: Op): Promise<unknown>;
  close(): Promise<void>;
}

function statusError(id: string, status: number): Error {
  return new Error(`${id}: status ${status}, expected 200`);
}

// ---- the clients ----------------------------------------------------------------------------------

/** A fetch-style response (global fetch, node-fetch) read as the op's users read it. */
async function readFetchResponse(
  id: string,
  op: Op,
  r: {
    status: number;
    headers: { get(name: string): string | null };
    json(): Promise<unknown>;
    text(): Promise<string>;
    arrayBuffer(): Promise<ArrayBuffer>;
  },
): Promise<unknown> {
  if (r.status !== 200) throw statusError(id, r.status);
  if (op === "json" || op === "post-json" || op === "post-json-echo") return r.json();
  if (op === "html") return r.text();
  if (op === "headers30") {
    const reading: HeadersReading = {
      status: r.status,
      contentType: r.headers.get("content-type"),
      etag: r.headers.get("etag"),
      requestId: r.headers.get("x-request-id"),
      body: await r.json(),
    };
    return reading;
  }
  return new Uint8Array(await r.arrayBuffer());
}

type ReqwireModule = typeof import("../src/index.js");

const ROOT = resolve(fileURLToPath(import.meta.url), "../..");

/**
 * The reqwire build a client measures: the built package `dist/node.js` (ESM, as users import
 * it), `dist/node.cjs` (through require: it loads dist/node.js), or `REQWIRE_E2E_MODULE` /
 * `REQWIRE_E2E_MODULE_B` (any module exporting Session: another checkout's dist/node.js, say).
 */
export function reqwireModulePath(id: ClientId): string {
  const env = id === "reqwire-b" ? process.env.REQWIRE_E2E_MODULE_B : process.env.REQWIRE_E2E_MODULE;
  if (id === "reqwire-b" && env === undefined) throw new Error("reqwire-b needs REQWIRE_E2E_MODULE_B=<file>");
  if (env !== undefined && id !== "reqwire-cjs") return resolve(env);
  return resolve(ROOT, "dist", id === "reqwire-cjs" ? "node.cjs" : "node.js");
}

async function loadReqwire(id: ClientId): Promise<ReqwireModule> {
  const path = reqwireModulePath(id);
  const m = (
    path.endsWith(".cjs") ? createRequire(import.meta.url)(path) : await import(pathToFileURL(path).href)
  ) as ReqwireModule;
  if (typeof m.Session !== "function") throw new Error(`${id}: ${path} exports no Session`);
  // The workers run under tsx, which must leave built JavaScript as it is (no __name() wrappers).
  if (m.Session.toString().includes("__name(")) throw new Error(`${id}: ${path} was transformed on load`);
  return m;
}

export async function createClient(id: ClientId, cfg: ClientConfig): Promise<Client> {
  const base = `http://127.0.0.1:${cfg.port}`;
  const url = Object.fromEntries(Object.entries(PATHS).map(([op, path]) => [op, base + path])) as Record<Op, string>;
  const payload = cfg.payload;
  const n = cfg.sockets;
  const JSON_TYPE = { "content-type": "application/json" };
  switch (id) {
    case "reqwire-default":
    case "reqwire":
    case "reqwire-cjs":
    case "reqwire-b": {
      const { Session } = await loadReqwire(id);
      // reqwire-default: what `new Session()` gives (requests' pool settings: 10 kept for reuse,
      // more opened while all are busy); the others keep as many as the peers' pools hold.
      const s = id === "reqwire-default" ? new Session() : new Session({ pool_maxsize: n });
      return {
        id,
        async send(op) {
          switch (op) {
            case "upload": {
              const r = await s.put(url.upload, { data: payload });
              if (r.status_code !== 200) throw statusError(id, r.status_code);
              return r.content;
            }
            case "post-json":
            case "post-json-echo": {
              const r = await s.post(url[op], { json: POST_OBJECT });
              if (r.status_code !== 200) throw statusError(id, r.status_code);
              return r.json();
            }
            case "json": {
              const r = await s.get(url.json);
              if (r.status_code !== 200) throw statusError(id, r.status_code);
              return r.json();
            }
            case "html": {
              const r = await s.get(url.html);
              if (r.status_code !== 200) throw statusError(id, r.status_code);
              return r.text;
            }
            case "headers30": {
              const r = await s.get(url.headers30);
              if (r.status_code !== 200) throw statusError(id, r.status_code);
              const h = r.headers;
              const reading: HeadersReading = {
                status: r.status_code,
                contentType: h["content-type"],
                etag: h.etag,
                requestId: h["x-request-id"],
                body: r.json(),
              };
              return reading;
            }
            default: {
              const r = await s.get(url[op]);
              if (r.status_code !== 200) throw statusError(id, r.status_code);
              return r.content;
            }
          }
        },
        async close() {
          s.close();
        },
      };
    }
    case "fetch": {
      // Node's bundled undici Agent (the class of fetch's own global dispatcher), sized to n: the
      // default one has no connection limit, which would give fetch more sockets than the others.
      const key = Symbol.for("undici.globalDispatcher.1");
      const g = globalThis as unknown as Record<symbol, { constructor: new (o: object) => unknown } | undefined>;
      if (g[key] === undefined) await (await fetch(`${base}/small`)).arrayBuffer(); // creates it
      const BundledAgent = g[key]?.constructor;
      if (BundledAgent === undefined) throw new Error("fetch: no global dispatcher to take the Agent class from");
      const dispatcher = new BundledAgent({ connections: n }) as { close(): Promise<void> };
      const init = { dispatcher } as RequestInit;
      const putInit = { dispatcher, method: "PUT", body: payload } as RequestInit;
      return {
        id,
        async send(op) {
          const post = op === "post-json" || op === "post-json-echo";
          const r = await fetch(
            url[op],
            post
              ? ({ dispatcher, method: "POST", headers: JSON_TYPE, body: JSON.stringify(POST_OBJECT) } as RequestInit)
              : op === "upload"
                ? putInit
                : init,
          );
          return readFetchResponse(id, op, r);
        },
        async close() {
          await dispatcher.close();
        },
      };
    }
    case "undici": {
      const undici = await import("undici");
      const dispatcher = new undici.Agent({ connections: n });
      return {
        id,
        async send(op) {
          const post = op === "post-json" || op === "post-json-echo";
          const r = post
            ? await undici.request(url[op], {
                dispatcher,
                method: "POST",
                headers: JSON_TYPE,
                body: JSON.stringify(POST_OBJECT),
              })
            : op === "upload"
              ? await undici.request(url.upload, { dispatcher, method: "PUT", body: payload })
              : await undici.request(url[op], { dispatcher });
          if (r.statusCode !== 200) {
            await r.body.dump();
            throw statusError(id, r.statusCode);
          }
          if (post || op === "json") return r.body.json();
          if (op === "html") return r.body.text();
          if (op === "headers30") {
            const h = r.headers;
            const reading: HeadersReading = {
              status: r.statusCode,
              contentType: h["content-type"] as string | undefined,
              etag: h.etag as string | undefined,
              requestId: h["x-request-id"] as string | undefined,
              body: await r.body.json(),
            };
            return reading;
          }
          return new Uint8Array(await r.body.arrayBuffer());
        },
        async close() {
          await dispatcher.close();
        },
      };
    }
    case "http": {
      const agent = new http.Agent({ keepAlive: true, maxSockets: n });
      const get = (op: Op) => ({ host: "127.0.0.1", port: cfg.port, path: PATHS[op], agent });
      const put = {
        host: "127.0.0.1",
        port: cfg.port,
        path: PATHS.upload,
        method: "PUT",
        agent,
        headers: { "content-length": String(payload.length) },
      };
      return {
        id,
        send(op) {
          const post = op === "post-json" || op === "post-json-echo";
          const json = post ? JSON.stringify(POST_OBJECT) : undefined;
          const options =
            json !== undefined
              ? {
                  host: "127.0.0.1",
                  port: cfg.port,
                  path: PATHS[op],
                  method: "POST",
                  agent,
                  headers: { "content-type": "application/json", "content-length": Buffer.byteLength(json) },
                }
              : op === "upload"
                ? put
                : get(op);
          return new Promise<unknown>((resolve, reject) => {
            const req = http.request(options, (res) => {
              const chunks: Buffer[] = [];
              let length = 0;
              res.on("data", (c: Buffer) => {
                chunks.push(c);
                length += c.length;
              });
              res.on("end", () => {
                if (res.statusCode !== 200) {
                  reject(statusError(id, res.statusCode ?? 0));
                  return;
                }
                const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length);
                try {
                  if (post || op === "json") resolve(JSON.parse(body.toString()));
                  else if (op === "html") resolve(body.toString());
                  else if (op === "headers30") {
                    const reading: HeadersReading = {
                      status: res.statusCode,
                      contentType: res.headers["content-type"],
                      etag: res.headers.etag,
                      requestId: res.headers["x-request-id"] as string | undefined,
                      body: JSON.parse(body.toString()),
                    };
                    resolve(reading);
                  } else resolve(body);
                } catch (e) {
                  reject(e);
                }
              });
              res.on("error", reject);
            });
            req.on("error", reject);
            req.end(op === "upload" ? payload : json);
          });
        },
        async close() {
          agent.destroy();
        },
      };
    }
    case "axios": {
      const { default: axios } = await import("axios");
      const agent = new http.Agent({ keepAlive: true, maxSockets: n });
      // maxRedirects 0: axios then uses node:http directly instead of wrapping it in
      // follow-redirects (reqwire does not follow redirects either); proxy false: ignore env proxies.
      const common = {
        httpAgent: agent,
        maxRedirects: 0,
        proxy: false as const,
        maxBodyLength: Number.POSITIVE_INFINITY,
        maxContentLength: Number.POSITIVE_INFINITY,
        validateStatus: null,
      };
      // Bytes for the byte ops; axios's default (responseType json) for the user ops.
      const ax = axios.create({ ...common, responseType: "arraybuffer" });
      const user = axios.create(common);
      const putConfig = { headers: { "Content-Type": "application/octet-stream" } };
      const textConfig = { responseType: "text" as const };
      return {
        id,
        async send(op) {
          switch (op) {
            case "post-json":
            case "post-json-echo": {
              const r = await user.post(url[op], POST_OBJECT);
              if (r.status !== 200) throw statusError(id, r.status);
              return r.data;
            }
            case "json":
            case "html":
            case "headers30": {
              const r = await user.get(url[op], op === "html" ? textConfig : undefined);
              if (r.status !== 200) throw statusError(id, r.status);
              if (op !== "headers30") return r.data;
              const reading: HeadersReading = {
                status: r.status,
                contentType: r.headers["content-type"] as string | undefined,
                etag: r.headers.etag as string | undefined,
                requestId: r.headers["x-request-id"] as string | undefined,
                body: r.data,
              };
              return reading;
            }
            default: {
              const r = op === "upload" ? await ax.put(url.upload, payload, putConfig) : await ax.get(url[op]);
              if (r.status !== 200) throw statusError(id, r.status);
              return r.data as Buffer;
            }
          }
        },
        async close() {
          agent.destroy();
        },
      };
    }
    case "got": {
      const { default: got } = await import("got");
      const agent = new http.Agent({ keepAlive: true, maxSockets: n });
      const user = got.extend({
        agent: { http: agent },
        retry: { limit: 0 },
        throwHttpErrors: false,
        followRedirect: false,
      });
      const g = user.extend({ responseType: "buffer" });
      // got types its body as string | Buffer | stream | …; a Buffer view of the same bytes (no copy).
      const body = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
      return {
        id,
        async send(op) {
          switch (op) {
            case "post-json":
            case "post-json-echo": {
              const r = await user.post(url[op], { json: POST_OBJECT, responseType: "json" });
              if (r.statusCode !== 200) throw statusError(id, r.statusCode);
              return r.body;
            }
            case "json":
            case "headers30": {
              const r = await user.get(url[op], { responseType: "json" });
              if (r.statusCode !== 200) throw statusError(id, r.statusCode);
              if (op === "json") return r.body;
              const reading: HeadersReading = {
                status: r.statusCode,
                contentType: r.headers["content-type"],
                etag: r.headers.etag,
                requestId: r.headers["x-request-id"] as string | undefined,
                body: r.body,
              };
              return reading;
            }
            case "html": {
              const r = await user.get(url.html); // responseType "text", got's default
              if (r.statusCode !== 200) throw statusError(id, r.statusCode);
              return r.body;
            }
            default: {
              const r = op === "upload" ? await g.put(url.upload, { body }) : await g.get(url[op]);
              if (r.statusCode !== 200) throw statusError(id, r.statusCode);
              return r.body as Buffer; // responseType "buffer" (got's types do not follow it through extend)
            }
          }
        },
        async close() {
          agent.destroy();
        },
      };
    }
    case "node-fetch": {
      const { default: nodeFetch } = await import("node-fetch");
      const agent = new http.Agent({ keepAlive: true, maxSockets: n });
      const putInit = { agent, method: "PUT", body: payload };
      const init = { agent };
      return {
        id,
        async send(op) {
          const post = op === "post-json" || op === "post-json-echo";
          const r = await nodeFetch(
            url[op],
            post
              ? { agent, method: "POST", headers: JSON_TYPE, body: JSON.stringify(POST_OBJECT) }
              : op === "upload"
                ? putInit
                : init,
          );
          return readFetchResponse(id, op, r);
        },
        async close() {
          agent.destroy();
        },
      };
    }
    case "wire":
      return new WireClient(cfg);
  }
}

// ---- the wire limit ---------------------------------------------------------------------------------

/**
 * N raw sockets, each writing a fixed request and counting response bytes until the length the
 * server is known to send: no parsing, no copying. More requests than sockets wait in a queue.
 */
class WireClient implements Client {
  readonly id = "wire" as const;
  readonly #cfg: ClientConfig;
  readonly #requests: Record<Op, Buffer>;
  /** The response length of each op; set with setLengths() before use. */
  #lengths: Partial<Record<Op, number>> = {};
  readonly #idle: WireSocket[] = [];
  #open = 0;
  readonly #queue: Array<() => void> = [];
  #queueHead = 0;

  constructor(cfg: ClientConfig) {
    this.#cfg = cfg;
    const host = `Host: 127.0.0.1:${cfg.port}\r\n`;
    const get = (op: Op) => Buffer.from(`GET ${PATHS[op]} HTTP/1.1\r\n${host}\r\n`, "latin1");
    const json = Buffer.from(JSON.stringify(POST_OBJECT), "utf8");
    const post = (op: Op) =>
      Buffer.concat([
        Buffer.from(
          `POST ${PATHS[op]} HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: ${json.length}\r\n\r\n`,
          "latin1",
        ),
        json,
      ]);
    this.#requests = {
      small: get("small"),
      download: get("download"),
      upload: Buffer.from(`PUT ${PATHS.upload} HTTP/1.1\r\n${host}Content-Length: ${cfg.payload.length}\r\n\r\n`),
      json: get("json"),
      "post-json": post("post-json"),
      "post-json-echo": post("post-json-echo"),
      html: get("html"),
      headers30: get("headers30"),
    };
  }

  setLengths(lengths: Partial<Record<Op, number>>): void {
    this.#lengths = lengths;
  }

  async #acquire(): Promise<WireSocket> {
    const s = this.#idle.pop();
    if (s !== undefined) return s;
    if (this.#open < this.#cfg.sockets) {
      this.#open++;
      return WireSocket.open(this.#cfg.port, this.#cfg.capture === true);
    }
    await new Promise<void>((resolve) => this.#queue.push(resolve));
    return this.#acquire();
  }

  #release(s: WireSocket): void {
    this.#idle.push(s);
    if (this.#queueHead < this.#queue.length) {
      const wake = this.#queue[this.#queueHead] as () => void;
      this.#queue[this.#queueHead++] = noop;
      if (this.#queueHead > 4096) {
        this.#queue.splice(0, this.#queueHead);
        this.#queueHead = 0;
      }
      wake();
    }
  }

  async send(op: Op): Promise<Uint8Array | number> {
    const expected = this.#lengths[op];
    if (expected === undefined || expected === 0) throw new Error(`wire: response length of ${op} not set`);
    const s = await this.#acquire();
    try {
      return await s.exchange(this.#requests[op], op === "upload" ? this.#cfg.payload : undefined, expected);
    } finally {
      this.#release(s);
    }
  }

  async close(): Promise<void> {
    for (const s of this.#idle) s.socket.destroy();
    this.#idle.length = 0;
  }
}

const noop = () => {};

class WireSocket {
  readonly socket: Socket;
  readonly #capture: boolean;
  #remaining = 0;
  #chunks: Buffer[] = [];
  #resolve: ((r: Uint8Array | number) => void) | undefined;
  #reject: ((e: Error) => void) | undefined;
  #total = 0;

  static open(port: number, capture: boolean): Promise<WireSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port, noDelay: true });
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.removeListener("error", reject);
        resolve(new WireSocket(socket, capture));
      });
    });
  }

  constructor(socket: Socket, capture: boolean) {
    this.socket = socket;
    this.#capture = capture;
    socket.on("data", (d: Buffer) => {
      this.#remaining -= d.length;
      if (this.#capture) this.#chunks.push(d);
      if (this.#remaining > 0) return;
      const resolve = this.#resolve;
      const reject = this.#reject;
      this.#resolve = undefined;
      this.#reject = undefined;
      if (this.#remaining < 0 || resolve === undefined) {
        reject?.(new Error(`wire: ${-this.#remaining} bytes more than the expected response`));
        socket.destroy();
        return;
      }
      if (this.#capture) {
        const all = Buffer.concat(this.#chunks);
        this.#chunks = [];
        resolve(all);
      } else {
        resolve(this.#total);
      }
    });
    const fail = (e: Error) => {
      const reject = this.#reject;
      this.#resolve = undefined;
      this.#reject = undefined;
      reject?.(e);
    };
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("wire: connection closed")));
  }

  exchange(request: Buffer, body: Uint8Array | undefined, expected: number): Promise<Uint8Array | number> {
    this.#remaining = expected;
    this.#total = expected;
    return new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      if (body === undefined) {
        this.socket.write(request);
      } else {
        this.socket.cork();
        this.socket.write(request);
        this.socket.write(body);
        this.socket.uncork();
      }
    });
  }
}

/** Tells a wire client the response lengths (other clients ignore it). */
export function setWireLengths(client: Client, lengths: Partial<Record<Op, number>>): void {
  if (client instanceof WireClient) client.setLengths(lengths);
}

// ---- checks ---------------------------------------------------------------------------------------

const sha1 = (b: Uint8Array) => createHash("sha1").update(b).digest("hex");

/** A JSON value as compact text, to compare with what the server sent (its bodies are compact). */
const asJson = (v: unknown) => JSON.stringify(v);

/** Checks one result completely: status (done by send), then the bytes, or the value read. */
export function checkContent(client: Client, op: Op, got: unknown, e: Expected): void {
  const fail = (what: string) => new Error(`${client.id} ${op}: ${what}`);
  if (client.id === "wire" || isByteOp(op)) {
    const wire = client.id === "wire";
    if (!(got instanceof Uint8Array)) throw fail(`expected a byte array, got ${typeof got}`);
    const length = wire ? e.response : e.body;
    const hash = wire ? e.responseHash : e.hash;
    if (got.length !== length) throw fail(`${got.length} bytes, expected ${length}`);
    const h = sha1(got);
    if (h !== hash) throw fail(`content differs (sha1 ${h}, expected ${hash})`);
    return;
  }
  if (e.text === undefined) throw fail("no expected text");
  switch (op) {
    case "json":
    case "post-json":
      if (asJson(got) !== e.text) throw fail(`parsed ${asJson(got)?.slice(0, 80)}, expected ${e.text.slice(0, 80)}`);
      return;
    case "html":
      if (typeof got !== "string") throw fail(`expected a string, got ${typeof got}`);
      if (got !== e.text) throw fail(`text differs (${got.length} characters, expected ${e.text.length})`);
      return;
    case "headers30": {
      const r = got as HeadersReading;
      const h = e.headers ?? {};
      const read = [r.contentType, r.etag, r.requestId];
      const want = [h["content-type"], h.etag, h["x-request-id"]];
      if (r.status !== 200) throw fail(`status ${r.status}`);
      if (read.some((v, i) => v !== want[i])) throw fail(`headers ${asJson(read)}, expected ${asJson(want)}`);
      if (asJson(r.body) !== e.text) throw fail(`body ${asJson(r.body)}, expected ${e.text}`);
      return;
    }
    default:
      throw fail("not a timed op");
  }
}

/**
 * Checks the POST a client sends: the server parses the body of `POST /post-json/echo` and answers
 * it back with the request's Content-Type; the body must be POST_OBJECT, the type application/json.
 */
export function checkEcho(client: Client, got: unknown): void {
  const r = got as { contentType?: string; bytes?: number; body?: unknown };
  if (!/^application\/json\b/i.test(r.contentType ?? "")) {
    throw new Error(`${client.id} post-json: sent Content-Type ${JSON.stringify(r.contentType)}`);
  }
  if (asJson(r.body) !== asJson(POST_OBJECT)) {
    throw new Error(`${client.id} post-json: the server parsed ${asJson(r.body).slice(0, 120)}, not the object sent`);
  }
}

/**
 * The cheap check done on every timed request (status is checked by send): the length of bytes;
 * a field of the parsed JSON; the length of the text; the headers read and a field of the body.
 */
export function quickCheck(client: Client, op: Op, e: Expected): (got: unknown) => void {
  const id = client.id;
  if (id === "wire" || isByteOp(op)) {
    const length = id === "wire" ? e.response : e.body;
    return (got) => {
      const n = typeof got === "number" ? got : (got as Uint8Array).length;
      if (n !== length) throw new Error(`${id} ${op}: ${n} bytes, expected ${length}`);
    };
  }
  const text = e.text ?? "";
  if (op === "html") {
    return (got) => {
      if ((got as string).length !== text.length) throw new Error(`${id} html: ${(got as string).length} characters`);
    };
  }
  // The first member of the expected JSON object, which the parsed value must have too.
  const [key, value] = Object.entries(JSON.parse(text) as Record<string, unknown>)[0] as [string, unknown];
  const member = (v: unknown) => {
    if ((v as Record<string, unknown>)[key] !== value) throw new Error(`${id} ${op}: ${key} is not ${String(value)}`);
  };
  if (op !== "headers30") return member;
  const etag = e.headers?.etag;
  return (got) => {
    const r = got as HeadersReading;
    if (r.etag !== etag) throw new Error(`${id} headers30: etag ${r.etag}`);
    member(r.body);
  };
}

// ---- drivers ----------------------------------------------------------------------------------------

/**
 * Runs `total` requests with at most `inflight` at once (closed loop), each result passed to
 * `check`; returns the milliseconds.
 */
export async function closedLoop(
  client: Client,
  op: Op,
  total: number,
  inflight: number,
  check: (got: unknown) => void,
): Promise<number> {
  let issued = 0;
  const lane = async () => {
    while (issued < total) {
      issued++;
      check(await client.send(op));
    }
  };
  const lanes: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < Math.min(inflight, total); i++) lanes.push(lane());
  await Promise.all(lanes);
  return performance.now() - t0;
}

export interface Latency {
  p50: number;
  p99: number;
  mean: number;
  samples: number;
}

/** Sequential requests (one in flight) timed one by one with tinybench; microseconds. */
export async function sequentialLatency(
  client: Client,
  op: Op,
  check: (got: unknown) => void,
  timeMs: number,
): Promise<Latency> {
  const bench = new Bench({ time: timeMs, warmupTime: 100, iterations: 100, warmupIterations: 50, throws: true });
  const id = client.id;
  bench.add("seq", async () => {
    check(await client.send(op));
  });
  await bench.run();
  const r = bench.getTask("seq")?.result;
  if (r === undefined || r.state !== "completed") throw new Error(`${id}: latency task did not complete`);
  return {
    p50: r.latency.p50 * 1000,
    p99: r.latency.p99 * 1000,
    mean: r.latency.mean * 1000,
    samples: r.latency.samplesCount,
  };
}

export interface HeapResult {
  /** Bytes of V8 heap allocated per request: median over clean batches, and their range. */
  bytesPerRequest: number;
  min: number;
  max: number;
  /** ArrayBuffer backing-store bytes (outside the V8 heap) allocated per request, median. */
  arrayBuffersPerRequest: number;
  batches: number;
  discarded: number;
  requests: number;
  batchSize: number;
}

/**
 * Heap bytes allocated per request. Needs `--expose-gc` and a young generation larger than one
 * batch's allocation (`--min-semi-space-size=64 --max-semi-space-size=64`): after a forced full
 * GC, used_heap_size grows only by allocation until the next GC, so its growth over a batch run
 * with no GC in it is the bytes allocated. Batches with a GC in them (seen by a 'gc'
 * PerformanceObserver) are discarded and the batch size halved. Batches run until `maxTotal`
 * requests or `maxMs` have gone by (and at least three are clean).
 */
export async function heapPerRequest(
  client: Client,
  op: Op,
  check: (got: unknown) => void,
  inflight: number,
  maxTotal: number,
  maxMs: number,
): Promise<HeapResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("heap scenario needs node --expose-gc");
  const gcTimes: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcTimes.push(e.startTime);
  });
  observer.observe({ entryTypes: ["gc"] });
  const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 1));
  const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
  try {
    // Probe: how much a request allocates, to size batches to ~40% of the free young generation.
    gc();
    await settle();
    const probe = Math.max(inflight * 4, 200);
    const h0 = v8.getHeapStatistics().used_heap_size;
    await closedLoop(client, op, probe, inflight, check);
    const perReq = Math.max(256, (v8.getHeapStatistics().used_heap_size - h0) / probe);
    const room = (newSpace()?.space_available_size ?? 16 * 1024 * 1024) * 0.4;
    let batch = Math.max(inflight * 2, Math.min(20000, Math.floor(room / perReq)));
    const batchSize = batch;
    const perBatch: number[] = [];
    const abPerBatch: number[] = [];
    let done = 0;
    let discarded = 0;
    let clean = 0;
    const stop = performance.now() + maxMs;
    // At least three batches, then until maxTotal requests or maxMs.
    while (done < maxTotal && (perBatch.length < 3 || performance.now() < stop)) {
      const k = Math.min(batch, maxTotal - done);
      gc();
      await settle();
      const ab0 = process.memoryUsage().arrayBuffers;
      const t0 = performance.now();
      const u0 = v8.getHeapStatistics().used_heap_size;
      await closedLoop(client, op, k, inflight, check);
      const u1 = v8.getHeapStatistics().used_heap_size;
      const t1 = performance.now();
      const ab1 = process.memoryUsage().arrayBuffers;
      await settle();
      done += k;
      if (gcTimes.some((t) => t >= t0 && t <= t1)) {
        discarded++;
        batch = Math.max(inflight * 2, batch >> 1);
        continue;
      }
      clean += k;
      perBatch.push((u1 - u0) / k);
      abPerBatch.push((ab1 - ab0) / k);
    }
    if (perBatch.length === 0) throw new Error(`${client.id}: every heap batch had a GC in it`);
    return {
      bytesPerRequest: median(perBatch),
      min: Math.min(...perBatch),
      max: Math.max(...perBatch),
      arrayBuffersPerRequest: median(abPerBatch),
      batches: perBatch.length,
      discarded,
      requests: clean,
      batchSize,
    };
  } finally {
    observer.disconnect();
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
