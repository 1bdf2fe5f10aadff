// The differential core shared by differential.test.ts and fuzz.ts: run a byte stream through
// reqwire's ResponseParser and through Node's llhttp, reduce both to the same shape, compare,
// and explain any difference by a listed category or report it.
//
// The stream is what a client reads from one connection after sending requests (all GET, or
// all HEAD): one or more responses, then the server closes. Both sides are normalized to a list
// of complete messages (each: its 1xx heads, its final head, body, trailers, keep-alive), plus
// whether the stream ended in an error. A client stops reading after a response that does not
// keep the connection alive, or after a 101; bytes after that are not compared.
import { createRequire } from "node:module";
import { ParseError, ParserEvent, type ParserLimits, ResponseParser } from "../../src/core/index.js";
import type { GenCase } from "./gen.js";

// ---- outcomes ------------------------------------------------------------------------------

export type Pairs = Array<[string, string]>;

export interface HeadOut {
  version: string; // "1.1"
  status: number;
  reason: string;
  headers: Pairs;
}

export interface MessageOut {
  informational: HeadOut[];
  head: HeadOut;
  /** null where the side does not define it (101; llhttp for HEAD requests, see below). */
  keepAlive: boolean | null;
  upgrade: boolean;
  body: string; // latin1
  trailers: Pairs;
}

export interface Outcome {
  messages: MessageOut[];
  /** The error that ended the stream, or null when it ended cleanly. */
  error: string | null;
  /** Offset of the error in the input (reqwire: the offending byte; llhttp: bytes parsed). */
  errorOffset: number;
}

function latin1(parts: Uint8Array[]): string {
  if (parts.length === 0) return "";
  const b = parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts);
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString("latin1");
}

function pairs(flat: string[]): Pairs {
  const out: Pairs = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as string]);
  return out;
}

// ---- reqwire -------------------------------------------------------------------------------

/** Runs streams through one reused ResponseParser (reset before each). */
export class ReqwireRunner {
  readonly parser: ResponseParser;

  constructor(limits?: ParserLimits) {
    this.parser = new ResponseParser(limits);
  }

  /** Feeds `input` cut at `cuts`, then EOF. Throws what the parser throws, other than ParseError. */
  run(input: Uint8Array, cuts: readonly number[], head: boolean): Outcome {
    // ParseErrors are expected here, and capturing their stacks would take half the time.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return this.#run(input, cuts, head);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }

  #run(input: Uint8Array, cuts: readonly number[], head: boolean): Outcome {
    const p = this.parser;
    p.reset(); // ParseError offsets count from here
    const out: Outcome = { messages: [], error: null, errorOffset: -1 };
    const expectOptions = head ? { head: true } : undefined;
    let informational: HeadOut[] = [];
    let final: HeadOut | undefined;
    let keepAlive: boolean | null = null;
    let body: Uint8Array[] = [];
    let trailers: Pairs = [];
    const push = (upgrade: boolean) => {
      out.messages.push({
        informational,
        head: final as HeadOut,
        keepAlive: upgrade ? null : keepAlive,
        upgrade,
        body: latin1(body),
        trailers,
      });
      informational = [];
      final = undefined;
      body = [];
      trailers = [];
    };
    // true: stop reading the stream
    const onEvent = (ev: ParserEvent): boolean => {
      switch (ev) {
        case ParserEvent.Head: {
          const h: HeadOut = {
            version: `1.${p.versionMinor}`,
            status: p.statusCode,
            reason: p.reason,
            headers: p.headers.entries(),
          };
          if (p.informational) informational.push(h);
          else {
            final = h;
            keepAlive = p.keepAlive;
          }
          return false;
        }
        case ParserEvent.Body:
          body.push(p.body);
          return false;
        case ParserEvent.Trailers:
          trailers = p.trailers?.entries() ?? [];
          return false;
        case ParserEvent.Done: {
          push(false);
          if (!keepAlive) return true;
          p.expect(expectOptions);
          return false;
        }
        case ParserEvent.Upgrade:
          push(true);
          return true;
        default:
          throw new Error(`unexpected parser event ${ev}`);
      }
    };
    try {
      p.expect(expectOptions);
      let start = 0;
      let stopped = false;
      outer: for (let k = 0; k <= cuts.length; k++) {
        const end = k < cuts.length ? (cuts[k] as number) : input.length;
        if (end <= start) continue;
        const chunk = input.subarray(start, end);
        start = end;
        p.feed(chunk);
        for (let ev = p.next(); ev !== ParserEvent.NeedMore; ev = p.next()) {
          if (onEvent(ev)) {
            stopped = true;
            break outer;
          }
        }
      }
      if (!stopped) {
        const ev = p.finish();
        if (ev !== ParserEvent.NeedMore) onEvent(ev);
      }
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      // EOF where a response could start: the server closed; that ends the stream cleanly.
      if (e.code !== "CLOSED_BEFORE_RESPONSE") {
        out.error = e.code;
        out.errorOffset = e.offset;
      }
    }
    return out;
  }
}

// ---- llhttp --------------------------------------------------------------------------------

interface LlhttpParser {
  initialize(type: number, resource: object): void;
  execute(buf: Buffer): number | (Error & { code: string; bytesParsed: number });
  finish(): undefined | (Error & { code: string; bytesParsed: number });
  [k: number]: unknown;
}
interface LlhttpModule {
  HTTPParser: {
    new (): LlhttpParser;
    RESPONSE: number;
    kOnHeaders: number;
    kOnHeadersComplete: number;
    kOnBody: number;
    kOnMessageComplete: number;
  };
}

const { HTTPParser } = createRequire(import.meta.url)("node:_http_common") as LlhttpModule;

/** The llhttp that ships with this Node. */
export const LLHTTP_VERSION = process.versions.llhttp ?? "?";

/** Runs streams through one reused llhttp parser (Node's binding), fed in one piece. */
export class LlhttpRunner {
  readonly #p: LlhttpParser = new HTTPParser();
  #st = LlhttpRunner.#fresh(false);

  static #fresh(head: boolean) {
    return {
      head,
      out: { messages: [], error: null, errorOffset: -1 } as Outcome,
      informational: [] as HeadOut[],
      final: undefined as HeadOut | undefined,
      headersDone: false,
      pending: [] as string[], // header pairs flushed before kOnHeadersComplete (more than 32)
      trailers: [] as string[],
      keepAlive: null as boolean | null,
      upgrade: false,
      body: [] as Uint8Array[],
      stopped: false, // after a 101: the rest is not HTTP
    };
  }

  constructor() {
    const p = this.#p;
    p[HTTPParser.kOnHeaders] = (headers: string[]) => {
      const st = this.#st;
      if (st.headersDone) st.trailers.push(...headers);
      else st.pending.push(...headers);
    };
    p[HTTPParser.kOnHeadersComplete] = (
      versionMajor: number,
      versionMinor: number,
      headers: string[] | undefined,
      _method: unknown,
      _url: unknown,
      statusCode: number,
      statusMessage: string,
      _upgrade: boolean,
      shouldKeepAlive: boolean,
    ) => {
      const st = this.#st;
      const h: HeadOut = {
        version: `${versionMajor}.${versionMinor}`,
        status: statusCode,
        reason: statusMessage,
        headers: pairs(headers ?? st.pending),
      };
      st.pending = [];
      if (statusCode >= 100 && statusCode < 200 && statusCode !== 101) {
        st.informational.push(h);
        return 0;
      }
      st.final = h;
      st.headersDone = true;
      st.upgrade = statusCode === 101;
      // For HEAD, llhttp computes should_keep_alive before it learns (from our return value)
      // that there is no body, so a response without framing reads as "close": not comparable.
      st.keepAlive = st.upgrade || st.head ? null : shouldKeepAlive;
      return st.head ? 1 : 0; // 1: skip the body
    };
    p[HTTPParser.kOnBody] = (b: Buffer) => {
      this.#st.body.push(b);
    };
    p[HTTPParser.kOnMessageComplete] = () => {
      const st = this.#st;
      if (st.stopped || st.final === undefined) return; // a 1xx: its head is already kept
      st.out.messages.push({
        informational: st.informational,
        head: st.final,
        keepAlive: st.keepAlive,
        upgrade: st.upgrade,
        body: latin1(st.body),
        trailers: pairs(st.trailers),
      });
      if (st.upgrade) st.stopped = true;
      st.informational = [];
      st.final = undefined;
      st.headersDone = false;
      st.trailers = [];
      st.body = [];
    };
  }

  run(input: Uint8Array, head: boolean): Outcome {
    const st = LlhttpRunner.#fresh(head);
    this.#st = st;
    const p = this.#p;
    p.initialize(HTTPParser.RESPONSE, {});
    const fail = (e: Error & { code: string; bytesParsed: number }, at: number) => {
      if (st.stopped) return;
      // Data after a response that closes the connection: the client reads no further.
      if (e.code === "HPE_CLOSED_CONNECTION") return;
      st.out.error = e.code;
      st.out.errorOffset = at;
    };
    // (execute() of an empty buffer returns undefined)
    const r = input.length === 0 ? 0 : p.execute(Buffer.from(input.buffer, input.byteOffset, input.length));
    if (typeof r !== "number") fail(r, r.bytesParsed);
    else if (!st.stopped) {
      const f = p.finish();
      if (f !== undefined) fail(f, input.length);
    }
    // EOF after a 1xx head but before the final response: llhttp counts the 1xx as a complete
    // message and sees a clean EOF; for the client the response never came.
    if (st.out.error === null && (st.informational.length > 0 || st.final !== undefined)) {
      st.out.error = "EOF_AFTER_INFORMATIONAL";
      st.out.errorOffset = input.length;
    }
    return st.out;
  }
}

// ---- comparison ----------------------------------------------------------------------------

function json(v: unknown): string {
  return JSON.stringify(v);
}

function diffHead(where: string, a: HeadOut, b: HeadOut): string | null {
  if (a.status !== b.status) return `${where}: status ${a.status} vs ${b.status}`;
  if (a.version !== b.version) return `${where}: version ${a.version} vs ${b.version}`;
  if (a.reason !== b.reason) return `${where}: reason ${json(a.reason)} vs ${json(b.reason)}`;
  if (json(a.headers) !== json(b.headers)) return `${where}: headers ${json(a.headers)} vs ${json(b.headers)}`;
  return null;
}

/** The first difference between two outcomes (reqwire first), or null. Error codes are not compared. */
export function diffOutcomes(a: Outcome, b: Outcome): string | null {
  const n = Math.min(a.messages.length, b.messages.length);
  for (let i = 0; i < n; i++) {
    const x = a.messages[i] as MessageOut;
    const y = b.messages[i] as MessageOut;
    const w = `message ${i}`;
    if (x.informational.length !== y.informational.length) {
      return `${w}: ${x.informational.length} vs ${y.informational.length} informational heads`;
    }
    for (let k = 0; k < x.informational.length; k++) {
      const d = diffHead(`${w} 1xx ${k}`, x.informational[k] as HeadOut, y.informational[k] as HeadOut);
      if (d !== null) return d;
    }
    const d = diffHead(w, x.head, y.head);
    if (d !== null) return d;
    if (x.upgrade !== y.upgrade) return `${w}: upgrade ${x.upgrade} vs ${y.upgrade}`;
    if (x.keepAlive !== null && y.keepAlive !== null && x.keepAlive !== y.keepAlive) {
      return `${w}: keep-alive ${x.keepAlive} vs ${y.keepAlive}`;
    }
    if (x.body !== y.body) return `${w}: body ${json(x.body)} vs ${json(y.body)}`;
    if (json(x.trailers) !== json(y.trailers)) return `${w}: trailers ${json(x.trailers)} vs ${json(y.trailers)}`;
  }
  if (a.messages.length !== b.messages.length) {
    return `${a.messages.length} vs ${b.messages.length} complete messages`;
  }
  if ((a.error === null) !== (b.error === null)) return `outcome ${a.error ?? "ok"} vs ${b.error ?? "ok"}`;
  return null;
}

/** Like diffOutcomes, and the error code and offset must match too (reqwire against itself). */
function diffExact(a: Outcome, b: Outcome): string | null {
  const d = diffOutcomes(a, b);
  if (d !== null) return d;
  if (a.error !== b.error || a.errorOffset !== b.errorOffset) {
    return `error ${a.error}@${a.errorOffset} vs ${b.error}@${b.errorOffset}`;
  }
  return null;
}

/** An outcome, short enough to print. */
export function showOutcome(o: Outcome): string {
  const msgs = o.messages.map((m) => ({
    ...m,
    body: m.body.length > 200 ? `${m.body.slice(0, 200)}…(${m.body.length} bytes)` : m.body,
  }));
  return json({ messages: msgs, error: o.error === null ? null : `${o.error}@${o.errorOffset}` });
}

// ---- the input as text ---------------------------------------------------------------------
//
// The categories look at the input as latin1 text, with a loose scan of its lines: no parsing
// of framing. The scan only proposes repairs; what explains a difference is the check in
// Differ.explain (error code, the kept side unmoved, agreement after the repair). Where the scan
// is wrong (body bytes that look like a field line, say), the repair moves the kept side or
// leaves the parsers apart, and the difference stays unexplained: a false failure to look at.

/** A line of the input: [start, end) without its CRLF; `next` is where the following line starts. */
interface Line {
  start: number;
  end: number;
  next: number;
}

/** A status line: "HTTP/d.d " anywhere (a pipelined response may start right after a body). */
interface StatusLine {
  start: number;
  end: number; // the next CRLF, or the end of the input
  status: number; // NaN when not three digits
}

/** A field line, with the response it belongs to. */
interface FieldLine extends Line {
  name: string; // lower case
  value: string; // raw, with OWS
  valueStart: number;
  /** Offset of the nearest status line before it (-1: none), to group lines by response. */
  section: number;
  /** The status code of that status line, or NaN. */
  status: number;
  /** An empty line came between that status line and this line: a trailer field (or body bytes). */
  afterHead: boolean;
}

interface Scan {
  lines: Line[];
  status: StatusLine[];
  /** The field lines, as one reading or two (see readFields). */
  views: FieldLine[][];
}

const FIELD_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):(.*)$/s;

function scanText(text: string): Scan {
  const lines: Line[] = [];
  for (let start = 0; ; ) {
    const cr = text.indexOf("\r\n", start);
    if (cr < 0) {
      lines.push({ start, end: text.length, next: text.length + 1 });
      break;
    }
    lines.push({ start, end: cr, next: cr + 2 });
    start = cr + 2;
  }
  const status: StatusLine[] = [];
  const re = /HTTP\/\d\.\d /g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const cr = text.indexOf("\r\n", m.index);
    const code = text.slice(m.index + 9, m.index + 12);
    status.push({
      start: m.index,
      end: cr < 0 ? text.length : cr,
      status: /^\d{3}$/.test(code) ? Number(code) : Number.NaN,
    });
  }
  const first = readFields(text, lines, status, true);
  const views = first.ambiguous ? [first.fields, readFields(text, lines, status, false).fields] : [first.fields];
  return { lines, status, views };
}

/**
 * The field lines of the input, each with the response it belongs to. One kind of line reads
 * two ways: after a head, "name:... HTTP/1.1 200 ..." is a trailer field with that value, or
 * body bytes and then the status line of a pipelined response. `fieldWins` picks the reading;
 * `ambiguous` says whether there was such a line.
 */
function readFields(
  text: string,
  lines: Line[],
  status: StatusLine[],
  fieldWins: boolean,
): { fields: FieldLine[]; ambiguous: boolean } {
  const fields: FieldLine[] = [];
  let ambiguous = false;
  let next = 0;
  let section = -1;
  let code = Number.NaN;
  let afterHead = false;
  for (const l of lines) {
    // status lines that start in this line
    const first = next;
    while (next < status.length && (status[next] as StatusLine).start < l.next) next++;
    const m = l.start === l.end ? null : FIELD_LINE.exec(text.slice(l.start, l.end));
    if (next > first) {
      const st = status[first] as StatusLine;
      // in a head, a field line stays one even with "HTTP/1.1 200 " in its value
      const field = m !== null && st.start > l.start && (section >= 0 && !afterHead ? true : fieldWins);
      if (m !== null && st.start > l.start && section >= 0 && afterHead) ambiguous = true;
      if (!field) {
        section = st.start;
        code = st.status;
        afterHead = false;
        continue;
      }
    }
    if (l.start === l.end) {
      if (section >= 0) afterHead = true;
      continue;
    }
    if (m === null) continue;
    const name = (m[1] as string).toLowerCase();
    fields.push({
      ...l,
      name,
      value: m[2] as string,
      valueStart: l.start + name.length + 1,
      section,
      status: code,
      afterHead,
    });
  }
  return { fields, ambiguous };
}

const scans = new Map<string, Scan>();

/** The scan of `text` (the last few are kept: every category looks at the same input). */
function scan(text: string): Scan {
  let s = scans.get(text);
  if (s === undefined) {
    if (scans.size >= 16) scans.delete(scans.keys().next().value as string);
    s = scanText(text);
    scans.set(text, s);
  }
  return s;
}

/** A replacement of text[start, end). */
interface Edit {
  start: number;
  end: number;
  insert: string;
}

function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start))
    out = out.slice(0, e.start) + e.insert + out.slice(e.end);
  return out;
}

/**
 * Repaired inputs from occurrences of a feature (each a group of edits): all of them at once
 * first (an input can have several), then each alone.
 */
function candidates(text: string, occurrences: Edit[][]): string[] {
  const out = occurrences.slice(0, 16).map((edits) => applyEdits(text, edits));
  if (occurrences.length > 1) out.unshift(applyEdits(text, occurrences.flat()));
  return out;
}

/** Field lines grouped by the head they are in (trailer fields left out). */
function byHead(fields: FieldLine[]): FieldLine[][] {
  const by = new Map<number, FieldLine[]>();
  for (const f of fields) {
    if (f.afterHead) continue;
    const list = by.get(f.section);
    if (list === undefined) by.set(f.section, [f]);
    else list.push(f);
  }
  return [...by.values()];
}

/** Repaired inputs from the occurrences found in each reading of the field lines. */
function fieldCandidates(text: string, occurrences: (fields: FieldLine[]) => Edit[][]): string[] {
  const out = new Set<string>();
  for (const fields of scan(text).views) for (const c of candidates(text, occurrences(fields))) out.add(c);
  return [...out];
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Content-Length as reqwire reads a list: OWS and commas around decimal numbers, or null. */
function lengthList(value: string): bigint[] | null {
  const parts = value.split(",").map((v) => v.trim());
  if (parts.some((v) => !/^\d+$/.test(v))) return null;
  return parts.map((v) => BigInt(v));
}

/** The elements of a list field value (RFC 9110 §5.6.1), lower case, empty ones dropped. */
function listElements(value: string): string[] {
  return value
    .split(",")
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== "");
}

/** Replaces the option `option` in a Connection value with a same-length unknown one. */
function renameOption(f: FieldLine, option: RegExp): Edit {
  return { start: f.valueStart, end: f.end, insert: f.value.replace(option, (o) => `${o.slice(0, -1)}x`) };
}

/** The outcome with header fields changed by `f` (null drops the field). */
function mapFields(o: Outcome, f: (name: string, value: string) => [string, string] | null): Outcome {
  const map = (ps: Pairs): Pairs => {
    const out: Pairs = [];
    for (const [n, v] of ps) {
      const r = f(n, v);
      if (r !== null) out.push(r);
    }
    return out;
  };
  return {
    ...o,
    messages: o.messages.map((m) => ({
      ...m,
      informational: m.informational.map((h) => ({ ...h, headers: map(h.headers) })),
      head: { ...m.head, headers: map(m.head.headers) },
      trailers: map(m.trailers),
    })),
  };
}

function mapHeads(o: Outcome, f: (h: HeadOut, informational: boolean) => HeadOut): Outcome {
  return {
    ...o,
    messages: o.messages.map((m) => ({
      ...m,
      informational: m.informational.map((h) => f(h, true)),
      head: f(m.head, false),
    })),
  };
}

/** `s` with its controls other than HTAB, CR and LF (and DEL) made "x". */
function controlsToX(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f ? "x" : s[i];
  }
  return out;
}

const dropField = (name: string) => (o: Outcome) => mapFields(o, (n, v) => (n.toLowerCase() === name ? null : [n, v]));

// ---- chunk extensions (RFC 9112 §7.1.1) ----------------------------------------------------

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/**
 * Reads `ext` (from the first ';' to the CR) as a chunk-ext of RFC 9112 §7.1.1:
 *   *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), val = token / quoted-string.
 * Returns null when it is not one; else whether it has BWS, and the same extensions without it.
 */
export function chunkExtSyntax(ext: string): { bws: boolean; plain: string } | null {
  let i = 0;
  let bws = false;
  let plain = "";
  const ws = () => {
    const s = i;
    while (ext[i] === " " || ext[i] === "\t") i++;
    return i > s;
  };
  const tok = () => {
    const s = i;
    while (i < ext.length && TOKEN_CHAR.test(ext[i] as string)) i++;
    plain += ext.slice(s, i);
    return i > s;
  };
  while (i < ext.length) {
    if (ws()) {
      if (i === ext.length) return null; // whitespace after the last extension: not BWS
      bws = true;
    }
    if (ext[i] !== ";") return null;
    i++;
    plain += ";";
    if (ws()) bws = true;
    if (!tok()) return null;
    const save = i;
    const spaced = ws();
    if (ext[i] !== "=") {
      i = save;
      continue;
    }
    if (spaced) bws = true;
    i++;
    plain += "=";
    if (ws()) bws = true;
    if (ext[i] !== '"') {
      if (!tok()) return null;
      continue;
    }
    const q = i;
    for (i++; ; ) {
      if (i >= ext.length) return null;
      const c = ext.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) {
        const e = ext.charCodeAt(i + 1);
        if (!(e === 0x09 || (e >= 0x20 && e !== 0x7f && e <= 0xff))) return null;
        i += 2;
      } else if (c === 0x09 || (c >= 0x20 && c !== 0x7f && c <= 0xff)) i++;
      else return null;
    }
    i++;
    plain += ext.slice(q, i);
  }
  return { bws, plain };
}

/** Lines that look like a chunk-size line with extensions: the extension's start and end. */
function chunkExtensions(text: string): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  for (const l of scan(text).lines) {
    let i = l.start;
    while (i < l.end && /[0-9A-Fa-f]/.test(text[i] as string)) i++;
    if (i === l.start) continue;
    let j = i;
    while (j < l.end && (text[j] === " " || text[j] === "\t")) j++;
    if (text[j] === ";") out.push({ start: i, end: l.end });
  }
  return out;
}

// ---- categories ----------------------------------------------------------------------------

/**
 * A listed, known difference. It is found in the input alone: `repairs` returns the input with
 * the feature taken out (all occurrences, then one at a time; none: the feature is absent).
 * A difference is explained by the category when
 *   1. the side stricter about the feature (the one `keeps` does not name) reports one of
 *      `codes` on the original input (any outcome, when `codes` is absent),
 *   2. the side named by `keeps` reads the repaired input as it read the original (after `mask`,
 *      which hides what the repair itself changes, e.g. a header value): the repair took out
 *      only something that side tolerates, and
 *   3. both sides agree on the repaired input (or the rest is explained by further categories).
 */
export interface Category {
  name: string;
  /** "deliberate": reqwire means to differ, for `reason`. "suspect": a possible reqwire bug, reported, not decided. */
  kind: "deliberate" | "suspect";
  reason: string;
  keeps: "reqwire" | "llhttp";
  codes?: readonly string[];
  repairs(text: string): string[];
  mask?(o: Outcome): Outcome;
}

export const CATEGORIES: readonly Category[] = [
  {
    name: "htab-as-ows-in-framing-fields",
    kind: "deliberate",
    reason:
      'RFC 9112 §5.1 and RFC 9110 §5.6.1: OWS = *( SP / HTAB ), around a field value and around list commas; llhttp takes only SP there in Content-Length, Transfer-Encoding and Connection, so it rejects "5<HTAB>" and misses "chunked<HTAB>", "close<HTAB>" or "keep-alive<HTAB>,"',
    keeps: "reqwire",
    repairs(text) {
      return fieldCandidates(text, (fields) => {
        const occ: Edit[][] = [];
        for (const f of fields) {
          if (f.name !== "content-length" && f.name !== "transfer-encoding" && f.name !== "connection") continue;
          if (f.value.includes("\t"))
            occ.push([{ start: f.valueStart, end: f.end, insert: f.value.replace(/\t/g, " ") }]);
        }
        return occ;
      });
    },
    mask: (o) =>
      mapFields(o, (n, v) =>
        /^(content-length|transfer-encoding|connection)$/i.test(n) ? [n, v.replace(/\t/g, " ")] : [n, v],
      ),
  },

  {
    name: "chunk-extension-bws",
    kind: "deliberate",
    reason:
      "RFC 9112 §7.1.1: chunk-ext allows BWS around ';' and '=', and RFC 9110 §5.6.3: a recipient MUST accept BWS; llhttp rejects it",
    keeps: "reqwire",
    codes: ["HPE_STRICT", "HPE_INVALID_CHUNK_SIZE"],
    repairs(text) {
      const occ: Edit[][] = [];
      for (const x of chunkExtensions(text)) {
        const ext = chunkExtSyntax(text.slice(x.start, x.end));
        if (ext?.bws) occ.push([{ ...x, insert: ext.plain }]);
      }
      return candidates(text, occ);
    },
  },
  {
    name: "obs-fold",
    kind: "deliberate",
    reason: "RFC 9112 §5.2: a user agent that receives an obs-fold MUST replace it with SP; llhttp rejects it",
    keeps: "reqwire",
    codes: ["HPE_INVALID_HEADER_TOKEN"],
    repairs(text) {
      const { lines } = scan(text);
      const occ: Edit[][] = [];
      for (let i = 1; i < lines.length; i++) {
        const l = lines[i] as Line;
        if (text[l.start] !== " " && text[l.start] !== "\t") continue;
        const prev = lines[i - 1] as Line;
        const p = text.slice(prev.start, prev.end);
        // after a field line, or after a line that is itself a continuation
        if (FIELD_LINE.test(p) || p.startsWith(" ") || p.startsWith("\t")) {
          occ.push([{ start: l.start - 2, end: l.start, insert: "  " }]);
        }
      }
      return candidates(text, occ);
    },
  },
  {
    name: "control-characters-in-reason-phrase",
    kind: "deliberate",
    reason: "RFC 9112 §4: reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ), no other controls; llhttp accepts them",
    keeps: "llhttp",
    codes: ["INVALID_REASON"],
    repairs(text) {
      const occ: Edit[][] = [];
      for (const st of scan(text).status) {
        if (text[st.start + 12] !== " ") continue;
        const reason = text.slice(st.start + 13, st.end);
        const r = controlsToX(reason);
        if (r !== reason) occ.push([{ start: st.start + 13, end: st.end, insert: r }]);
      }
      return candidates(text, occ);
    },
    mask: (o) => mapHeads(o, (h) => ({ ...h, reason: controlsToX(h.reason) })),
  },
  {
    name: "bare-cr-before-status-line",
    kind: "deliberate",
    reason:
      "RFC 9112 §2.2: empty lines before a start line may be ignored, and both parsers skip CRLF and bare LF before a status line; a CR not followed by LF ends no line (a recipient MUST consider a bare CR invalid), so reqwire rejects it there; llhttp skips any CR",
    keeps: "llhttp",
    codes: ["LF_EXPECTED"],
    repairs(text) {
      // in a run of CR/LF before "HTTP/" or at the end: drop each CR not followed by LF
      const occ: Edit[][] = [];
      for (const m of text.matchAll(/[\r\n]+/g)) {
        const at = m.index as number;
        const end = at + m[0].length;
        if (end !== text.length && !text.startsWith("HTTP/", end)) continue;
        for (let i = at; i < end; i++) {
          if (text[i] === "\r" && text[i + 1] !== "\n") occ.push([{ start: i, end: i + 1, insert: "" }]);
        }
      }
      return candidates(text, occ);
    },
  },
  {
    name: "http10-transfer-encoding-keep-alive",
    kind: "deliberate",
    reason:
      "RFC 9112 §6.1: a client that receives an HTTP/1.0 message with Transfer-Encoding MUST close the connection after processing it; llhttp keeps it when the response says Connection: keep-alive",
    keeps: "reqwire",
    repairs(text) {
      return fieldCandidates(text, (fields) => {
        const occ: Edit[][] = [];
        for (const fs of byHead(fields)) {
          const first = fs[0] as FieldLine;
          if (!text.startsWith("HTTP/1.0", first.section) || !fs.some((f) => f.name === "transfer-encoding")) continue;
          const conn = fs.filter((f) => f.name === "connection" && /keep-alive/i.test(f.value));
          if (conn.length > 0) occ.push(conn.map((f) => renameOption(f, /keep-alive/gi)));
        }
        return occ;
      });
    },
    mask: dropField("connection"),
  },
  {
    name: "framing-fields-in-1xx-or-trailers",
    kind: "deliberate",
    reason:
      "RFC 9112 §6.3 rule 1: a 1xx response (101 too) ends at its empty line whatever its fields say; RFC 9110 §6.5.1-6.5.2: trailer fields cannot frame the message or control the connection and are processed apart from the header section. reqwire ignores Content-Length, Transfer-Encoding and Connection there; llhttp applies them (rejects Content-Length with Transfer-Encoding, reads a chunked body after a 1xx, closes on a trailer Connection: close)",
    keeps: "reqwire",
    repairs(text) {
      return fieldCandidates(text, (fields) => {
        const occ: Edit[][] = [];
        for (const f of fields) {
          const informational = f.status >= 100 && f.status < 200;
          // Content-Length or Transfer-Encoding in a 1xx head, or any of the three in trailers
          if (informational && !f.afterHead) {
            if (f.name !== "content-length" && f.name !== "transfer-encoding") continue;
          } else if (!informational && f.afterHead) {
            if (f.name !== "content-length" && f.name !== "transfer-encoding" && f.name !== "connection") continue;
          } else continue;
          occ.push([{ start: f.start, end: f.start + 1, insert: "X" }]);
        }
        return occ;
      });
    },
    mask: (o) =>
      mapFields(o, (n, v) => [
        /^[cx]ontent-length$|^[tx]ransfer-encoding$|^[cx]onnection$/i.test(n) ? n.slice(1).toLowerCase() : n,
        v,
      ]),
  },

  {
    name: "informational-response-without-keep-alive",
    kind: "deliberate",
    reason:
      "RFC 9110 §15.2: a client MUST be able to parse 1xx responses received before the final response; reqwire reads on to the final response, llhttp ends the connection after a 1xx that is HTTP/1.0 or says close",
    keeps: "reqwire",
    repairs(text) {
      return fieldCandidates(text, (fields) => {
        const { status } = scan(text);
        const occ: Edit[][] = [];
        for (const st of status) {
          if (text.startsWith("HTTP/1.0 1", st.start) && st.status !== 101) {
            occ.push([{ start: st.start, end: st.start + 8, insert: "HTTP/1.1" }]);
          }
        }
        for (const f of fields) {
          if (f.name === "connection" && f.status >= 100 && f.status < 200 && !f.afterHead && /close/i.test(f.value)) {
            occ.push([renameOption(f, /close/gi)]);
          }
        }
        return occ;
      });
    },
    mask: (o) =>
      mapHeads(dropField("connection")(o), (h, informational) => (informational ? { ...h, version: "1.1" } : h)),
  },
  {
    name: "http10-close-and-keep-alive",
    kind: "deliberate",
    reason:
      "RFC 9112 §9.3, §9.6: with the close option present the connection does not persist, whatever else Connection lists; llhttp lets keep-alive win in HTTP/1.0",
    keeps: "reqwire",
    repairs(text) {
      return fieldCandidates(text, (fields) => {
        const occ: Edit[][] = [];
        for (const fs of byHead(fields)) {
          const first = fs[0] as FieldLine;
          if (!text.startsWith("HTTP/1.0", first.section)) continue;
          const conn = fs.filter((f) => f.name === "connection");
          const options = conn.flatMap((f) => listElements(f.value));
          if (!options.includes("close") || !options.includes("keep-alive")) continue;
          occ.push(conn.filter((f) => /keep-alive/i.test(f.value)).map((f) => renameOption(f, /keep-alive/gi)));
        }
        return occ;
      });
    },
    mask: dropField("connection"),
  },
  {
    name: "bare-cr-after-status-line",
    kind: "deliberate",
    reason:
      "RFC 9112 §2.2: a recipient MUST consider a bare CR invalid (or replace it with SP); reqwire rejects it; llhttp 9 takes CR CR as the end of a status line",
    keeps: "llhttp",
    codes: ["LF_EXPECTED"],
    repairs(text) {
      const occ: Edit[][] = [];
      for (const st of scan(text).status) {
        const cr = text.indexOf("\r", st.start);
        if (cr >= 0 && text[cr + 1] === "\r") occ.push([{ start: cr + 1, end: cr + 2, insert: "\n" }]);
      }
      return candidates(text, occ);
    },
  },
  {
    name: "http-version-not-1.x",
    kind: "deliberate",
    reason:
      "RFC 9112 §2.3, RFC 9110 §2.5: this message syntax is HTTP/1.x's (HTTP/2 is framed by RFC 9113, HTTP/0.9 has no status line); llhttp accepts HTTP/0.9 and HTTP/2.0 status lines",
    keeps: "llhttp",
    codes: ["INVALID_VERSION"],
    repairs(text) {
      const occ = scan(text)
        .status.filter((st) => !text.startsWith("HTTP/1.0", st.start) && !text.startsWith("HTTP/1.1", st.start))
        .map((st) => [{ start: st.start, end: st.start + 8, insert: "HTTP/1.0" }]);
      return candidates(text, occ);
    },
    mask: (o) => mapHeads(o, (h) => (h.version === "1.1" ? h : { ...h, version: "1.0" })),
  },
  {
    name: "content-length-identical-duplicates",
    kind: "deliberate",
    reason:
      "RFC 9110 §8.6: a Content-Length that repeats one decimal value MAY be replaced by that value; reqwire folds equal values (on several lines or as a list), llhttp rejects",
    keeps: "reqwire",
    codes: ["HPE_UNEXPECTED_CONTENT_LENGTH", "HPE_INVALID_CONTENT_LENGTH"],
    repairs(text) {
      return fieldCandidates(text, (fields) => {
        const occ: Edit[][] = [];
        for (const fs of byHead(fields)) {
          let first: bigint | undefined;
          for (const f of fs) {
            if (f.name !== "content-length") continue;
            const list = lengthList(f.value);
            if (list === null) continue;
            const v = list[0] as bigint;
            if (!list.every((x) => x === v)) continue;
            if (first === undefined) {
              first = v;
              if (list.length > 1) {
                occ.push([{ start: f.valueStart, end: f.end, insert: ` ${v}`.padEnd(f.end - f.valueStart) }]);
              }
            } else if (first === v) {
              occ.push([{ start: f.start, end: f.start + 14, insert: "X-Duplicate-CL" }]);
            }
          }
        }
        return occ;
      });
    },
    mask: (o) => mapFields(o, (n, v) => (/^(content-length|x-duplicate-cl)$/i.test(n) ? null : [n, v])),
  },
  {
    name: "status-code-first-digit-0",
    kind: "deliberate",
    reason:
      "RFC 9110 §15 defines status classes 1xx to 5xx by the first digit, and RFC 9112 §6.3 frames a response by its class (1xx, 204, 304); a code below 100 has no class to frame it by, so reqwire rejects it, as Python's http.client does (§15 asks a client to treat an invalid code as 5xx; reqwire does so for 600..999, which have a first digit to go by); llhttp accepts 000..099",
    keeps: "llhttp",
    codes: ["INVALID_STATUS"],
    repairs(text) {
      const occ = scan(text)
        .status.filter((st) => text[st.start + 9] === "0")
        .map((st) => [{ start: st.start + 9, end: st.start + 10, insert: "5" }]);
      return candidates(text, occ);
    },
    mask: (o) => mapHeads(o, (h) => (h.status < 100 ? { ...h, status: h.status + 500 } : h)),
  },
  {
    name: "chunked-applied-twice",
    kind: "deliberate",
    reason:
      "RFC 9112 §6.1: a sender MUST NOT apply chunked more than once, so reqwire rejects such a response (204 and 304 too); llhttp accepts it, and reads the body to close where the last coding is not chunked",
    keeps: "llhttp",
    codes: ["INVALID_TRANSFER_ENCODING"],
    repairs(text) {
      return fieldCandidates(text, (fields) => {
        const occ: Edit[][] = [];
        for (const fs of byHead(fields)) {
          const te = fs.filter((f) => f.name === "transfer-encoding");
          let left = te.reduce((n, f) => n + listElements(f.value).filter((e) => e === "chunked").length, 0) - 1;
          if (left < 1) continue;
          // every chunked but the last becomes an unknown coding of the same length
          const edits: Edit[] = [];
          for (const f of te) {
            const v = f.value.replace(
              /(^|,)([ \t]*)(chunke)d(?=[ \t]*(,|$))/gi,
              (all, sep: string, sp: string, c: string) => {
                if (left === 0) return all;
                left--;
                return `${sep}${sp}${c}x`;
              },
            );
            if (v !== f.value) edits.push({ start: f.valueStart, end: f.end, insert: v });
          }
          occ.push(edits);
        }
        return occ;
      });
    },
    mask: (o) =>
      mapFields(o, (n, v) =>
        n.toLowerCase() === "transfer-encoding" ? [n, v.toLowerCase().replace(/chunkex/g, "chunked")] : [n, v],
      ),
  },
  {
    name: "transfer-encoding-empty-list-element",
    kind: "deliberate",
    reason:
      'RFC 9110 §5.6.1: a recipient MUST parse and ignore empty list elements, so in "chunked," chunked is the final coding; llhttp reads such a body to close',
    keeps: "reqwire",
    repairs(text) {
      return fieldCandidates(text, (fields) => {
        const occ: Edit[][] = [];
        for (const f of fields) {
          if (f.name !== "transfer-encoding" || f.afterHead) continue;
          const els = f.value.split(",");
          if (!els.some((e) => e.trim() === "") || els.every((e) => e.trim() === "")) continue;
          occ.push([{ start: f.valueStart, end: f.end, insert: ` ${listElements(f.value).join(", ")}` }]);
        }
        return occ;
      });
    },
    mask: (o) =>
      mapFields(o, (n, v) => (n.toLowerCase() === "transfer-encoding" ? [n, listElements(v).join(", ")] : [n, v])),
  },
  {
    name: "content-length-above-2^53-1",
    kind: "deliberate",
    reason:
      "a Content-Length above 2^53-1 cannot be held exactly by a JS number, so reqwire rejects it; llhttp takes up to 2^64-1 (it differs only where the length frames nothing: 1xx, 204, 304, HEAD)",
    keeps: "llhttp",
    codes: ["CONTENT_LENGTH_OVERFLOW"],
    repairs(text) {
      return fieldCandidates(text, (fields) => {
        const occ: Edit[][] = [];
        for (const f of fields) {
          if (f.name !== "content-length") continue;
          const value = f.value.replace(/\d+/g, (d) => (BigInt(d) > MAX_SAFE ? "0" : d));
          if (value !== f.value) occ.push([{ start: f.valueStart, end: f.end, insert: value }]);
        }
        return occ;
      });
    },
    mask: (o) => mapFields(o, (n, v) => (n.toLowerCase() === "content-length" ? [n, "#"] : [n, v])),
  },
  {
    name: "chunk-size-above-2^53-1",
    kind: "deliberate",
    reason:
      "a chunk size above 2^53-1 cannot be held exactly by a JS number, so reqwire rejects it; llhttp takes up to 2^64-1, then fails at EOF, so in a finite stream both reject",
    keeps: "llhttp",
    codes: ["CHUNK_SIZE_OVERFLOW"],
    repairs(text) {
      const occ: Edit[][] = [];
      for (const l of scan(text).lines) {
        const m = /^[0-9A-Fa-f]+/.exec(text.slice(l.start, l.end));
        if (m !== null && BigInt(`0x${m[0]}`) > MAX_SAFE)
          occ.push([{ start: l.start, end: l.start + m[0].length, insert: "0" }]);
      }
      return candidates(text, occ);
    },
  },
  {
    name: "chunk-extension-empty-name",
    kind: "deliberate",
    reason:
      'RFC 9112 §7.1.1: chunk-ext-name = token, at least one character, so ";=value" is not an extension; llhttp accepts an empty name',
    keeps: "llhttp",
    codes: ["INVALID_CHUNK_EXTENSION"],
    repairs(text) {
      const occ: Edit[][] = [];
      for (const x of chunkExtensions(text)) {
        const ext = text.slice(x.start, x.end);
        for (const m of ext.matchAll(/;[ \t]*(?=[;=]|$)/g)) {
          const at = x.start + (m.index as number) + 1;
          occ.push([{ start: at, end: at, insert: "x" }]);
        }
      }
      return candidates(text, occ);
    },
  },
  {
    name: "http-version-1.2-to-1.9",
    kind: "deliberate",
    reason:
      "RFC 9110 §2.5: a recipient SHOULD process a message with a higher minor version of a major version it implements as the highest minor version it implements (1.1); llhttp rejects HTTP/1.2 to HTTP/1.9",
    keeps: "reqwire",
    codes: ["HPE_INVALID_VERSION"],
    repairs(text) {
      const occ = scan(text)
        .status.filter((st) => /^HTTP\/1\.[2-9] /.test(text.slice(st.start, st.start + 9)))
        .map((st) => [{ start: st.start, end: st.start + 8, insert: "HTTP/1.1" }]);
      return candidates(text, occ);
    },
  },
];

/**
 * The stack of what reqwire threw, other than a ParseError (runs capture no stacks), found by
 * feeding `gc` again with stacks on.
 */
export function crashStack(parser: ResponseParser, gc: GenCase, first: unknown): string {
  const options = gc.head ? { head: true } : undefined;
  try {
    parser.reset();
    parser.expect(options);
    let start = 0;
    for (const end of [...gc.cuts, gc.input.length]) {
      parser.feed(gc.input.subarray(start, end));
      start = end;
      while (parser.next() !== ParserEvent.NeedMore) parser.expect(options);
    }
    parser.finish();
  } catch (e) {
    if (!(e instanceof ParseError) && e instanceof Error) return e.stack ?? String(e);
  }
  return String(first);
}

// ---- one case ------------------------------------------------------------------------------

export interface Verdict {
  /** agree, explained (by `categories`), or a failure: disagree, split, crash. */
  status: "agree" | "explained" | "disagree" | "split" | "crash";
  categories: string[];
  /** For failures: what differs, the input and both results, ready to print. */
  detail?: string;
  reqwire?: Outcome;
  llhttp?: Outcome;
}

/** Counters over many cases. */
export class Stats {
  cases = 0;
  byStatus: Record<string, number> = {};
  byKind: Record<string, number> = {};
  /** Cases where reqwire completed a message and ended cleanly. */
  accepted = 0;
  /** Per category: the disagreements it (with others, maybe) explained. */
  explained: Record<string, number> = Object.fromEntries(CATEGORIES.map((c) => [c.name, 0]));
  /** HTTP/1.0 final responses with Transfer-Encoding that reqwire completed: how many, and how many llhttp decoded the same with neither keeping the connection. */
  http10Chunked = { seen: 0, same: 0 };

  add(gc: GenCase, v: Verdict): void {
    this.cases++;
    this.byStatus[v.status] = (this.byStatus[v.status] ?? 0) + 1;
    this.byKind[gc.kind] = (this.byKind[gc.kind] ?? 0) + 1;
    for (const c of new Set(v.categories)) this.explained[c] = (this.explained[c] ?? 0) + 1;
    if (v.reqwire !== undefined && v.reqwire.error === null && v.reqwire.messages.length > 0) this.accepted++;
  }

  /** The counts, one category per line. */
  table(): string {
    const rows = CATEGORIES.map(
      (c) => `  ${c.kind === "suspect" ? "SUSPECTED BUG " : ""}${c.name}: ${this.explained[c.name] ?? 0}`,
    );
    rows.push(
      `  (check) HTTP/1.0 + Transfer-Encoding decoded alike, keep-alive false in both: ${this.http10Chunked.same} of ${this.http10Chunked.seen} messages`,
    );
    return rows.join("\n");
  }
}

function textOf(input: Uint8Array): string {
  return Buffer.from(input.buffer, input.byteOffset, input.length).toString("latin1");
}

/** Everything a differential run needs: reused parsers and the counters. */
export class Differ {
  readonly reqwire = new ReqwireRunner();
  readonly llhttp = new LlhttpRunner();
  readonly stats = new Stats();

  /** Runs one case through both parsers (reqwire twice: whole and cut) and judges it. */
  check(gc: GenCase): Verdict {
    const v = this.#judge(gc);
    this.stats.add(gc, v);
    return v;
  }

  #judge(gc: GenCase): Verdict {
    let whole: Outcome;
    let cut: Outcome;
    try {
      whole = this.reqwire.run(gc.input, [], gc.head);
      cut = this.reqwire.run(gc.input, gc.cuts, gc.head);
    } catch (e) {
      return {
        status: "crash",
        categories: [],
        detail: this.#report(gc, `reqwire threw ${crashStack(this.reqwire.parser, gc, e)}`),
      };
    }
    const ll = this.llhttp.run(gc.input, gc.head);
    this.#http10Check(whole, ll);
    const split = diffExact(whole, cut);
    if (split !== null) {
      return {
        status: "split",
        categories: [],
        reqwire: whole,
        llhttp: ll,
        detail: this.#report(gc, `reqwire differs when fed in pieces: ${split}`, whole, ll, cut),
      };
    }
    const d = diffOutcomes(whole, ll);
    if (d === null) return { status: "agree", categories: [], reqwire: whole, llhttp: ll };
    let why: string[] | null;
    try {
      why = this.explain(textOf(gc.input), gc.head, whole, ll);
    } catch (e) {
      // a repaired input made reqwire throw: a crash all the same
      const stack = e instanceof Error ? (e.stack ?? String(e)) : String(e);
      return {
        status: "crash",
        categories: [],
        detail: this.#report(gc, `reqwire threw on a repaired input: ${stack}`),
      };
    }
    if (why !== null) return { status: "explained", categories: why, reqwire: whole, llhttp: ll };
    return { status: "disagree", categories: [], reqwire: whole, llhttp: ll, detail: this.#report(gc, d, whole, ll) };
  }

  /** HTTP/1.0 final responses with Transfer-Encoding: both must decode them and not keep the connection. */
  #http10Check(r: Outcome, l: Outcome): void {
    r.messages.forEach((m, i) => {
      if (m.head.version !== "1.0" || !m.head.headers.some(([n]) => n.toLowerCase() === "transfer-encoding")) return;
      this.stats.http10Chunked.seen++;
      const o = l.messages[i];
      if (o !== undefined && m.keepAlive === false && o.keepAlive === false && m.body === o.body) {
        this.stats.http10Chunked.same++;
      }
    });
  }

  /**
   * The categories that explain how reqwire (r) and llhttp (l) read `text` differently, or null.
   * The search repairs one feature at a time, then looks again at what is left; it gives up
   * (null) after 400 reruns.
   */
  explain(text: string, head: boolean, r: Outcome, l: Outcome): string[] | null {
    return this.#explain(text, head, r, l, 0, { reruns: 400 });
  }

  #explain(
    text: string,
    head: boolean,
    r: Outcome,
    l: Outcome,
    depth: number,
    budget: { reruns: number },
  ): string[] | null {
    for (const c of CATEGORIES) {
      const strict = c.keeps === "reqwire" ? l : r;
      if (c.codes !== undefined && (strict.error === null || !c.codes.includes(strict.error))) continue;
      const mask = c.mask ?? ((o: Outcome) => o);
      for (const fixed of c.repairs(text)) {
        if (budget.reruns-- <= 0) return null;
        const bytes = Buffer.from(fixed, "latin1");
        const r2 = this.reqwire.run(bytes, [], head);
        const l2 = this.llhttp.run(bytes, head);
        const [before, after] = c.keeps === "reqwire" ? [r, r2] : [l, l2];
        if (before.error !== after.error || diffOutcomes(mask(before), mask(after)) !== null) continue;
        if (diffOutcomes(r2, l2) === null) return [c.name];
        if (depth < 6) {
          const rest: string[] | null = this.#explain(fixed, head, r2, l2, depth + 1, budget);
          if (rest !== null) return [c.name, ...rest];
        }
      }
    }
    return null;
  }

  #report(gc: GenCase, what: string, r?: Outcome, l?: Outcome, cut?: Outcome): string {
    const lines = [
      what,
      `  kind: ${gc.kind}${gc.head ? " (HEAD)" : ""}  mutations: ${gc.notes.join(", ") || "none"}`,
      `  input: ${JSON.stringify(textOf(gc.input))}`,
    ];
    if (r !== undefined) lines.push(`  reqwire: ${showOutcome(r)}`);
    if (cut !== undefined) lines.push(`  reqwire cut at ${JSON.stringify(gc.cuts)}: ${showOutcome(cut)}`);
    if (l !== undefined) lines.push(`  llhttp:  ${showOutcome(l)}`);
    if (r !== undefined) {
      const fresh = new ReqwireRunner().run(gc.input, [], gc.head);
      if (diffExact(fresh, r) !== null) lines.push(`  reqwire with a fresh parser: ${showOutcome(fresh)}`);
    }
    return lines.join("\n");
  }
}
