// Long fuzz runs of reqwire's response parser: `npm run fuzz -- --iterations 1000000 --seed 1`.
//
// Each iteration i does two things, both rebuilt from (seed, i) alone:
//   1. the differential case of differential.test.ts (reqwire against llhttp, same rules), and
//   2. a noise case through reqwire alone: random bytes, HTTP-ish tokens or a badly mutated
//      response, fed at random cuts to a parser with random limits. It must throw nothing but
//      ParseError, read the same whole or cut, and read as a parser at the largest limits does
//      unless it stopped at one of its limits.
// Each input has a time bound (and a watchdog thread ends the run if one never returns); wasm
// memory and process memory are sampled every 10k iterations. Failures are printed with their
// iteration; `--replay N` runs iteration N alone and prints everything about it. Exits 1 on any
// crash, unexplained disagreement, slow input or memory over its bound.
//
// Options: --iterations N (100000), --seed S (1), --replay N, --show K (failures printed in
// full, 20), --slow-ms T (per-input bound, 2000), --hang-ms T (watchdog, 30000),
// --max-rss-mb M (2048), --max-wasm-mb M (64).
import { Worker } from "node:worker_threads";

// Every parser's wasm memory, to bound it: ResponseParser keeps its instance private, so the
// instances are noted as they are made (before the core is loaded). The run makes a bounded
// number of parsers (a fixed pool), so they are simply all kept.
const memories: WebAssembly.Memory[] = [];
const BaseInstance = WebAssembly.Instance;
WebAssembly.Instance = class extends BaseInstance {
  constructor(module: WebAssembly.Module, imports?: WebAssembly.Imports) {
    super(module, imports);
    const memory = this.exports.memory;
    if (memory instanceof WebAssembly.Memory && memories.length < 4096) memories.push(memory);
  }
} as typeof WebAssembly.Instance;

const { Differ, ReqwireRunner, crashStack, diffOutcomes, showOutcome } = await import("./compare.js");
const { Rng, caseSeed, generateCase, generateNoise } = await import("./gen.js");
type Outcome = import("./compare.js").Outcome;
type GenCase = import("./gen.js").GenCase;
type ParserLimits = import("../../src/core/index.js").ParserLimits;

// ---- options -------------------------------------------------------------------------------

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`--${name} needs a number`);
  return v;
}

const ITERATIONS = option("iterations", 100_000);
const SEED = option("seed", 1);
const REPLAY = option("replay", -1);
const SHOW = option("show", 20);
const SLOW_MS = option("slow-ms", 2000);
const HANG_MS = option("hang-ms", 30_000);
const MAX_RSS_MB = option("max-rss-mb", 2048);
const MAX_WASM_MB = option("max-wasm-mb", 64);
const SAMPLE_EVERY = 10_000;

// ---- the noise case: reqwire alone, random limits ------------------------------------------

const LIMIT_ERRORS = new Set(["HEAD_TOO_LARGE", "TOO_MANY_HEADERS", "CHUNK_EXTENSION_TOO_LARGE", "TRAILERS_TOO_LARGE"]);

/** A random set of limits (each limit left at its default half the time). */
function randomLimits(rng: InstanceType<typeof Rng>): ParserLimits {
  const limits: ParserLimits = {};
  if (rng.chance(0.5)) limits.maxHeadBytes = rng.pick([1, 16, 40, 64, 200, 1024, 4096, 16_777_216]);
  if (rng.chance(0.5)) limits.maxHeaderCount = rng.pick([1, 2, 3, 8, 32, 8192]);
  if (rng.chance(0.5)) limits.maxChunkExtensionBytes = rng.pick([1, 4, 16, 256, 16_777_216]);
  if (rng.chance(0.5)) limits.maxTrailerBytes = rng.pick([1, 2, 16, 256, 16_777_216]);
  return limits;
}

const LARGEST: ParserLimits = {
  maxHeadBytes: 16_777_216,
  maxHeaderCount: 8192,
  maxChunkExtensionBytes: 16_777_216,
  maxTrailerBytes: 16_777_216,
};

// A parser is a wasm instance, so a parser per input would churn memory: the noise cases draw
// from 40 random limit sets (the same for every run), each with its own reused parser.
const limitRng = new Rng(0x1badb002);
const pool = Array.from({ length: 40 }, () => {
  const limits = randomLimits(limitRng);
  return { limits, runner: new ReqwireRunner(limits) };
});
const largest = new ReqwireRunner(LARGEST);

interface NoiseResult {
  gc: GenCase;
  limits: ParserLimits;
  whole?: Outcome;
  cut?: Outcome;
  largest?: Outcome;
  failure?: string;
}

function noiseCase(i: number): NoiseResult {
  const seed = caseSeed(SEED ^ 0x5bd1e995, i);
  const gc = generateNoise(seed);
  const { limits, runner: r } = pool[new Rng(seed ^ 0x2545f491).int(pool.length)] as (typeof pool)[number];
  const res: NoiseResult = { gc, limits };
  try {
    res.whole = r.run(gc.input, [], gc.head);
    res.cut = r.run(gc.input, gc.cuts, gc.head);
    res.largest = largest.run(gc.input, [], gc.head);
  } catch (e) {
    res.failure = `reqwire threw ${crashStack(r.parser, gc, e)}`;
    return res;
  }
  const d = diffOutcomes(res.whole, res.cut);
  if (d !== null || res.whole.error !== res.cut.error || res.whole.errorOffset !== res.cut.errorOffset) {
    res.failure = `differs when fed in pieces: ${d ?? `error ${res.whole.error}@${res.whole.errorOffset} vs ${res.cut.error}@${res.cut.errorOffset}`}`;
  } else if (res.whole.error === null || !LIMIT_ERRORS.has(res.whole.error)) {
    const e = diffOutcomes(res.whole, res.largest);
    if (e !== null || res.whole.error !== res.largest.error) {
      res.failure = `differs from a parser at the largest limits, without hitting a limit: ${e ?? `error ${res.whole.error} vs ${res.largest.error}`}`;
    }
  }
  return res;
}

function showNoise(i: number, n: NoiseResult): string {
  return [
    `noise ${i}: ${n.failure ?? "ok"}`,
    `  kind: ${n.gc.notes.join(", ")}${n.gc.head ? " (HEAD)" : ""}  limits: ${JSON.stringify(n.limits)}`,
    `  input: ${JSON.stringify(Buffer.from(n.gc.input).toString("latin1"))}`,
    `  cuts: ${JSON.stringify(n.gc.cuts)}`,
    n.whole && `  reqwire: ${showOutcome(n.whole)}`,
    n.cut && `  reqwire cut: ${showOutcome(n.cut)}`,
    n.largest && `  reqwire at the largest limits: ${showOutcome(n.largest)}`,
  ]
    .filter((l) => l)
    .join("\n");
}

// ---- memory --------------------------------------------------------------------------------

interface Sample {
  iteration: number;
  rssMb: number;
  heapMb: number;
  wasmMb: number; // the largest memory of one live parser
  wasmTotalMb: number;
}

function sample(iteration: number): Sample {
  const m = process.memoryUsage();
  let biggest = 0;
  let total = 0;
  for (const mem of memories) {
    biggest = Math.max(biggest, mem.buffer.byteLength);
    total += mem.buffer.byteLength;
  }
  const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
  return { iteration, rssMb: mb(m.rss), heapMb: mb(m.heapUsed), wasmMb: mb(biggest), wasmTotalMb: mb(total) };
}

// ---- watchdog ------------------------------------------------------------------------------

/** A thread that ends the process when the loop stops making progress (an input that never returns). */
function startWatchdog(beat: Int32Array): Worker {
  const code = `
    const { workerData } = require("node:worker_threads");
    const fs = require("node:fs");
    const beat = new Int32Array(workerData.buffer);
    let last = -1, since = Date.now();
    setInterval(() => {
      const now = Atomics.load(beat, 0);
      if (now !== last) { last = now; since = Date.now(); return; }
      if (Date.now() - since < workerData.hangMs) return;
      fs.writeSync(2, "\\nHANG: iteration " + now + " has not returned for " + workerData.hangMs +
        " ms; replay it with --seed " + workerData.seed + " --replay " + now + "\\n");
      process.kill(process.pid, "SIGKILL");
    }, 250);
  `;
  const w = new Worker(code, { eval: true, workerData: { buffer: beat.buffer, hangMs: HANG_MS, seed: SEED } });
  w.unref();
  return w;
}

// ---- the run -------------------------------------------------------------------------------

const differ = new Differ();

if (REPLAY >= 0) {
  const gc = generateCase(caseSeed(SEED, REPLAY));
  const v = differ.check(gc);
  console.log(`iteration ${REPLAY} of seed ${SEED}`);
  console.log(`differential: ${v.status}${v.categories.length > 0 ? ` (${v.categories.join(", ")})` : ""}`);
  console.log(`  kind: ${gc.kind}${gc.head ? " (HEAD)" : ""}  mutations: ${gc.notes.join(", ") || "none"}`);
  console.log(`  input: ${JSON.stringify(Buffer.from(gc.input).toString("latin1"))}`);
  console.log(`  cuts: ${JSON.stringify(gc.cuts)}`);
  if (v.reqwire !== undefined) console.log(`  reqwire: ${showOutcome(v.reqwire)}`);
  if (v.llhttp !== undefined) console.log(`  llhttp:  ${showOutcome(v.llhttp)}`);
  if (v.detail !== undefined) console.log(v.detail);
  const n = noiseCase(REPLAY);
  console.log(showNoise(REPLAY, n));
  process.exit(v.detail !== undefined || n.failure !== undefined ? 1 : 0);
}

const beat = new Int32Array(new SharedArrayBuffer(4));
startWatchdog(beat);

const failures: string[] = [];
const samples: Sample[] = [];
const noiseCodes: Record<string, number> = {};
let printed = 0;
let slowest = { ms: 0, iteration: -1 };
let memoryFailure: string | undefined;

function fail(i: number, text: string): void {
  failures.push(`iteration ${i}: ${text.split("\n")[0]}`);
  if (printed++ < SHOW) console.log(`\nFAIL iteration ${i} (replay: --seed ${SEED} --replay ${i})\n${text}`);
}

console.log(`fuzzing ${ITERATIONS} iterations, seed ${SEED}`);
const started = performance.now();
for (let i = 0; i < ITERATIONS; i++) {
  Atomics.store(beat, 0, i);
  const t0 = performance.now();
  const v = differ.check(generateCase(caseSeed(SEED, i)));
  const t1 = performance.now();
  const n = noiseCase(i);
  const t2 = performance.now();
  if (v.detail !== undefined) fail(i, `differential ${v.status}: ${v.detail}`);
  if (n.failure !== undefined) fail(i, showNoise(i, n));
  const key = n.whole?.error ?? (n.whole !== undefined && n.whole.messages.length > 0 ? "accepted" : "nothing");
  noiseCodes[key] = (noiseCodes[key] ?? 0) + 1;
  const ms = Math.max(t1 - t0, t2 - t1);
  if (ms > slowest.ms) slowest = { ms, iteration: i };
  if (ms > SLOW_MS) fail(i, `slow: ${ms.toFixed(0)} ms for one input (bound ${SLOW_MS} ms)`);
  if ((i + 1) % SAMPLE_EVERY === 0 || i + 1 === ITERATIONS) {
    const s = sample(i + 1);
    samples.push(s);
    const rate = ((i + 1) / ((performance.now() - started) / 1000)).toFixed(0);
    console.log(
      `${i + 1} iterations, ${rate}/s, failures ${failures.length}, rss ${s.rssMb} MB, heap ${s.heapMb} MB, wasm ${s.wasmMb} MB per parser (${s.wasmTotalMb} MB in all)`,
    );
    if (memoryFailure === undefined && (s.rssMb > MAX_RSS_MB || s.wasmMb > MAX_WASM_MB)) {
      memoryFailure = `memory over its bound at iteration ${i + 1}: rss ${s.rssMb} MB (bound ${MAX_RSS_MB}), wasm ${s.wasmMb} MB (bound ${MAX_WASM_MB})`;
      failures.push(memoryFailure);
    }
  }
}

const seconds = (performance.now() - started) / 1000;
const st = differ.stats;
const rss = samples.map((s) => s.rssMb);
const wasm = samples.map((s) => s.wasmMb);
console.log(
  [
    "",
    `==== ${ITERATIONS} iterations of seed ${SEED} in ${seconds.toFixed(1)} s ====`,
    `differential: ${JSON.stringify(st.byStatus)}, kinds ${JSON.stringify(st.byKind)}, ${st.accepted} accepted by reqwire`,
    "explained differences per category:",
    st.table(),
    `noise (reqwire alone, random limits): ${JSON.stringify(noiseCodes)}`,
    `slowest input: ${slowest.ms.toFixed(1)} ms (iteration ${slowest.iteration})`,
    `memory every ${SAMPLE_EVERY}: rss ${Math.min(...rss)}..${Math.max(...rss)} MB, wasm per parser up to ${Math.max(...wasm)} MB`,
    `failures: ${failures.length}${failures.length > 0 ? `\n  ${failures.slice(0, 50).join("\n  ")}` : ""}`,
  ].join("\n"),
);
process.exit(failures.length > 0 ? 1 : 0);
