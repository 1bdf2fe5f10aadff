// Seeded generation of HTTP/1.x response byte streams for the differential test and the fuzzer.
//
// A case is one connection's worth of response bytes: one response (valid, or valid then
// mutated), or two pipelined ones, plus the pattern of chunk boundaries the bytes are fed at.
// Everything comes from one 32-bit seed, so a case can be rebuilt from (run seed, index).
//
// Strings here are latin1: one char per byte (0-255). They become bytes only at the end.

/** mulberry32: a small, fast, seedable PRNG (period 2^32), good enough for test data. */
export class Rng {
  #s: number;

  constructor(seed: number) {
    this.#s = seed >>> 0;
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    this.#s = (this.#s + 0x6d2b79f5) >>> 0;
    let t = this.#s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return n <= 1 ? 0 : Math.floor((this.u32() / 4294967296) * n);
  }

  /** A uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** Small numbers more often than large ones: an integer in [0, max], skewed to 0. */
  small(max: number): number {
    const r = this.u32() / 4294967296;
    return Math.floor(r * r * r * (max + 1));
  }
}

/** The seed of case `index` in a run seeded with `runSeed` (independent of the other cases). */
export function caseSeed(runSeed: number, index: number): number {
  let h = (Math.imul(runSeed >>> 0, 0x9e3779b1) ^ Math.imul(index >>> 0, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

// ---- character sets ------------------------------------------------------------------------

const TCHAR = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const VCHAR = Array.from({ length: 94 }, (_, i) => String.fromCharCode(0x21 + i)).join("");
const OBS_TEXT = Array.from({ length: 128 }, (_, i) => String.fromCharCode(0x80 + i)).join("");
const COMMON_NAMES = [
  "Date",
  "Server",
  "Content-Type",
  "Cache-Control",
  "Set-Cookie",
  "ETag",
  "Vary",
  "Location",
  "X-Request-Id",
  "Accept-Ranges",
  "Last-Modified",
  "Keep-Alive",
  "Via",
  "Expires",
];
const REASONS = ["OK", "Not Found", "No Content", "Not Modified", "Moved Permanently", "Internal Server Error", ""];

function randomString(rng: Rng, alphabet: string, min: number, max: number): string {
  let s = "";
  for (let n = rng.range(min, max); n > 0; n--) s += alphabet[rng.int(alphabet.length)];
  return s;
}

function randomCase(rng: Rng, s: string): string {
  if (rng.chance(0.6)) return s;
  let out = "";
  for (const c of s) out += rng.chance(0.5) ? c.toUpperCase() : c.toLowerCase();
  return out;
}

function token(rng: Rng, min = 1, max = 16): string {
  return randomString(rng, TCHAR, min, max);
}

function ows(rng: Rng): string {
  return rng.chance(0.7) ? "" : randomString(rng, " \t", 1, 3);
}

/** field-vchar with SP/HTAB inside, some obs-text; never leading or trailing whitespace. */
function fieldValue(rng: Rng, max = 60): string {
  const n = rng.small(max);
  let s = "";
  for (let i = 0; i < n; i++) {
    const r = rng.int(100);
    if (r < 75) s += VCHAR[rng.int(VCHAR.length)];
    else if (r < 85) s += OBS_TEXT[rng.int(OBS_TEXT.length)];
    else if (r < 95 && i > 0 && i < n - 1) s += " ";
    else if (i > 0 && i < n - 1) s += "\t";
    else s += "v";
  }
  return s;
}

function reasonPhrase(rng: Rng): string {
  if (rng.chance(0.6)) return rng.pick(REASONS);
  // reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
  return randomString(rng, `${VCHAR}${VCHAR}  \t${OBS_TEXT.slice(0, 16)}`, 0, 30);
}

function hex(n: number, rng: Rng): string {
  let s = n.toString(16);
  if (rng.chance(0.3)) s = s.toUpperCase();
  if (rng.chance(0.1)) s = "0".repeat(rng.range(1, 3)) + s;
  return s;
}

// ---- the model -----------------------------------------------------------------------------

/** A header field line: `name:value` (value raw, with its OWS). */
export interface Field {
  name: string;
  value: string;
}

export interface HeadModel {
  version: string; // "HTTP/1.1"
  status: string; // three digits, usually
  reason: string | null; // null: no SP after the status code
  fields: Field[];
  /** Bytes before the status line (empty lines, mostly): after a 1xx, say. */
  lead?: string;
}

export interface ChunkModel {
  size: string;
  ext: string; // "" or ";name=value..."
  data: string;
}

export type Framing = "length" | "chunked" | "close" | "none" | "upgrade";

export interface ResponseModel {
  prefix: string;
  informational: HeadModel[];
  head: HeadModel;
  framing: Framing;
  body: string; // length / close / upgrade: the bytes after the head
  chunks: ChunkModel[];
  lastChunk: string; // "0" plus extensions
  trailers: Field[];
  suffix: string;
}

function serializeHead(h: HeadModel): string {
  let s = `${h.lead ?? ""}${h.version} ${h.status}${h.reason === null ? "" : ` ${h.reason}`}\r\n`;
  for (const f of h.fields) s += `${f.name}:${f.value}\r\n`;
  return `${s}\r\n`;
}

export function serialize(m: ResponseModel): string {
  let s = m.prefix;
  for (const h of m.informational) s += serializeHead(h);
  s += serializeHead(m.head);
  if (m.framing === "chunked") {
    for (const c of m.chunks) s += `${c.size}${c.ext}\r\n${c.data}\r\n`;
    s += `${m.lastChunk}\r\n`;
    for (const f of m.trailers) s += `${f.name}:${f.value}\r\n`;
    s += "\r\n";
  } else {
    s += m.body;
  }
  return s + m.suffix;
}

// ---- valid responses -----------------------------------------------------------------------

function randomFields(rng: Rng, max: number): Field[] {
  const fields: Field[] = [];
  const n = rng.chance(0.15) ? rng.range(10, max) : rng.small(Math.min(max, 10));
  for (let i = 0; i < n; i++) {
    const name = rng.chance(0.3) ? randomCase(rng, rng.pick(COMMON_NAMES)) : token(rng);
    fields.push({ name, value: `${ows(rng)}${fieldValue(rng)}${ows(rng)}` });
  }
  return fields;
}

function insertField(rng: Rng, fields: Field[], f: Field): void {
  fields.splice(rng.int(fields.length + 1), 0, f);
}

function lengthValue(rng: Rng, n: number): string {
  const digits = rng.chance(0.05) ? `0${n}` : String(n);
  return `${ows(rng)}${digits}${ows(rng)}`;
}

/** A chunk-ext per RFC 9112 §7.1.1 (BWS included, rarely). */
function chunkExt(rng: Rng): string {
  if (rng.chance(0.75)) return "";
  let s = "";
  for (let n = rng.range(1, 3); n > 0; n--) {
    const bws = () => (rng.chance(0.08) ? rng.pick([" ", "\t", "  "]) : "");
    s += `${bws()};${bws()}${token(rng, 1, 8)}`;
    if (rng.chance(0.6)) {
      s += `${bws()}=${bws()}`;
      if (rng.chance(0.6)) s += token(rng, 1, 8);
      else {
        let q = '"';
        for (let k = rng.small(10); k > 0; k--) {
          const r = rng.int(10);
          if (r === 0) q += `\\${rng.pick(['"', "\\", "a", " "])}`;
          else if (r === 1) q += rng.pick([" ", "\t"]);
          else if (r === 2) q += OBS_TEXT[rng.int(16)];
          else q += rng.pick(["a", "b", "=", ";", ",", "x", "/"]);
        }
        s += `${q}"`;
      }
    }
  }
  return s;
}

function randomBody(rng: Rng): string {
  // now and then larger than the 64 KiB the parser copies into wasm memory at once
  const n = rng.chance(0.002) ? rng.range(65000, 140000) : rng.chance(0.05) ? rng.range(500, 5000) : rng.small(300);
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) {
    const r = rng.u32();
    b[i] = (r & 0xff) < 204 ? 0x20 + ((r >>> 8) % 95) : r >>> 24; // mostly printable
  }
  return b.toString("latin1");
}

function connectionField(rng: Rng, want: "close" | "keep-alive" | "other"): Field {
  const opt = want === "other" ? rng.pick(["upgrade", "foo", "TE"]) : want;
  let v = randomCase(rng, opt);
  if (rng.chance(0.2)) v = rng.chance(0.5) ? `${token(rng, 2, 6)}, ${v}` : `${v} ,${token(rng, 2, 6)}`;
  return { name: randomCase(rng, "Connection"), value: `${ows(rng)}${v}${ows(rng)}` };
}

export interface ValidOptions {
  /** The request was HEAD. */
  head: boolean;
  /** Another response follows on the connection: this one must be self-delimited and keep-alive. */
  delimited: boolean;
}

function noBodyStatus(status: number): boolean {
  return status === 204 || status === 304 || (status >= 100 && status < 200);
}

/** A valid response (RFC 9112), with random but legal choices everywhere. */
export function validResponse(rng: Rng, o: ValidOptions): ResponseModel {
  const v10 = rng.chance(0.2);
  const version = v10 ? "HTTP/1.0" : "HTTP/1.1";
  const informational: HeadModel[] = [];
  if (rng.chance(0.1)) {
    for (let n = rng.range(1, 3); n > 0; n--) {
      const st = rng.pick([100, 102, 103, rng.range(100, 199)]);
      informational.push({
        version: "HTTP/1.1", // a 1xx goes only to HTTP/1.1 clients (RFC 9110 §15.2)
        status: String(st === 101 ? 100 : st),
        reason: reasonPhrase(rng),
        fields: randomFields(rng, 4),
      });
    }
  }
  let status: number;
  const r = rng.int(100);
  if (r < 45) status = 200;
  else if (r < 55) status = rng.pick([201, 206, 301, 302, 400, 404, 500, 503]);
  else if (r < 62) status = 204;
  else if (r < 69) status = 304;
  else if (r < 71 && !o.delimited && !o.head) status = 101;
  else status = rng.range(200, 599);
  const head: HeadModel = {
    version,
    status: String(status),
    reason: rng.chance(0.05) ? null : reasonPhrase(rng),
    fields: randomFields(rng, 40),
  };
  const m: ResponseModel = {
    prefix: "",
    informational,
    head,
    framing: "none",
    body: "",
    chunks: [],
    lastChunk: "0",
    trailers: [],
    suffix: "",
  };
  if (status === 101) {
    insertField(rng, head.fields, { name: "Upgrade", value: " websocket" });
    insertField(rng, head.fields, { name: "Connection", value: " Upgrade" });
    m.framing = "upgrade";
    m.body = randomBody(rng); // the other protocol's bytes
    return m;
  }
  const bodiless = o.head || noBodyStatus(status);
  let framing: Framing;
  if (bodiless) framing = "none";
  else {
    const f = rng.int(100);
    if (f < 45) framing = "length";
    else if (f < 85 && (!v10 || rng.chance(0.25))) framing = "chunked";
    else framing = o.delimited ? "length" : "close";
  }
  if (o.delimited && v10 && framing === "chunked") framing = "length"; // 1.0 + TE closes (RFC 9112 §6.1)
  m.framing = framing;
  const body = randomBody(rng);
  if (framing === "length") {
    m.body = body;
    insertField(rng, head.fields, { name: randomCase(rng, "Content-Length"), value: lengthValue(rng, body.length) });
  } else if (framing === "chunked") {
    const te = rng.chance(0.85) ? "chunked" : rng.pick(["gzip, chunked", "identity,chunked", "x-foo ,  chunked"]);
    insertField(rng, head.fields, { name: randomCase(rng, "Transfer-Encoding"), value: ` ${randomCase(rng, te)}` });
    for (let n = rng.small(10); n > 0; n--) {
      const data = randomBody(rng).slice(0, rng.range(1, 200)) || "x";
      m.chunks.push({ size: hex(data.length, rng), ext: chunkExt(rng), data });
    }
    m.lastChunk = `${rng.chance(0.1) ? "000" : "0"}${chunkExt(rng)}`;
    if (rng.chance(0.3)) m.trailers = randomFields(rng, 5);
  } else if (framing === "close") {
    m.body = body;
  } else if (status === 304 || o.head) {
    // The representation's metadata: a length (or chunked, for HEAD) with no body.
    if (rng.chance(0.4)) {
      insertField(rng, head.fields, { name: "Content-Length", value: ` ${rng.range(0, 100000)}` });
    } else if (o.head && rng.chance(0.2) && !v10) {
      insertField(rng, head.fields, { name: "Transfer-Encoding", value: " chunked" });
    }
  }
  // Connection options: keep-alive must hold when another response follows.
  if (o.delimited) {
    if (v10) insertField(rng, head.fields, connectionField(rng, "keep-alive"));
    else if (rng.chance(0.2)) insertField(rng, head.fields, connectionField(rng, "keep-alive"));
  } else {
    const c = rng.int(100);
    if (c < 20) insertField(rng, head.fields, connectionField(rng, "close"));
    else if (c < 35) insertField(rng, head.fields, connectionField(rng, "keep-alive"));
    else if (c < 40) insertField(rng, head.fields, connectionField(rng, "other"));
  }
  return m;
}

// ---- mutations -----------------------------------------------------------------------------

const HUGE_NUMBERS = [
  "9007199254740991", // 2^53-1: the largest reqwire takes
  "9007199254740992", // 2^53
  "18446744073709551615", // 2^64-1
  "18446744073709551616", // 2^64
  "99999999999999999999999999999",
  "4294967296",
];
const HUGE_HEX = [
  "1fffffffffffff", // 2^53-1
  "20000000000000", // 2^53
  "ffffffffffffffff", // 2^64-1
  "10000000000000000", // 2^64
  "00000000000000000000001",
  "fffffffffffffffffffff",
];

function fieldsOf(m: ResponseModel): Field[] {
  return m.head.fields;
}

function findField(fields: Field[], lower: string): number {
  return fields.findIndex((f) => f.name.toLowerCase() === lower);
}

/** A structured mutation: edits the model; returns its name. */
type ModelMutation = (rng: Rng, m: ResponseModel) => string;

const MODEL_MUTATIONS: ModelMutation[] = [
  // Content-Length: duplicated (same value), conflicting, or as a list, in random letter case.
  (rng, m) => {
    const fs = fieldsOf(m);
    const i = findField(fs, "content-length");
    const value = i >= 0 ? (fs[i] as Field).value.trim() : String(m.body.length);
    const other = rng.chance(0.5) ? value : String(Number(value.replace(/\D/g, "") || "0") + rng.range(1, 3));
    const name = randomCase(rng, "content-length");
    const kind = rng.int(3);
    if (kind === 0 || i < 0) insertField(rng, fs, { name, value: ` ${other}` });
    else (fs[i] as Field).value = ` ${value}${rng.pick([",", ", ", " , ", ",,"])}${other}`;
    if (i < 0 && rng.chance(0.5)) insertField(rng, fs, { name: "Content-Length", value: ` ${value}` });
    return "content-length-duplicate";
  },
  // Content-Length with a sign, spaces or a huge number.
  (rng, m) => {
    const fs = fieldsOf(m);
    let i = findField(fs, "content-length");
    if (i < 0) {
      insertField(rng, fs, { name: "Content-Length", value: ` ${m.body.length}` });
      i = findField(fs, "content-length");
    }
    const f = fs[i] as Field;
    const n = f.value.trim();
    f.value = rng.pick([
      ` +${n}`,
      ` -${n}`,
      ` ${n.slice(0, 1)} ${n.slice(1)}`,
      ` ${rng.pick(HUGE_NUMBERS)}`,
      ` ${n}x`,
      ` 0x${n}`,
      "",
      ` ${n}.0`,
      `\t${n}\t`,
    ]);
    return "content-length-odd";
  },
  // Transfer-Encoding and Content-Length together.
  (rng, m) => {
    const fs = fieldsOf(m);
    if (findField(fs, "transfer-encoding") < 0) insertField(rng, fs, { name: "Transfer-Encoding", value: " chunked" });
    if (findField(fs, "content-length") < 0)
      insertField(rng, fs, { name: "Content-Length", value: ` ${rng.range(0, 9)}` });
    return "te-and-cl";
  },
  // Transfer-Encoding oddities: chunked twice, not last, empty list elements, unknown codings.
  (rng, m) => {
    const fs = fieldsOf(m);
    const v = rng.pick([
      "chunked, chunked",
      "chunked,chunked",
      "chunked, gzip",
      "gzip",
      "chunked,",
      ",chunked",
      "chunked , ",
      "identity",
      "chunked;q=1",
      "Chunked",
      " chunked\t",
      "chunkedx",
    ]);
    const i = findField(fs, "transfer-encoding");
    if (i >= 0 && rng.chance(0.5)) (fs[i] as Field).value = ` ${v}`;
    else insertField(rng, fs, { name: randomCase(rng, "Transfer-Encoding"), value: ` ${v}` });
    if (m.framing !== "chunked" && rng.chance(0.5)) {
      m.framing = "chunked";
      m.chunks = [{ size: hex(m.body.length || 1, rng), ext: "", data: m.body || "x" }];
    }
    return "te-odd";
  },
  // Chunk sizes: hex overflow, signs, spaces.
  (rng, m) => {
    if (m.framing !== "chunked" || m.chunks.length === 0) {
      m.lastChunk = rng.pick(["0 ", " 0", "00000000000000000000000", "0x0", "-0", "+0", "0\t"]);
      return "chunk-size-odd";
    }
    const c = rng.pick(m.chunks);
    c.size = rng.pick([
      rng.pick(HUGE_HEX),
      `+${c.size}`,
      `-${c.size}`,
      ` ${c.size}`,
      `${c.size} `,
      `0x${c.size}`,
      `${c.size}\t`,
      "",
      `${"0".repeat(20)}${c.size}`,
    ]);
    return "chunk-size-odd";
  },
  // Chunk extensions that break the RFC grammar.
  (rng, m) => {
    const bad = rng.pick([
      ";",
      ";a=b c",
      ";a,b",
      ";a=b=c",
      ";=b",
      "; a",
      ";a = b",
      ";a=\x80",
      ';a="x',
      ";a\t",
      " ;a",
      ";a=\x01",
    ]);
    if (m.framing === "chunked" && m.chunks.length > 0) rng.pick(m.chunks).ext = bad;
    else m.lastChunk = `0${bad}`;
    return "chunk-ext-odd";
  },
  // obs-fold in a header or trailer field.
  (rng, m) => {
    const fs = rng.chance(0.8) || m.trailers.length === 0 ? fieldsOf(m) : m.trailers;
    if (fs.length === 0) fs.push({ name: "X-Fold", value: " a" });
    const f = rng.pick(fs);
    f.value += `\r\n${rng.pick([" ", "\t", "  ", " \t"])}${fieldValue(rng, 10)}`;
    return "obs-fold";
  },
  // Empty lines before the status line (or between a 1xx and the next head, or after the message).
  (rng, m) => {
    const lead = (): string => rng.pick(["\r\n", "\n", "\r\n\r\n", "\r", " \r\n", "\r\n\n", "\n\r"]);
    if (m.informational.length > 0 && rng.chance(0.4)) m.head.lead = lead();
    else if (rng.chance(0.7)) m.prefix = lead();
    else m.suffix += rng.pick(["\r\n", "\n", "\r\n\r\n"]);
    return "empty-lines";
  },
  // Odd status codes.
  (rng, m) => {
    m.head.status = rng.pick(["099", "000", "0200", "20", "2000", "1000", "600", "999", "abc", "2 0", "-200", "20a"]);
    return "status-odd";
  },
  // Control characters (and other odd bytes) in the reason phrase.
  (rng, m) => {
    const r = m.head.reason ?? "";
    const at = rng.int(r.length + 1);
    m.head.reason =
      r.slice(0, at) + rng.pick(["\x00", "\x01", "\x1f", "\x7f", "\x0b", "\x0c", "\n", "\x1b"]) + r.slice(at);
    return "reason-ctl";
  },
  // HTTP versions.
  (rng, m) => {
    m.head.version = rng.pick([
      "HTTP/2.0",
      "HTTP/0.9",
      "HTTP/1.2",
      "HTTP/3.0",
      "HTTP/1.10",
      "http/1.1",
      "HTTP/1",
      "HTTP/2",
    ]);
    return "version-odd";
  },
  // HTTP/1.0 with chunked.
  (rng, m) => {
    m.head.version = "HTTP/1.0";
    for (const h of m.informational) h.version = "HTTP/1.0";
    if (m.framing !== "chunked" && !noBodyStatus(Number(m.head.status))) {
      const fs = fieldsOf(m);
      const i = findField(fs, "content-length");
      if (i >= 0) fs.splice(i, 1);
      insertField(rng, fs, { name: "Transfer-Encoding", value: " chunked" });
      m.framing = "chunked";
      m.chunks = m.body.length > 0 ? [{ size: hex(m.body.length, rng), ext: "", data: m.body }] : [];
    }
    if (rng.chance(0.5)) insertField(rng, fieldsOf(m), connectionField(rng, "keep-alive"));
    return "http10-chunked";
  },
  // Connection lists that mix close and keep-alive.
  (rng, m) => {
    const v = rng.pick([
      "keep-alive, close",
      "close, keep-alive",
      "close,close",
      "keep-alive",
      "Keep-Alive ,",
      "closed",
    ]);
    insertField(rng, fieldsOf(m), { name: randomCase(rng, "Connection"), value: ` ${v}` });
    if (rng.chance(0.3)) m.head.version = "HTTP/1.0";
    return "connection-odd";
  },
  // Framing fields in the trailer section, or in an informational response.
  (rng, m) => {
    const f = rng.chance(0.5)
      ? { name: "Content-Length", value: ` ${rng.range(0, 9)}` }
      : { name: "Transfer-Encoding", value: " chunked" };
    if (m.framing === "chunked" && rng.chance(0.6)) m.trailers.push(f);
    else {
      if (m.informational.length === 0) {
        m.informational.push({ version: m.head.version, status: "100", reason: "Continue", fields: [] });
      }
      const h = rng.pick(m.informational);
      h.fields.push(f);
      if (rng.chance(0.5)) h.fields.push({ name: "Content-Length", value: " 3" });
    }
    return "framing-fields-elsewhere";
  },
  // Field lines with whitespace or odd bytes around the colon.
  (rng, m) => {
    const fs = fieldsOf(m);
    const bad = rng.pick([
      { name: "X-Space ", value: " v" },
      { name: " X-Lead", value: " v" },
      { name: "", value: " v" },
      { name: "X\x00", value: " v" },
      { name: "X-Val", value: " a\x00b" },
      { name: "X-Val", value: " a\x7fb" },
      { name: "X-Val", value: " a\rb" },
      { name: "X-Val", value: " a\nb" },
      { name: "X(y)", value: " v" },
      { name: "X-Del\x7f", value: " v" },
    ]);
    insertField(rng, fs, bad);
    return "field-odd";
  },
];

/** A byte-level mutation of the serialized response: returns the new string and its name. */
function mutateBytes(rng: Rng, s: string, headEnd: number): [string, string] {
  const at = (extra = 0) => {
    const lim = rng.chance(0.7) && headEnd > 0 ? headEnd : s.length;
    return rng.int(lim + extra);
  };
  switch (rng.int(9)) {
    case 0: {
      if (s.length === 0) return [s, "noop"];
      const i = at();
      return [s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ (1 << rng.int(8))) + s.slice(i + 1), "flip"];
    }
    case 1: {
      const i = at(1);
      return [s.slice(0, i) + String.fromCharCode(rng.int(256)) + s.slice(i), "insert"];
    }
    case 2: {
      const i = at();
      return [s.slice(0, i) + s.slice(i + rng.range(1, 4)), "delete"];
    }
    case 3: {
      const i = at();
      const n = rng.range(1, 64);
      return [s.slice(0, i + n) + s.slice(i, i + n) + s.slice(i + n), "duplicate"];
    }
    case 4:
    case 5: {
      const i = at(1);
      const b = rng.pick(["\r", "\n", "\x00", " ", ":", "\r\n", "\t", "\r\n\r\n", ";", ","]);
      return [s.slice(0, i) + b + s.slice(i), "inject"];
    }
    case 6: {
      const i = at();
      return [s.slice(0, i) + String.fromCharCode(rng.int(256)) + s.slice(i + 1), "set"];
    }
    case 7:
      return [s.slice(0, rng.int(s.length + 1)), "truncate"];
    default: {
      // replace a CRLF with a bare LF or CR
      const idx: number[] = [];
      for (let k = s.indexOf("\r\n"); k >= 0 && idx.length < 64; k = s.indexOf("\r\n", k + 2)) idx.push(k);
      if (idx.length === 0) return [s, "noop"];
      const k = rng.pick(idx);
      return [s.slice(0, k) + (rng.chance(0.5) ? "\n" : "\r") + s.slice(k + 2), "bare-cr-lf"];
    }
  }
}

function headLength(m: ResponseModel): number {
  let n = m.prefix.length;
  for (const h of m.informational) n += serializeHead(h).length;
  return n + serializeHead(m.head).length;
}

/** One response: valid, or mutated (structured mutations, then maybe byte-level ones). */
function response(rng: Rng, o: ValidOptions, mutate: boolean, notes: string[]): string {
  const m = validResponse(rng, o);
  if (!mutate) return serialize(m);
  const structured = rng.chance(0.75);
  if (structured) {
    for (let n = rng.range(1, 2); n > 0; n--) notes.push(rng.pick(MODEL_MUTATIONS)(rng, m));
  }
  let s = serialize(m);
  if (!structured || rng.chance(0.3)) {
    const headEnd = headLength(m);
    for (let n = rng.range(1, 4); n > 0; n--) {
      const [t, name] = mutateBytes(rng, s, headEnd);
      s = t;
      notes.push(name);
    }
  }
  return s;
}

// ---- cases ---------------------------------------------------------------------------------

export interface GenCase {
  /** The bytes the server sent, then closed. */
  input: Uint8Array;
  /** The requests were HEAD. */
  head: boolean;
  /** Offsets where the bytes are cut into the chunks fed to reqwire (ascending, inside the input). */
  cuts: number[];
  /** What the case is, for messages: "valid", "mutated", "pipelined", "random". */
  kind: string;
  /** The mutations applied. */
  notes: string[];
}

export function latin1Bytes(s: string): Uint8Array {
  return Buffer.from(s, "latin1");
}

/** Random cut points: none, every byte (of the first KiB), a stride, or a few random ones. */
export function randomCuts(rng: Rng, length: number): number[] {
  const cuts: number[] = [];
  if (length <= 1) return cuts;
  const mode = rng.int(10);
  if (mode === 0) return cuts;
  if (mode === 1 && rng.chance(0.5)) {
    for (let i = 1; i < Math.min(length, 1024); i++) cuts.push(i);
    return cuts;
  }
  if (mode <= 4) {
    const stride = Math.max(rng.pick([2, 3, 5, 7, 16, 64]), Math.ceil(length / 200));
    for (let i = stride; i < length; i += stride) cuts.push(i);
    return cuts;
  }
  const set = new Set<number>();
  for (let n = rng.range(1, 12); n > 0; n--) set.add(rng.range(1, length - 1));
  return [...set].sort((a, b) => a - b);
}

/** The differential case with this seed: one response (valid or mutated), or a pipelined pair. */
export function generateCase(seed: number): GenCase {
  const rng = new Rng(seed);
  const head = rng.chance(0.05);
  const notes: string[] = [];
  let s: string;
  let kind: string;
  if (rng.chance(0.1)) {
    kind = "pipelined";
    const first = response(rng, { head, delimited: true }, rng.chance(0.3), notes);
    s = first + response(rng, { head, delimited: false }, rng.chance(0.4), notes);
  } else if (rng.chance(0.45)) {
    kind = "valid";
    s = response(rng, { head, delimited: false }, false, notes);
  } else {
    kind = "mutated";
    s = response(rng, { head, delimited: false }, true, notes);
  }
  const input = latin1Bytes(s);
  return { input, head, cuts: randomCuts(rng, input.length), kind, notes };
}

/**
 * Noise for the parser alone: random bytes, HTTP-ish token soup, responses mutated hard, or
 * plain responses (which meet the random limits the fuzzer sets).
 */
export function generateNoise(seed: number): GenCase {
  const rng = new Rng(seed);
  const notes: string[] = [];
  const head = rng.chance(0.05);
  let s: string;
  const mode = rng.int(20);
  if (mode < 3) {
    s = "";
    for (let n = rng.small(400); n > 0; n--) s += String.fromCharCode(rng.int(256));
    if (rng.chance(0.5)) s = `HTTP/1.1 ${s}`;
    notes.push("random-bytes");
  } else if (mode < 6) {
    const parts = [" ", "\t", ":", "\r\n", "\r\n\r\n", "\r", "\n", ";", ",", "=", '"', "0", "5", "ff", "x"];
    parts.push("HTTP/1.1 100 Continue\r\n", "HTTP/1.0 204 ", "Content-Length: ", "Transfer-Encoding: chunked");
    parts.push("Connection: close", "Connection: keep-alive", "0\r\n", "ff;a=b\r\n", "X-A: b\r\n", " obs\r\n");
    s = rng.pick(["HTTP/1.1 200 OK\r\n", "HTTP/1.0 200 OK\r\n", "HTTP/1.1 "]);
    for (let n = rng.range(1, 80); n > 0; n--)
      s += rng.chance(0.9) ? rng.pick(parts) : String.fromCharCode(rng.int(256));
    notes.push("token-soup");
  } else if (mode < 13) {
    s = response(rng, { head, delimited: false }, true, notes);
    if (rng.chance(0.2)) s = response(rng, { head, delimited: true }, rng.chance(0.5), notes) + s;
    for (let n = rng.small(8); n > 0; n--) {
      const [t, name] = mutateBytes(rng, s, s.indexOf("\r\n\r\n") + 4);
      s = t;
      notes.push(name);
    }
  } else {
    s = response(rng, { head, delimited: false }, false, notes);
    if (rng.chance(0.3)) s = response(rng, { head, delimited: true }, false, notes) + s;
    notes.push("valid");
  }
  const input = latin1Bytes(s);
  return { input, head, cuts: randomCuts(rng, input.length), kind: "noise", notes };
}
