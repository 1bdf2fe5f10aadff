// End to end: reqwire against its peers (global fetch, undici.request, node:http, axios, got,
// node-fetch) and the wire limit, over keep-alive HTTP/1.1 on 127.0.0.1.
//
//   npm run bench                        build the engine, verify every client, run the six scenarios,
//                                        update bench/RESULTS.md (about 5 minutes on 2 cores)
//   npm run bench -- --quick             fewer requests and rounds (about 1.5 minutes: the slowest peers
//                                        run 2-3k requests/s); RESULTS.md is updated too
//   npx tsx bench/e2e.ts --scenarios=small,download --clients=reqwire,undici
//                                        a subset (names or numbers); RESULTS.md is not touched
//   --rounds=N                           rounds per scenario instead of the default
//
// Profiling reqwire alone on one scenario for N seconds (the server still runs in its own process,
// without the profiler; no other client is loaded):
//
//   npm run build:wasm
//   node --cpu-prof --cpu-prof-dir=bench/profiles --import tsx bench/e2e.ts --profile=small --seconds=10
//
// REQWIRE_E2E_MODULE=<file> measures another build of reqwire (a module exporting Session, e.g. an
// esbuild bundle of src/index.ts) in place of the TypeScript source, which tsx transforms with
// esbuild's keepNames: a __name() call (Object.defineProperty) for every closure created.
//
// Scenarios: small (1), latency (2), download (3), upload (4), many (5), heap (6). Open the
// .cpuprofile in Chrome DevTools (Performance tab) or VS Code; *.cpuprofile is git-ignored.
//
// Layout: bench/e2e-server.ts is the server (node:net, canned bytes, its own process);
// bench/e2e-worker.ts runs one client per process, driven from here over IPC;
// bench/e2e-clients.ts holds the clients and the drivers (closed loop, latency, heap).
import { type ChildProcess, execFileSync, fork } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type E2eServer, option, RESULTS_FILE, startE2eServer, writeSection } from "./common.js";
import {
  CLIENT_IDS,
  CLIENT_LABELS,
  type ClientId,
  closedLoop,
  expectedLength,
  median,
  type Op,
  sequentialLatency,
} from "./e2e-clients.js";
import type { Served } from "./e2e-server.js";
import { makePayload, makeVerifiedClient, type WorkerReply, type WorkerRequest } from "./e2e-worker.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const START_MARK = "<!-- e2e:start -->";
const END_MARK = "<!-- e2e:end -->";
const PAYLOAD_BYTES = 1024 * 1024;
const MB = 1e6;

// ---- scenarios ------------------------------------------------------------------------------------

type Kind = "throughput" | "latency" | "heap";

interface Work {
  rounds: number;
  /**
   * Seconds one timed run should last. Throughput: each client's K (requests per timed run) is
   * set from the rate of its first warm-up, within [minTotal, maxTotal], and then kept for every
   * round. Heap: the time allowed for the measured batches.
   */
  seconds: number;
  /**
   * Requests of the first warm-up batch (the first round warms up in batches for `warmupSeconds`;
   * later rounds warm up with max(min(in flight, K), K / 5) requests).
   */
  warmup: number;
  warmupSeconds: number;
  minTotal: number;
  /** Throughput: the most requests in one timed run. Heap: the most requests measured. */
  maxTotal: number;
  /** tinybench time per round, ms (latency). */
  timeMs: number;
}

interface Scenario {
  n: number;
  key: string;
  title: string;
  op: Op;
  inflight: number;
  sockets: number;
  kind: Kind;
  /** Throughput unit: requests or body megabytes per second. */
  unit: "req/s" | "MB/s";
  /** Runs in freshly started worker processes (one per client) instead of the shared ones. */
  fresh: boolean;
  execArgv: string[];
  full: Work;
  quick: Work;
}

const work = (rounds: number, seconds: number, warmup: number, minTotal: number, maxTotal: number): Work => ({
  rounds,
  seconds,
  warmup,
  warmupSeconds: seconds,
  minTotal,
  maxTotal,
  timeMs: 0,
});
const latencyWork = (rounds: number, timeMs: number): Work => ({ ...work(rounds, 0, 50, 0, 0), timeMs });

const SCENARIOS: Scenario[] = [
  {
    n: 1,
    key: "small",
    title: "small JSON GET, 50 in flight",
    op: "small",
    inflight: 50,
    sockets: 50,
    kind: "throughput",
    unit: "req/s",
    fresh: false,
    execArgv: [],
    full: work(5, 0.8, 2000, 2000, 100000),
    quick: work(3, 0.25, 500, 500, 50000),
  },
  {
    n: 2,
    key: "latency",
    title: "sequential small GET, 1 in flight",
    op: "small",
    inflight: 1,
    sockets: 1,
    kind: "latency",
    unit: "req/s",
    fresh: false,
    execArgv: [],
    full: latencyWork(5, 600),
    quick: latencyWork(3, 200),
  },
  {
    n: 3,
    key: "download",
    title: "1 MiB chunked download, 8 in flight",
    op: "download",
    inflight: 8,
    sockets: 8,
    kind: "throughput",
    unit: "MB/s",
    fresh: false,
    execArgv: [],
    full: work(5, 0.8, 24, 16, 2000),
    quick: work(3, 0.25, 16, 16, 1000),
  },
  {
    n: 4,
    key: "upload",
    title: "1 MiB PUT upload (Uint8Array, Content-Length), 8 in flight",
    op: "upload",
    inflight: 8,
    sockets: 8,
    kind: "throughput",
    unit: "MB/s",
    fresh: false,
    execArgv: [],
    full: work(5, 0.8, 24, 16, 2000),
    quick: work(3, 0.25, 16, 16, 1000),
  },
  {
    n: 5,
    key: "many",
    title: "1,000 in flight over a 64-socket pool (small GET)",
    op: "small",
    inflight: 1000,
    sockets: 64,
    kind: "throughput",
    unit: "req/s",
    fresh: true,
    execArgv: [],
    full: work(3, 1.0, 2000, 2000, 100000),
    quick: work(2, 0.4, 1000, 2000, 50000),
  },
  {
    n: 6,
    key: "heap",
    title: "heap bytes allocated per request (small GET, 50 in flight)",
    op: "small",
    inflight: 50,
    sockets: 50,
    kind: "heap",
    unit: "req/s",
    fresh: true,
    execArgv: ["--expose-gc", "--min-semi-space-size=64", "--max-semi-space-size=64"],
    full: work(1, 4, 3000, 0, 100000),
    quick: work(1, 0.6, 500, 0, 20000),
  },
];

function findScenario(name: string): Scenario {
  const sc = SCENARIOS.find((s) => s.key === name || String(s.n) === name);
  if (sc === undefined) {
    throw new Error(`bench/e2e: no scenario ${name}; use ${SCENARIOS.map((s) => `${s.key} (${s.n})`).join(", ")}`);
  }
  return sc;
}

// ---- child processes --------------------------------------------------------------------------------

/** Disconnects a child (it exits on that) and waits for the exit; kills it if it lingers. */
async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  if (proc.connected) proc.disconnect();
  const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

/** A child process answering one request at a time over IPC. */
class Child<Req, Rep extends { type: string }> {
  readonly proc: ChildProcess;
  readonly name: string;
  #pending: { resolve: (r: Rep) => void; reject: (e: Error) => void } | undefined;
  #exited = false;

  constructor(name: string, script: string, execArgv: string[]) {
    this.name = name;
    // execArgv is explicit: a child never inherits this process's flags (--cpu-prof among them).
    this.proc = fork(script, [], { execArgv: ["--import", "tsx", ...execArgv], stdio: "inherit" });
    this.proc.on("message", (msg: Rep) => {
      const p = this.#pending;
      if (p === undefined) return;
      this.#pending = undefined;
      if (msg.type === "error") p.reject(new Error(`${name}: ${(msg as unknown as { message: string }).message}`));
      else p.resolve(msg);
    });
    this.proc.on("exit", (code, signal) => {
      this.#exited = true;
      const p = this.#pending;
      this.#pending = undefined;
      p?.reject(new Error(`${name} exited (code ${code}, signal ${signal})`));
    });
  }

  request<T extends Rep["type"]>(msg: Req, expect: T): Promise<Extract<Rep, { type: T }>> {
    if (this.#exited) return Promise.reject(new Error(`${this.name} has exited`));
    if (this.#pending !== undefined) throw new Error(`${this.name}: a request is already pending`);
    return new Promise<Rep>((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.proc.send(msg as object);
    }).then((r) => {
      if (r.type !== expect) throw new Error(`${this.name}: got ${r.type}, expected ${expect}`);
      return r as Extract<Rep, { type: T }>;
    });
  }

  stop(): Promise<void> {
    return stopChild(this.proc);
  }

  kill(): void {
    if (!this.#exited) this.proc.kill("SIGKILL");
  }
}

/** What the server answers, as the workers check it. */
function expectedOf(served: Served) {
  const { small, download, upload } = served;
  return { small, download, upload };
}

type Worker = Child<WorkerRequest, WorkerReply>;

function startWorkers(clients: ClientId[], execArgv: string[]): Map<ClientId, Worker> {
  const workers = new Map<ClientId, Worker>();
  for (const id of clients) workers.set(id, new Child(`worker ${id}`, join(here, "e2e-worker.ts"), execArgv));
  return workers;
}

/** Ends the workers; returns each one's peak RSS (bytes). */
async function stopWorkers(workers: Map<ClientId, Worker>): Promise<Map<ClientId, number>> {
  const peaks = new Map<ClientId, number>();
  for (const [id, w] of workers) {
    const bye = await w.request({ type: "exit" }, "bye");
    peaks.set(id, bye.maxRssBytes);
    await w.stop();
  }
  return peaks;
}

// ---- measuring ----------------------------------------------------------------------------------------

interface ThroughputCell {
  /** K: requests per timed run (set from the first warm-up's rate). */
  total: number;
  values: number[];
  clientCpu: number[];
  serverCpu: number[];
  sockets: number[];
}

interface LatencyCell {
  p50: number[];
  p99: number[];
  samples: number[];
}

type HeapCell = Omit<Extract<WorkerReply, { type: "heap" }>, "type">;

interface ScenarioResult {
  sc: Scenario;
  work: Work;
  clients: ClientId[];
  throughput: Map<ClientId, ThroughputCell>;
  latency: Map<ClientId, LatencyCell>;
  heap: Map<ClientId, HeapCell>;
  rssBefore: Map<ClientId, number>;
  rssPeak: Map<ClientId, number>;
}

/** Body bytes moved per request for MB/s: the 1 MiB payload for uploads, else the response body. */
function bodyBytesOf(op: Op, expected: ReturnType<typeof expectedOf>): number {
  return op === "upload" ? PAYLOAD_BYTES : expected[op].body;
}

const rotate = <T>(xs: T[], k: number): T[] => xs.map((_, i) => xs[(i + k) % xs.length] as T);

async function runScenario(
  sc: Scenario,
  w: Work,
  clients: ClientId[],
  workers: Map<ClientId, Worker>,
  server: E2eServer,
): Promise<ScenarioResult> {
  const res: ScenarioResult = {
    sc,
    work: w,
    clients,
    throughput: new Map(),
    latency: new Map(),
    heap: new Map(),
    rssBefore: new Map(),
    rssPeak: new Map(),
  };
  const expected = expectedOf(server.served);
  for (const id of clients) {
    const ready = await (workers.get(id) as Worker).request(
      {
        type: "init",
        client: id,
        port: server.served.port,
        sockets: sc.sockets,
        op: sc.op,
        verifyInflight: sc.inflight,
        payloadBytes: PAYLOAD_BYTES,
        expected,
      },
      "ready",
    );
    res.rssBefore.set(id, ready.rssBytes);
  }
  log(`[${sc.n} ${sc.key}] verified: ${clients.join(", ")}`);
  const bodyBytes = bodyBytesOf(sc.op, expected);

  if (sc.kind === "heap") {
    for (const id of clients) {
      const h = await (workers.get(id) as Worker).request(
        { type: "heap", maxTotal: w.maxTotal, maxMs: w.seconds * 1000, inflight: sc.inflight, warmup: w.warmup },
        "heap",
      );
      const { type: _, ...cell } = h;
      res.heap.set(id, cell);
      log(
        `[${sc.n} ${sc.key}] ${CLIENT_LABELS[id]}: ${fmtInt(h.bytesPerRequest)} B/request ` +
          `(${h.batches} batches of ${h.batchSize}, ${h.discarded} discarded)`,
      );
    }
    return res;
  }

  for (let round = 0; round < w.rounds; round++) {
    for (const id of rotate(clients, round)) {
      const worker = workers.get(id) as Worker;
      if (sc.kind === "latency") {
        const r = await worker.request({ type: "latency", timeMs: w.timeMs }, "latency");
        const cell = res.latency.get(id) ?? { p50: [], p99: [], samples: [] };
        cell.p50.push(r.p50);
        cell.p99.push(r.p99);
        cell.samples.push(r.samples);
        res.latency.set(id, cell);
        log(
          `[${sc.n} ${sc.key}] round ${round + 1}/${w.rounds} ${CLIENT_LABELS[id]}: ` +
            `p50 ${fmtUs(r.p50)} µs, p99 ${fmtUs(r.p99)} µs (${r.samples} samples)`,
        );
        continue;
      }
      const cell = res.throughput.get(id) ?? { total: 0, values: [], clientCpu: [], serverCpu: [], sockets: [] };
      if (cell.total === 0) {
        // First warm-up, for about `w.warmupSeconds`, in batches (at least two): the rate of the
        // last (warm) batch sets this client's K, about `w.seconds` of its work.
        let batch = w.warmup;
        let spent = 0;
        let rate = 0;
        for (let i = 0; i < 2 || spent < w.warmupSeconds * 1000; i++) {
          const warm = await worker.request({ type: "warmup", total: batch, inflight: sc.inflight }, "done");
          spent += warm.ms;
          rate = (batch * 1000) / warm.ms;
          batch = Math.min(w.maxTotal, Math.max(w.warmup, Math.round(rate * 0.15)));
        }
        const k = Math.round(rate * w.seconds);
        cell.total = Math.min(w.maxTotal, Math.max(w.minTotal, Math.ceil(k / sc.inflight) * sc.inflight));
      } else {
        const warmup = Math.max(Math.min(sc.inflight, cell.total), Math.round(cell.total / 5));
        await worker.request({ type: "warmup", total: warmup, inflight: sc.inflight }, "done");
      }
      const total = cell.total;
      await server.reset();
      const s0 = await server.stats();
      const r = await worker.request({ type: "run", total, inflight: sc.inflight }, "run");
      const s1 = await server.stats();
      if (s1.requests - s0.requests !== total) {
        throw new Error(`${id}: the server answered ${s1.requests - s0.requests} requests, expected ${total}`);
      }
      const perSec = (total * 1000) / r.ms;
      const value = sc.unit === "req/s" ? perSec : (perSec * bodyBytes) / MB;
      cell.values.push(value);
      cell.clientCpu.push(r.cpuMicros / (r.ms * 1000));
      cell.serverCpu.push((s1.cpuMicros - s0.cpuMicros) / (r.ms * 1000));
      cell.sockets.push(s1.used);
      res.throughput.set(id, cell);
      log(
        `[${sc.n} ${sc.key}] round ${round + 1}/${w.rounds} ${CLIENT_LABELS[id]}: ${fmtValue(sc, value)} ${sc.unit} ` +
          `(${fmtInt(total)} requests, ${s1.used} sockets)`,
      );
    }
  }
  return res;
}

// ---- profile mode -------------------------------------------------------------------------------------

async function profile(sc: Scenario, seconds: number, server: E2eServer): Promise<void> {
  const expected = expectedOf(server.served);
  const payload = makePayload(PAYLOAD_BYTES);
  const client = await makeVerifiedClient(
    "reqwire",
    server.served.port,
    sc.sockets,
    sc.op,
    sc.inflight,
    payload,
    expected,
  );
  const length = expectedLength(client, expected[sc.op]);
  const bodyBytes = bodyBytesOf(sc.op, expected);
  log(`profile: reqwire only, scenario ${sc.n} ${sc.key} (${sc.title}), ${seconds} s`);
  if (sc.kind === "latency") {
    const r = await sequentialLatency(client, sc.op, length, seconds * 1000);
    log(`  p50 ${fmtUs(r.p50)} µs, p99 ${fmtUs(r.p99)} µs, ${r.samples} samples`);
  } else {
    const batch = sc.op === "small" ? Math.max(sc.inflight * 20, 2000) : sc.inflight * 8;
    await closedLoop(client, sc.op, batch, sc.inflight, length);
    let requests = 0;
    let ms = 0;
    while (ms < seconds * 1000) {
      ms += await closedLoop(client, sc.op, batch, sc.inflight, length);
      requests += batch;
    }
    const perSec = (requests * 1000) / ms;
    log(
      `  ${requests} requests in ${(ms / 1000).toFixed(1)} s: ${fmtInt(perSec)} req/s, ${fmtMb((perSec * bodyBytes) / MB)} MB/s`,
    );
  }
  await client.close();
}

// ---- report --------------------------------------------------------------------------------------------

const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");
const fmtMb = (n: number) => n.toFixed(1);
const fmtUs = (n: number) => n.toFixed(1);
const fmtRatio = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "—" : `${n.toFixed(2)}×`);
const fmtPct = (n: number) => `${Math.round(n * 100)}%`;
const fmtValue = (sc: Scenario, v: number) => (sc.unit === "req/s" ? fmtInt(v) : fmtMb(v));
const fmtRange = (xs: number[], f: (n: number) => string) =>
  xs.length > 1 ? `${f(Math.min(...xs))}–${f(Math.max(...xs))}` : "—";

function log(line: string): void {
  console.log(line);
}

/** One client's headline number in a scenario (median over rounds). */
function headline(r: ScenarioResult, id: ClientId): number | undefined {
  if (r.sc.kind === "throughput") {
    const c = r.throughput.get(id);
    return c === undefined ? undefined : median(c.values);
  }
  if (r.sc.kind === "latency") {
    const c = r.latency.get(id);
    return c === undefined ? undefined : median(c.p50);
  }
  return r.heap.get(id)?.bytesPerRequest;
}

/** Per-round values (throughput: value; latency: p50) of one client. */
function perRound(r: ScenarioResult, id: ClientId): number[] {
  if (r.sc.kind === "throughput") return r.throughput.get(id)?.values ?? [];
  if (r.sc.kind === "latency") return r.latency.get(id)?.p50 ?? [];
  const h = r.heap.get(id);
  return h === undefined ? [] : [h.bytesPerRequest];
}

function ratio(r: ScenarioResult, id: ClientId, ref: ClientId): number | undefined {
  const a = headline(r, id);
  const b = headline(r, ref);
  return a === undefined || b === undefined ? undefined : a / b;
}

function scenarioTable(r: ScenarioResult): string {
  const { sc, clients } = r;
  const lines: string[] = [];
  const vs = (id: ClientId) => `${fmtRatio(ratio(r, id, "fetch"))} | ${fmtRatio(ratio(r, id, "undici"))}`;
  if (sc.kind === "throughput") {
    const many = sc.key === "many";
    lines.push(
      `| client | ${sc.unit} (median) | range | × fetch | × undici | × wire | K | sockets | client CPU | server CPU |` +
        (many ? " peak RSS MB | RSS × fetch | RSS × undici | RSS before MB |" : ""),
      `|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|${many ? "--:|--:|--:|--:|" : ""}`,
    );
    for (const id of clients) {
      const c = r.throughput.get(id);
      if (c === undefined) continue;
      let row =
        `| ${CLIENT_LABELS[id]} | ${fmtValue(sc, median(c.values))} | ${fmtRange(c.values, (n) => fmtValue(sc, n))} | ` +
        `${vs(id)} | ${fmtRatio(ratio(r, id, "wire"))} | ${fmtInt(c.total)} | ${Math.max(...c.sockets)} | ` +
        `${fmtPct(median(c.clientCpu))} | ${fmtPct(median(c.serverCpu))} |`;
      if (many) {
        const peak = r.rssPeak.get(id);
        const rss = (ref: ClientId) => {
          const b = r.rssPeak.get(ref);
          return peak === undefined || b === undefined ? undefined : peak / b;
        };
        row +=
          ` ${peak === undefined ? "—" : fmtMb(peak / 2 ** 20)} | ${fmtRatio(rss("fetch"))} | ${fmtRatio(rss("undici"))} | ` +
          `${fmtMb((r.rssBefore.get(id) ?? 0) / 2 ** 20)} |`;
      }
      lines.push(row);
    }
  } else if (sc.kind === "latency") {
    lines.push(
      "| client | p50 µs (median) | p50 range | p99 µs (median) | p99 range | p50 × fetch | p50 × undici | samples/round |",
      "|---|--:|--:|--:|--:|--:|--:|--:|",
    );
    for (const id of clients) {
      const c = r.latency.get(id);
      if (c === undefined) continue;
      lines.push(
        `| ${CLIENT_LABELS[id]} | ${fmtUs(median(c.p50))} | ${fmtRange(c.p50, fmtUs)} | ${fmtUs(median(c.p99))} | ` +
          `${fmtRange(c.p99, fmtUs)} | ${vs(id)} | ${fmtInt(median(c.samples))} |`,
      );
    }
  } else {
    lines.push(
      "| client | heap B/request (median) | range over batches | × fetch | × undici | ArrayBuffer B/request | clean batches × size | discarded |",
      "|---|--:|--:|--:|--:|--:|--:|--:|",
    );
    for (const id of clients) {
      const h = r.heap.get(id);
      if (h === undefined) continue;
      lines.push(
        `| ${CLIENT_LABELS[id]} | ${fmtInt(h.bytesPerRequest)} | ${fmtInt(h.min)}–${fmtInt(h.max)} | ${vs(id)} | ` +
          `${fmtInt(h.arrayBuffersPerRequest)} | ${h.batches} × ≤${fmtInt(h.batchSize)} | ${h.discarded} |`,
      );
    }
  }
  return lines.join("\n");
}

interface Target {
  text: string;
  value: number | undefined;
  ok: boolean | undefined;
  /** Rounds in which the per-round ratio met the target. */
  rounds: string;
}

function targets(results: ScenarioResult[]): Target[] {
  const get = (key: string) => results.find((r) => r.sc.key === key);
  const out: Target[] = [];
  const check = (key: string, text: string, ref: ClientId, cmp: (x: number) => boolean): void => {
    const r = get(key);
    if (r === undefined || !r.clients.includes("reqwire") || !r.clients.includes(ref)) return;
    const value = ratio(r, "reqwire", ref);
    const a = perRound(r, "reqwire");
    const b = perRound(r, ref);
    const met = a.filter((x, i) => b[i] !== undefined && cmp(x / (b[i] as number))).length;
    out.push({
      text,
      value,
      ok: value === undefined ? undefined : cmp(value),
      rounds: a.length > 1 ? `${met} of ${a.length} rounds` : "",
    });
  };
  check("small", "1. small GET req/s: reqwire ≥ 1.5× undici.request", "undici", (x) => x >= 1.5);
  check("latency", "2. sequential p50: reqwire ≤ 0.8× undici.request", "undici", (x) => x <= 0.8);
  check("download", "3. download MB/s: reqwire ≥ 1.0× undici.request", "undici", (x) => x >= 1.0);
  check("download", "3. download MB/s: reqwire ≥ 0.70× the wire limit", "wire", (x) => x >= 0.7);
  check("upload", "4. upload MB/s: reqwire ≥ 1.0× undici.request", "undici", (x) => x >= 1.0);
  check("heap", "6. heap B/request: reqwire ≤ 0.5× undici.request", "undici", (x) => x <= 0.5);
  return out;
}

function targetLines(ts: Target[]): string[] {
  return ts.map(
    (t) =>
      `- ${t.text}: ${fmtRatio(t.value)} — ${t.ok === undefined ? "not measured" : t.ok ? "**met**" : "**not met**"}` +
      (t.rounds === "" ? "" : ` (per-round ratio met in ${t.rounds})`),
  );
}

function versionOf(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8")) as { version: string })
      .version;
  } catch {
    return "?";
  }
}

/**
 * The commit of the reqwire code measured; when src/ or assembly/ differ from it, a short hash of
 * the differences (tracked diff and untracked files), so a change during the run shows.
 */
function reqwireRevision(): string {
  try {
    const git = (...args: string[]) => execFileSync("git", ["-C", root, ...args], { encoding: "utf8" });
    const head = git("rev-parse", "--short", "HEAD").trim();
    const status = git("status", "--porcelain", "--", "src", "assembly");
    if (status === "") return `commit ${head} (src/ and assembly/ as committed)`;
    const h = createHash("sha1")
      .update(status)
      .update(git("diff", "HEAD", "--", "src", "assembly"));
    for (const f of git("ls-files", "--others", "--exclude-standard", "--", "src", "assembly").split("\n")) {
      if (f !== "") h.update(readFileSync(join(root, f)));
    }
    return `commit ${head} with uncommitted changes in src/ or assembly/ (${h.digest("hex").slice(0, 8)})`;
  } catch {
    return "commit unknown (no git)";
  }
}

function environment(load: string, revision: string): string[] {
  const cpus = os.cpus();
  const libs = ["undici", "axios", "got", "node-fetch", "tinybench"].map((p) => `${p} ${versionOf(p)}`).join(", ");
  return [
    `- Date: ${new Date().toISOString()}`,
    `- Node ${process.version} (${process.platform}/${process.arch}; its fetch is undici ${process.versions.undici}); ` +
      `CPU: ${cpus[0]?.model ?? "?"} × ${cpus.length}; load average (1 min) ${load}`,
    `- reqwire: ${revision}; peers: ${libs}`,
  ];
}

function method(results: ScenarioResult[], quick: boolean, served: Served): string[] {
  const desc = results
    .map((r) => {
      const w = r.work;
      if (r.sc.kind === "latency") return `${r.sc.n}: ${w.rounds} rounds × tinybench ${w.timeMs} ms`;
      if (r.sc.kind === "heap") {
        const most = fmtInt(w.maxTotal);
        return `${r.sc.n}: ${fmtInt(w.warmup)} warm-up requests, then batches for ${w.seconds} s (≤ ${most} requests)`;
      }
      return `${r.sc.n}: ${w.rounds} rounds × K requests, K set per client to about ${w.seconds} s of its work`;
    })
    .join("; ");
  return [
    `- Mode: ${quick ? "`--quick`" : "full"}. Work per client: ${desc}.`,
    `- Server: bench/e2e-server.ts in its own process, node:net writing prebuilt bytes, keep-alive. ` +
      `\`GET /small\` → ${served.small.response} bytes (6 headers, ${served.small.body}-byte JSON body); ` +
      `\`GET /chunked-1m\` → ${fmtInt(served.download.body)}-byte body in 16 × 64 KiB chunks; ` +
      `\`PUT /upload\` → reads the body (Content-Length or chunked), answers ${served.upload.response} bytes. ` +
      "The wire-limit row is the ceiling of server + kernel + a client that only counts bytes: where a client is " +
      "well under it, the server is not what limits that client. The server reads every connection into one " +
      "shared 1 MiB buffer (Node's `onread`), which halves its CPU per uploaded byte. Server CPU = its CPU time / " +
      "wall time of the timed run (100% = one core).",
    "- Clients, each in its own child process (bench/e2e-worker.ts; only one process runs requests at a time), " +
      "each with keep-alive and a pool of the scenario's size N: reqwire `new Session({ pool_maxsize: N })`; " +
      "global fetch with Node's bundled undici `Agent({ connections: N })` (the class of fetch's own dispatcher; the " +
      "default one is unbounded); `undici.request` with `new undici.Agent({ connections: N })`; node:http, axios " +
      "(`maxRedirects: 0`, `responseType: 'arraybuffer'`), got (`responseType: 'buffer'`, no retries) and node-fetch " +
      "each with `new http.Agent({ keepAlive: true, maxSockets: N })`; the wire limit: N raw node:net sockets, each " +
      "writing a fixed request and counting response bytes up to the known length (no parsing). The `sockets` " +
      "column is the number of server connections that answered requests in the timed run.",
    "- reqwire is loaded from its TypeScript source (`../src/index.js`) through tsx, whose esbuild transform " +
      "keeps function names: each named closure reqwire creates per request costs a `__name()` call " +
      "(`Object.defineProperty`). The peers are plain JS from node_modules, untouched by tsx. " +
      "`REQWIRE_E2E_MODULE=<file>` measures a build of reqwire instead.",
    "- Every client reads every body whole, as one contiguous byte array (reqwire `r.content`, fetch and " +
      "node-fetch `arrayBuffer()`, undici `body.arrayBuffer()`, node:http chunks + `Buffer.concat`, axios/got " +
      "buffers). Before timing, each client's responses (2 sequential, then the scenario's concurrency at once) are " +
      "checked byte for byte (length and SHA-1) with status 200; while timing, every response's status and body " +
      "length is checked, and the server's request count must match.",
    "- Throughput (1, 3, 4, 5): a closed-loop driver (bench/e2e-clients.ts `closedLoop`): C async lanes, each " +
      "sending its next request when the previous one has been read, K requests in all, timed from the first " +
      "send to the last body. Each timed run follows an untimed warm-up in the same process (JIT; re-opens " +
      "sockets that expired while other clients ran). Rounds are interleaved across clients, the order " +
      "rotated each round. K (requests per timed run) is set per client from its rate at the end of a first " +
      "warm-up (as long as one timed run), for a timed run of about the scenario's time, then kept for every " +
      "round. Shown: the median over rounds and the range; ratios are ratios of medians; MB = 10^6 body bytes " +
      "(the request body for uploads). Client CPU = the worker's CPU time / wall time; it can pass 100%: GC " +
      "helper threads, and the kernel's loopback delivery done inside the sender's system calls.",
    "- Latency (2): tinybench (one sequential request per iteration, one socket), p50 and p99 per round; " +
      "the median over rounds.",
    "- Peak RSS (5): every client in a freshly started process that runs only scenario 5: " +
      "`process.resourceUsage().maxRSS` at the end (peak over the process's life: Node, tsx, the client " +
      "library, warm-up and all rounds). `RSS before` is the RSS after loading, before any request.",
    "- Heap (6): fresh processes with `--expose-gc --min-semi-space-size=64 --max-semi-space-size=64`. " +
      "Requests run in batches (50 in flight); before each batch a forced full GC; " +
      "the batch's allocation is the growth of `v8.getHeapStatistics().used_heap_size`, which only grows " +
      "by allocation until the next GC. Batches sized (from a probe) to fill under 40% of the 64 MB young " +
      "generation, and any batch with a GC in it (a 'gc' PerformanceObserver entry inside its time window) " +
      "is discarded. Counts everything allocated on the V8 heap in the process, the driver's own per-request " +
      "promise included (the same for every client; the wire row shows the floor of socket I/O + driver). " +
      "Checked on a loop of known allocations (10-element arrays, 128 B each): 138–146 B measured. " +
      "ArrayBuffer B/request: growth of `process.memoryUsage().arrayBuffers` (backing stores outside the " +
      "heap, e.g. socket reads) over the same batches.",
  ];
}

function report(results: ScenarioResult[], quick: boolean, served: Served, load: string, revision: string): string {
  const parts: string[] = [];
  for (const r of results) {
    parts.push(`### ${r.sc.n}. ${r.sc.title}`, "", scenarioTable(r), "");
  }
  return [
    START_MARK,
    "## End to end: reqwire vs fetch, undici, node:http, axios, got, node-fetch",
    "",
    `\`npm run bench${quick ? " -- --quick" : ""}\` (bench/e2e.ts)`,
    "",
    ...environment(load, revision),
    ...method(results, quick, served),
    "",
    "Targets (reqwire, ratios of medians):",
    "",
    ...targetLines(targets(results)),
    "",
    ...parts,
    END_MARK,
  ].join("\n");
}

// ---- main ----------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const quick = option("quick") !== undefined;
  const profileArg = option("profile");
  const scenarioArg = option("scenarios");
  const clientArg = option("clients");
  const roundsArg = option("rounds");
  const scenarios = scenarioArg ? scenarioArg.split(",").map(findScenario) : SCENARIOS;
  const clients = clientArg
    ? clientArg.split(",").map((c) => {
        if (!(CLIENT_IDS as readonly string[]).includes(c))
          throw new Error(`bench/e2e: no client ${c}; use ${CLIENT_IDS}`);
        return c as ClientId;
      })
    : [...CLIENT_IDS];
  const complete = scenarios.length === SCENARIOS.length && clients.length === CLIENT_IDS.length;

  const server = await startE2eServer({ env: { ...process.env, E2E_UPLOAD_BYTES: String(PAYLOAD_BYTES) } });
  const children: Worker[] = [];
  try {
    if (profileArg !== undefined) {
      await profile(findScenario(profileArg || "small"), Number(option("seconds")) || 10, server);
      return;
    }
    log(`Node ${process.version}, ${os.cpus()[0]?.model} × ${os.cpus().length}; server on port ${server.served.port}`);
    const loadBefore = os.loadavg()[0] ?? 0;
    const revision = reqwireRevision();
    const started = performance.now();
    const results: ScenarioResult[] = [];
    let shared: Map<ClientId, Worker> | undefined;
    for (const sc of scenarios) {
      const base = quick ? sc.quick : sc.full;
      const w = roundsArg ? { ...base, rounds: Number(roundsArg) } : base;
      let workers: Map<ClientId, Worker>;
      if (sc.fresh) {
        if (shared !== undefined) {
          await stopWorkers(shared);
          shared = undefined;
        }
        workers = startWorkers(clients, sc.execArgv);
      } else {
        shared ??= startWorkers(clients, []);
        workers = shared;
      }
      children.push(...workers.values());
      log(`\n[${sc.n} ${sc.key}] ${sc.title}`);
      const t0 = performance.now();
      const r = await runScenario(sc, w, clients, workers, server);
      if (sc.fresh) r.rssPeak = await stopWorkers(workers);
      log(`[${sc.n} ${sc.key}] ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      results.push(r);
    }
    if (shared !== undefined) await stopWorkers(shared);
    const load = `${loadBefore.toFixed(2)} before, ${(os.loadavg()[0] ?? 0).toFixed(2)} after`;
    const after = reqwireRevision();
    const text = report(
      results,
      quick,
      server.served,
      load,
      after === revision ? revision : `${revision} → ${after} (changed during the run)`,
    );
    log(`\n${text.split("\n").slice(1, -1).join("\n")}\n`);
    log(`${((performance.now() - started) / 1000).toFixed(0)} s`);
    if (complete) {
      writeSection(START_MARK, END_MARK, text);
      log(`wrote ${RESULTS_FILE}`);
    } else {
      log("(subset run: bench/RESULTS.md not updated)");
    }
  } finally {
    for (const c of children) c.kill();
    await stopChild(server.proc);
  }
}

await main();
