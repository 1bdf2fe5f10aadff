// Chaos: many requests, every verb, against a server that misbehaves at random (server.ts):
// resets before and inside the head and body, short bodies, stalls, garbage, broken framing, idle
// keep-alive sockets closed just as they are reused, bytes on idle sockets. Counted:
//   - every request settles exactly once, as a response or a typed error (RequestException),
//     and none is still pending after its time bound (a hang);
//   - the outcome fits what the server did (a good response succeeds, a broken one fails with
//     the error class that describes it) and the body is the one sent for that request;
//   - no POST or PATCH is sent twice (counted on the wire by the client and by the server);
//     GET/HEAD/PUT/DELETE/OPTIONS may go twice after a stale keep-alive socket (counted apart);
//   - no response reaches another request: the id in X-Id and in the body is the request's;
//   - no socket outlives the session (client and server side), no handle is left behind, and
//     live heap and RSS growth after warm-up stay within bounds (both reported).
// The server runs in this process (server.ts) so that it can count per request; the records are
// typed arrays, so that memory numbers are reqwire's. The cases the main run cannot make have
// their own files: stalled-upload.test.ts (a server that stops reading a large body) and
// stream-leak.test.ts (dropped streamed responses must become garbage).
//
//   REQWIRE_CHAOS_REQUESTS=100000 npx vitest run test/chaos      (CI: 20 000)
//   REQWIRE_CHAOS_SEED=7 REQWIRE_CHAOS_CONCURRENCY=100 ...         (defaults 1 and 64)
import { setImmediate as immediate } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import { RequestException, type RequestOptions, type Response, Session } from "../../src/index.js";
import { nodeTransport } from "../../src/transport/node.js";
import { type Behaviour, ChaosServer, expectedBody, OK_BEHAVIOURS, Rng, requestBody } from "./server.js";
import { newWireStats, watchedTransport } from "./wire.js";

const N = Number(process.env.REQWIRE_CHAOS_REQUESTS ?? 20_000);
const SEED = Number(process.env.REQWIRE_CHAOS_SEED ?? 1);
const CONCURRENCY = Number(process.env.REQWIRE_CHAOS_CONCURRENCY ?? 64);
/** Sessions running one request at a time with pauses: the idle-socket scenario. */
const IDLE_WORKERS = 4;
/** Share of the requests that go through the idle scenario. */
const IDLE_SHARE = 0.02;
/** Seconds, connect and read. */
const TIMEOUT_S = 2;
/**
 * A request still pending this long after it started is hung: its own bound is a connect and a
 * read timeout, twice (one stale retry), plus a wait in the pool's queue behind others that are
 * bounded the same way.
 */
const HANG_MS = 40_000;
/**
 * Growth from warm-up (10% of the requests) to the end that fails the test; the numbers are in
 * the report. Live heap after a full GC is steady (0 MB over 100 000 requests without a leak);
 * RSS moves by tens of MB either way on this kind of machine, so its bound is generous.
 */
const MAX_RSS_GROWTH_MB = 128;
const MAX_HEAP_GROWTH_MB = 8;

const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);

/**
 * Errors that fit what the server did with the last copy of a request. "dropped": it came on a
 * socket the server was closing (the stale keep-alive case: POST/PATCH fail, others go again).
 */
const ERRORS_FOR: Record<Behaviour, readonly string[]> = {
  ok: [],
  "ok-chunked": [],
  "ok-gzip": [],
  "ok-1xx": [],
  "ok-pieces": [],
  "ok-close": [],
  "ok-eof": [],
  "ok-http10": [],
  "ok-late-close": [],
  "ok-drop-next": [],
  "ok-poison": [],
  "ok-late-poison": [],
  // a stale socket: the request may go again, and that new connection may time out on a busy box
  dropped: ["RemoteDisconnected", "ConnectionError", "ConnectTimeout"],
  "late-reset": ["ChunkedEncodingError", "ProtocolError", "RemoteDisconnected", "ConnectionError"],
  "reset-before-head": ["RemoteDisconnected", "ConnectionError", "ConnectTimeout"],
  "reset-in-head": ["ProtocolError", "RemoteDisconnected", "ConnectionError"],
  "reset-in-body": ["ChunkedEncodingError", "ProtocolError", "RemoteDisconnected", "ConnectionError"],
  "truncate-length": ["ChunkedEncodingError"],
  "truncate-chunked": ["ChunkedEncodingError"],
  // random bytes may be a valid prefix ("H", "HTTP/1."): then the client waits for the rest
  garbage: ["ProtocolError", "ReadTimeout"],
  "bad-framing": ["ProtocolError", "ChunkedEncodingError"],
  "stall-head": ["ReadTimeout"],
  "stall-body": ["ReadTimeout"],
  // the head deadline (the read timeout) ends it though bytes keep coming
  "trickle-head": ["ReadTimeout"],
  // more than 10 interim responses
  "flood-1xx": ["ProtocolError"],
};
/** Behaviours after which a success is fine too (the RST may come after the client read all). */
const MAY_SUCCEED = new Set<Behaviour>([...OK_BEHAVIOURS, "late-reset"]);
/**
 * Behaviours whose head is whole and only the body is broken: a streamed response closed
 * unread succeeds after them (the chunk-size overflow of bad-framing is in the body).
 */
const BODY_ONLY_BROKEN = new Set<Behaviour>([
  "reset-in-body",
  "truncate-length",
  "truncate-chunked",
  "stall-body",
  "bad-framing",
]);

/** Methods, by code. */
const METHODS = ["GET", "HEAD", "OPTIONS", "DELETE", "PUT", "POST", "PATCH"] as const;
type Method = (typeof METHODS)[number];
/** Outcomes, by code: 0 pending, 1 ok, then error class names as they come. */
const RESULTS: string[] = ["pending", "ok"];
const resultCode = (name: string): number => {
  let i = RESULTS.indexOf(name);
  if (i < 0) i = RESULTS.push(name) - 1;
  return i;
};
const IDLE = 1;
const ABORTED = 2;
const UNREAD = 4;

/**
 * What happened to every request, by request number, in typed arrays: the records of 100 000
 * requests take a megabyte, so that memory numbers are about reqwire, not about the test.
 */
class Outcomes {
  readonly method: Uint8Array;
  readonly settled: Uint8Array;
  readonly result: Uint8Array;
  readonly flags: Uint8Array;
  /** Requests whose outcome is wrong in itself (misdelivery, untyped error...), with why. */
  readonly problems: string[] = [];
  constructor(n: number) {
    this.method = new Uint8Array(n);
    this.settled = new Uint8Array(n);
    this.result = new Uint8Array(n);
    this.flags = new Uint8Array(n);
  }
}

function countBy<T>(items: Iterable<T>, key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of items) {
    const k = key(t);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** A request body sent as a stream (chunked, not replayable), in two or three pieces. */
async function* pieces(text: string, rng: Rng): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text, "latin1");
  const cut = rng.int(0, bytes.length);
  yield bytes.subarray(0, cut);
  await immediate();
  yield bytes.subarray(cut);
}

// a full collection before each memory sample, so that heap numbers are live objects only
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

interface Memory {
  rss: number;
  heap: number;
  /** Memory of ArrayBuffers (Buffers, wasm memories are not in it), and of other external objects. */
  arrayBuffers: number;
  external: number;
}

/** RSS, live heap and external memory in MB, after a full collection. */
function memory(): Memory {
  gc();
  gc();
  const m = process.memoryUsage();
  const mb = (n: number) => n / (1024 * 1024);
  return { rss: mb(m.rss), heap: mb(m.heapUsed), arrayBuffers: mb(m.arrayBuffers), external: mb(m.external) };
}

describe(`chaos: ${N} requests, seed ${SEED}, concurrency ${CONCURRENCY}`, () => {
  const server = new ChaosServer({ seed: SEED, capacity: N });
  const wire = newWireStats(N);
  const sessions: Session[] = [];
  afterAll(async () => {
    for (const s of sessions) s.close();
    await server.close();
  });

  it("every request settles once, as the server's behaviour says; no resend, misdelivery or leak", async () => {
    const before = countBy(process.getActiveResourcesInfo(), (x) => x);
    await server.listen();
    const base = server.url;
    const transport = watchedTransport(nodeTransport, wire);
    const main = new Session({
      transport,
      pool_maxsize: Math.max(1, Math.floor(CONCURRENCY * 0.75)),
      pool_block: true,
    });
    main.trust_env = false;
    sessions.push(main);

    const out = new Outcomes(N);
    const hung: string[] = [];
    const idleCount = Math.round(N * IDLE_SHARE);
    const mainCount = N - idleCount;
    let nextMain = 0;
    let nextIdle = mainCount; // the idle scenario's requests are numbered after the main ones
    let done = 0;
    let warm: Memory | undefined;
    const started = performance.now();

    /** Request number `n`: sends it, reads it as its dice say, checks what came back. */
    async function one(session: Session, n: number, idle: boolean): Promise<void> {
      const rng = new Rng((SEED * 1_000_003 + n * 7919) >>> 0);
      const id = `${SEED}-${n}`;
      const method: Method = idle
        ? rng.pick(["GET", "GET", "HEAD", "DELETE", "PUT", "POST", "PATCH"] as const)
        : rng.weighted({ GET: 30, HEAD: 10, OPTIONS: 5, DELETE: 10, PUT: 15, POST: 20, PATCH: 10 });
      out.method[n] = METHODS.indexOf(method);
      const headers: Record<string, string> = { "X-Id": id };
      if (idle) headers["X-Chaos-Idle"] = "1";
      const options: RequestOptions = { headers, timeout: TIMEOUT_S };
      const withBody = method === "POST" || method === "PUT" || method === "PATCH" || rng.chance(0.2);
      if (withBody && method !== "HEAD" && method !== "OPTIONS") {
        const pad = rng.chance(0.9) ? rng.int(0, 300) : rng.int(300, 20_000);
        const text = requestBody(id, pad);
        options.data = rng.chance(0.1) ? pieces(text, rng) : text;
      }
      const stream = rng.chance(0.2);
      options.stream = stream;
      let abortTimer: ReturnType<typeof setTimeout> | undefined;
      let flags = idle ? IDLE : 0;
      if (!idle && rng.chance(0.01)) {
        flags |= ABORTED;
        const ac = new AbortController();
        options.signal = ac.signal;
        abortTimer = setTimeout(() => ac.abort(new Error("chaos abort")), rng.int(0, 20));
      }
      out.flags[n] = flags;
      const readMode = rng.pick(["read", "read", "iter", "iter-sized", "close"] as const);
      const problem = (why: string) => out.problems.push(`${id} ${method}: ${why}`);

      const work = (async (): Promise<[Response, Uint8Array | undefined]> => {
        const r = await session.request(method, `${base}/r/${id}`, options);
        if (!stream) return [r, r.content];
        if (readMode === "close") {
          out.flags[n] = (out.flags[n] as number) | UNREAD;
          r.close();
          return [r, undefined];
        }
        if (readMode === "read") return [r, await r.read()];
        const parts: Uint8Array[] = [];
        for await (const c of r.iter_content(readMode === "iter" ? undefined : 1000)) parts.push(c);
        return [r, Buffer.concat(parts)];
      })();

      const settledOnce = work.then(
        ([r, content]) => {
          out.settled[n] = (out.settled[n] as number) + 1;
          out.result[n] = resultCode("ok");
          const got = r.headers["x-id"];
          if (got !== id) return problem(`the response for ${got} was delivered to it`);
          if (r.status_code !== 200) problem(`status ${r.status_code}`);
          if (content === undefined) return;
          const expected = method === "HEAD" ? "" : expectedBody(id, Number(r.headers["x-pad"]));
          const text = Buffer.from(content).toString("latin1");
          if (text !== expected) {
            problem(
              `a body of ${content.length} bytes that is not the one sent (${JSON.stringify(text.slice(0, 60))})`,
            );
          }
        },
        (err: unknown) => {
          out.settled[n] = (out.settled[n] as number) + 1;
          if (!(err instanceof RequestException)) {
            out.result[n] = resultCode("untyped");
            return problem(`an untyped error: ${(err as Error)?.stack ?? err}`);
          }
          out.result[n] = resultCode(err.name);
          const sentId = err.request?.headers["x-id"];
          if (sentId !== undefined && sentId !== id) problem(`the ${err.name} of ${sentId} was delivered to it`);
          const got = err.response?.headers["x-id"];
          if (got !== undefined && got !== id) problem(`a ${err.name} with the response for ${got}`);
        },
      );
      let hangTimer: ReturnType<typeof setTimeout> | undefined;
      const hang = new Promise<"hang">((resolve) => {
        hangTimer = setTimeout(() => resolve("hang"), HANG_MS);
      });
      const first = await Promise.race([settledOnce, hang]);
      clearTimeout(hangTimer);
      clearTimeout(abortTimer);
      if (first === "hang") hung.push(`${id} ${method}`);
      done++;
      if (warm === undefined && done >= N / 10) warm = memory();
    }

    const mainWorker = async () => {
      for (let n = nextMain++; n < mainCount; n = nextMain++) await one(main, n, false);
    };
    const idleWorker = async () => {
      const s = new Session({ transport, pool_maxsize: 1 });
      s.trust_env = false;
      sessions.push(s);
      const rng = new Rng(SEED ^ 0x5eed);
      for (let n = nextIdle++; n < N; n = nextIdle++) {
        await one(s, n, true);
        // the socket is idle now: let the server's late bytes land and be seen (a poll phase
        // between), then reuse it around when the server closes it
        await server.poisonFlushed(`${SEED}-${n}`, 2000);
        await immediate();
        await immediate();
        await new Promise((resolve) => setTimeout(resolve, rng.int(5, 40)));
      }
    };
    await Promise.all([
      ...Array.from({ length: CONCURRENCY }, mainWorker),
      ...Array.from({ length: IDLE_WORKERS }, idleWorker),
    ]);
    const seconds = (performance.now() - started) / 1000;
    const end = memory();
    const start = warm ?? end;

    // ---- each request against what the server and the wire saw ---------------------------------
    const problems = [...out.problems];
    let retried = 0;
    const retriedBy: Record<string, number> = {};
    const results: Record<string, number> = {};
    let settledOnce = 0;
    let postPatchSentTwice = 0;
    for (let n = 0; n < N; n++) {
      const id = `${SEED}-${n}`;
      const method = METHODS[out.method[n] as number] as Method;
      const result = RESULTS[out.result[n] as number] as string;
      const flags = out.flags[n] as number;
      results[result] = (results[result] ?? 0) + 1;
      const copies = server.copies(n);
      const sent = wire.sent[n] as number;
      const last = server.behaviourOf(n, "last");
      const history = copies > 1 ? `${server.behaviourOf(n, "first")} ... ${last}` : String(last);
      if (Math.max(copies, sent) > 1) {
        if (!IDEMPOTENT.has(method)) {
          postPatchSentTwice++;
          problems.push(`${id} ${method} written ${sent}x, received ${copies}x`);
        } else if (Math.max(copies, sent) > 2) {
          problems.push(`${id} ${method} written ${sent}x, received ${copies}x (over 2)`);
        } else {
          retried++;
          retriedBy[method] = (retriedBy[method] ?? 0) + 1;
        }
      }
      if (copies > sent) problems.push(`${id}: received ${copies}x but written ${sent}x`);
      if (out.settled[n] === 1) settledOnce++;
      else problems.push(`${id} ${method} settled ${out.settled[n]}x`);
      if (out.settled[n] !== 1 || result === "untyped") continue;
      // the outcome against what the server did with the last copy
      if (result === "RequestAborted" && (flags & ABORTED) !== 0) continue;
      if (result === "ok") {
        if (last === undefined) problems.push(`${id} ${method} succeeded, but the server never read it`);
        else if (!MAY_SUCCEED.has(last) && !((flags & UNREAD) !== 0 && BODY_ONLY_BROKEN.has(last))) {
          problems.push(`${id} ${method} succeeded after ${history}${flags & UNREAD ? " (body unread)" : ""}`);
        }
      } else if (last === undefined) {
        // never read by the server: the connection failed under it (a reset socket, a stale
        // one), or no connection of the full pool freed up within the pool timeout
        if (!["RemoteDisconnected", "ConnectionError", "ConnectTimeout", "PoolTimeout"].includes(result)) {
          problems.push(`${id} ${method} failed with ${result}, but the server never read it`);
        }
      } else if (!ERRORS_FOR[last].includes(result)) {
        problems.push(`${id} ${method} (${history}) failed with ${result}`);
      }
    }

    // ---- leaks ----------------------------------------------------------------------------------
    for (const s of sessions) s.close();
    const openAfterClose = async (ms: number) => {
      const until = Date.now() + ms;
      while ((wire.live.size > 0 || server.openConnections > 0) && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await openAfterClose(5000);
    const clientLive = wire.live.size;
    const serverLive = server.openConnections;
    await server.close();
    await openAfterClose(100);
    // handles close asynchronously (a server's handle a tick after its close callback): poll
    let after = countBy(process.getActiveResourcesInfo(), (x) => x);
    let grownHandles = Object.entries(after).filter(([k, v]) => v > (before[k] ?? 0));
    for (let i = 0; i < 100 && grownHandles.length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      after = countBy(process.getActiveResourcesInfo(), (x) => x);
      grownHandles = Object.entries(after).filter(([k, v]) => v > (before[k] ?? 0));
    }

    const report = {
      requests: N,
      idleScenario: idleCount,
      seconds: Number(seconds.toFixed(1)),
      perSecond: Math.round(N / seconds),
      results,
      settledOnce,
      hung: hung.length,
      retriedIdempotent: retried,
      retriedBy,
      postPatchSentTwice,
      serverBehaviours: Object.fromEntries([...server.behaviours].sort((a, b) => b[1] - a[1])),
      serverAnomalies: server.anomalies.length,
      sockets: { opened: wire.opened, closed: wire.closed, clientLive, serverLive, serverAccepted: server.accepted },
      handles: { before, after },
      // after warm-up (10% of the requests) and at the end, each after a full GC, sessions open
      rssMB: { warm: Math.round(start.rss), end: Math.round(end.rss), growth: Math.round(end.rss - start.rss) },
      heapMB: { warm: Math.round(start.heap), end: Math.round(end.heap), growth: Math.round(end.heap - start.heap) },
      externalMB: { warm: Math.round(start.external), end: Math.round(end.external) },
    };
    console.log(`chaos report\n${JSON.stringify(report, null, 2)}`);
    if (problems.length > 0) console.log(`problems (${problems.length}):\n${problems.slice(0, 40).join("\n")}`);
    if (server.anomalies.length > 0) console.log(`server anomalies:\n${server.anomalies.slice(0, 40).join("\n")}`);
    if (hung.length > 0) console.log(`hung:\n${hung.slice(0, 40).join("\n")}`);

    expect(hung).toEqual([]);
    expect(settledOnce).toBe(N);
    expect(problems.slice(0, 20)).toEqual([]);
    expect(server.anomalies.slice(0, 20)).toEqual([]);
    expect({ clientLive, serverLive, unclosed: wire.opened - wire.closed }).toEqual({
      clientLive: 0,
      serverLive: 0,
      unclosed: 0,
    });
    expect(grownHandles).toEqual([]);
    expect(end.rss - start.rss).toBeLessThan(MAX_RSS_GROWTH_MB);
    expect(end.heap - start.heap).toBeLessThan(MAX_HEAP_GROWTH_MB);
    // the chaos really happened: every behaviour was met, and some requests went twice
    if (N >= 20_000) {
      expect([...server.behaviours.keys()].sort()).toEqual(Object.keys(ERRORS_FOR).sort());
      expect(retried).toBeGreaterThan(0);
    }
  }, 600_000);
});
