// Parse throughput: reqwire's core (ResponseParser, wasm) vs Node's llhttp (node:_http_common).
//
//   npm run bench:parse                      build the engine, verify, benchmark, update bench/RESULTS.md
//   npx tsx bench/parse.ts --case=small      only some items (comma-separated ids); RESULTS.md is not touched
//
// Profiling the reqwire side alone (no llhttp, no tinybench; loops over the items for N seconds):
//
//   npm run build:wasm
//   node --cpu-prof --cpu-prof-dir=bench/profiles --import tsx bench/parse.ts --profile=10 [--case=headers-30]
//
// (or REQWIRE_PROFILE=10 instead of --profile=10). Open the .cpuprofile in Chrome DevTools
// (Performance tab) or VS Code. *.cpuprofile is git-ignored.
//
// Every iteration produces, for both parsers, what a client needs in JS: the status code, every
// header as a [name, value] pair of strings, and the body length (the sum of the body pieces).
// Before timing, both parsers' results are checked to be identical, and equal to what the corpus
// was built from, for every item.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Bench } from "tinybench";
import { ParserEvent, ResponseParser } from "../src/core/index.js";
import { filler, option, RESULTS_FILE, writeSection } from "./common.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const START_MARK = "<!-- parse:start -->";
const END_MARK = "<!-- parse:end -->";
const TARGET = 1.5;
const BENCH_OPTIONS = { time: 1000, warmupTime: 200, iterations: 64, warmupIterations: 16 };
/** Each task runs once per round (odd); the round with the median ratio is reported. */
const ROUNDS = 3;
/** Bytes parsed per tinybench sample: small items run several times per sample, so timer overhead is noise. */
const BYTES_PER_SAMPLE = 32 * 1024;

// ---- corpus --------------------------------------------------------------------------------

type Headers = Array<[string, string]>;

/** What one parsed response looks like to JS. */
interface Parsed {
  status: number;
  headers: Headers;
  bodyLength: number;
}

interface Item {
  id: string;
  label: string;
  /** The bytes, as the socket would hand them over. */
  pieces: Buffer[];
  bytes: number;
  expected: Parsed[];
}

function head(status: number, reason: string, headers: Headers): string {
  let s = `HTTP/1.1 ${status} ${reason}\r\n`;
  for (const [name, value] of headers) s += `${name}: ${value}\r\n`;
  return `${s}\r\n`;
}

/** A response with a Content-Length body. */
function fixedResponse(status: number, reason: string, headers: Headers, body: Buffer): [Buffer, Parsed] {
  return [
    Buffer.concat([Buffer.from(head(status, reason, headers), "latin1"), body]),
    { status, headers, bodyLength: body.length },
  ];
}

/** A typical small JSON API response: 8 headers, a ~100-byte JSON body. */
function smallResponse(i: number): [Buffer, Parsed] {
  const id = (0x7f3c9a2e + i * 7919).toString(16).padStart(8, "0");
  const body = Buffer.from(
    JSON.stringify({ id: 4711 + i, name: "widget", price: 19.99, tags: ["blue", "small"], inStock: true, rev: i }),
    "latin1",
  );
  return fixedResponse(
    200,
    "OK",
    [
      ["Date", "Tue, 14 Jan 2025 10:23:45 GMT"],
      ["Server", "nginx/1.25.3"],
      ["Content-Type", "application/json; charset=utf-8"],
      ["Content-Length", String(body.length)],
      ["Connection", "keep-alive"],
      ["Cache-Control", "no-cache, no-store, must-revalidate"],
      ["X-Request-Id", `${id}-4b1d-4e8a-9c2f-1a2b3c4d5e6f`],
      ["Vary", "Accept-Encoding, Origin"],
    ],
    body,
  );
}

/** A CDN-fronted page: 30 headers (caching, security, tracing), small body. */
function headers30Response(): [Buffer, Parsed] {
  const body = filler(512, 30);
  return fixedResponse(
    200,
    "OK",
    [
      ["Date", "Tue, 14 Jan 2025 10:23:45 GMT"],
      ["Content-Type", "text/html; charset=utf-8"],
      ["Content-Length", String(body.length)],
      ["Connection", "keep-alive"],
      ["Server", "cloudflare"],
      ["Cache-Control", "public, max-age=300, s-maxage=600, stale-while-revalidate=60"],
      ["Age", "137"],
      ["ETag", 'W/"5f3a-1c9e7b2d4a8f"'],
      ["Last-Modified", "Mon, 13 Jan 2025 22:04:11 GMT"],
      ["Vary", "Accept-Encoding, Accept-Language"],
      ["Accept-Ranges", "bytes"],
      ["Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload"],
      [
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self' https://cdn.example.com 'nonce-r4nd0m'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; connect-src 'self' https://api.example.com; frame-ancestors 'none'; base-uri 'self'",
      ],
      ["X-Content-Type-Options", "nosniff"],
      ["X-Frame-Options", "DENY"],
      ["X-XSS-Protection", "0"],
      ["Referrer-Policy", "strict-origin-when-cross-origin"],
      ["Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"],
      ["Cross-Origin-Opener-Policy", "same-origin"],
      ["Cross-Origin-Resource-Policy", "same-site"],
      ["Access-Control-Allow-Origin", "https://www.example.com"],
      ["Alt-Svc", 'h3=":443"; ma=86400'],
      ["Via", "1.1 varnish, 1.1 varnish"],
      ["X-Cache", "HIT, HIT"],
      ["X-Cache-Hits", "3, 12"],
      ["X-Served-By", "cache-fra-eddf8230097-FRA, cache-ams21041-AMS"],
      ["CF-Ray", "8ff0b6c1e9a27d4e-FRA"],
      [
        "Set-Cookie",
        "__cf_bm=Qm9vZ2llV29vZ2llLmV4YW1wbGU; path=/; expires=Tue, 14-Jan-25 10:53:45 GMT; HttpOnly; Secure",
      ],
      ["Set-Cookie", "session=eyJ1aWQiOjQ3MTF9; Path=/; Secure; HttpOnly; SameSite=Lax"],
      ["Server-Timing", "cdn-cache;desc=HIT, edge;dur=2, origin;dur=0"],
    ],
    body,
  );
}

/** 16 chunks of 4 KiB plus a few odd sizes (one with an extension, one in upper-case hex). */
function chunkedResponse(): [Buffer, Parsed] {
  const headers: Headers = [
    ["Date", "Tue, 14 Jan 2025 10:23:45 GMT"],
    ["Server", "nginx/1.25.3"],
    ["Content-Type", "application/octet-stream"],
    ["Transfer-Encoding", "chunked"],
    ["Connection", "keep-alive"],
    ["Cache-Control", "no-store"],
  ];
  const sizes = [...Array.from({ length: 16 }, () => 4096), 1, 17, 255, 1000, 2751];
  const parts: Buffer[] = [Buffer.from(head(200, "OK", headers), "latin1")];
  let bodyLength = 0;
  sizes.forEach((size, i) => {
    const hex = i === sizes.length - 1 ? size.toString(16).toUpperCase() : size.toString(16);
    const ext = i === 16 ? ';name="odd"' : "";
    parts.push(Buffer.from(`${hex}${ext}\r\n`, "latin1"), filler(size, 100 + i), Buffer.from("\r\n", "latin1"));
    bodyLength += size;
  });
  parts.push(Buffer.from("0\r\n\r\n", "latin1"));
  return [Buffer.concat(parts), { status: 200, headers, bodyLength }];
}

/** Cuts a buffer into views of at most `size` bytes, as a socket with that read size would. */
function cut(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, Math.min(buf.length, i + size)));
  return out;
}

function item(id: string, label: string, pieces: Buffer[], expected: Parsed[]): Item {
  return { id, label, pieces, bytes: pieces.reduce((n, b) => n + b.length, 0), expected };
}

function buildCorpus(): Item[] {
  const [small, smallParsed] = smallResponse(0);
  const [h30, h30Parsed] = headers30Response();
  const [chunked, chunkedParsed] = chunkedResponse();
  const pipelined = Array.from({ length: 16 }, (_, i) => smallResponse(i));
  return [
    item("small", "small JSON response (8 headers, ~100 B body)", [small], [smallParsed]),
    item("headers-30", "30 headers (CDN/security), 512 B body", [h30], [h30Parsed]),
    item("chunked-64k", "chunked 64 KiB+ body, one buffer", [chunked], [chunkedParsed]),
    item("chunked-64k-16k", "chunked 64 KiB+ body, 16 KiB pieces", cut(chunked, 16384), [chunkedParsed]),
    item(
      "pipelined-16",
      "16 pipelined small responses, one buffer",
      [Buffer.concat(pipelined.map(([b]) => b))],
      pipelined.map(([, parsed]) => parsed),
    ),
  ];
}

// ---- reqwire --------------------------------------------------------------------------------

const rw = new ResponseParser();
rw.expect();

/** Parses all pieces with reqwire; writes each response to out[i]; returns the count. */
function parseReqwire(pieces: Buffer[], out: Parsed[]): number {
  const p = rw;
  let count = 0;
  let status = 0;
  let headers: Headers = [];
  let bodyLength = 0;
  for (let k = 0; k < pieces.length; k++) {
    p.feed(pieces[k] as Buffer);
    for (let ev = p.next(); ev !== ParserEvent.NeedMore; ev = p.next()) {
      if (ev === ParserEvent.Head) {
        status = p.statusCode;
        headers = p.headers.entries();
        bodyLength = 0;
      } else if (ev === ParserEvent.Body) {
        bodyLength += p.body.length;
      } else if (ev === ParserEvent.Done) {
        out[count++] = { status, headers, bodyLength };
        p.expect();
      }
    }
  }
  return count;
}

// ---- llhttp (what node:http uses) ---------------------------------------------------------------

interface LlhttpParser {
  initialize(type: number, resource: object): void;
  execute(data: Buffer): number | Error;
  [callback: number]: unknown;
}

interface LlhttpParserClass {
  new (): LlhttpParser;
  readonly RESPONSE: number;
  readonly kOnHeaders: number;
  readonly kOnHeadersComplete: number;
  readonly kOnBody: number;
  readonly kOnMessageComplete: number;
}

const { HTTPParser } = createRequire(import.meta.url)("node:_http_common") as { HTTPParser: LlhttpParserClass };
const ll = new HTTPParser();
ll.initialize(HTTPParser.RESPONSE, {});

/** [name, value, name, value, ...] ⇒ [[name, value], ...], as node:http's consumers see them. */
function pairs(flat: string[]): Headers {
  const out: Headers = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as string]);
  return out;
}

let llOut: Parsed[] = [];
let llCount = 0;
let llStatus = 0;
let llHeaders: Headers = [];
let llFlushed: string[] = []; // headers llhttp passed early (more than 32 pairs in one head)
let llBodyLength = 0;
/** Whether each kOnBody buffer was a copy (not a view of the input); checked once. */
let llBodyCopied: boolean | undefined;
let llInput: Buffer | undefined;

ll[HTTPParser.kOnHeaders] = (flat: string[]) => {
  for (let i = 0; i < flat.length; i++) llFlushed.push(flat[i] as string);
};
ll[HTTPParser.kOnHeadersComplete] = (
  _major: number,
  _minor: number,
  flat: string[] | undefined,
  _method: unknown,
  _url: unknown,
  status: number,
) => {
  if (flat === undefined) {
    flat = llFlushed;
    llFlushed = [];
  } else if (llFlushed.length > 0) {
    flat = llFlushed.concat(flat);
    llFlushed = [];
  }
  llStatus = status;
  llHeaders = pairs(flat);
  llBodyLength = 0;
  return 0;
};
ll[HTTPParser.kOnBody] = (body: Buffer) => {
  llBodyLength += body.length;
  if (llInput !== undefined) llBodyCopied = body.buffer !== llInput.buffer;
};
ll[HTTPParser.kOnMessageComplete] = () => {
  llOut[llCount++] = { status: llStatus, headers: llHeaders, bodyLength: llBodyLength };
};

/** Parses all pieces with llhttp; writes each response to out[i]; returns the count. */
function parseLlhttp(pieces: Buffer[], out: Parsed[]): number {
  llOut = out;
  llCount = 0;
  for (let k = 0; k < pieces.length; k++) {
    const r = ll.execute(pieces[k] as Buffer);
    if (typeof r !== "number") throw r;
  }
  return llCount;
}

// ---- verification ---------------------------------------------------------------------------

function sameParsed(a: Parsed[], b: Parsed[]): string | undefined {
  if (a.length !== b.length) return `${a.length} responses vs ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Parsed;
    const y = b[i] as Parsed;
    if (x.status !== y.status) return `response ${i}: status ${x.status} vs ${y.status}`;
    if (x.bodyLength !== y.bodyLength) return `response ${i}: body length ${x.bodyLength} vs ${y.bodyLength}`;
    if (JSON.stringify(x.headers) !== JSON.stringify(y.headers)) {
      return `response ${i}: headers differ:\n  ${JSON.stringify(x.headers)}\n  ${JSON.stringify(y.headers)}`;
    }
  }
  return undefined;
}

function verify(items: Item[]): void {
  for (const it of items) {
    for (let round = 0; round < 3; round++) {
      const a: Parsed[] = [];
      const b: Parsed[] = [];
      const na = parseReqwire(it.pieces, a);
      if (round === 0) llInput = it.pieces[0];
      const nb = parseLlhttp(it.pieces, b);
      llInput = undefined;
      a.length = na;
      b.length = nb;
      const problems = [
        ["reqwire vs expected", sameParsed(a, it.expected)],
        ["llhttp vs expected", sameParsed(b, it.expected)],
        ["reqwire vs llhttp", sameParsed(a, b)],
      ].filter(([, p]) => p !== undefined);
      if (problems.length > 0) {
        const text = problems.map(([what, p]) => `  ${what}: ${p}`).join("\n");
        throw new Error(`bench/parse: ${it.id} (round ${round}) does not parse the same:\n${text}`);
      }
    }
  }
}

// ---- profile mode ---------------------------------------------------------------------------

function profile(items: Item[], seconds: number): void {
  const out: Parsed[] = [];
  const iterations = items.map(() => 0);
  const spent = items.map(() => 0);
  const stop = performance.now() + seconds * 1000;
  let sink = 0;
  // Equal time per item: round-robin slices of ~20 ms.
  while (performance.now() < stop) {
    for (let i = 0; i < items.length; i++) {
      const it = items[i] as Item;
      const t0 = performance.now();
      let t = t0;
      let n = 0;
      while (t - t0 < 20) {
        for (let r = 0; r < 16; r++) sink += parseReqwire(it.pieces, out);
        n += 16;
        t = performance.now();
      }
      iterations[i] = (iterations[i] as number) + n;
      spent[i] = (spent[i] as number) + (t - t0);
    }
  }
  console.log(`reqwire only, ${seconds} s, ${sink} responses:`);
  for (let i = 0; i < items.length; i++) {
    const it = items[i] as Item;
    const perSec = ((iterations[i] as number) * 1000) / (spent[i] as number);
    console.log(
      `  ${it.id}: ${fmtRate(perSec * it.expected.length)} responses/s, ${fmtMb((perSec * it.bytes) / 1e6)} MB/s`,
    );
  }
}

// ---- benchmark ------------------------------------------------------------------------------

interface Rate {
  responsesPerSec: number;
  mbPerSec: number;
}

interface Row {
  item: Item;
  reps: number;
  /** Rates of the median round. */
  reqwire: Rate;
  llhttp: Rate;
  /** Median of the rounds' ratios, and their range. */
  ratio: number;
  ratioMin: number;
  ratioMax: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Iterations per second of one task: batches of `reps` iterations, mean sample time. */
function iterationsPerSec(bench: Bench, name: string, reps: number): number {
  const result = bench.getTask(name)?.result;
  if (result === undefined || result.state !== "completed") {
    throw new Error(`bench/parse: task ${name} did not complete (${result?.state})`);
  }
  return (reps * 1000) / result.period;
}

function rateOf(it: Item, perSec: number): Rate {
  return { responsesPerSec: perSec * it.expected.length, mbPerSec: (perSec * it.bytes) / 1e6 };
}

async function benchmark(items: Item[]): Promise<Row[]> {
  const plans = items.map((it) => ({ it, reps: Math.max(1, Math.round(BYTES_PER_SAMPLE / it.bytes)) }));
  const out: Parsed[] = [];
  const perRound = plans.map(() => ({ reqwire: [] as number[], llhttp: [] as number[] }));
  for (let round = 1; round <= ROUNDS; round++) {
    // Each round runs every task once, the two parsers of an item back to back; medians over
    // rounds keep a burst of load elsewhere on the machine from deciding a ratio.
    const bench = new Bench({ ...BENCH_OPTIONS, throws: true });
    for (const { it, reps } of plans) {
      const n = it.expected.length;
      bench.add(`reqwire ${it.id}`, () => {
        for (let r = 0; r < reps; r++) {
          if (parseReqwire(it.pieces, out) !== n) throw new Error("reqwire: lost a response");
        }
      });
      bench.add(`llhttp ${it.id}`, () => {
        for (let r = 0; r < reps; r++) {
          if (parseLlhttp(it.pieces, out) !== n) throw new Error("llhttp: lost a response");
        }
      });
    }
    await bench.run();
    plans.forEach(({ it, reps }, i) => {
      const rounds = perRound[i] as { reqwire: number[]; llhttp: number[] };
      rounds.reqwire.push(iterationsPerSec(bench, `reqwire ${it.id}`, reps));
      rounds.llhttp.push(iterationsPerSec(bench, `llhttp ${it.id}`, reps));
    });
    console.log(`round ${round}/${ROUNDS} done`);
  }
  return plans.map(({ it, reps }, i) => {
    const rounds = perRound[i] as { reqwire: number[]; llhttp: number[] };
    const ratios = rounds.reqwire.map((r, k) => r / (rounds.llhttp[k] as number));
    // The rates shown are those of the median round (by ratio), so the columns agree with the ratio.
    const k = ratios.indexOf(median(ratios));
    return {
      item: it,
      reps,
      reqwire: rateOf(it, rounds.reqwire[k] as number),
      llhttp: rateOf(it, rounds.llhttp[k] as number),
      ratio: ratios[k] as number,
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
    };
  });
}

const fmtRate = (n: number) => Math.round(n).toLocaleString("en-US");
const fmtMb = (n: number) => n.toFixed(1);

function table(rows: Row[]): string {
  const lines = [
    "| item | bytes | resp/iter | reqwire resp/s | reqwire MB/s | llhttp resp/s | llhttp MB/s | reqwire/llhttp (range) | ≥ 1.5× |",
    "|---|--:|--:|--:|--:|--:|--:|--:|:-:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.item.id}: ${r.item.label} | ${r.item.bytes} | ${r.item.expected.length} | ` +
        `${fmtRate(r.reqwire.responsesPerSec)} | ${fmtMb(r.reqwire.mbPerSec)} | ` +
        `${fmtRate(r.llhttp.responsesPerSec)} | ${fmtMb(r.llhttp.mbPerSec)} | ` +
        `${r.ratio.toFixed(2)}× (${r.ratioMin.toFixed(2)}–${r.ratioMax.toFixed(2)}) | ${r.ratio >= TARGET ? "yes" : "**no**"} |`,
    );
  }
  return lines.join("\n");
}

function tinybenchVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(root, "node_modules/tinybench/package.json"), "utf8")) as { version: string })
      .version;
  } catch {
    return "?";
  }
}

function section(rows: Row[], load: string): string {
  const cpus = os.cpus();
  const met = rows.filter((r) => r.ratio >= TARGET).length;
  const reps = rows.map((r) => `${r.item.id} ${r.reps}`).join(", ");
  return [
    START_MARK,
    "## Response parsing: reqwire core vs Node's llhttp",
    "",
    "`npm run bench:parse` (bench/parse.ts)",
    "",
    `- Date: ${new Date().toISOString()}`,
    `- Node ${process.version} (${process.platform}/${process.arch}); CPU: ${cpus[0]?.model ?? "?"} × ${cpus.length}; ` +
      `load average (1 min) ${load}`,
    `- tinybench ${tinybenchVersion()}: time ${BENCH_OPTIONS.time} ms, warmupTime ${BENCH_OPTIONS.warmupTime} ms, ` +
      `≥ ${BENCH_OPTIONS.iterations} samples (${BENCH_OPTIONS.warmupIterations} warmup) per task, ${ROUNDS} rounds; ` +
      `one sample = a batch of iterations (~${BYTES_PER_SAMPLE / 1024} KiB parsed: ${reps}). ` +
      "Rates from each task's mean sample time; shown: the round with the median reqwire/llhttp ratio (all rounds' range in brackets).",
    "- One iteration, both parsers: status code, every header as a `[name, value]` pair of JS strings, body length " +
      "(sum of body pieces). reqwire: one `ResponseParser` reused, `p.headers.entries()` per head. llhttp: one " +
      "`node:_http_common` HTTPParser reused, its flat header list turned into pairs. Both checked identical before timing.",
    "- MB = 10^6 bytes of HTTP stream (heads + framing + bodies). llhttp's body pieces are copies (Node's binding " +
      "copies each into a new Buffer); reqwire's are views of the input.",
    `- Target: reqwire ≥ ${TARGET}× llhttp on every item. Met on ${met} of ${rows.length}.`,
    "",
    table(rows),
    END_MARK,
  ].join("\n");
}

// ---- main -----------------------------------------------------------------------------------

async function main(): Promise<void> {
  const corpus = buildCorpus();
  const only = option("case");
  const items = only ? corpus.filter((it) => only.split(",").includes(it.id)) : corpus;
  if (items.length === 0)
    throw new Error(`bench/parse: no item matches --case=${only}; ids: ${corpus.map((it) => it.id)}`);

  verify(items);
  const profileArg = option("profile") ?? process.env.REQWIRE_PROFILE;
  if (profileArg !== undefined) {
    profile(items, Number(profileArg) || 10);
    return;
  }
  console.log(
    `verified: ${items.map((it) => it.id).join(", ")} parse identically (llhttp body pieces are copies: ${llBodyCopied})`,
  );
  console.log(`Node ${process.version}, ${os.cpus()[0]?.model} × ${os.cpus().length}; running…`);

  const loadBefore = os.loadavg()[0] ?? 0;
  const rows = await benchmark(items);
  const load = `${loadBefore.toFixed(2)} before, ${(os.loadavg()[0] ?? 0).toFixed(2)} after`;
  console.log(`\n${table(rows)}\n\nload average (1 min): ${load}`);
  if (items.length === corpus.length) {
    writeSection(START_MARK, END_MARK, section(rows, load));
    console.log(`wrote ${RESULTS_FILE}`);
  } else {
    console.log("(subset run: bench/RESULTS.md not updated)");
  }
}

await main();
