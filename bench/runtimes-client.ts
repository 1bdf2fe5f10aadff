// The client side of bench/runtimes.ts, run inside Node (tsx), Deno or Bun: reqwire as a user of
// that runtime gets it (`import "reqwire"`: the package's export conditions pick dist/node.js,
// dist/deno.js or dist/bun.js; `npm run build` first) against the runtime's own fetch, and a
// wire-limit client (raw sockets that count response bytes), on the e2e server (its own process).
//
//   node --import tsx bench/runtimes-client.ts '<RunConfig JSON>'
//   deno run --allow-net=127.0.0.1 --allow-read --allow-env bench/runtimes-client.ts '<RunConfig JSON>'
//   bun run bench/runtimes-client.ts '<RunConfig JSON>'
//
// Prints progress on stderr and one line `RESULT <RunReport JSON>` on stdout. Only web APIs,
// node:process and node:os (CPU time, CPU count) and, in Node and Bun, node:net for the wire client.
import os from "node:os";
import process from "node:process";
import { runtime, Session } from "reqwire";

/** A response the server is known to send: body and whole-response lengths and SHA-1s (hex). */
export interface Expect {
  body: number;
  response: number;
  hash: string;
  responseHash: string;
}

export type ScenarioKey = "small" | "json" | "download" | "latency";
export type ClientKey = "reqwire" | "fetch" | "wire";

export interface ScenarioSpec {
  key: ScenarioKey;
  path: string;
  inflight: number;
  /** Throughput: seconds per timed run (K is set per client from its warm-up rate). Latency: seconds per round. */
  seconds: number;
}

export interface RunConfig {
  port: number;
  rounds: number;
  /** `json`: the /small body as text; a parsed body must equal JSON.parse of it. */
  expect: { small: Expect; download: Expect; json: string };
  scenarios: ScenarioSpec[];
  /** reqwire's Session({ pool_maxsize }). */
  poolMaxsize: number;
  /** The clients to run (all when absent), e.g. one alone under a profiler. */
  clients?: ClientKey[];
}

export interface ThroughputRun {
  /** Requests per second of one timed run. */
  rate: number;
  /** Client process CPU time / wall time (1 = one core). */
  cpu: number;
  /** The part of `cpu` spent in the kernel (system time): socket calls, loopback delivery. */
  sys: number;
}

export interface LatencyRun {
  /** Microseconds. */
  p50: number;
  p99: number;
  samples: number;
}

export interface ClientResult {
  client: ClientKey;
  /** Requests per timed run (throughput). */
  total: number;
  runs: Array<ThroughputRun | LatencyRun>;
}

export interface ScenarioResult {
  spec: ScenarioSpec;
  clients: ClientResult[];
}

export interface RunReport {
  runtime: "node" | "deno" | "bun";
  /** What reqwire's runtime() says: which entry of the package was loaded. */
  reqwireRuntime: string;
  version: string;
  fetchImpl: string;
  wireImpl: string;
  cpus: number;
  /** Every request this process sent (checked against the server's count). */
  requests: number;
  scenarios: ScenarioResult[];
}

// ---- the runtime ----------------------------------------------------------------------------------

interface DenoConn {
  write(p: Uint8Array): Promise<number>;
  read(p: Uint8Array): Promise<number | null>;
  setNoDelay(on: boolean): void;
  close(): void;
}
interface DenoApi {
  args: string[];
  version: { deno: string; v8: string };
  connect(o: { hostname: string; port: number }): Promise<DenoConn>;
  exit(code: number): never;
}
const g = globalThis as unknown as { Deno?: DenoApi; Bun?: { version: string; revision: string } };
const Deno = g.Deno;
const Bun = g.Bun;
const RUNTIME: RunReport["runtime"] = Deno !== undefined ? "deno" : Bun !== undefined ? "bun" : "node";

function versionLine(): string {
  if (Deno !== undefined) return `Deno ${Deno.version.deno} (V8 ${Deno.version.v8})`;
  if (Bun !== undefined) return `Bun ${Bun.version} (revision ${Bun.revision.slice(0, 9)}, JavaScriptCore)`;
  return `Node ${process.version} (V8 ${process.versions.v8})`;
}

function fetchLine(): string {
  if (Deno !== undefined) return "Deno's built-in fetch (Rust: hyper), default client";
  if (Bun !== undefined) return "Bun's built-in fetch (native, its own HTTP thread), defaults";
  return `Node's global fetch (bundled undici ${process.versions.undici}), default global dispatcher`;
}

const args = Deno !== undefined ? Deno.args : process.argv.slice(2);
const log = (s: string) => console.error(`[${RUNTIME}] ${s}`);
let requests = 0;

// ---- the clients ----------------------------------------------------------------------------------

interface Client {
  readonly key: ClientKey;
  /** One request, body read whole; the body (HTTP clients) or the whole response when capturing (wire). */
  send(path: string): Promise<Uint8Array>;
  /** One request, body parsed as JSON (HTTP clients only: the wire client has nothing to parse). */
  json?(path: string): Promise<unknown>;
  close(): void;
}

function reqwireClient(base: string, poolMaxsize: number): Client {
  const s = new Session({ pool_maxsize: poolMaxsize });
  return {
    key: "reqwire",
    async send(path) {
      requests++;
      const r = await s.get(base + path);
      if (r.status_code !== 200) throw new Error(`reqwire: status ${r.status_code}`);
      return r.content;
    },
    async json(path) {
      requests++;
      const r = await s.get(base + path);
      if (r.status_code !== 200) throw new Error(`reqwire: status ${r.status_code}`);
      return r.json();
    },
    close: () => s.close(),
  };
}

function fetchClient(base: string): Client {
  return {
    key: "fetch",
    async send(path) {
      requests++;
      const r = await fetch(base + path);
      if (r.status !== 200) throw new Error(`fetch: status ${r.status}`);
      return new Uint8Array(await r.arrayBuffer());
    },
    async json(path) {
      requests++;
      const r = await fetch(base + path);
      if (r.status !== 200) throw new Error(`fetch: status ${r.status}`);
      return await r.json();
    },
    close() {},
  };
}

/** One raw socket of the wire client: writes a fixed request, counts response bytes to a known length. */
interface WireSocket {
  exchange(request: Uint8Array, length: number, capture: boolean): Promise<Uint8Array>;
  close(): void;
}

const EMPTY = new Uint8Array(0);

function concat(parts: Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function denoWireSocket(d: DenoApi, port: number): Promise<WireSocket> {
  const conn = await d.connect({ hostname: "127.0.0.1", port });
  conn.setNoDelay(true);
  const buf = new Uint8Array(256 * 1024);
  return {
    async exchange(request, length, capture) {
      for (let at = 0; at < request.length; ) at += await conn.write(request.subarray(at));
      const parts: Uint8Array[] = [];
      let got = 0;
      while (got < length) {
        const n = await conn.read(buf);
        if (n === null) throw new Error("wire: connection closed");
        if (capture) parts.push(buf.slice(0, n));
        got += n;
      }
      if (got !== length) throw new Error(`wire: ${got} bytes, expected ${length}`);
      return capture ? concat(parts, got) : EMPTY;
    },
    close: () => conn.close(),
  };
}

async function netWireSocket(port: number): Promise<WireSocket> {
  const net = await import("node:net");
  const socket = net.connect({ host: "127.0.0.1", port, noDelay: true });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  let remaining = 0;
  let parts: Uint8Array[] | undefined;
  let done: ((b: Uint8Array) => void) | undefined;
  let fail: ((e: Error) => void) | undefined;
  let expected = 0;
  socket.on("data", (chunk: Uint8Array) => {
    remaining -= chunk.length;
    parts?.push(chunk);
    if (remaining <= 0) {
      const d = done;
      const p = parts;
      done = undefined;
      parts = undefined;
      if (remaining < 0) fail?.(new Error(`wire: ${expected - remaining} bytes, expected ${expected}`));
      else d?.(p === undefined ? EMPTY : concat(p, expected));
    }
  });
  socket.on("error", (e) => fail?.(e));
  socket.on("close", () => fail?.(new Error("wire: connection closed")));
  return {
    exchange(request, length, capture) {
      return new Promise<Uint8Array>((resolve, reject) => {
        remaining = length;
        expected = length;
        parts = capture ? [] : undefined;
        done = resolve;
        fail = reject;
        socket.write(request);
      });
    },
    close: () => socket.destroy(),
  };
}

/**
 * The wire limit: raw sockets of the runtime (Deno.connect in Deno, node:net in Node and Bun;
 * Bun.connect measured the same raw rate in Bun), one per request in flight, writing a fixed request and counting
 * response bytes up to the length the server is known to send (no parsing, no copying).
 */
function wireClient(port: number, lengths: Map<string, number>): Client & { capture: boolean } {
  const idle: WireSocket[] = [];
  const all: WireSocket[] = [];
  const encoded = new Map<string, Uint8Array>();
  const client = {
    key: "wire" as const,
    capture: false,
    async send(path: string) {
      requests++;
      let req = encoded.get(path);
      if (req === undefined) {
        req = new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
        encoded.set(path, req);
      }
      let s = idle.pop();
      if (s === undefined) {
        s = Deno !== undefined ? await denoWireSocket(Deno, port) : await netWireSocket(port);
        all.push(s);
      }
      const out = await s.exchange(req, lengths.get(path) ?? 0, client.capture);
      idle.push(s);
      return out;
    },
    close() {
      for (const s of all) s.close();
    },
  };
  return client;
}

// ---- checks ---------------------------------------------------------------------------------------

async function sha1(b: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-1", b as Uint8Array<ArrayBuffer>));
  return Array.from(d, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Before timing: 2 sequential, then `n` concurrent responses, each checked byte for byte (length, SHA-1). */
async function verify(c: Client, path: string, e: Expect, n: number, wire: boolean): Promise<void> {
  const check = async (b: Uint8Array) => {
    const [len, hash] = wire ? [e.response, e.responseHash] : [e.body, e.hash];
    if (b.length !== len) throw new Error(`${c.key} ${path}: ${b.length} bytes, expected ${len}`);
    const h = await sha1(b);
    if (h !== hash) throw new Error(`${c.key} ${path}: SHA-1 ${h}, expected ${hash}`);
  };
  for (let i = 0; i < 2; i++) await check(await c.send(path));
  const all = await Promise.all(Array.from({ length: n }, () => c.send(path)));
  for (const b of all) await check(b);
}

/** Structural equality of two JSON values (key order aside). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && jsonEqual(ra[k], rb[k]));
}

/** Before timing (JSON): 2 sequential, then `n` concurrent bodies, each parsed value equal to `expected`. */
async function verifyJson(c: Client, path: string, expected: unknown, n: number): Promise<void> {
  const json = c.json?.bind(c);
  if (json === undefined) return;
  const check = (v: unknown) => {
    if (!jsonEqual(v, expected))
      throw new Error(`${c.key} ${path}: parsed ${JSON.stringify(v)}, expected ${JSON.stringify(expected)}`);
  };
  for (let i = 0; i < 2; i++) check(await json(path));
  for (const v of await Promise.all(Array.from({ length: n }, () => json(path)))) check(v);
}

/**
 * The check per operation while timing, as cheap as the bytes scenarios' length check: the parsed
 * value is an object whose first primitive field equals the expected one (the whole value was
 * compared before timing).
 */
function jsonProbe(expected: unknown): (v: unknown) => boolean {
  const entries = Object.entries(expected as Record<string, unknown>);
  const [key, want] = entries.find(([, v]) => v === null || typeof v !== "object") ?? [];
  if (key === undefined) throw new Error("runtimes-client: the JSON body needs a primitive field to probe");
  return (v) => typeof v === "object" && v !== null && (v as Record<string, unknown>)[key] === want;
}

// ---- drivers --------------------------------------------------------------------------------------

/** One request with its body read (bytes, or parsed as JSON) and checked. */
type Op = () => Promise<void>;

/** The operation of a scenario for a client: bytes (length checked) or JSON (probed). */
function operation(c: Client, spec: ScenarioSpec, length: number, probe: (v: unknown) => boolean): Op {
  if (spec.key === "json") {
    const json = c.json?.bind(c);
    if (json === undefined) throw new Error(`${c.key}: no JSON operation`);
    return async () => {
      const v = await json(spec.path);
      if (!probe(v)) throw new Error(`${c.key}: parsed ${JSON.stringify(v)}, not the expected value`);
    };
  }
  return async () => {
    const b = await c.send(spec.path);
    if (c.key !== "wire" && b.length !== length) throw new Error(`${c.key}: ${b.length} bytes, expected ${length}`);
  };
}

/** C lanes, each sending its next request when the previous body is read; K in all. Returns ms. */
async function closedLoop(op: Op, total: number, inflight: number): Promise<number> {
  let issued = 0;
  const lane = async () => {
    while (issued < total) {
      issued++;
      await op();
    }
  };
  const lanes: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < Math.min(inflight, total); i++) lanes.push(lane());
  await Promise.all(lanes);
  return performance.now() - t0;
}

async function timedRun(op: Op, spec: ScenarioSpec, total: number): Promise<ThroughputRun> {
  const cpu0 = process.cpuUsage();
  const ms = await closedLoop(op, total, spec.inflight);
  const cpu = process.cpuUsage(cpu0);
  return { rate: (total * 1000) / ms, cpu: (cpu.user + cpu.system) / 1000 / ms, sys: cpu.system / 1000 / ms };
}

/** Sequential requests for `ms`, each timed; p50 and p99 in µs. */
async function latencyRun(op: Op, ms: number): Promise<LatencyRun> {
  const times: number[] = [];
  const end = performance.now() + ms;
  for (let t = performance.now(); t < end; ) {
    await op();
    const t1 = performance.now();
    times.push(t1 - t);
    t = t1;
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => (times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0) * 1000;
  return { p50: q(0.5), p99: q(0.99), samples: times.length };
}

const rotate = <T>(xs: readonly T[], k: number): T[] => xs.map((_, i) => xs[(i + k) % xs.length] as T);

async function runScenario(spec: ScenarioSpec, all: Client[], cfg: RunConfig): Promise<ScenarioResult> {
  const e = spec.key === "download" ? cfg.expect.download : cfg.expect.small;
  // JSON: the HTTP clients only (the wire client has nothing to parse; its ceiling is the bytes scenario's).
  const clients = spec.key === "json" ? all.filter((c) => c.json !== undefined) : all;
  const probe = jsonProbe(JSON.parse(cfg.expect.json));
  const ops = new Map(clients.map((c) => [c, operation(c, spec, c.key === "wire" ? e.response : e.body, probe)]));
  const opOf = (c: Client) => ops.get(c) as Op;
  const results = new Map<ClientKey, ClientResult>();
  for (const c of clients) results.set(c.key, { client: c.key, total: 0, runs: [] });
  if (spec.key !== "latency") {
    // K per client: from its rate over a first warm-up as long as one timed run.
    for (const c of clients) {
      const t0 = performance.now();
      let done = 0;
      const batch = Math.max(spec.inflight, 8);
      while (performance.now() - t0 < spec.seconds * 1000) {
        await closedLoop(opOf(c), batch, spec.inflight);
        done += batch;
      }
      const rate = (done * 1000) / (performance.now() - t0);
      const k = Math.round((rate * spec.seconds) / spec.inflight) * spec.inflight;
      (results.get(c.key) as ClientResult).total = Math.max(k, spec.inflight * 4);
    }
  }
  for (let round = 0; round < cfg.rounds; round++) {
    for (const c of rotate(clients, round)) {
      const r = results.get(c.key) as ClientResult;
      if (spec.key === "latency") {
        await latencyRun(opOf(c), 50); // warm-up (re-opens a socket that went idle)
        r.runs.push(await latencyRun(opOf(c), spec.seconds * 1000));
      } else {
        const warm = Math.max(spec.inflight, Math.round(r.total / 10));
        await closedLoop(opOf(c), warm, spec.inflight);
        r.runs.push(await timedRun(opOf(c), spec, r.total));
      }
    }
  }
  const summary = [...results.values()].map((r) => {
    const v = r.runs.map((x) => ("rate" in x ? Math.round(x.rate) : Math.round(x.p50)));
    return `${r.client} ${v.join(" ")}`;
  });
  log(`${spec.key}: ${summary.join("; ")}${spec.key === "latency" ? " (p50 µs)" : " (req/s)"}`);
  return { spec, clients: [...results.values()] };
}

async function main(): Promise<void> {
  const cfg = JSON.parse(args[0] as string) as RunConfig;
  const base = `http://127.0.0.1:${cfg.port}`;
  const lengths = new Map([
    ["/small", cfg.expect.small.response],
    ["/chunked-1m", cfg.expect.download.response],
  ]);
  const wire = wireClient(cfg.port, lengths);
  const all: Client[] = [reqwireClient(base, cfg.poolMaxsize), fetchClient(base), wire];
  const clients = all.filter((c) => cfg.clients === undefined || cfg.clients.includes(c.key));
  const most = Math.max(...cfg.scenarios.map((s) => s.inflight));
  for (const c of clients) {
    wire.capture = c === wire;
    await verify(c, "/small", cfg.expect.small, most, c === wire);
    await verify(c, "/chunked-1m", cfg.expect.download, 4, c === wire);
    wire.capture = false;
    const json = cfg.scenarios.find((s) => s.key === "json");
    if (json !== undefined) await verifyJson(c, json.path, JSON.parse(cfg.expect.json), json.inflight);
  }
  log(`${versionLine()}; reqwire runtime() = ${runtime()}; responses verified`);
  const scenarios: ScenarioResult[] = [];
  for (const spec of cfg.scenarios) scenarios.push(await runScenario(spec, clients, cfg));
  for (const c of all) c.close();
  const report: RunReport = {
    runtime: RUNTIME,
    reqwireRuntime: runtime(),
    version: versionLine(),
    fetchImpl: fetchLine(),
    wireImpl: Deno !== undefined ? "Deno.connect" : Bun !== undefined ? "node:net (Bun's)" : "node:net",
    // Node 20 has no navigator; Deno's os.cpus() would need --allow-sys
    cpus: typeof navigator === "undefined" ? os.cpus().length : navigator.hardwareConcurrency,
    requests,
    scenarios,
  };
  console.log(`RESULT ${JSON.stringify(report)}`);
}

let code = 0;
try {
  await main();
} catch (e) {
  console.error(e);
  code = 1;
}
// Idle keep-alive sockets (fetch's pools) must not hold the process open.
if (Deno !== undefined) Deno.exit(code);
else process.exit(code);
