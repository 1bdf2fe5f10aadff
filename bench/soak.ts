// Soak: 1,000,000 keep-alive small GETs (50 in flight) through one reqwire Session against the
// e2e server (its own process), RSS and heap sampled every 50,000 requests. Memory must stay flat
// after warm-up: the last sample within 10% of the first one after warm-up.
//
//   npm run bench:soak                      # 1,000,000 requests, writes bench/RESULTS.md (soak section)
//   npx tsx bench/soak.ts --requests=200000 # shorter run, RESULTS.md untouched
import os from "node:os";
import { Session } from "../src/index.js";
import { startE2eServer, writeSection } from "./common.js";

const START = "<!-- soak:start -->";
const END = "<!-- soak:end -->";
const arg = process.argv.find((a) => a.startsWith("--requests="));
const TOTAL = arg === undefined ? 1_000_000 : Number(arg.slice(11));
const SAMPLE_EVERY = Math.max(1, Math.floor(TOTAL / 20));
const WARMUP_SAMPLES = 2; // samples before the baseline (JIT, pools, caches settling)
const IN_FLIGHT = 50;
const LIMIT = 1.1;

interface Sample {
  requests: number;
  seconds: number;
  rssMB: number;
  heapMB: number;
}

async function main(): Promise<void> {
  const server = await startE2eServer();
  const session = new Session({ pool_maxsize: IN_FLIGHT });
  const url = `http://127.0.0.1:${server.served.port}/small`;
  const samples: Sample[] = [];
  const started = performance.now();
  let sent = 0;
  let done = 0;
  let failures = 0;
  const sample = () => {
    const m = process.memoryUsage();
    samples.push({
      requests: done,
      seconds: (performance.now() - started) / 1000,
      rssMB: m.rss / 2 ** 20,
      heapMB: m.heapUsed / 2 ** 20,
    });
    const s = samples.at(-1) as Sample;
    console.log(
      `${s.requests} requests, ${s.seconds.toFixed(1)} s: rss ${s.rssMB.toFixed(1)} MB, heap ${s.heapMB.toFixed(1)} MB`,
    );
  };
  const lane = async () => {
    while (sent < TOTAL) {
      sent++;
      try {
        const r = await session.get(url);
        if (r.status_code !== 200 || r.content.length === 0) failures++;
      } catch {
        failures++;
      }
      done++;
      if (done % SAMPLE_EVERY === 0) sample();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const seconds = (performance.now() - started) / 1000;
  session.close();
  server.close();

  const base = samples[WARMUP_SAMPLES] as Sample;
  const last = samples.at(-1) as Sample;
  const peak = Math.max(...samples.slice(WARMUP_SAMPLES).map((s) => s.rssMB));
  const flat = last.rssMB <= base.rssMB * LIMIT && peak <= base.rssMB * LIMIT;
  console.log(
    `${TOTAL} requests in ${seconds.toFixed(1)} s (${Math.round(TOTAL / seconds)} req/s), ${failures} failures; ` +
      `rss after warm-up ${base.rssMB.toFixed(1)} MB, peak ${peak.toFixed(1)} MB, last ${last.rssMB.toFixed(1)} MB: ${flat ? "flat" : "NOT flat"}`,
  );
  if (arg === undefined) {
    const cpus = os.cpus();
    const section = [
      START,
      "## Soak: 1,000,000 keep-alive requests, RSS sampled",
      "",
      "`npm run bench:soak` (bench/soak.ts): one reqwire Session, 50 in flight, small GETs against the e2e server",
      "(its own process); RSS and heap sampled every 50,000 requests. Target: RSS flat within 10% after warm-up",
      `(baseline: the sample at ${base.requests} requests).`,
      "",
      `- Date: ${new Date().toISOString()}; Node ${process.version}; ${cpus[0]?.model} × ${cpus.length}`,
      `- ${TOTAL} requests in ${seconds.toFixed(1)} s (${Math.round(TOTAL / seconds)} req/s), ${failures} failures`,
      `- RSS after warm-up ${base.rssMB.toFixed(1)} MB, peak ${peak.toFixed(1)} MB, last ${last.rssMB.toFixed(1)} MB: **${flat ? "flat (met)" : "not flat (not met)"}**`,
      "",
      "| requests | seconds | RSS MB | heap used MB |",
      "|--:|--:|--:|--:|",
      ...samples.map(
        (s) => `| ${s.requests} | ${s.seconds.toFixed(1)} | ${s.rssMB.toFixed(1)} | ${s.heapMB.toFixed(1)} |`,
      ),
      END,
    ].join("\n");
    writeSection(START, END, section);
    console.log("wrote bench/RESULTS.md");
  }
  if (failures > 0) process.exitCode = 1;
}

await main();
