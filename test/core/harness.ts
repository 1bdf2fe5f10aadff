// Runs a response-parser case over a given chunking of its input and records what happened as
// an event log that does not depend on the chunking: body pieces are joined per message, and
// offsets are stream offsets (from the first byte fed).
import {
  type ExpectOptions,
  ParseError,
  ParserEvent,
  type ParserLimits,
  ResponseParser,
} from "../../src/core/index.js";

export type Field = [name: string, value: string];

/** One entry of an event log. Byte strings are latin1: one char per byte. */
export type LogEntry =
  | {
      ev: "head";
      status: number;
      reason: string;
      version: string;
      keepAlive: boolean;
      /** The framing flags that are set, in this order: chunked read-to-close no-body informational upgrade. */
      flags: string;
      contentLength: number;
      headers: Field[];
    }
  /** All body bytes of the message between two other events, joined. */
  | { ev: "body"; data: string }
  | { ev: "trailers"; fields: Field[] }
  | { ev: "done" }
  /** `at` is the stream offset of the first byte after the head; `rest` is every byte from there on. */
  | { ev: "upgrade"; at: number; rest: string }
  /** finish() returned Done ("done") or NeedMore ("idle"). */
  | { ev: "eof"; result: "done" | "idle" }
  /** A ParseError thrown by next() or by finish(). */
  | { ev: "error"; code: string; offset: number; on: "next" | "finish" };

export interface ParserCase {
  name: string;
  /** The response bytes, latin1 (every char must be <= U+00FF). */
  input: string;
  /** Options for each expect() call: one per response; the first is called before any byte. Default [{}]. */
  requests?: ExpectOptions[];
  limits?: ParserLimits;
  /** The expected log. */
  log: LogEntry[];
}

/** Latin1 string to bytes. */
export function bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new Error(`not a byte at ${i}: U+${c.toString(16)}`);
    out[i] = c;
  }
  return out;
}

/** Bytes to a latin1 string. */
export function text(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 8192) {
    s += String.fromCharCode.apply(null, b.subarray(i, i + 8192) as unknown as number[]);
  }
  return s;
}

const FLAG_NAMES = ["chunked", "read-to-close", "no-body", "informational", "upgrade"] as const;

function flagsOf(p: ResponseParser): string {
  const set = [p.chunked, p.readToClose, p.noBody, p.informational, p.upgrade];
  return FLAG_NAMES.filter((_, i) => set[i]).join(" ");
}

/** Collects body pieces; the bytes are copied at once (a piece is a view into the fed chunk). */
class BodySink {
  #buf = new Uint8Array(256);
  #length = 0;

  add(piece: Uint8Array): void {
    const need = this.#length + piece.length;
    if (need > this.#buf.length) {
      const grown = new Uint8Array(Math.max(need, this.#buf.length * 2));
      grown.set(this.#buf.subarray(0, this.#length));
      this.#buf = grown;
    }
    this.#buf.set(piece, this.#length);
    this.#length = need;
  }

  /** The bytes collected since the last take(), joined; empty when none. */
  take(): Uint8Array {
    const out = this.#buf.slice(0, this.#length);
    this.#length = 0;
    return out;
  }
}

export interface RunOptions {
  /** Called with every body byte run (joined per message) instead of logging it as a string. */
  onBody?: (data: Uint8Array) => void;
}

/**
 * Feeds `chunks` (which must join to `input`) to a fresh parser, calling expect() for each of
 * `requests` (the first before any byte, each next one right after a Done), then finish() at the
 * end, and returns the log. Stops at an error or an Upgrade.
 */
export function runParser(c: ParserCase, input: Uint8Array, chunks: Uint8Array[], opts: RunOptions = {}): LogEntry[] {
  const p = new ResponseParser(c.limits);
  const requests = c.requests ?? [{}];
  const log: LogEntry[] = [];
  const sink = new BodySink();
  let headFields: Field[] = [];
  let headFlags = 0;
  const flush = (): void => {
    const data = sink.take();
    if (data.length === 0) return;
    if (opts.onBody) opts.onBody(data);
    else log.push({ ev: "body", data: text(data) });
  };
  const fail = (e: unknown, on: "next" | "finish"): LogEntry[] => {
    if (!(e instanceof ParseError)) throw e;
    flush();
    log.push({ ev: "error", code: e.code, offset: e.offset, on });
    return log;
  };

  let armed = 0;
  if (requests.length > 0) p.expect(requests[armed++]);
  let base = 0;
  try {
    for (const chunk of chunks) {
      p.feed(chunk);
      for (let ev = p.next(); ev !== ParserEvent.NeedMore; ev = p.next()) {
        if (ev === ParserEvent.Body) {
          sink.add(p.body);
          continue;
        }
        flush();
        if (ev === ParserEvent.Head) {
          if (p.hasContentLength !== p.contentLength >= 0) throw new Error("hasContentLength disagrees");
          headFields = p.headers.entries();
          headFlags = p.flags;
          log.push({
            ev: "head",
            status: p.statusCode,
            reason: p.reason,
            version: p.httpVersion,
            keepAlive: p.keepAlive,
            flags: flagsOf(p),
            contentLength: p.contentLength,
            headers: headFields,
          });
        } else if (ev === ParserEvent.Trailers) {
          // Trailers are kept apart: the head's fields and framing stay as they were.
          if (JSON.stringify(p.headers.entries()) !== JSON.stringify(headFields) || p.flags !== headFlags) {
            throw new Error("trailers changed the head");
          }
          log.push({ ev: "trailers", fields: p.trailers?.entries() ?? [] });
        } else if (ev === ParserEvent.Done) {
          log.push({ ev: "done" });
          if (armed < requests.length) p.expect(requests[armed++]);
        } else if (ev === ParserEvent.Upgrade) {
          if (p.upgradeOffset < 0 || p.upgradeOffset > chunk.length) throw new Error("upgradeOffset out of chunk");
          const at = base + p.upgradeOffset;
          log.push({ ev: "upgrade", at, rest: text(input.subarray(at)) });
          return log;
        } else {
          throw new Error(`unknown event ${ev}`);
        }
      }
      base += chunk.length;
    }
  } catch (e) {
    return fail(e, "next");
  }
  try {
    const ev = p.finish();
    flush();
    log.push({ ev: "eof", result: ev === ParserEvent.Done ? "done" : "idle" });
  } catch (e) {
    return fail(e, "finish");
  }
  return log;
}

/** The input in one chunk. */
export function whole(input: Uint8Array): Uint8Array[] {
  return [input];
}

/** The input split in two at `at` (either part may be empty). */
export function splitAt(input: Uint8Array, at: number): Uint8Array[] {
  return [input.subarray(0, at), input.subarray(at)];
}

/** The input one byte per chunk. */
export function bytewise(input: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < input.length; i++) out.push(input.subarray(i, i + 1));
  return out;
}

/** The input in chunks of `size` bytes. */
export function chunksOf(input: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < input.length; i += size) out.push(input.subarray(i, i + size));
  return out;
}

/**
 * Split points for an input of `n` bytes: every position 0..n when n <= `all`; else every
 * position near both ends and near each of `marks`, plus an even sample of the rest.
 */
export function splitPoints(n: number, all = 4096, marks: number[] = []): number[] {
  if (n <= all) return Array.from({ length: n + 1 }, (_, i) => i);
  const set = new Set<number>();
  const near = (m: number): void => {
    for (let i = m - 24; i <= m + 24; i++) if (i >= 0 && i <= n) set.add(i);
  };
  near(0);
  near(n);
  for (const m of marks) near(m);
  const step = Math.max(1, Math.floor(n / 200));
  for (let i = 0; i <= n; i += step) set.add(i);
  return [...set].sort((a, b) => a - b);
}
