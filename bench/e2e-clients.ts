// The clients of bench/e2e.ts behind one interface, and the drivers that time them: a closed loop
// (K requests, C in flight), sequential latency (tinybench), and heap bytes allocated per request.
// Each client library is imported only when that client is made, so a worker process holds only
// its own client's code.
import { createHash } from "node:crypto";
import http from "node:http";
import { connect, type Socket } from "node:net";
import { resolve } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import v8 from "node:v8";
import { Bench } from "tinybench";

export const CLIENT_IDS = ["reqwire", "fetch", "undici", "http", "axios", "got", "node-fetch", "wire"] as const;
export type ClientId = (typeof CLIENT_IDS)[number];

export const CLIENT_LABELS: Record<ClientId, string> = {
  reqwire: "reqwire",
  fetch: "fetch (global)",
  undici: "undici.request",
  http: "node:http",
  axios: "axios",
  got: "got",
  "node-fetch": "node-fetch",
  wire: "wire limit (raw net)",
};

export type Op = "small" | "download" | "upload";
export const PATHS: Record<Op, string> = { small: "/small", download: "/chunked-1m", upload: "/upload" };

/** What a response must be: body (HTTP clients) or whole response (wire), length and SHA-1. */
export interface Expected {
  body: number;
  response: number;
  hash: string;
  responseHash: string;
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
   * One request with its body fully read. Resolves with the body as one byte array (HTTP
   * clients), or with the number of response bytes (the wire client, which parses nothing).
   * Rejects unless the status is 200.
   */
  send(op: Op): Promise<Uint8Array | number>;
  close(): Promise<void>;
}

function statusError(id: string, status: number): Error {
  return new Error(`${id}: status ${status}, expected 200`);
}

// ---- the clients ----------------------------------------------------------------------------------

export async function createClient(id: ClientId, cfg: ClientConfig): Promise<Client> {
  const base = `http://127.0.0.1:${cfg.port}`;
  const url: Record<Op, string> = {
    small: base + PATHS.small,
    download: base + PATHS.download,
    upload: base + PATHS.upload,
  };
  const payload = cfg.payload;
  const n = cfg.sockets;
  switch (id) {
    case "reqwire": {
      // REQWIRE_E2E_MODULE=<path>: Session from another build of reqwire (say, an esbuild bundle) instead of
      // the TypeScript source run through tsx (whose esbuild transform adds a __name() call per closure).
      const other = process.env.REQWIRE_E2E_MODULE;
      const { Session } = (
        other ? await import(pathToFileURL(resolve(other)).href) : await import("../src/index.js")
      ) as typeof import("../src/index.js");
      const s = new Session({ pool_maxsize: n });
      return {
        id,
        async send(op) {
          const r = op === "upload" ? await s.put(url.upload, { data: payload }) : await s.get(url[op]);
          if (r.status_code !== 200) throw statusError(id, r.status_code);
          return r.content;
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
          const r = await fetch(url[op], op === "upload" ? putInit : init);
          if (r.status !== 200) throw statusError(id, r.status);
          return new Uint8Array(await r.arrayBuffer());
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
          const r =
            op === "upload"
              ? await undici.request(url.upload, { dispatcher, method: "PUT", body: payload })
              : await undici.request(url[op], { dispatcher });
          if (r.statusCode !== 200) {
            await r.body.dump();
            throw statusError(id, r.statusCode);
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
          return new Promise<Uint8Array>((resolve, reject) => {
            const req = http.request(op === "upload" ? put : get(op), (res) => {
              const chunks: Buffer[] = [];
              let length = 0;
              res.on("data", (c: Buffer) => {
                chunks.push(c);
                length += c.length;
              });
              res.on("end", () => {
                if (res.statusCode !== 200) reject(statusError(id, res.statusCode ?? 0));
                else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length));
              });
              res.on("error", reject);
            });
            req.on("error", reject);
            req.end(op === "upload" ? payload : undefined);
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
      const ax = axios.create({
        httpAgent: agent,
        responseType: "arraybuffer",
        maxRedirects: 0,
        proxy: false,
        maxBodyLength: Number.POSITIVE_INFINITY,
        maxContentLength: Number.POSITIVE_INFINITY,
        validateStatus: null,
      });
      const putConfig = { headers: { "Content-Type": "application/octet-stream" } };
      return {
        id,
        async send(op) {
          const r = op === "upload" ? await ax.put(url.upload, payload, putConfig) : await ax.get(url[op]);
          if (r.status !== 200) throw statusError(id, r.status);
          return r.data as Buffer;
        },
        async close() {
          agent.destroy();
        },
      };
    }
    case "got": {
      const { default: got } = await import("got");
      const agent = new http.Agent({ keepAlive: true, maxSockets: n });
      const g = got.extend({
        agent: { http: agent },
        retry: { limit: 0 },
        throwHttpErrors: false,
        followRedirect: false,
        responseType: "buffer",
      });
      // got types its body as string | Buffer | stream | …; a Buffer view of the same bytes (no copy).
      const body = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
      return {
        id,
        async send(op) {
          const r = op === "upload" ? await g.put(url.upload, { body }) : await g.get(url[op]);
          if (r.statusCode !== 200) throw statusError(id, r.statusCode);
          return r.body as Buffer; // responseType "buffer" (got's types do not follow it through extend)
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
          const r = await nodeFetch(url[op], op === "upload" ? putInit : init);
          if (r.status !== 200) throw statusError(id, r.status);
          return new Uint8Array(await r.arrayBuffer());
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
  #lengths: Record<Op, number> = { small: 0, download: 0, upload: 0 };
  readonly #idle: WireSocket[] = [];
  #open = 0;
  readonly #queue: Array<() => void> = [];
  #queueHead = 0;

  constructor(cfg: ClientConfig) {
    this.#cfg = cfg;
    const host = `Host: 127.0.0.1:${cfg.port}\r\n`;
    this.#requests = {
      small: Buffer.from(`GET ${PATHS.small} HTTP/1.1\r\n${host}\r\n`, "latin1"),
      download: Buffer.from(`GET ${PATHS.download} HTTP/1.1\r\n${host}\r\n`, "latin1"),
      upload: Buffer.from(`PUT ${PATHS.upload} HTTP/1.1\r\n${host}Content-Length: ${cfg.payload.length}\r\n\r\n`),
    };
  }

  setLengths(lengths: Record<Op, number>): void {
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
    if (expected === 0) throw new Error("wire: response lengths not set");
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
export function setWireLengths(client: Client, lengths: Record<Op, number>): void {
  if (client instanceof WireClient) client.setLengths(lengths);
}

// ---- checks ---------------------------------------------------------------------------------------

const sha1 = (b: Uint8Array) => createHash("sha1").update(b).digest("hex");

/** The length every result of `op` must have for this client. */
export function expectedLength(client: Client, e: Expected): number {
  return client.id === "wire" ? e.response : e.body;
}

/** Checks one result completely: status (done by send), length and content. */
export function checkContent(client: Client, op: Op, got: Uint8Array | number, e: Expected): void {
  const wire = client.id === "wire";
  if (!(got instanceof Uint8Array)) throw new Error(`${client.id} ${op}: expected a byte array, got ${typeof got}`);
  const length = wire ? e.response : e.body;
  const hash = wire ? e.responseHash : e.hash;
  if (got.length !== length) throw new Error(`${client.id} ${op}: ${got.length} bytes, expected ${length}`);
  const h = sha1(got);
  if (h !== hash) throw new Error(`${client.id} ${op}: content differs (sha1 ${h}, expected ${hash})`);
}

/** The cheap check done on every timed request: the length (status is checked by send). */
function checkLength(id: string, op: Op, got: Uint8Array | number, length: number): void {
  const n = typeof got === "number" ? got : got.length;
  if (n !== length) throw new Error(`${id} ${op}: ${n} bytes, expected ${length}`);
}

// ---- drivers ----------------------------------------------------------------------------------------

/** Runs `total` requests with at most `inflight` at once (closed loop); returns the milliseconds. */
export async function closedLoop(
  client: Client,
  op: Op,
  total: number,
  inflight: number,
  length: number,
): Promise<number> {
  let issued = 0;
  const id = client.id;
  const lane = async () => {
    while (issued < total) {
      issued++;
      checkLength(id, op, await client.send(op), length);
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
export async function sequentialLatency(client: Client, op: Op, length: number, timeMs: number): Promise<Latency> {
  const bench = new Bench({ time: timeMs, warmupTime: 100, iterations: 100, warmupIterations: 50, throws: true });
  const id = client.id;
  bench.add("seq", async () => {
    checkLength(id, op, await client.send(op), length);
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
  length: number,
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
    await closedLoop(client, op, probe, inflight, length);
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
      await closedLoop(client, op, k, inflight, length);
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
