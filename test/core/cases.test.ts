// The table-driven suite: every parser case is run fed whole, split in two at every byte
// position, and one byte at a time; each run's log must equal the expected log.
import { describe, expect, test } from "vitest";
import { ParseError, ParserEvent, RequestWriter, ResponseParser, SerializeError } from "../../src/core/index.js";
import { PARSER_CASES, WRITER_CASES } from "./cases.js";
import {
  bytes,
  bytewise,
  chunksOf,
  type LogEntry,
  type ParserCase,
  runParser,
  splitAt,
  splitPoints,
  text,
  whole,
} from "./harness.js";

describe("response parser cases", () => {
  test("case names are unique", () => {
    const names = PARSER_CASES.map((c) => c.name);
    expect(names.length).toBe(new Set(names).size);
  });

  test.each(PARSER_CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const input = bytes(c.input);
    expect(runParser(c, input, whole(input)), "fed whole").toEqual(c.log);
    for (const at of splitPoints(input.length)) {
      expect(runParser(c, input, splitAt(input, at)), `split at ${at}`).toEqual(c.log);
    }
    expect(runParser(c, input, bytewise(input)), "one byte at a time").toEqual(c.log);
  });
});

// ---- large bodies -----------------------------------------------------------------------------

/** A deterministic byte pattern that shows misplaced or repeated bytes. */
function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function concat(...parts: Array<Uint8Array | string>): Uint8Array {
  const bufs = parts.map((p) => (typeof p === "string" ? bytes(p) : p));
  const out = new Uint8Array(bufs.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bufs) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** Runs a big case: the body is checked as bytes, the rest of the log as usual. */
function runBig(c: ParserCase, input: Uint8Array, chunks: Uint8Array[]): { log: LogEntry[]; bodies: Uint8Array[] } {
  const bodies: Uint8Array[] = [];
  const log = runParser(c, input, chunks, { onBody: (b) => bodies.push(b) });
  return { log, bodies };
}

function expectBig(c: ParserCase, input: Uint8Array, body: Uint8Array, marks: number[]): void {
  const runs: Array<[string, Uint8Array[]]> = [
    ["fed whole", whole(input)],
    ["one byte at a time", bytewise(input)],
    ["1000-byte chunks", chunksOf(input, 1000)],
    ["65537-byte chunks", chunksOf(input, 65537)],
  ];
  for (const at of splitPoints(input.length, 0, marks)) runs.push([`split at ${at}`, splitAt(input, at)]);
  for (const [label, chunks] of runs) {
    const { log, bodies } = runBig(c, input, chunks);
    expect(log, label).toEqual(c.log);
    expect(bodies.length, label).toBe(1);
    // compare as bytes: a mismatch reports the first differing index
    const got = bodies[0] as Uint8Array;
    expect(got.length, label).toBe(body.length);
    if (!Buffer.from(got.buffer, got.byteOffset, got.length).equals(body)) {
      expect(
        got.findIndex((b, i) => b !== body[i]),
        `${label}: first differing body byte`,
      ).toBe(-1);
    }
  }
}

describe("large bodies", () => {
  test("1 MiB Content-Length body, then a pipelined response", () => {
    const n = 1 << 20;
    const data = pattern(n, 1);
    const head = `HTTP/1.1 200 OK\r\nContent-Length: ${n}\r\n\r\n`;
    const input = concat(head, data, "HTTP/1.1 204 No Content\r\n\r\n");
    const c: ParserCase = {
      name: "1 MiB",
      input: "",
      requests: [{}, {}],
      log: [
        {
          ev: "head",
          status: 200,
          reason: "OK",
          version: "1.1",
          keepAlive: true,
          flags: "",
          contentLength: n,
          headers: [["Content-Length", String(n)]],
        },
        { ev: "done" },
        {
          ev: "head",
          status: 204,
          reason: "No Content",
          version: "1.1",
          keepAlive: true,
          flags: "no-body",
          contentLength: -1,
          headers: [],
        },
        { ev: "done" },
        { ev: "eof", result: "idle" },
      ],
    };
    // the body is reported through onBody, not in the log
    expectBig(c, input, data, [head.length, head.length + n]);
  });

  test("chunked body of 3000 chunks (far more than 64 spans in one feed)", () => {
    const data = pattern(3000 * 40, 2);
    const parts: Array<Uint8Array | string> = ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"];
    let at = 0;
    for (let i = 0; at < data.length; i++) {
      const size = Math.min(1 + ((i * 7) % 79), data.length - at); // 1..79 bytes
      parts.push(`${i % 2 ? size.toString(16).toUpperCase() : size.toString(16)}${i % 5 === 0 ? ";i=1" : ""}\r\n`);
      parts.push(data.subarray(at, at + size), "\r\n");
      at += size;
    }
    parts.push("0\r\nT: 1\r\n\r\n");
    const input = concat(...parts);
    const c: ParserCase = {
      name: "many chunks",
      input: "",
      log: [
        {
          ev: "head",
          status: 200,
          reason: "OK",
          version: "1.1",
          keepAlive: true,
          flags: "chunked",
          contentLength: -1,
          headers: [["Transfer-Encoding", "chunked"]],
        },
        { ev: "trailers", fields: [["T", "1"]] },
        { ev: "done" },
        { ev: "eof", result: "idle" },
      ],
    };
    expectBig(c, input, data, []);
  });

  test("1 MiB read-to-close body", () => {
    const data = pattern(1 << 20, 3);
    const head = "HTTP/1.1 200 OK\r\n\r\n";
    const input = concat(head, data);
    const c: ParserCase = {
      name: "read to close",
      input: "",
      log: [
        {
          ev: "head",
          status: 200,
          reason: "OK",
          version: "1.1",
          keepAlive: false,
          flags: "read-to-close",
          contentLength: -1,
          headers: [],
        },
        { ev: "eof", result: "done" },
      ],
    };
    expectBig(c, input, data, [head.length]);
  });
});

// ---- reset ------------------------------------------------------------------------------------

describe("reset", () => {
  test("a parser is reusable after reset() following an error", () => {
    const p = new ResponseParser();
    p.expect();
    p.feed(bytes("HTTP/1.1 200 OK\r\nBad Name: 1\r\n\r\n"));
    let error: unknown;
    try {
      while (p.next() !== ParserEvent.NeedMore);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).code).toBe("INVALID_HEADER_NAME");
    expect((error as ParseError).offset).toBe(20);

    p.reset();
    p.expect();
    p.feed(bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel"));
    const events: string[] = [];
    const body: string[] = [];
    for (let ev = p.next(); ev !== ParserEvent.NeedMore; ev = p.next()) {
      events.push(String(ev));
      if (ev === ParserEvent.Body) body.push(text(p.body));
    }
    p.feed(bytes("lo"));
    for (let ev = p.next(); ev !== ParserEvent.NeedMore; ev = p.next()) {
      events.push(String(ev));
      if (ev === ParserEvent.Body) body.push(text(p.body));
    }
    expect(p.statusCode).toBe(200);
    expect(p.headers.entries()).toEqual([["Content-Length", "5"]]);
    expect(body.join("")).toBe("hello");
    expect(events.at(-1)).toBe(String(ParserEvent.Done));
    expect(p.finish()).toBe(ParserEvent.NeedMore);
  });

  test("after reset(), error offsets count from the first byte fed since the reset", () => {
    const p = new ResponseParser();
    p.expect();
    p.feed(bytes("HTTP/1.1 2x"));
    expect(() => {
      while (p.next() !== ParserEvent.NeedMore);
    }).toThrow(ParseError);
    p.reset();
    p.expect();
    p.feed(bytes("HTTP/1.1 200 O\x00"));
    let error: unknown;
    try {
      while (p.next() !== ParserEvent.NeedMore);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).code).toBe("INVALID_REASON");
    expect((error as ParseError).offset).toBe(14);
  });

  test("reset() in the middle of a body, then a new response", () => {
    const p = new ResponseParser();
    p.expect();
    p.feed(bytes("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial"));
    while (p.next() !== ParserEvent.NeedMore);
    p.reset();
    p.expect({ head: true });
    p.feed(bytes("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"));
    expect(p.next()).toBe(ParserEvent.Head);
    expect(p.noBody).toBe(true);
    expect(p.next()).toBe(ParserEvent.Done);
    expect(p.next()).toBe(ParserEvent.NeedMore);
  });
});

// ---- request writer ---------------------------------------------------------------------------

describe("request writer cases", () => {
  const w = new RequestWriter();

  test.each(WRITER_CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    if (c.error === undefined) {
      expect(text(w.head(c.method, c.target, c.headers))).toBe(c.out);
      return;
    }
    let error: unknown;
    try {
      w.head(c.method, c.target, c.headers);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SerializeError);
    const e = error as SerializeError;
    expect({ code: e.code, field: e.field, headerIndex: e.headerIndex, offset: e.offset }).toEqual(c.error);
  });

  test("a writer works after it threw (each kind of error)", () => {
    const fresh = new RequestWriter();
    const good = (): string => text(fresh.head("GET", "/ok", [["A", "1"]]));
    const want = "GET /ok HTTP/1.1\r\nA: 1\r\n\r\n";
    for (const c of WRITER_CASES.filter((x) => x.error !== undefined)) {
      expect(() => fresh.head(c.method, c.target, c.headers), c.name).toThrow(SerializeError);
      expect(good(), `after: ${c.name}`).toBe(want);
    }
  });

  test("a 200 KB head grows memory; small heads still work after it", () => {
    const fresh = new RequestWriter();
    const small = text(fresh.head("GET", "/", [["A", "b"]]));
    const headers: Array<[string, string]> = [];
    for (let i = 0; i < 2000; i++) headers.push([`X-Header-${i}`, `${i}:${"v".repeat(90)}`]);
    const out = fresh.head("PUT", `/${"p".repeat(5000)}`, headers);
    const expected = `PUT /${"p".repeat(5000)} HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join("")}\r\n`;
    expect(out.length).toBeGreaterThan(200_000);
    expect(text(out)).toBe(expected);
    // an error in the large head's last field, then the large head again
    const bad = headers.map((h): [string, string] => [h[0], h[1]]);
    bad[1999] = ["X-Last", "a\rb"];
    expect(() => fresh.head("PUT", "/", bad)).toThrow(SerializeError);
    expect(text(fresh.head("PUT", `/${"p".repeat(5000)}`, headers))).toBe(expected);
    expect(text(fresh.head("GET", "/", [["A", "b"]]))).toBe(small);
    expect(small).toBe("GET / HTTP/1.1\r\nA: b\r\n\r\n");
  });

  test("chunkHead(n) is lower-case hex and CRLF", () => {
    const cases: Array<[number, string]> = [
      [1, "1\r\n"],
      [9, "9\r\n"],
      [10, "a\r\n"],
      [15, "f\r\n"],
      [16, "10\r\n"],
      [255, "ff\r\n"],
      [0xabcdef, "abcdef\r\n"],
      [65536, "10000\r\n"],
      [2 ** 32, "100000000\r\n"],
      [Number.MAX_SAFE_INTEGER, "1fffffffffffff\r\n"],
    ];
    for (const [n, want] of cases) expect(text(w.chunkHead(n)), String(n)).toBe(want);
  });

  test('lastChunk() is "0\\r\\n\\r\\n"', () => {
    expect(text(w.lastChunk())).toBe("0\r\n\r\n");
  });

  test("what the writer writes, the parser reads back", () => {
    // a chunked body written by chunkHead/lastChunk, under a response head
    const parts = [
      bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
      w.chunkHead(11),
      bytes("hello world\r\n"),
      w.chunkHead(300),
      bytes(`${"z".repeat(300)}\r\n`),
      w.lastChunk(),
    ];
    const input = concat(...parts);
    const c: ParserCase = {
      name: "round trip",
      input: text(input),
      log: [
        {
          ev: "head",
          status: 200,
          reason: "OK",
          version: "1.1",
          keepAlive: true,
          flags: "chunked",
          contentLength: -1,
          headers: [["Transfer-Encoding", "chunked"]],
        },
        { ev: "body", data: `hello world${"z".repeat(300)}` },
        { ev: "done" },
        { ev: "eof", result: "idle" },
      ],
    };
    expect(runParser(c, input, whole(input))).toEqual(c.log);
    expect(runParser(c, input, bytewise(input))).toEqual(c.log);
  });
});
