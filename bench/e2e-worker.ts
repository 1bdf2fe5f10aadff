// One client of bench/e2e.ts in its own process, driven over IPC by bench/e2e.ts: it loads only
// its client's library, verifies every response before timing, and runs what it is asked to.
import { fileURLToPath } from "node:url";
import {
  type Client,
  type ClientId,
  checkContent,
  checkEcho,
  closedLoop,
  createClient,
  type Expected,
  type HeapResult,
  heapPerRequest,
  type Op,
  quickCheck,
  sequentialLatency,
  setWireLengths,
} from "./e2e-clients.js";

export type WorkerRequest =
  | {
      type: "init";
      client: ClientId;
      port: number;
      sockets: number;
      /** The op of the scenario, and how many requests to verify at once. */
      op: Op;
      verifyInflight: number;
      payloadBytes: number;
      expected: Partial<Record<Op, Expected>>;
    }
  | { type: "warmup"; total: number; inflight: number }
  | { type: "run"; total: number; inflight: number }
  | { type: "latency"; timeMs: number }
  | { type: "heap"; maxTotal: number; maxMs: number; inflight: number; warmup: number }
  | { type: "exit" };

export type WorkerReply =
  | { type: "ready"; rssBytes: number }
  | { type: "done"; ms: number }
  | { type: "run"; ms: number; cpuMicros: number }
  | { type: "latency"; p50: number; p99: number; mean: number; samples: number }
  | ({ type: "heap" } & HeapResult)
  | { type: "bye"; maxRssBytes: number }
  | { type: "error"; message: string };

/** The PUT body: deterministic bytes. */
export function makePayload(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = 0x2545f491;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/**
 * Makes a client and checks it: two sequential requests, then `inflight` at once, each with
 * status 200 and exactly the expected bytes (length and SHA-1), or for the user ops exactly the
 * expected value read (parsed JSON, text, headers); for post-json, first what the client sends
 * (the server parses it back) — all before anything is timed. Returns the client and the cheap
 * check of every timed request.
 */
export async function makeVerifiedClient(
  id: ClientId,
  port: number,
  sockets: number,
  op: Op,
  inflight: number,
  payload: Uint8Array,
  expected: Partial<Record<Op, Expected>>,
): Promise<{ client: Client; check: (got: unknown) => void }> {
  const lengths: Partial<Record<Op, number>> = {};
  for (const [k, e] of Object.entries(expected)) lengths[k as Op] = e.response;
  // The wire client counts bytes; a capturing twin checks the bytes themselves.
  const checker = id === "wire" ? await createClient(id, { port, sockets, payload, capture: true }) : undefined;
  const client = await createClient(id, { port, sockets, payload });
  setWireLengths(client, lengths);
  const probe = checker ?? client;
  setWireLengths(probe, lengths);
  const e = expected[op];
  if (e === undefined) throw new Error(`${id}: nothing expected of ${op}`);
  if (op === "post-json" && id !== "wire") {
    for (let i = 0; i < 2; i++) checkEcho(probe, await probe.send("post-json-echo"));
  }
  for (let i = 0; i < 2; i++) checkContent(probe, op, await probe.send(op), e);
  const results = await Promise.all(Array.from({ length: inflight }, () => probe.send(op)));
  for (const r of results) checkContent(probe, op, r, e);
  const check = quickCheck(client, op, e);
  if (checker !== undefined) {
    await checker.close();
    // and the counting client once, at the same concurrency
    await closedLoop(client, op, inflight, inflight, check);
  }
  return { client, check };
}

async function main(): Promise<void> {
  let client: Client | undefined;
  let op: Op = "small";
  let check: (got: unknown) => void = () => {};
  const reply = (r: WorkerReply) => process.send?.(r);

  const handle = async (msg: WorkerRequest): Promise<void> => {
    switch (msg.type) {
      case "init": {
        await client?.close();
        client = undefined;
        op = msg.op;
        const rssBytes = process.memoryUsage().rss;
        const payload = makePayload(msg.payloadBytes);
        ({ client, check } = await makeVerifiedClient(
          msg.client,
          msg.port,
          msg.sockets,
          msg.op,
          msg.verifyInflight,
          payload,
          msg.expected,
        ));
        reply({ type: "ready", rssBytes });
        return;
      }
      case "warmup": {
        if (client === undefined) throw new Error("not initialised");
        reply({ type: "done", ms: await closedLoop(client, op, msg.total, msg.inflight, check) });
        return;
      }
      case "run": {
        if (client === undefined) throw new Error("not initialised");
        const c0 = process.cpuUsage();
        const ms = await closedLoop(client, op, msg.total, msg.inflight, check);
        const c1 = process.cpuUsage(c0);
        reply({ type: "run", ms, cpuMicros: c1.user + c1.system });
        return;
      }
      case "latency": {
        if (client === undefined) throw new Error("not initialised");
        await closedLoop(client, op, 50, 1, check);
        reply({ type: "latency", ...(await sequentialLatency(client, op, check, msg.timeMs)) });
        return;
      }
      case "heap": {
        if (client === undefined) throw new Error("not initialised");
        await closedLoop(client, op, msg.warmup, msg.inflight, check);
        reply({ type: "heap", ...(await heapPerRequest(client, op, check, msg.inflight, msg.maxTotal, msg.maxMs)) });
        return;
      }
      case "exit": {
        await client?.close();
        // maxRSS is in kilobytes (KiB on Linux).
        reply({ type: "bye", maxRssBytes: process.resourceUsage().maxRSS * 1024 });
        return; // the parent disconnects, and this process exits
      }
    }
  };

  // One request at a time, in order.
  let chain = Promise.resolve();
  process.on("message", (msg: WorkerRequest) => {
    chain = chain.then(
      () =>
        handle(msg).catch((err: unknown) => {
          reply({ type: "error", message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
        }),
      () => {},
    );
  });
  process.on("disconnect", () => process.exit(0));
}

// Only when run as a worker (bench/e2e.ts imports this module for its profile mode).
if (process.send !== undefined && process.argv[1] === fileURLToPath(import.meta.url)) await main();
