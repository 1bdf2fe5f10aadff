// Per runtime: reqwire against the runtime's own fetch, in Node, Deno and Bun, on the e2e server
// (bench/e2e-server.ts, its own Node process). Each runtime runs bench/runtimes-client.ts in a
// child process that imports reqwire by package name, so the export conditions pick the entry a
// user of that runtime gets (dist/node.js, dist/deno.js, dist/bun.js): build first.
//
//   npm run build && npx tsx bench/runtimes.ts      full run (about 2 minutes on 2 cores);
//                                                  updates bench/RESULTS.md (runtimes section)
//   npx tsx bench/runtimes.ts --quick               fewer, shorter rounds (under a minute); updates it too
//   npx tsx bench/runtimes.ts --runtimes=deno,bun   a subset; RESULTS.md is not touched
//   --rounds=N                                      rounds per scenario instead of the default
//   --clients=reqwire,fetch,wire --scenarios=small,json,download,latency
//                                                  subsets (RESULTS.md is not touched)
//
// Scenarios, each with reqwire (`new Session({ pool_maxsize: 64 })`, `s.get(url)`, `r.content`),
// fetch (`await (await fetch(url)).arrayBuffer()`) and the wire limit (raw sockets counting bytes):
// (a) small GET, 64 in flight; (b) 1 MiB chunked download, 4 in flight; (c) sequential small GET,
// p50 latency. And (d) small GET + JSON, 64 in flight (key `json`; run second, after (a)): reqwire
// `(await s.get(url)).json()`, fetch `await (await fetch(url)).json()`, checked against the parsed
// /small body; no wire client there (it has nothing to parse: its ceiling is (a)'s wire limit), and
// (a) stays as the bytes-only floor. Rounds alternate the clients (order rotated each round) inside
// one process.
//
// Profiling: --profile runs each client process under its runtime's profiler, written to
// bench/profiles/runtimes/ (git-ignored): Node and Bun `--cpu-prof` (.cpuprofile: Chrome DevTools,
// VS Code; Bun also writes a markdown summary), Deno `--v8-flags=--prof` (a V8 tick log:
// `node --prof-process --preprocess <log> > x.json`, or read its summary with `node --prof-process <log>`).
// With one client alone: `npx tsx bench/runtimes.ts --runtimes=bun --clients=reqwire --scenarios=small --profile`.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildRevision, checkBuild, option, RESULTS_FILE, startE2eServer, writeSection } from "./common.js";
import type { Served } from "./e2e-server.js";
import type {
  ClientKey,
  ClientResult,
  LatencyRun,
  RunConfig,
  RunReport,
  ScenarioResult,
  ScenarioSpec,
  ThroughputRun,
} from "./runtimes-client.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const START_MARK = "<!-- runtimes:start -->";
const END_MARK = "<!-- runtimes:end -->";
const CLIENT = join(here, "runtimes-client.ts");
const BIN = join(root, "node_modules", ".bin");
const RUNTIMES = ["node", "deno", "bun"] as const;
type RuntimeName = (typeof RUNTIMES)[number];
const POOL = 64;

const log = (s: string) => console.error(s);

// ---- scenarios -----------------------------------------------------------------------------------

interface Mode {
  rounds: number;
  small: number;
  download: number;
  latency: number;
}
const FULL: Mode = { rounds: 7, small: 0.6, download: 0.6, latency: 0.5 };
const QUICK: Mode = { rounds: 3, small: 0.2, download: 0.2, latency: 0.15 };

function scenarios(m: Mode): ScenarioSpec[] {
  return [
    { key: "small", path: "/small", inflight: 64, seconds: m.small },
    { key: "json", path: "/small", inflight: 64, seconds: m.small },
    { key: "download", path: "/chunked-1m", inflight: 4, seconds: m.download },
    { key: "latency", path: "/small", inflight: 1, seconds: m.latency },
  ];
}

const TITLES: Record<ScenarioSpec["key"], string> = {
  small: "(a) small GET, 64 in flight",
  json: "(d) small GET + `r.json()`, 64 in flight",
  download: "(b) 1 MiB chunked download, 4 in flight",
  latency: "(c) sequential small GET, 1 in flight",
};

// (runtimes-client.ts runs when imported: only its types are imported here)
const CLIENT_KEYS: readonly ClientKey[] = ["reqwire", "fetch", "wire"];
const LABELS: Record<ClientKey, string> = { reqwire: "reqwire", fetch: "fetch", wire: "wire limit" };

// ---- processes -----------------------------------------------------------------------------------

const PROFILES = join(here, "profiles", "runtimes");

function runtimeCommand(rt: RuntimeName, cfg: string, profile: boolean): [string, string[]] {
  if (rt === "node") {
    const prof = profile ? ["--cpu-prof", `--cpu-prof-dir=${PROFILES}`] : [];
    return [process.execPath, [...prof, "--import", "tsx", CLIENT, cfg]];
  }
  if (rt === "deno") {
    const prof = profile
      ? [`--v8-flags=--prof,--logfile=${join(PROFILES, `deno-${Date.now()}.log`)},--no-logfile-per-isolate`]
      : [];
    return [join(BIN, "deno"), ["run", ...prof, "--allow-net=127.0.0.1", "--allow-read", "--allow-env", CLIENT, cfg]];
  }
  const prof = profile ? ["--cpu-prof", "--cpu-prof-md", `--cpu-prof-dir=${PROFILES}`] : [];
  return [join(BIN, "bun"), [...prof, "run", CLIENT, cfg]];
}

/** The runtimes' own fetch would honour proxy variables; loopback requests must go straight. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  for (const k of Object.keys(env)) if (/^(https?|all|no)_proxy$/i.test(k)) delete env[k];
  return env;
}

function runClient(rt: RuntimeName, cfg: RunConfig, timeoutMs: number, profile: boolean): Promise<RunReport> {
  const [cmd, args] = runtimeCommand(rt, JSON.stringify(cfg), profile);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"], env: childEnv() });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      if (code !== 0 || line === undefined) {
        reject(new Error(`${rt}: exited (${code ?? signal}) without a result\n${out.slice(0, 2000)}`));
        return;
      }
      resolve(JSON.parse(line.slice(7)) as RunReport);
    });
  });
}

// ---- checks on the build -------------------------------------------------------------------------

// ---- report --------------------------------------------------------------------------------------

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");
const fmtUs = (n: number) => n.toFixed(1);
const fmtRatio = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "—" : `${n.toFixed(2)}×`);
const isLatency = (sc: ScenarioResult) => sc.spec.key === "latency";

/** Per-round values: req/s (throughput) or p50 µs (latency). */
function values(sc: ScenarioResult, c: ClientResult): number[] {
  return c.runs.map((r) => (isLatency(sc) ? (r as LatencyRun).p50 : (r as ThroughputRun).rate));
}

function cell(sc: ScenarioResult, k: ClientKey): ClientResult | undefined {
  return sc.clients.find((c) => c.client === k);
}

function ratio(sc: ScenarioResult, a: ClientKey, b: ClientKey): number | undefined {
  const x = cell(sc, a);
  const y = cell(sc, b);
  return x === undefined || y === undefined ? undefined : median(values(sc, x)) / median(values(sc, y));
}

/**
 * reqwire ÷ fetch that each runtime and scenario must reach (issue #15): Deno ≥ 1.0× everywhere and
 * ≥ 1.5× on (d); Bun ≥ 1.0× on (d); the rest is reported against parity. Latency: ≤ the value.
 */
function target(rt: RuntimeName, key: ScenarioSpec["key"]): { value: number; binding: boolean } {
  if (key === "json") return { value: rt === "deno" ? 1.5 : 1, binding: rt !== "node" };
  return { value: 1, binding: rt === "deno" };
}

/** In how many rounds reqwire's value against fetch's met the target (≥ throughput, ≤ latency). */
function roundsMet(sc: ScenarioResult, goal: number): [number, number] {
  const a = cell(sc, "reqwire");
  const b = cell(sc, "fetch");
  if (a === undefined || b === undefined) return [0, 0];
  const va = values(sc, a);
  const vb = values(sc, b);
  let met = 0;
  for (let i = 0; i < va.length; i++) {
    const r = (va[i] as number) / (vb[i] as number);
    if (isLatency(sc) ? r <= goal : r >= goal) met++;
  }
  return [met, va.length];
}

function runtimeTable(rep: RunReport, served: Served): string[] {
  const rows = [
    "| scenario | client | median | unit | range over rounds | × fetch | × wire limit | client CPU (of it kernel) |",
    "|---|---|--:|---|--:|--:|--:|--:|",
  ];
  for (const sc of rep.scenarios) {
    for (const c of sc.clients) {
      const v = values(sc, c);
      const lat = isLatency(sc);
      const fmt = lat ? fmtUs : fmtInt;
      let unit = "req/s";
      if (lat) unit = `µs p50 (p99 ${fmtUs(median(c.runs.map((r) => (r as LatencyRun).p99)))})`;
      else if (sc.spec.key === "download") unit = `req/s (${fmtInt((median(v) * served.download.body) / 1e6)} MB/s)`;
      const pct = (f: (r: ThroughputRun) => number) =>
        `${Math.round(median(c.runs.map((r) => f(r as ThroughputRun))) * 100)}%`;
      const cpu = lat ? "—" : `${pct((r) => r.cpu)} (${pct((r) => r.sys)})`;
      rows.push(
        `| ${TITLES[sc.spec.key]} | ${LABELS[c.client]} | ${fmt(median(v))} | ${unit} | ` +
          `${fmt(Math.min(...v))}–${fmt(Math.max(...v))} | ${fmtRatio(ratio(sc, c.client, "fetch"))} | ` +
          `${fmtRatio(ratio(sc, c.client, "wire"))} | ${cpu} |`,
      );
    }
  }
  return rows;
}

const NAMES: Record<RuntimeName, string> = { node: "Node", deno: "Deno", bun: "Bun" };

function report(
  reports: RunReport[],
  served: Served,
  quick: boolean,
  m: Mode,
  seconds: number,
  stale: string,
  loadBefore: number,
  serverCpu: Map<string, number>,
  accepted: Map<string, number>,
): string {
  const cpus = os.cpus();
  const out = [
    START_MARK,
    "## Per runtime: reqwire vs the runtime's own fetch",
    "",
    `\`npx tsx bench/runtimes.ts${quick ? " --quick" : ""}\` (bench/runtimes.ts, bench/runtimes-client.ts; \`npm run build\` first)`,
    "",
    `- Date: ${new Date().toISOString()}; ${buildRevision()}${stale ? ` (${stale})` : ""}; run took ${seconds.toFixed(0)} s`,
    `- CPU: ${cpus[0]?.model ?? "?"} × ${cpus.length}; load average (1 min) ${loadBefore.toFixed(2)} before, ${(os.loadavg()[0] ?? 0).toFixed(2)} after`,
    `- Server: bench/e2e-server.ts in its own Node ${process.version} process (node:net, canned bytes, keep-alive): ` +
      `\`GET /small\` → ${served.small.response} bytes (${served.small.body}-byte body), \`GET /chunked-1m\` → ` +
      `${fmtInt(served.download.body)}-byte body in 16 × 64 KiB chunks. It has the other core of this machine to itself ` +
      "only when the client uses less than one.",
    "- Each runtime runs bench/runtimes-client.ts in its own process (Node: `node --import tsx`; Deno: `deno run " +
      "--allow-net=127.0.0.1 --allow-read --allow-env`; Bun: `bun run`), which imports reqwire by package name: " +
      "the export conditions pick dist/node.js, dist/deno.js or dist/bun.js (checked with `runtime()`). reqwire: " +
      `\`new Session({ pool_maxsize: ${POOL} })\`, \`s.get(url)\`, \`r.content\` (in (d) \`r.json()\`); fetch: the runtime's ` +
      "global fetch with its defaults, `await (await fetch(url)).arrayBuffer()` (in (d) `await (await fetch(url)).json()`); " +
      "wire limit (not in (d): it has nothing to parse, and (a)'s is its ceiling): raw sockets of the runtime " +
      "(Deno.connect in Deno, node:net in Node and Bun), one per request in flight, writing a fixed request and " +
      "counting response bytes to the known length (no parsing, no copying): the ceiling of server + kernel + " +
      "that socket API. On this shared 2-core machine single rounds move a lot; the medians are what to compare.",
    "- Before timing, every client's responses (2 sequential, then 64 small / 4 downloads at once) are checked " +
      "byte for byte (length and SHA-1), and for (d) 2 + 64 parsed bodies compared whole with the /small body " +
      "parsed; while timing, every body's length, in (d) a field of every parsed value. (a) is (d)'s floor: the " +
      "same requests with the body read as bytes. The server's request count must equal the requests the client " +
      "process sent.",
    `- Throughput: a closed loop (C lanes, each sending its next request when the previous body is read), K ` +
      `requests per timed run, K set per client from a first warm-up for about ${m.small} s (a, d) / ${m.download} s (b) ` +
      `per run; ${m.rounds} rounds, each timed run after an untimed warm-up of K/10, the client order rotated each ` +
      `round. Latency: ${m.rounds} rounds of ${m.latency} s of sequential requests, each timed, after 50 ms of ` +
      "warm-up. Shown: medians over rounds and their range; ratios are ratios of medians; for (c) `× fetch` is " +
      "reqwire's p50 over fetch's (below 1 = faster). Client CPU = the client process's CPU time / wall time " +
      "(100% = one core; helper threads count), in brackets the part of it in the kernel (system time: socket " +
      "calls, which on loopback include delivering the bytes to the server).",
    "",
    "Targets (ratios of medians; in parentheses the rounds whose own ratio met it):",
    "",
  ];
  for (const rep of reports) {
    for (const sc of rep.scenarios) {
      const r = ratio(sc, "reqwire", "fetch");
      const goal = target(rep.runtime, sc.spec.key);
      const [met, n] = roundsMet(sc, goal.value);
      const lat = isLatency(sc);
      const ok = r === undefined ? undefined : lat ? r <= goal.value : r >= goal.value;
      out.push(
        `- ${NAMES[rep.runtime]}, ${TITLES[sc.spec.key]}: reqwire ${lat ? "p50" : "req/s"} ` +
          `${fmtRatio(r)} fetch's (${goal.binding ? "target" : "reported"}: ${lat ? "≤" : "≥"} ${goal.value.toFixed(1)}×) — ` +
          `${ok === undefined ? "not measured" : ok ? "**met**" : "**not met**"} (met in ${met} of ${n} rounds)`,
      );
    }
  }
  for (const rep of reports) {
    out.push(
      "",
      `### ${rep.version}`,
      "",
      `- reqwire: dist/${rep.runtime}.js (\`runtime()\` = "${rep.reqwireRuntime}"); fetch: ${rep.fetchImpl}; ` +
        `wire limit: ${rep.wireImpl}; ${rep.cpus} CPUs; ${fmtInt(rep.requests)} requests over ${fmtInt(accepted.get(rep.runtime) ?? 0)} connections; server CPU ` +
        `${Math.round((serverCpu.get(rep.runtime) ?? 0) * 100)}% over this runtime's whole run (start-up and warm-ups included)`,
      "",
      ...runtimeTable(rep, served),
    );
  }
  out.push(END_MARK);
  return out.join("\n");
}

/** The /small body as text (it is JSON): what (d)'s parsed values must equal. */
function smallText(small: Served["small"]): string {
  if (small.text === undefined) throw new Error("bench/runtimes: the e2e server does not describe /small's text");
  JSON.parse(small.text); // (d) needs it to be JSON
  return small.text;
}

// ---- main ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const quick = option("quick") !== undefined;
  const base = quick ? QUICK : FULL;
  const roundsArg = option("rounds");
  const mode = roundsArg ? { ...base, rounds: Number(roundsArg) } : base;
  const runtimesArg = option("runtimes");
  const runtimes = runtimesArg
    ? runtimesArg.split(",").map((r) => {
        if (!(RUNTIMES as readonly string[]).includes(r)) throw new Error(`bench/runtimes: no runtime ${r}`);
        return r as RuntimeName;
      })
    : [...RUNTIMES];
  const clientsArg = option("clients");
  const clients = clientsArg?.split(",").map((c) => {
    if (!(CLIENT_KEYS as readonly string[]).includes(c)) throw new Error(`bench/runtimes: no client ${c}`);
    return c as ClientKey;
  });
  const scenariosArg = option("scenarios");
  const specs = scenarios(mode).filter((sc) => scenariosArg === undefined || scenariosArg.split(",").includes(sc.key));
  if (specs.length === 0)
    throw new Error(`bench/runtimes: no scenario ${scenariosArg}; use small, json, download, latency`);
  const profile = option("profile") !== undefined;
  if (profile) mkdirSync(PROFILES, { recursive: true });
  const complete =
    runtimes.length === RUNTIMES.length && clients === undefined && specs.length === scenarios(mode).length && !profile;
  const stale = checkBuild("bench/runtimes", runtimes);
  const loadBefore = os.loadavg()[0] ?? 0;
  const server = await startE2eServer();
  const started = performance.now();
  try {
    const { small, download } = server.served;
    const cfg: RunConfig = {
      port: server.served.port,
      rounds: mode.rounds,
      expect: { small, download, json: smallText(small) },
      scenarios: specs,
      poolMaxsize: POOL,
      ...(clients === undefined ? {} : { clients }),
    };
    log(`server on port ${cfg.port}; ${os.cpus()[0]?.model} × ${os.cpus().length}; ${quick ? "quick" : "full"} mode`);
    const reports: RunReport[] = [];
    const serverCpu = new Map<string, number>();
    const accepted = new Map<string, number>();
    for (const rt of runtimes) {
      const t0 = performance.now();
      const before = await server.stats();
      const rep = await runClient(rt, cfg, 180_000, profile);
      const after = await server.stats();
      const served = after.requests - before.requests;
      serverCpu.set(rt, (after.cpuMicros - before.cpuMicros) / 1000 / (performance.now() - t0));
      accepted.set(rt, after.accepted - before.accepted);
      if (served !== rep.requests)
        throw new Error(`${rt}: the server answered ${served} requests, the client sent ${rep.requests}`);
      if (rep.reqwireRuntime !== rt) throw new Error(`${rt}: reqwire's runtime() is ${rep.reqwireRuntime}`);
      log(`[${rt}] ${((performance.now() - t0) / 1000).toFixed(1)} s, ${after.accepted - before.accepted} connections`);
      reports.push(rep);
    }
    const seconds = (performance.now() - started) / 1000;
    const text = report(reports, server.served, quick, mode, seconds, stale, loadBefore, serverCpu, accepted);
    log(`\n${text.split("\n").slice(1, -1).join("\n")}\n`);
    if (complete) {
      writeSection(START_MARK, END_MARK, text);
      log(`wrote ${RESULTS_FILE}`);
    } else {
      log("(subset run: bench/RESULTS.md not updated)");
    }
  } finally {
    server.close();
  }
}

await main();
