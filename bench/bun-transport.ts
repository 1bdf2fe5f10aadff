// Which socket transport reqwire should use on Bun: its Session over node:net (src/transport/node.ts,
// Bun's Node compatibility layer) against the same Session over Bun.connect (src/transport/bun.ts),
// with Bun's own fetch alongside, in one Bun process, on the e2e server (bench/e2e-server.ts, its own
// Node process, keep-alive, canned bytes).
//
//   npm run build:wasm && node_modules/.bin/bun run bench/bun-transport.ts
//   --rounds=N      timed rounds per scenario (default 7)
//   --seconds=S     target length of one timed run, seconds (default 0.6)
//   --quick         3 rounds of 0.25 s
//
// Scenarios: (a) small GET (`/small`, 305-byte response), 64 in flight; (b) 1 MiB chunked download
// (`/chunked-1m`), 4 in flight. Clients: reqwire `new Session({ pool_maxsize: N, transport })`,
// `(await s.get(url)).content`, loaded from the TypeScript source (src/entry/bun.ts, so both
// transports run the same code); Bun's fetch, `await (await fetch(url)).arrayBuffer()`.
//
// Method: every client's responses are first checked byte for byte (length and SHA-1, sequential
// and concurrent). Then per scenario a warm-up per client sets K, the requests of one timed run
// (about --seconds of that client's work); each round runs every client once (closed loop: N lanes,
// each sending its next request when the previous body is read), the order rotated each round.
// The server's request count must match what the clients sent. Shown: the median over rounds and
// the range; ratios are ratios of medians; client CPU = process CPU time / wall time of the run
// (both clients share this process, so it is measured per run, not per client). On a shared,
// noisy machine the CPU µs per request is the steadier number.
import { createHash } from "node:crypto";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Session } from "../src/entry/bun.js";
import { bunTransport } from "../src/transport/bun.js";
import { nodeTransport } from "../src/transport/node.js";
import type { Transport } from "../src/transport/types.js";
import { option, startE2eServer } from "./common.js";

const here = dirname(fileURLToPath(import.meta.url));
const bunVersion = (globalThis as { Bun?: { version: string } }).Bun?.version;
if (bunVersion === undefined) {
  console.error("bench/bun-transport.ts runs on Bun: node_modules/.bin/bun run bench/bun-transport.ts");
  process.exit(2);
}
// Bun's fetch honours proxy variables; every request here must go straight to 127.0.0.1.
const proxyVars = Object.keys(process.env).filter((k) => /^(https?|all)_proxy$/i.test(k));
if (proxyVars.length > 0) {
  console.error(`unset ${proxyVars.join(", ")} first: Bun's fetch would send the requests to the proxy`);
  process.exit(2);
}

const quick = option("quick") !== undefined;
const ROUNDS = Number(option("rounds") ?? (quick ? 3 : 7));
const SECONDS = Number(option("seconds") ?? (quick ? 0.25 : 0.6));

interface Scenario {
  key: "small" | "download";
  title: string;
  path: string;
  inflight: number;
}
const SCENARIOS: Scenario[] = [
  { key: "small", title: "(a) small GET, 64 in flight", path: "/small", inflight: 64 },
  { key: "download", title: "(b) 1 MiB chunked download, 4 in flight", path: "/chunked-1m", inflight: 4 },
];

interface Client {
  label: string;
  /** One GET, body read whole. */
  get(url: string): Promise<Uint8Array>;
  close(): void;
}

function reqwire(label: string, transport: Transport, pool: number): Client {
  const s = new Session({ pool_maxsize: pool, transport });
  return {
    label,
    async get(url) {
      const r = await s.get(url);
      if (r.status_code !== 200) throw new Error(`${label}: status ${r.status_code}`);
      return r.content;
    },
    close: () => s.close(),
  };
}

const bunFetch: Client = {
  label: "Bun fetch",
  async get(url) {
    const r = await fetch(url);
    if (r.status !== 200) throw new Error(`Bun fetch: status ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  },
  close() {},
};

function makeClients(pool: number): Client[] {
  return [
    reqwire("reqwire, node:net", nodeTransport, pool),
    reqwire("reqwire, Bun.connect", bunTransport, pool),
    bunFetch,
  ];
}

// ---- driving ---------------------------------------------------------------------------------------

const sha1 = (b: Uint8Array) => createHash("sha1").update(b).digest("hex");

/** Sequential, then `inflight` at once: every body must be the server's, byte for byte. */
async function verify(c: Client, url: string, length: number, hash: string, inflight: number): Promise<void> {
  const bodies = [
    await c.get(url),
    await c.get(url),
    ...(await Promise.all(Array.from({ length: inflight }, () => c.get(url)))),
  ];
  for (const b of bodies) {
    if (b.length !== length || sha1(b) !== hash)
      throw new Error(`${c.label}: wrong body from ${url} (${b.length} bytes)`);
  }
}

interface Run {
  ms: number;
  cpuMs: number;
}

/** K requests with `inflight` lanes; each body's length is checked. */
async function closedLoop(c: Client, url: string, total: number, inflight: number, length: number): Promise<Run> {
  let issued = 0;
  const lane = async () => {
    while (issued < total) {
      issued++;
      const b = await c.get(url);
      if (b.length !== length) throw new Error(`${c.label}: ${b.length} bytes, expected ${length}`);
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(inflight, total) }, lane));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");

async function main(): Promise<void> {
  // the server runs on Node; JSON serialization: the IPC format Node's fork() speaks by default
  const server = await startE2eServer({ execPath: "node", serialization: "json", cwd: join(here, "..") });
  const base = `http://127.0.0.1:${server.served.port}`;
  const load = os.loadavg()[0]?.toFixed(2);
  console.log(
    `Bun ${bunVersion} (${process.platform}/${process.arch}); ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}; ` +
      `load average (1 min) ${load} before; ${ROUNDS} rounds, about ${SECONDS} s per timed run\n`,
  );
  try {
    for (const sc of SCENARIOS) {
      const url = base + sc.path;
      const expect = sc.key === "small" ? server.served.small : server.served.download;
      const clients = makeClients(sc.inflight);
      let sent = 0;
      const before = (await server.stats()).requests;
      for (const c of clients) {
        await verify(c, url, expect.body, expect.hash, sc.inflight);
        sent += 2 + sc.inflight;
      }
      // K per client: warm up (JIT) with growing batches until one lasts half a timed run, then set
      // K from the rate of one more batch of that size
      const k = new Map<Client, number>();
      const toK = (n: number, ms: number) =>
        Math.max(sc.inflight * 4, Math.round(((n / ms) * SECONDS * 1000) / sc.inflight) * sc.inflight);
      for (const c of clients) {
        let n = sc.inflight * 4;
        while ((await closedLoop(c, url, n, sc.inflight, expect.body)).ms < SECONDS * 500 && n < 1_000_000) {
          sent += n;
          n *= 2;
        }
        sent += n;
        const r = await closedLoop(c, url, n, sc.inflight, expect.body);
        sent += n;
        k.set(c, toK(n, r.ms));
      }
      const runs = new Map<Client, Run[]>(clients.map((c) => [c, []]));
      for (let round = 0; round < ROUNDS; round++) {
        const order = clients.map((_, i) => clients[(i + round) % clients.length] as Client);
        for (const c of order) {
          const total = k.get(c) as number;
          await closedLoop(c, url, Math.max(sc.inflight, total >> 3), sc.inflight, expect.body); // re-warm
          sent += Math.max(sc.inflight, total >> 3);
          const r = await closedLoop(c, url, total, sc.inflight, expect.body);
          sent += total;
          (runs.get(c) as Run[]).push(r);
        }
      }
      const answered = (await server.stats()).requests - before;
      if (answered !== sent)
        throw new Error(`${sc.title}: the server answered ${answered} requests, clients sent ${sent}`);
      for (const c of clients) c.close();

      const rate = (c: Client) => (runs.get(c) as Run[]).map((r) => ((k.get(c) as number) / r.ms) * 1000);
      const baseRate = median(rate(clients[0] as Client));
      console.log(`${sc.title}: ${url}`);
      console.log("| client | req/s (median) | range | × node:net | MB/s | CPU µs/request | client CPU | K |");
      console.log("|---|--:|--:|--:|--:|--:|--:|--:|");
      for (const c of clients) {
        const rs = rate(c);
        const cpuPerReq = (runs.get(c) as Run[]).map((r) => (r.cpuMs * 1000) / (k.get(c) as number));
        const cpuShare = (runs.get(c) as Run[]).map((r) => r.cpuMs / r.ms);
        console.log(
          `| ${c.label} | ${fmtInt(median(rs))} | ${fmtInt(Math.min(...rs))}–${fmtInt(Math.max(...rs))} | ` +
            `${(median(rs) / baseRate).toFixed(2)}× | ${((median(rs) * expect.body) / 1e6).toFixed(0)} | ` +
            `${median(cpuPerReq).toFixed(1)} | ${Math.round(median(cpuShare) * 100)}% | ${fmtInt(k.get(c) as number)} |`,
        );
      }
      // per-round ratio of the two transports, so one noisy round shows up as such
      const [viaNode, viaBun] = [rate(clients[0] as Client), rate(clients[1] as Client)];
      const perRound = viaBun.map((b, i) => (b / (viaNode[i] as number)).toFixed(2));
      console.log(`Bun.connect / node:net per round: ${perRound.join(", ")}\n`);
    }
  } finally {
    // asked over IPC to exit (it calls process.exit)
    if (server.proc.exitCode === null) server.proc.send({ type: "exit" });
  }
  console.log(`load average (1 min) ${os.loadavg()[0]?.toFixed(2)} after`);
}

await main();
