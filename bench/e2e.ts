// End to end: reqwire against its peers (global fetch, undici.request, node:http, axios, got,
// node-fetch) and the wire limit, over keep-alive HTTP/1.1 on 127.0.0.1, reqwire loaded from the
// built package as users import it (dist/node.js; through require, dist/node.cjs, once per run).
//
//   npm run bench                        build (`npm run build`), verify every client, run all the
//                                        scenarios, update bench/RESULTS.md, bench/results.svg and
//                                        README's Speed section (about 10 minutes on 2 cores)
//   npm run bench -- --quick             fewer requests and rounds (about 3 minutes); the files above
//                                        are updated too
//   npx tsx bench/e2e.ts --scenarios=json,post-json --clients=reqwire,undici
//                                        a subset (keys or numbers); no file is touched. Run
//                                        `npm run build` first: the bench measures dist/ as built
//   --rounds=N                           rounds per scenario instead of the default
//
// Scenarios, what users write first: json (1), post-json (2), html (3), headers30 (4),
// json-heap (5), post-json-heap (6); then the floor and the rest: small (7, body bytes only),
// latency (8), download (9), upload (10), many (11), heap (12). reqwire runs twice in 1-6: the
// default `new Session()` (reqwire-default) and a pool as large as the peers' (reqwire); reqwire
// through require() (reqwire-cjs, dist/node.cjs) is verified and timed in 1.
//
// Another build of reqwire, e.g. to compare two commits (A/B):
//
//   git worktree add ../reqwire-b <commit> && (cd ../reqwire-b && npm ci && npm run build)
//   REQWIRE_E2E_MODULE_B=../reqwire-b/dist/node.js npx tsx bench/e2e.ts --scenarios=json,post-json \
//     --clients=reqwire,reqwire-b,undici
//
// runs that build as a third reqwire row (reqwire-b) in the same run, interleaved with this
// checkout's dist/. REQWIRE_E2E_MODULE=<file> replaces this checkout's dist/node.js in the
// reqwire rows instead (any module exporting Session). With either set, no file is written.
//
// Profiling reqwire alone on one scenario for N seconds (the server still runs in its own process,
// without the profiler; no other client is loaded):
//
//   npm run build
//   node --cpu-prof --cpu-prof-dir=bench/profiles --import tsx bench/e2e.ts --profile=json --seconds=10
//
// (--session=default profiles `new Session()` instead of the peer-sized pool.) Open the
// .cpuprofile in Chrome DevTools (Performance tab) or VS Code; *.cpuprofile is git-ignored.
//
// Layout: bench/e2e-server.ts is the server (node:net, canned bytes, its own process);
// bench/e2e-worker.ts runs one client per process, driven from here over IPC;
// bench/e2e-clients.ts holds the clients and the drivers (closed loop, latency, heap);
// bench/e2e-chart.ts draws bench/results.svg.
import { type ChildProcess, fork } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildRevision,
  checkBuild,
  type E2eServer,
  option,
  RESULTS_FILE,
  startE2eServer,
  writeSection,
} from "./common.js";
import { type Chart, renderChart } from "./e2e-chart.js";
import {
  CLIENT_IDS,
  CLIENT_LABELS,
  type ClientId,
  closedLoop,
  type Expected,
  median,
  type Op,
  POST_OBJECT,
  REQWIRE_IDS,
  reqwireModulePath,
  sequentialLatency,
} from "./e2e-clients.js";
import type { Served } from "./e2e-server.js";
import { makePayload, makeVerifiedClient, type WorkerReply, type WorkerRequest } from "./e2e-worker.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const START_MARK = "<!-- e2e:start -->";
const END_MARK = "<!-- e2e:end -->";
const SVG_FILE = join(here, "results.svg");
const README_FILE = join(root, "README.md");
const README_START = "<!-- speed:start -->";
const README_END = "<!-- speed:end -->";
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
  /** A workload users write (read as the libraries document it), shown first and in the chart. */
  user: boolean;
  /** Beyond the peers and reqwire's peer-sized pool: the default Session, reqwire through require(). */
  extra: ClientId[];
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

const USER_EXTRA: ClientId[] = ["reqwire-default"];
const HEAP_ARGS = ["--expose-gc", "--min-semi-space-size=64", "--max-semi-space-size=64"];

const SCENARIOS: Scenario[] = [
  {
    n: 1,
    key: "json",
    title: "GET small JSON + `r.json()`, 50 in flight",
    user: true,
    extra: ["reqwire-default", "reqwire-cjs"],
    op: "json",
    inflight: 50,
    sockets: 50,
    kind: "throughput",
    unit: "req/s",
    fresh: false,
    execArgv: [],
    full: work(5, 0.6, 2000, 1000, 100000),
    quick: work(3, 0.25, 500, 500, 50000),
  },
  {
    n: 2,
    key: "post-json",
    title: "POST `json=` (1 KB object) + `r.json()`, 50 in flight",
    user: true,
    extra: USER_EXTRA,
    op: "post-json",
    inflight: 50,
    sockets: 50,
    kind: "throughput",
    unit: "req/s",
    fresh: false,
    execArgv: [],
    full: work(5, 0.6, 2000, 1000, 100000),
    quick: work(3, 0.25, 500, 500, 50000),
  },
  {
    n: 3,
    key: "html",
    title: "GET a 20 KiB `text/html; charset=utf-8` page + `r.text`, 50 in flight",
    user: true,
    extra: USER_EXTRA,
    op: "html",
    inflight: 50,
    sockets: 50,
    kind: "throughput",
    unit: "req/s",
    fresh: false,
    execArgv: [],
    full: work(5, 0.6, 2000, 1000, 100000),
    quick: work(3, 0.25, 500, 500, 50000),
  },
  {
    n: 4,
    key: "headers30",
    title: "GET with 30 header fields: status, 3 headers by name, `r.json()`, 50 in flight",
    user: true,
    extra: USER_EXTRA,
    op: "headers30",
    inflight: 50,
    sockets: 50,
    kind: "throughput",
    unit: "req/s",
    fresh: false,
    execArgv: [],
    full: work(5, 0.6, 2000, 1000, 100000),
    quick: work(3, 0.25, 500, 500, 50000),
  },
  {
    n: 5,
    key: "json-heap",
    title: "heap bytes allocated per request: GET small JSON + `r.json()`, 50 in flight",
    user: true,
    extra: USER_EXTRA,
    op: "json",
    inflight: 50,
    sockets: 50,
    kind: "heap",
    unit: "req/s",
    fresh: true,
    execArgv: HEAP_ARGS,
    full: work(1, 2, 2000, 0, 60000),
    quick: work(1, 0.6, 500, 0, 20000),
  },
  {
    n: 6,
    key: "post-json-heap",
    title: "heap bytes allocated per request: POST `json=` + `r.json()`, 50 in flight",
    user: true,
    extra: USER_EXTRA,
    op: "post-json",
    inflight: 50,
    sockets: 50,
    kind: "heap",
    unit: "req/s",
    fresh: true,
    execArgv: HEAP_ARGS,
    full: work(1, 2, 2000, 0, 60000),
    quick: work(1, 0.6, 500, 0, 20000),
  },
  {
    n: 7,
    key: "small",
    title: "the floor: small JSON GET, body bytes only (`r.content`), 50 in flight",
    user: false,
    extra: [],
    op: "small",
    inflight: 50,
    sockets: 50,
    kind: "throughput",
    unit: "req/s",
    fresh: false,
    execArgv: [],
    full: work(5, 0.6, 2000, 1000, 100000),
    quick: work(3, 0.25, 500, 500, 50000),
  },
  {
    n: 8,
    key: "latency",
    title: "sequential small GET (bytes), 1 in flight",
    user: false,
    extra: [],
    op: "small",
    inflight: 1,
    sockets: 1,
    kind: "latency",
    unit: "req/s",
    fresh: false,
    execArgv: [],
    full: latencyWork(3, 500),
    quick: latencyWork(3, 200),
  },
  {
    n: 9,
    key: "download",
    title: "1 MiB chunked download (bytes), 8 in flight",
    user: false,
    extra: [],
    op: "download",
    inflight: 8,
    sockets: 8,
    kind: "throughput",
    unit: "MB/s",
    fresh: false,
    execArgv: [],
    full: work(5, 0.6, 24, 16, 2000),
    quick: work(3, 0.25, 16, 16, 1000),
  },
  {
    n: 10,
    key: "upload",
    title: "1 MiB PUT upload (Uint8Array, Content-Length), 8 in flight",
    user: false,
    extra: [],
    op: "upload",
    inflight: 8,
    sockets: 8,
    kind: "throughput",
    unit: "MB/s",
    fresh: false,
    execArgv: [],
    full: work(3, 0.6, 24, 16, 2000),
    quick: work(3, 0.25, 16, 16, 1000),
  },
  {
    n: 11,
    key: "many",
    title: "1,000 in flight over a 64-socket pool (small GET, bytes)",
    user: false,
    extra: [],
    op: "small",
    inflight: 1000,
    sockets: 64,
    kind: "throughput",
    unit: "req/s",
    fresh: true,
    execArgv: [],
    full: work(3, 0.8, 2000, 2000, 100000),
    quick: work(2, 0.4, 1000, 2000, 50000),
  },
  {
    n: 12,
    key: "heap",
    title: "heap bytes allocated per request (small GET, bytes, 50 in flight)",
    user: false,
    extra: [],
    op: "small",
    inflight: 50,
    sockets: 50,
    kind: "heap",
    unit: "req/s",
    fresh: true,
    execArgv: HEAP_ARGS,
    full: work(1, 2, 2000, 0, 60000),
    quick: work(1, 0.6, 500, 0, 20000),
  },
];

/**
 * The clients of a scenario: those chosen with --clients (in every scenario), else the peers,
 * reqwire with a peer-sized pool, the scenario's extras, and reqwire-b when REQWIRE_E2E_MODULE_B
 * is set.
 */
function clientsOf(sc: Scenario, chosen: ClientId[] | undefined): ClientId[] {
  const b = process.env.REQWIRE_E2E_MODULE_B !== undefined;
  return CLIENT_IDS.filter((id) => {
    if (chosen !== undefined) return chosen.includes(id);
    if (id === "reqwire-b") return b;
    return !REQWIRE_IDS.includes(id) || id === "reqwire" || sc.extra.includes(id);
  });
}

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

/** What the server answers to each op, as the workers check it. */
function expectedOf(served: Served): Partial<Record<Op, Expected>> {
  return {
    small: served.small,
    download: served.download,
    upload: served.upload,
    json: served.small,
    "post-json": served.postJson,
    html: served.html,
    headers30: served.headers30,
  };
}

/** A client's label in a scenario (the pool size filled in). */
const labelOf = (id: ClientId, sc: Scenario) => CLIENT_LABELS[id].replace("{N}", String(sc.sockets));

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
  return op === "upload" ? PAYLOAD_BYTES : (expected[op]?.body ?? 0);
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
        `[${sc.n} ${sc.key}] ${labelOf(id, sc)}: ${fmtInt(h.bytesPerRequest)} B/request ` +
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
          `[${sc.n} ${sc.key}] round ${round + 1}/${w.rounds} ${labelOf(id, sc)}: ` +
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
        `[${sc.n} ${sc.key}] round ${round + 1}/${w.rounds} ${labelOf(id, sc)}: ${fmtValue(sc, value)} ${sc.unit} ` +
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
  const id: ClientId = option("session") === "default" ? "reqwire-default" : "reqwire";
  const { client, check } = await makeVerifiedClient(
    id,
    server.served.port,
    sc.sockets,
    sc.op,
    sc.inflight,
    payload,
    expected,
  );
  const bodyBytes = bodyBytesOf(sc.op, expected);
  log(
    `profile: ${labelOf(id, sc)} only (${reqwireModulePath(id)}), scenario ${sc.n} ${sc.key} (${sc.title}), ${seconds} s`,
  );
  if (sc.kind === "latency") {
    const r = await sequentialLatency(client, sc.op, check, seconds * 1000);
    log(`  p50 ${fmtUs(r.p50)} µs, p99 ${fmtUs(r.p99)} µs, ${r.samples} samples`);
  } else {
    const batch = sc.op === "download" || sc.op === "upload" ? sc.inflight * 8 : Math.max(sc.inflight * 20, 2000);
    await closedLoop(client, sc.op, batch, sc.inflight, check);
    let requests = 0;
    let ms = 0;
    while (ms < seconds * 1000) {
      ms += await closedLoop(client, sc.op, batch, sc.inflight, check);
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
        `| ${labelOf(id, sc)} | ${fmtValue(sc, median(c.values))} | ${fmtRange(c.values, (n) => fmtValue(sc, n))} | ` +
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
        `| ${labelOf(id, sc)} | ${fmtUs(median(c.p50))} | ${fmtRange(c.p50, fmtUs)} | ${fmtUs(median(c.p99))} | ` +
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
        `| ${labelOf(id, sc)} | ${fmtInt(h.bytesPerRequest)} | ${fmtInt(h.min)}–${fmtInt(h.max)} | ${vs(id)} | ` +
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
  /** The goal beyond the target, when there is one, and whether it is met. */
  goal: string;
  /** Rounds in which the per-round ratio met the target. */
  rounds: string;
}

function targets(results: ScenarioResult[]): Target[] {
  const get = (key: string) => results.find((r) => r.sc.key === key);
  const out: Target[] = [];
  const check = (
    key: string,
    text: string,
    id: ClientId,
    ref: ClientId,
    cmp: (x: number) => boolean,
    goal?: { text: string; cmp: (x: number) => boolean },
  ): void => {
    const r = get(key);
    if (r === undefined || !r.clients.includes(id) || !r.clients.includes(ref)) return;
    const value = ratio(r, id, ref);
    const a = perRound(r, id);
    const b = perRound(r, ref);
    const met = a.filter((x, i) => b[i] !== undefined && cmp(x / (b[i] as number))).length;
    out.push({
      text: `${r.sc.n}. ${text}`,
      value,
      ok: value === undefined ? undefined : cmp(value),
      goal: goal === undefined || value === undefined ? "" : `goal ${goal.text} ${goal.cmp(value) ? "met" : "not met"}`,
      rounds: a.length > 1 ? `${met} of ${a.length} rounds` : "",
    });
  };
  const twice = { text: "2×", cmp: (x: number) => x >= 2 };
  const user: Array<[string, string]> = [
    ["json", "GET + `r.json()` req/s"],
    ["post-json", "POST `json=` + `r.json()` req/s"],
    ["html", "GET 20 KiB HTML + `r.text` req/s"],
    ["headers30", "GET 30 headers, 3 read + `r.json()` req/s"],
  ];
  for (const [key, what] of user) {
    check(
      key,
      `${what}, default Session: reqwire ≥ 1.5× undici.request`,
      "reqwire-default",
      "undici",
      (x) => x >= 1.5,
      twice,
    );
    check(key, `${what}, peer-sized pool: reqwire ≥ 1.5× undici.request`, "reqwire", "undici", (x) => x >= 1.5, twice);
  }
  for (const [key, what] of [
    ["json-heap", "GET + `r.json()` heap B/request"],
    ["post-json-heap", "POST `json=` + `r.json()` heap B/request"],
  ] as const) {
    check(key, `${what}, default Session: reqwire ≤ 0.5× undici.request`, "reqwire-default", "undici", (x) => x <= 0.5);
    check(key, `${what}, peer-sized pool: reqwire ≤ 0.5× undici.request`, "reqwire", "undici", (x) => x <= 0.5);
  }
  const floor = (key: string, text: string, ref: ClientId, cmp: (x: number) => boolean) =>
    check(key, text, "reqwire", ref, cmp);
  floor("small", "the floor, small GET bytes req/s: reqwire ≥ 1.5× undici.request", "undici", (x) => x >= 1.5);
  floor("latency", "sequential p50: reqwire ≤ 0.8× undici.request", "undici", (x) => x <= 0.8);
  floor("download", "download MB/s: reqwire ≥ 1.0× undici.request", "undici", (x) => x >= 1.0);
  floor("download", "download MB/s: reqwire ≥ 0.70× the wire limit", "wire", (x) => x >= 0.7);
  floor("upload", "upload MB/s: reqwire ≥ 1.0× undici.request", "undici", (x) => x >= 1.0);
  floor("heap", "small GET bytes heap B/request: reqwire ≤ 0.5× undici.request", "undici", (x) => x <= 0.5);
  return out;
}

function targetLines(ts: Target[]): string[] {
  return ts.map(
    (t) =>
      `- ${t.text}: ${fmtRatio(t.value)} — ${t.ok === undefined ? "not measured" : t.ok ? "**met**" : "**not met**"}` +
      (t.goal === "" ? "" : `, ${t.goal}`) +
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

/** SHA-1 (8 hex digits) of a file, "missing" when it cannot be read. */
function fileHash(path: string): string {
  try {
    return createHash("sha1").update(readFileSync(path)).digest("hex").slice(0, 8);
  } catch {
    return "missing";
  }
}

/**
 * What reqwire build is measured: this checkout's dist/ (the commit it was built from, whether
 * src/ or assembly/ differ from it or changed after the build, and the hash of the entry files),
 * or the files REQWIRE_E2E_MODULE / REQWIRE_E2E_MODULE_B name.
 */
function reqwireBuild(stale: string): string {
  const parts: string[] = [];
  if (process.env.REQWIRE_E2E_MODULE === undefined) {
    parts.push(
      `${buildRevision()} (\`dist/node.js\` ${fileHash(join(root, "dist/node.js"))}, ` +
        `\`dist/node.cjs\` ${fileHash(join(root, "dist/node.cjs"))})${stale === "" ? "" : `; ${stale}`}`,
    );
  } else {
    const p = reqwireModulePath("reqwire");
    parts.push(`REQWIRE_E2E_MODULE=${p} (${fileHash(p)}); CJS row: \`dist/node.cjs\``);
  }
  if (process.env.REQWIRE_E2E_MODULE_B !== undefined) {
    const p = reqwireModulePath("reqwire-b");
    parts.push(`reqwire B: REQWIRE_E2E_MODULE_B=${p} (${fileHash(p)})`);
  }
  return parts.join("; ");
}

function environment(load: string, build: string): string[] {
  const cpus = os.cpus();
  const libs = ["undici", "axios", "got", "node-fetch", "tinybench"].map((p) => `${p} ${versionOf(p)}`).join(", ");
  return [
    `- Date: ${new Date().toISOString()}`,
    `- Node ${process.version} (${process.platform}/${process.arch}; its fetch is undici ${process.versions.undici}); ` +
      `CPU: ${cpus[0]?.model ?? "?"} × ${cpus.length}; load average (1 min) ${load}`,
    `- reqwire: ${build}; peers: ${libs}`,
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
  const post = JSON.stringify(POST_OBJECT).length;
  return [
    `- Mode: ${quick ? "`--quick`" : "full"}. Work per client: ${desc}.`,
    `- Server: bench/e2e-server.ts in its own process, node:net writing prebuilt bytes, keep-alive. ` +
      `\`GET /small\` (1, 5, 7, 8, 11, 12) → ${served.small.response} bytes (${served.small.fields} header fields, ` +
      `${served.small.body}-byte JSON body); \`POST /post-json\` (2, 6) → reads the request body without parsing it ` +
      `and answers ${served.postJson.response} bytes (${served.postJson.body}-byte JSON body), or 400 unless the ` +
      "request's Content-Type is application/json and its body at least 256 bytes; " +
      `\`GET /page.html\` (3) → ${fmtInt(served.html.body)}-byte \`text/html; charset=utf-8\` body (a product table ` +
      "with accented Latin, Greek, Cyrillic, CJK and an emoji: real UTF-8 decoding); " +
      `\`GET /headers30\` (4) → ${served.headers30.response} bytes: ${served.headers30.fields} CDN-style header ` +
      `fields (cache-control, etag, cf-ray, x-cache, via, strict-transport-security, content-security-policy, ` +
      `x-request-id, rate-limit fields…; no Set-Cookie) and a ${served.headers30.body}-byte JSON body; ` +
      `\`GET /chunked-1m\` → ${fmtInt(served.download.body)}-byte body in 16 × 64 KiB chunks; ` +
      `\`PUT /upload\` → reads the body (Content-Length or chunked), answers ${served.upload.response} bytes. ` +
      "The wire-limit row is the ceiling of server + kernel + a client that only counts bytes: where a client is " +
      "well under it, the server is not what limits that client. The server reads every connection into one " +
      "shared 1 MiB buffer (Node's `onread`), which halves its CPU per uploaded byte. Server CPU = its CPU time / " +
      "wall time of the timed run (100% = one core).",
    "- Clients, each in its own child process (bench/e2e-worker.ts; only one process runs requests at a time), " +
      "each with keep-alive and a pool of the scenario's size N: reqwire `new Session({ pool_maxsize: N })`, and " +
      "in 1–6 also the default `new Session()` (requests' pool settings: pool_maxsize 10 connections kept for " +
      "reuse, and pool_block false: while all are busy a request opens one more, closed after use when 10 are " +
      "already idle); " +
      "global fetch with Node's bundled undici `Agent({ connections: N })` (the class of fetch's own dispatcher; the " +
      "default one is unbounded); `undici.request` with `new undici.Agent({ connections: N })`; node:http, axios " +
      "(`maxRedirects: 0`) and got (no retries) and node-fetch " +
      "each with `new http.Agent({ keepAlive: true, maxSockets: N })`; the wire limit: N raw node:net sockets, each " +
      "writing a fixed request and counting response bytes up to the known length (no parsing). The `sockets` " +
      "column is the number of server connections that answered requests in the timed run.",
    "- reqwire is the built package, as users import it: `dist/node.js` (ESM) through `import()`, and in scenario 1 " +
      "also `dist/node.cjs` through `require` (the CJS row). `npm run bench` runs `npm run build` first. The workers " +
      "run under tsx (for the bench's own TypeScript), which leaves built JavaScript untouched (each worker checks " +
      "that `Session`'s source has no `__name(` wrapper). `REQWIRE_E2E_MODULE=<file>` measures another build in " +
      "the reqwire rows, `REQWIRE_E2E_MODULE_B=<file>` adds one as a row of its own (A/B in one run; bench/e2e.ts " +
      "says how); runs with either set write no file.",
    "- What users write (1–6), each library its documented way. 1 (`r.json()`): reqwire `(await s.get(url)).json()`, " +
      "undici `body.json()`, fetch and node-fetch `res.json()`, node:http chunks + " +
      "`JSON.parse(Buffer.concat(chunks).toString())`, axios's default responseType (json), got " +
      "`responseType: 'json'`. " +
      `2 (\`json=\`): a ${fmtInt(post)}-byte object (compact JSON; reqwire sends it with requests' \`", "\` / \`": "\` ` +
      "spacing, a little longer) — reqwire `s.post(url, { json: obj })`, undici/fetch/node-fetch " +
      "`body: JSON.stringify(obj)` + `content-type: application/json`, node:http the same + Content-Length, axios " +
      "`post(url, obj)`, got `{ json: obj }`; the response read as in 1. " +
      "3 (text): reqwire `r.text`, undici `body.text()`, fetch/node-fetch `res.text()`, node:http " +
      "`Buffer.concat(chunks).toString()`, axios `responseType: 'text'`, got's default (text). " +
      "4 (headers): the status, `content-type`, `etag` and `x-request-id` by name (reqwire `r.headers[name]`, " +
      "fetch/node-fetch `headers.get(name)`, undici/node:http/axios/got the headers object) and the body as in 1. " +
      "Bytes-only (7–12): every client reads every body whole as one byte array (reqwire `r.content`, fetch and " +
      "node-fetch `arrayBuffer()`, undici `body.arrayBuffer()`, node:http chunks + `Buffer.concat`, axios " +
      "`responseType: 'arraybuffer'`, got `responseType: 'buffer'`).",
    "- Verification before timing, per client: 2 sequential requests, then the scenario's concurrency at once, " +
      "each with status 200 and exactly the expected result: bytes (length and SHA-1; the wire client's whole " +
      "responses too), or the value read: the parsed JSON equal to the body sent, the text equal to the page, " +
      "the three headers equal to those sent. For 2, first what the client sends: the server parses the body of " +
      "`POST /post-json/echo` and answers it back with the request's Content-Type, which must be the object and " +
      "application/json. While timing: every status, and per op the body length, a member of the parsed JSON, " +
      "the text's length, or the etag read; the server's request count must match.",
    "- Throughput (1–4, 7, 9, 10, 11): a closed-loop driver (bench/e2e-clients.ts `closedLoop`): C async lanes, " +
      "each sending its next request when the previous one has been read, K requests in all, timed from the first " +
      "send to the last body. Each timed run follows an untimed warm-up in the same process (JIT; re-opens " +
      "sockets that expired while other clients ran). Rounds are interleaved across clients, the order " +
      "rotated each round. K (requests per timed run) is set per client from its rate at the end of a first " +
      "warm-up (as long as one timed run), for a timed run of about the scenario's time, then kept for every " +
      "round. Shown: the median over rounds and the range; ratios are ratios of medians; MB = 10^6 body bytes " +
      "(the request body for uploads). Client CPU = the worker's CPU time / wall time; it can pass 100%: GC " +
      "helper threads, and the kernel's loopback delivery done inside the sender's system calls.",
    "- Latency (8): tinybench (one sequential request per iteration, one socket), p50 and p99 per round; " +
      "the median over rounds.",
    "- Peak RSS (11): every client in a freshly started process that runs only scenario 11: " +
      "`process.resourceUsage().maxRSS` at the end (peak over the process's life: Node, tsx, the client " +
      "library, warm-up and all rounds). `RSS before` is the RSS after loading, before any request.",
    "- Heap (5, 6, 12): fresh processes with `--expose-gc --min-semi-space-size=64 --max-semi-space-size=64`. " +
      "Requests run in batches (50 in flight); before each batch a forced full GC; " +
      "the batch's allocation is the growth of `v8.getHeapStatistics().used_heap_size`, which only grows " +
      "by allocation until the next GC. Batches sized (from a probe) to fill under 40% of the 64 MB young " +
      "generation, and any batch with a GC in it (a 'gc' PerformanceObserver entry inside its time window) " +
      "is discarded. Counts everything allocated on the V8 heap in the process, the driver's own per-request " +
      "promise included (the same for every client; the wire row shows the floor of socket I/O + driver), and " +
      "what the scenario reads (the parsed JSON object, the strings of the request body for 6). " +
      "Checked on a loop of known allocations (10-element arrays, 128 B each): 138–146 B measured. " +
      "ArrayBuffer B/request: growth of `process.memoryUsage().arrayBuffers` (backing stores outside the " +
      "heap, e.g. socket reads) over the same batches.",
  ];
}

/** The user workloads at a glance: reqwire's two rows, undici.request and fetch, and the ratios. */
function summary(results: ScenarioResult[]): string[] {
  const lines: string[] = [];
  const tput = results.filter((r) => r.sc.user && r.sc.kind === "throughput");
  const heap = results.filter((r) => r.sc.user && r.sc.kind === "heap");
  const cell = (r: ScenarioResult, id: ClientId, f: (n: number) => string) => {
    const v = headline(r, id);
    return v === undefined ? "—" : f(v);
  };
  const pair = (r: ScenarioResult, ref: ClientId) =>
    `${fmtRatio(ratio(r, "reqwire-default", ref))} / ${fmtRatio(ratio(r, "reqwire", ref))}`;
  if (tput.length > 0) {
    lines.push(
      "| workload (50 in flight) | reqwire, default `Session()` | reqwire, `pool_maxsize: 50` | undici.request | fetch | reqwire × undici.request (default / pool) | reqwire × fetch (default / pool) |",
      "|---|--:|--:|--:|--:|--:|--:|",
    );
    for (const r of tput) {
      lines.push(
        `| ${r.sc.n}. ${SHORT[r.sc.key] ?? r.sc.key} (req/s) | ${cell(r, "reqwire-default", fmtInt)} | ${cell(r, "reqwire", fmtInt)} | ` +
          `${cell(r, "undici", fmtInt)} | ${cell(r, "fetch", fmtInt)} | ${pair(r, "undici")} | ${pair(r, "fetch")} |`,
      );
    }
    for (const r of heap) {
      lines.push(
        `| ${r.sc.n}. ${SHORT[r.sc.key] ?? r.sc.key} (heap B/request, lower is better) | ${cell(r, "reqwire-default", fmtInt)} | ` +
          `${cell(r, "reqwire", fmtInt)} | ${cell(r, "undici", fmtInt)} | ${cell(r, "fetch", fmtInt)} | ${pair(r, "undici")} | ` +
          `${pair(r, "fetch")} |`,
      );
    }
    lines.push("");
  }
  return lines;
}

/** Short names of the user workloads (summary, chart, README). */
const SHORT: Record<string, string> = {
  json: "GET + `r.json()`",
  "post-json": "POST `json=` 1 KB + `r.json()`",
  html: "GET 20 KiB HTML + `r.text`",
  headers30: "GET, 30 headers: 3 read + `r.json()`",
  "json-heap": "GET + `r.json()`",
  "post-json-heap": "POST `json=` + `r.json()`",
};

function report(results: ScenarioResult[], quick: boolean, served: Served, load: string, build: string): string {
  const parts: string[] = [];
  for (const r of results) {
    parts.push(`### ${r.sc.n}. ${r.sc.title}`, "", scenarioTable(r), "");
  }
  const cpus = os.cpus();
  return [
    START_MARK,
    "## End to end: what users write, reqwire vs undici, fetch, node:http, axios, got, node-fetch",
    "",
    `\`npm run bench${quick ? " -- --quick" : ""}\` (bench/e2e.ts), Node ${process.version}, ${cpus.length} CPUs ` +
      `(${cpus[0]?.model ?? "?"}, shared), ${new Date().toISOString().slice(0, 10)}; reqwire from the built package. ` +
      "Ratios are ratios of medians in this run. Chart: [results.svg](results.svg).",
    "",
    ...summary(results),
    "Targets (reqwire, ratios of medians; 1–6 are what users write, 7–12 the floor and the rest):",
    "",
    ...targetLines(targets(results)),
    "",
    ...environment(load, build),
    ...method(results, quick, served),
    "",
    ...parts,
    END_MARK,
  ].join("\n");
}

/** The README's Speed section: the chart and the ratios, from this run. */
function readmeSpeed(results: ScenarioResult[], quick: boolean): string {
  const rows: string[][] = [];
  for (const r of results) {
    if (!r.sc.user) continue;
    const f = (id: ClientId, ref: ClientId) => fmtRatio(ratio(r, id, ref));
    const what = r.sc.kind === "heap" ? `${SHORT[r.sc.key]}: heap per request` : `${SHORT[r.sc.key]}: req/s`;
    rows.push([
      what ?? r.sc.key,
      `${f("reqwire-default", "undici")} / ${f("reqwire", "undici")}`,
      `${f("reqwire-default", "fetch")} / ${f("reqwire", "fetch")}`,
    ]);
  }
  const date = new Date().toISOString().slice(0, 10);
  return [
    README_START,
    "## Speed",
    "",
    "![Requests per second of reqwire, undici.request, fetch, node:http, axios, got and node-fetch on four workloads](bench/results.svg)",
    "",
    ...paddedTable(["reqwire ÷ peer, 50 requests in flight", "× undici.request", "× fetch"], rows),
    "",
    "Each ratio: reqwire's default `new Session()` (requests' pool settings: 10 connections kept, more opened " +
      "while all are busy) / a pool the size of the peers' (`pool_maxsize: 50`). Above 1× is faster for req/s; below 1× is less heap allocated per request.",
    "",
    `These numbers come from \`npm run bench${quick ? " -- --quick" : ""}\` (${date}, Node ${process.version}) on a ` +
      `${os.cpus().length}-core shared machine, measuring the built package; ratios are of medians in one run. ` +
      "Each library reads responses its documented way (`r.json()`, `body.json()`, `res.json()`, …). " +
      "Every scenario, the bytes-only floor and the method: [bench/RESULTS.md](bench/RESULTS.md).",
    README_END,
  ].join("\n");
}

const CHART_TITLES: Record<string, string> = {
  json: "GET + r.json()",
  "post-json": "POST json= (1 KB object) + r.json()",
  html: "GET 20 KiB UTF-8 HTML + r.text",
  headers30: "GET with 30 headers: 3 read + r.json()",
};

/**
 * A Markdown table laid out as Biome formats README.md: cells padded to their column's width, the
 * first column left-aligned, the others right-aligned.
 */
function paddedTable(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |`;
  return [line(head), rule, ...rows.map(line)];
}

/** The chart's data: the user throughput scenarios, every HTTP client (not the wire limit, CJS or B). */
function chartOf(results: ScenarioResult[], quick: boolean): Chart {
  const order: ClientId[] = ["reqwire-default", "reqwire", "undici", "fetch", "http", "axios", "got", "node-fetch"];
  const groups = results
    .filter((r) => r.sc.user && r.sc.kind === "throughput")
    .map((r) => ({
      title: `${r.sc.n}. ${CHART_TITLES[r.sc.key] ?? r.sc.key}`,
      bars: order
        .filter((id) => r.throughput.has(id))
        .map((id) => ({
          label:
            id === "reqwire-default"
              ? "reqwire (default)"
              : id === "reqwire"
                ? `reqwire (pool ${r.sc.sockets})`
                : CLIENT_LABELS[id].replace(" (global)", ""),
          value: headline(r, id) ?? 0,
          kind:
            id === "reqwire-default" || id === "reqwire"
              ? ("reqwire" as const)
              : id === "undici" || id === "fetch"
                ? ("ref" as const)
                : ("peer" as const),
          note: REQWIRE_IDS.includes(id) ? `${fmtRatio(ratio(r, id, "undici"))} undici` : undefined,
        })),
    }));
  const cpus = os.cpus();
  return {
    title: "req/s, what users write — 50 requests in flight, keep-alive, 127.0.0.1 (higher is better)",
    caption: [
      "reqwire (default) = new Session(): 10 connections kept, more opened while all are busy; every other client has a pool of 50.",
      `npm run bench${quick ? " -- --quick" : ""} · ${new Date().toISOString().slice(0, 10)} · Node ${process.version} · ` +
        `${cpus.length} shared cores · built package · median of each client's rounds, all in one run`,
    ],
    groups,
  };
}

// ---- main ----------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const quick = option("quick") !== undefined;
  const profileArg = option("profile");
  const scenarioArg = option("scenarios");
  const clientArg = option("clients");
  const roundsArg = option("rounds");
  const scenarios = scenarioArg ? scenarioArg.split(",").map(findScenario) : SCENARIOS;
  const chosen = clientArg
    ? clientArg.split(",").map((c) => {
        if (!(CLIENT_IDS as readonly string[]).includes(c))
          throw new Error(`bench/e2e: no client ${c}; use ${CLIENT_IDS}`);
        return c as ClientId;
      })
    : undefined;
  const other = process.env.REQWIRE_E2E_MODULE !== undefined || process.env.REQWIRE_E2E_MODULE_B !== undefined;
  const complete = scenarios.length === SCENARIOS.length && chosen === undefined && !other;
  const stale = checkBuild("bench/e2e", ["node"]);
  if (!existsSync(join(root, "dist/node.cjs")))
    throw new Error("bench/e2e: dist/node.cjs is missing; run `npm run build`");

  const server = await startE2eServer({ env: { ...process.env, E2E_UPLOAD_BYTES: String(PAYLOAD_BYTES) } });
  const children: Worker[] = [];
  try {
    if (profileArg !== undefined) {
      await profile(findScenario(profileArg || "json"), Number(option("seconds")) || 10, server);
      return;
    }
    log(`Node ${process.version}, ${os.cpus()[0]?.model} × ${os.cpus().length}; server on port ${server.served.port}`);
    const loadBefore = os.loadavg()[0] ?? 0;
    const build = reqwireBuild(stale);
    log(`reqwire: ${build}`);
    const started = performance.now();
    const results: ScenarioResult[] = [];
    // Scenarios sharing worker processes run first, the ones in fresh processes last (one set of
    // shared workers for the whole run); the report keeps the scenarios' order.
    const runOrder = [...scenarios.filter((sc) => !sc.fresh), ...scenarios.filter((sc) => sc.fresh)];
    const sharedIds = CLIENT_IDS.filter((id) => runOrder.some((sc) => !sc.fresh && clientsOf(sc, chosen).includes(id)));
    let shared: Map<ClientId, Worker> | undefined;
    for (const sc of runOrder) {
      const base = quick ? sc.quick : sc.full;
      const w = roundsArg ? { ...base, rounds: Number(roundsArg) } : base;
      const clients = clientsOf(sc, chosen);
      let workers: Map<ClientId, Worker>;
      if (sc.fresh) {
        if (shared !== undefined) {
          await stopWorkers(shared);
          shared = undefined;
        }
        workers = startWorkers(clients, sc.execArgv);
      } else {
        if (shared === undefined) {
          shared = startWorkers(sharedIds, []);
          children.push(...shared.values());
        }
        workers = shared;
      }
      if (sc.fresh) children.push(...workers.values());
      log(`\n[${sc.n} ${sc.key}] ${sc.title}`);
      const t0 = performance.now();
      const r = await runScenario(sc, w, clients, workers, server);
      if (sc.fresh) r.rssPeak = await stopWorkers(workers);
      log(`[${sc.n} ${sc.key}] ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      results.push(r);
    }
    if (shared !== undefined) await stopWorkers(shared);
    results.sort((a, b) => a.sc.n - b.sc.n);
    const load = `${loadBefore.toFixed(2)} before, ${(os.loadavg()[0] ?? 0).toFixed(2)} after`;
    const text = report(results, quick, server.served, load, build);
    log(`\n${text.split("\n").slice(1, -1).join("\n")}\n`);
    log(`${((performance.now() - started) / 1000).toFixed(0)} s`);
    const svg = renderChart(chartOf(results, quick));
    if (complete) {
      writeSection(START_MARK, END_MARK, text);
      log(`wrote ${RESULTS_FILE}`);
      writeFileSync(SVG_FILE, svg);
      log(`wrote ${SVG_FILE}`);
      if (replaceBetween(README_FILE, README_START, README_END, readmeSpeed(results, quick))) {
        log(`wrote the Speed section of ${README_FILE}`);
      } else {
        log(`${README_FILE} has no ${README_START} … ${README_END} section: not updated`);
      }
    } else {
      const tmp = join(os.tmpdir(), "reqwire-e2e-results.svg");
      writeFileSync(tmp, svg);
      log(`(subset or A/B run: bench/RESULTS.md, bench/results.svg and README.md not updated; chart in ${tmp})`);
    }
  } finally {
    for (const c of children) c.kill();
    await stopChild(server.proc);
  }
}

/** Replaces the text from `start` to `end` (markers included) in `file`; false if they are absent. */
function replaceBetween(file: string, start: string, end: string, text: string): boolean {
  const doc = readFileSync(file, "utf8");
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  if (a === -1 || b < a) return false;
  writeFileSync(file, doc.slice(0, a) + text + doc.slice(b + end.length));
  return true;
}

await main();
