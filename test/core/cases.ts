// The response parser's case table. Each case: a name, the response bytes (a latin1 string), the
// options (expect() options per response, parser limits) and the expected event log.
//
// Log entries (see harness.ts):
//   head(status, reason, headers, { version, keepAlive, flags, cl })   defaults: "1.1", true, "", -1
//   body("...")            every body byte of the message up to the next other event, joined
//   trailers([n, v], ...)  the trailer section
//   DONE                   next() returned Done (expect() is then called for the next request, if any)
//   upgrade(at, rest)      next() returned Upgrade; `at` is the stream offset of the first byte after the head
//   EOF_DONE / EOF_IDLE    finish() at the end of the input returned Done / NeedMore
//   err(code, offset)      next() threw ParseError (offset: from the first byte of the input)
//   eofErr(code, offset)   finish() threw ParseError
//
// Offsets are written as sums of the lengths of the pieces before the offending byte, e.g.
// `OK.length + 3`; OK is "HTTP/1.1 200 OK\r\n" (17 bytes).
import type { ExpectOptions } from "../../src/core/index.js";
import type { Field, LogEntry, ParserCase } from "./harness.js";

interface HeadOptions {
  version?: "1.0" | "1.1";
  keepAlive?: boolean;
  /** Space-separated, in this order: chunked read-to-close no-body informational upgrade. */
  flags?: string;
  /** contentLength; -1 when there is none. */
  cl?: number;
}

function head(status: number, reason: string, headers: Field[] = [], o: HeadOptions = {}): LogEntry {
  return {
    ev: "head",
    status,
    reason,
    version: o.version ?? "1.1",
    keepAlive: o.keepAlive ?? true,
    flags: o.flags ?? "",
    contentLength: o.cl ?? -1,
    headers,
  };
}
const body = (data: string): LogEntry => ({ ev: "body", data });
const trailers = (...fields: Field[]): LogEntry => ({ ev: "trailers", fields });
const upgrade = (at: number, rest: string): LogEntry => ({ ev: "upgrade", at, rest });
const err = (code: string, offset: number): LogEntry => ({ ev: "error", code, offset, on: "next" });
const eofErr = (code: string, offset: number): LogEntry => ({ ev: "error", code, offset, on: "finish" });
const DONE: LogEntry = { ev: "done" };
const EOF_DONE: LogEntry = { ev: "eof", result: "done" };
const EOF_IDLE: LogEntry = { ev: "eof", result: "idle" };

// Pieces used below.
const OK = "HTTP/1.1 200 OK\r\n"; // 17
const OK10 = "HTTP/1.0 200 OK\r\n"; // 17
const NC = "HTTP/1.1 204 No Content\r\n"; // 25
const NM = "HTTP/1.1 304 Not Modified\r\n"; // 27
const CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n"; // 25
const CL0 = "Content-Length: 0\r\n"; // 19
const CL5 = "Content-Length: 5\r\n"; // 19
const TE = "Transfer-Encoding: chunked\r\n"; // 28
const CH = `${OK}${TE}\r\n`; // 47: a chunked head
const EMPTY = `${OK}${CL0}\r\n`; // 38: a complete response with an empty body
const HELLO = `${OK}${CL5}\r\nhello`; // 43: a complete response with a 5-byte body

const cl0: Field = ["Content-Length", "0"];
const cl5: Field = ["Content-Length", "5"];
const te: Field = ["Transfer-Encoding", "chunked"];
const informational: HeadOptions = { keepAlive: false, flags: "no-body informational" };
const pad = (n: number): string => "a".repeat(n);
const HEAD: ExpectOptions = { head: true };
const CONNECT: ExpectOptions = { connect: true };

// ---- status line --------------------------------------------------------------------------

const statusLine: ParserCase[] = [
  {
    name: "status line: HTTP/1.1 with a reason",
    input: EMPTY,
    log: [head(200, "OK", [cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "status line: HTTP/1.0",
    input: `${OK10}Content-Length: 2\r\n\r\nhi`,
    log: [
      head(200, "OK", [["Content-Length", "2"]], { version: "1.0", keepAlive: false, cl: 2 }),
      body("hi"),
      DONE,
      EOF_IDLE,
    ],
  },
  {
    name: "status line: CRLF right after the code is an empty reason",
    input: `HTTP/1.1 200\r\n${CL0}\r\n`,
    log: [head(200, "", [cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "status line: SP then CRLF is an empty reason",
    input: `HTTP/1.1 404 \r\n${CL0}\r\n`,
    log: [head(404, "", [cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "status line: reason with HTAB, SP, VCHAR and obs-text",
    input: `HTTP/1.1 200 A\tb c!~"\x80\xa0\xff\r\n${CL0}\r\n`,
    log: [head(200, 'A\tb c!~"\x80\xa0\xff', [cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "status line: 999 is three digits, first 1-9",
    input: `HTTP/1.1 999 Odd\r\n${CL0}\r\n`,
    log: [head(999, "Odd", [cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "status line: HTTP/1.2 is processed as HTTP/1.1 (RFC 9110 §2.5)",
    input: `HTTP/1.2 200 OK\r\n${CL0}\r\n`,
    log: [head(200, "OK", [cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "status line: HTTP/1.9 is processed as HTTP/1.1",
    input: `HTTP/1.9 200 OK\r\nConnection: close\r\n${CL0}\r\n`,
    log: [head(200, "OK", [["Connection", "close"], cl0], { cl: 0, keepAlive: false }), DONE, EOF_IDLE],
  },
  { name: "status line: HTTP/2 is INVALID_VERSION", input: "HTTP/2 200 OK\r\n\r\n", log: [err("INVALID_VERSION", 5)] },
  {
    name: "status line: lower-case http is INVALID_VERSION",
    input: "http/1.1 200 OK\r\n\r\n",
    log: [err("INVALID_VERSION", 0)],
  },
  {
    name: "status line: HTTP/1.10 is INVALID_VERSION",
    input: "HTTP/1.10 200 OK\r\n\r\n",
    log: [err("INVALID_VERSION", 8)],
  },
  {
    name: "status line: HTAB after the version is INVALID_VERSION",
    input: "HTTP/1.1\t200 OK\r\n\r\n",
    log: [err("INVALID_VERSION", 8)],
  },
  {
    name: "status line: version alone is INVALID_VERSION",
    input: "HTTP/1.1\r\n\r\n",
    log: [err("INVALID_VERSION", 8)],
  },
  { name: "status line: a leading SP is INVALID_VERSION", input: ` ${EMPTY}`, log: [err("INVALID_VERSION", 0)] },
  {
    name: "status line: two SP before the code is INVALID_STATUS",
    input: "HTTP/1.1  200 OK\r\n\r\n",
    log: [err("INVALID_STATUS", 9)],
  },
  {
    name: "status line: first digit 0 is INVALID_STATUS",
    input: "HTTP/1.1 099 Low\r\n\r\n",
    log: [err("INVALID_STATUS", 9)],
  },
  {
    name: "status line: a 4th digit is INVALID_STATUS",
    input: "HTTP/1.1 2000 OK\r\n\r\n",
    log: [err("INVALID_STATUS", 12)],
  },
  {
    name: "status line: two digits is INVALID_STATUS",
    input: "HTTP/1.1 20 OK\r\n\r\n",
    log: [err("INVALID_STATUS", 11)],
  },
  {
    name: "status line: a non-digit in the code is INVALID_STATUS",
    input: "HTTP/1.1 2x0 OK\r\n\r\n",
    log: [err("INVALID_STATUS", 10)],
  },
  {
    name: "status line: a sign before the code is INVALID_STATUS",
    input: "HTTP/1.1 -20 OK\r\n\r\n",
    log: [err("INVALID_STATUS", 9)],
  },
  {
    name: "status line: no code is INVALID_STATUS",
    input: "HTTP/1.1 \r\n\r\n",
    log: [err("INVALID_STATUS", 9)],
  },
  {
    name: "status line: no SP between code and reason is INVALID_STATUS",
    input: "HTTP/1.1 200OK\r\n\r\n",
    log: [err("INVALID_STATUS", 12)],
  },
  {
    name: "status line: HTAB between code and reason is INVALID_STATUS",
    input: "HTTP/1.1 200\tOK\r\n\r\n",
    log: [err("INVALID_STATUS", 12)],
  },
  {
    name: "status line: bare LF right after the code is rejected (INVALID_STATUS)",
    input: `HTTP/1.1 200\n${CL0}\r\n`,
    log: [err("INVALID_STATUS", 12)],
  },
  {
    name: "status line: bare LF ending the reason is INVALID_REASON",
    input: `HTTP/1.1 200 OK\n${CL0}\r\n`,
    log: [err("INVALID_REASON", 15)],
  },
  {
    name: "status line: bare CR in the reason is LF_EXPECTED",
    input: "HTTP/1.1 200 OK\rX\r\n\r\n",
    log: [err("LF_EXPECTED", 16)],
  },
  {
    name: "status line: bare CR after the code is LF_EXPECTED",
    input: "HTTP/1.1 200\rX\r\n\r\n",
    log: [err("LF_EXPECTED", 13)],
  },
  {
    name: "status line: CR CR LF is LF_EXPECTED",
    input: "HTTP/1.1 200 OK\r\r\n\r\n",
    log: [err("LF_EXPECTED", 16)],
  },
  {
    name: "status line: NUL in the reason is INVALID_REASON",
    input: "HTTP/1.1 200 O\x00K\r\n\r\n",
    log: [err("INVALID_REASON", 14)],
  },
  {
    name: "status line: DEL in the reason is INVALID_REASON",
    input: "HTTP/1.1 200 O\x7fK\r\n\r\n",
    log: [err("INVALID_REASON", 14)],
  },
  {
    name: "status line: ESC in the reason is INVALID_REASON",
    input: "HTTP/1.1 200 O\x1bK\r\n\r\n",
    log: [err("INVALID_REASON", 14)],
  },
  {
    name: "status line: VT in the reason is INVALID_REASON",
    input: "HTTP/1.1 200 O\x0bK\r\n\r\n",
    log: [err("INVALID_REASON", 14)],
  },
];

// ---- header names -------------------------------------------------------------------------

const headerNames: ParserCase[] = [
  {
    name: "header name: every tchar, case kept",
    input: `${OK}!#$%&'*+-.^_\`|~09azAZ: v\r\nX-MiXeD: w\r\n${CL0}\r\n`,
    log: [head(200, "OK", [["!#$%&'*+-.^_`|~09azAZ", "v"], ["X-MiXeD", "w"], cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "header name: SP inside is INVALID_HEADER_NAME",
    input: `${OK}X A: 1\r\n\r\n`,
    log: [err("INVALID_HEADER_NAME", OK.length + 1)],
  },
  {
    name: "header name: SP before the colon is INVALID_HEADER_NAME",
    input: `${OK}X-A : 1\r\n\r\n`,
    log: [err("INVALID_HEADER_NAME", OK.length + 3)],
  },
  {
    name: "header name: HTAB before the colon is INVALID_HEADER_NAME",
    input: `${OK}X-A\t: 1\r\n\r\n`,
    log: [err("INVALID_HEADER_NAME", OK.length + 3)],
  },
  {
    name: "header name: empty is INVALID_HEADER_NAME",
    input: `${OK}: 1\r\n\r\n`,
    log: [err("INVALID_HEADER_NAME", OK.length)],
  },
  {
    name: "header name: no colon is INVALID_HEADER_NAME",
    input: `${OK}X-A\r\n\r\n`,
    log: [err("INVALID_HEADER_NAME", OK.length + 3)],
  },
  {
    name: "header name: a separator is INVALID_HEADER_NAME",
    input: `${OK}X(A): 1\r\n\r\n`,
    log: [err("INVALID_HEADER_NAME", OK.length + 1)],
  },
  {
    name: "header name: obs-text is INVALID_HEADER_NAME",
    input: `${OK}X\xe9: 1\r\n\r\n`,
    log: [err("INVALID_HEADER_NAME", OK.length + 1)],
  },
  {
    name: "header name: NUL is INVALID_HEADER_NAME",
    input: `${OK}X\x00: 1\r\n\r\n`,
    log: [err("INVALID_HEADER_NAME", OK.length + 1)],
  },
  {
    name: "header line: bare LF at the start of a line is INVALID_HEADER_NAME",
    input: `${OK}X: 1\r\n\n${CL0}\r\n`,
    log: [err("INVALID_HEADER_NAME", OK.length + 6)],
  },
  {
    name: "header line: bare LF right after the status line is INVALID_HEADER_NAME",
    input: `${OK}\n\r\n`,
    log: [err("INVALID_HEADER_NAME", OK.length)],
  },
  {
    name: "header line: CR not followed by LF at the blank line is LF_EXPECTED",
    input: `${OK}${CL0}\rX\r\n`,
    log: [err("LF_EXPECTED", OK.length + CL0.length + 1)],
  },
];

// ---- header values ------------------------------------------------------------------------

const headerValues: ParserCase[] = [
  {
    name: "header value: leading and trailing SP/HTAB are trimmed",
    input: `${OK}X: \t  a b \t \r\n${CL0}\r\n`,
    log: [head(200, "OK", [["X", "a b"], cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "header value: empty, and only whitespace",
    input: `${OK}X:\r\nY: \t \r\n${CL0}\r\n`,
    log: [head(200, "OK", [["X", ""], ["Y", ""], cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "header value: no whitespace after the colon",
    input: `${OK}X:a\r\n${CL0}\r\n`,
    log: [head(200, "OK", [["X", "a"], cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "header value: inner SP and HTAB are kept",
    input: `${OK}X: a\tb  c\r\n${CL0}\r\n`,
    log: [head(200, "OK", [["X", "a\tb  c"], cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "header value: obs-text is allowed",
    input: `${OK}X: \x80caf\xe9\xff\r\n${CL0}\r\n`,
    log: [head(200, "OK", [["X", "\x80caf\xe9\xff"], cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "header value: VCHAR punctuation",
    input: `${OK}X: a:b,c;d="e" /?{}\r\n${CL0}\r\n`,
    log: [head(200, "OK", [["X", 'a:b,c;d="e" /?{}'], cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "header value: NUL is INVALID_HEADER_VALUE",
    input: `${OK}X: a\x00b\r\n\r\n`,
    log: [err("INVALID_HEADER_VALUE", OK.length + 4)],
  },
  {
    name: "header value: NUL as the first byte is INVALID_HEADER_VALUE",
    input: `${OK}X: \x00\r\n\r\n`,
    log: [err("INVALID_HEADER_VALUE", OK.length + 3)],
  },
  {
    name: "header value: DEL is INVALID_HEADER_VALUE",
    input: `${OK}X: a\x7fb\r\n\r\n`,
    log: [err("INVALID_HEADER_VALUE", OK.length + 4)],
  },
  {
    name: "header value: DEL after whitespace is INVALID_HEADER_VALUE",
    input: `${OK}X: a \x7f\r\n\r\n`,
    log: [err("INVALID_HEADER_VALUE", OK.length + 5)],
  },
  {
    name: "header value: SOH is INVALID_HEADER_VALUE",
    input: `${OK}X: a\x01b\r\n\r\n`,
    log: [err("INVALID_HEADER_VALUE", OK.length + 4)],
  },
  {
    name: "header value: US (0x1F) is INVALID_HEADER_VALUE",
    input: `${OK}X: a\x1fb\r\n\r\n`,
    log: [err("INVALID_HEADER_VALUE", OK.length + 4)],
  },
  {
    name: "header value: bare LF ending a value is INVALID_HEADER_VALUE",
    input: `${OK}X: a\nY: b\r\n\r\n`,
    log: [err("INVALID_HEADER_VALUE", OK.length + 4)],
  },
  {
    name: "header value: bare LF ending an empty value is INVALID_HEADER_VALUE",
    input: `${OK}X:\n\r\n`,
    log: [err("INVALID_HEADER_VALUE", OK.length + 2)],
  },
  {
    name: "header value: bare CR is LF_EXPECTED",
    input: `${OK}X: a\rb\r\n\r\n`,
    log: [err("LF_EXPECTED", OK.length + 5)],
  },
  {
    name: "header value: bare CR after an empty value is LF_EXPECTED",
    input: `${OK}X:\rb\r\n\r\n`,
    log: [err("LF_EXPECTED", OK.length + 3)],
  },
];

// ---- obs-fold -----------------------------------------------------------------------------

const obsFold: ParserCase[] = [
  {
    name: "obs-fold: CRLF becomes two SP, the fold's whitespace stays",
    input: `${OK}X: a\r\n  b\r\n${CL0}\r\n`,
    log: [head(200, "OK", [["X", "a    b"], cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "obs-fold: HTAB fold",
    input: `${OK}X: a\r\n\tb\r\n${CL0}\r\n`,
    log: [head(200, "OK", [["X", "a  \tb"], cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "obs-fold: several fold lines, then the next field",
    input: `${OK}X: a\r\n b\r\n c\r\nY: d\r\n${CL0}\r\n`,
    log: [head(200, "OK", [["X", "a   b   c"], ["Y", "d"], cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "obs-fold: whitespace before the fold stays",
    input: `${OK}X: a \r\n b\r\n${CL0}\r\n`,
    log: [head(200, "OK", [["X", "a    b"], cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "obs-fold: fold of an empty value (leading whitespace is trimmed)",
    input: `${OK}X:\r\n  b\r\n${CL0}\r\n`,
    log: [head(200, "OK", [["X", "b"], cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "obs-fold: a fold line of only whitespace (trailing whitespace is trimmed)",
    input: `${OK}X: a\r\n  \r\n${CL0}\r\n`,
    log: [head(200, "OK", [["X", "a"], cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "obs-fold: a folded Connection value still decides keep-alive",
    input: `${OK}Connection: x,\r\n close\r\n${CL0}\r\n`,
    log: [head(200, "OK", [["Connection", "x,   close"], cl0], { cl: 0, keepAlive: false }), DONE, EOF_IDLE],
  },
  {
    name: "obs-fold: SP as the first line after the status line is LEADING_WHITESPACE",
    input: `${OK} X: a\r\n\r\n`,
    log: [err("LEADING_WHITESPACE", OK.length)],
  },
  {
    name: "obs-fold: HTAB as the first line after the status line is LEADING_WHITESPACE",
    input: `${OK}\tX: a\r\n\r\n`,
    log: [err("LEADING_WHITESPACE", OK.length)],
  },
];

// ---- limits -------------------------------------------------------------------------------

const BIG_HEAD = (total: number): string => {
  // OK, CL0, "X: " + padding + CRLF, blank line: 17 + 19 + 3 + n + 2 + 2 bytes
  const n = total - 43;
  return `${OK}${CL0}X: ${pad(n)}\r\n\r\n`;
};

const limits: ParserCase[] = [
  {
    name: "maxHeadBytes: a head of exactly the limit is fine",
    input: EMPTY, // 38 bytes
    limits: { maxHeadBytes: 38 },
    log: [head(200, "OK", [cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "maxHeadBytes: one byte over is HEAD_TOO_LARGE",
    input: EMPTY,
    limits: { maxHeadBytes: 37 },
    log: [err("HEAD_TOO_LARGE", 37)],
  },
  {
    name: "maxHeadBytes: limit reached inside a field name",
    input: EMPTY,
    limits: { maxHeadBytes: 30 },
    log: [err("HEAD_TOO_LARGE", 30)],
  },
  {
    name: "maxHeadBytes: limit reached inside the reason",
    input: "HTTP/1.1 200 A very long reason phrase\r\n\r\n",
    limits: { maxHeadBytes: 20 },
    log: [err("HEAD_TOO_LARGE", 20)],
  },
  {
    name: "maxHeadBytes: applies to each head of a 1xx chain",
    input: `${CONTINUE}${EMPTY}`,
    limits: { maxHeadBytes: 38 },
    log: [head(100, "Continue", [], informational), head(200, "OK", [cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "maxHeadBytes: applies to each pipelined response",
    input: `${EMPTY}${EMPTY}`,
    requests: [{}, {}],
    limits: { maxHeadBytes: 38 },
    log: [head(200, "OK", [cl0], { cl: 0 }), DONE, head(200, "OK", [cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "maxHeadBytes: default 16384, a head of exactly 16384 bytes is fine",
    input: BIG_HEAD(16384),
    log: [head(200, "OK", [cl0, ["X", pad(16384 - 43)]], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "maxHeadBytes: default 16384, a head of 16385 bytes is HEAD_TOO_LARGE",
    input: BIG_HEAD(16385),
    log: [err("HEAD_TOO_LARGE", 16384)],
  },
  {
    name: "maxHeaderCount: exactly the limit is fine",
    input: `${OK}A: 1\r\nB: 2\r\n${CL0}\r\n`,
    limits: { maxHeaderCount: 3 },
    log: [head(200, "OK", [["A", "1"], ["B", "2"], cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "maxHeaderCount: one field over is TOO_MANY_HEADERS",
    input: `${OK}A: 1\r\nB: 2\r\n${CL0}\r\n`,
    limits: { maxHeaderCount: 2 },
    // found when the third field is complete: at the start of the next line
    log: [err("TOO_MANY_HEADERS", OK.length + 6 + 6 + CL0.length)],
  },
  {
    name: "maxHeaderCount: default 128 fields are fine",
    input: `${OK}${"X: 1\r\n".repeat(127)}${CL0}\r\n`,
    log: [head(200, "OK", [...Array.from({ length: 127 }, (): Field => ["X", "1"]), cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "maxHeaderCount: default, 129 fields is TOO_MANY_HEADERS",
    input: `${OK}${"X: 1\r\n".repeat(128)}${CL0}\r\n`,
    log: [err("TOO_MANY_HEADERS", OK.length + 6 * 128 + CL0.length)],
  },
  {
    name: "maxHeaderCount: counts trailer fields too",
    input: `${CH}0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n`,
    limits: { maxHeaderCount: 2 },
    log: [head(200, "OK", [te], { flags: "chunked" }), err("TOO_MANY_HEADERS", CH.length + 3 + 18)],
  },
  {
    name: "maxTrailerBytes: a trailer section of exactly the limit is fine",
    input: `${CH}0\r\nX: y\r\n\r\n`, // trailer section "X: y\r\n\r\n" is 8 bytes
    limits: { maxTrailerBytes: 8 },
    log: [head(200, "OK", [te], { flags: "chunked" }), trailers(["X", "y"]), DONE, EOF_IDLE],
  },
  {
    name: "maxTrailerBytes: one byte over is TRAILERS_TOO_LARGE",
    input: `${CH}0\r\nX: y\r\n\r\n`,
    limits: { maxTrailerBytes: 7 },
    log: [head(200, "OK", [te], { flags: "chunked" }), err("TRAILERS_TOO_LARGE", CH.length + 3 + 7)],
  },
  {
    name: "maxTrailerBytes: default 16384, exactly the limit is fine",
    input: `${CH}0\r\nX: ${pad(16384 - 7)}\r\n\r\n`,
    log: [head(200, "OK", [te], { flags: "chunked" }), trailers(["X", pad(16384 - 7)]), DONE, EOF_IDLE],
  },
  {
    name: "maxTrailerBytes: default 16384, one byte over is TRAILERS_TOO_LARGE",
    input: `${CH}0\r\nX: ${pad(16384 - 6)}\r\n\r\n`,
    log: [head(200, "OK", [te], { flags: "chunked" }), err("TRAILERS_TOO_LARGE", CH.length + 3 + 16384)],
  },
  {
    name: "maxChunkExtensionBytes: summed over the message, exactly the limit is fine",
    input: `${CH}5;a=b\r\nhello\r\n0;c=d\r\n\r\n`, // 4 + 4 extension bytes (';' included)
    limits: { maxChunkExtensionBytes: 8 },
    log: [head(200, "OK", [te], { flags: "chunked" }), body("hello"), DONE, EOF_IDLE],
  },
  {
    name: "maxChunkExtensionBytes: one byte over is CHUNK_EXTENSION_TOO_LARGE",
    input: `${CH}5;a=b\r\nhello\r\n0;c=d\r\n\r\n`,
    limits: { maxChunkExtensionBytes: 7 },
    log: [
      head(200, "OK", [te], { flags: "chunked" }),
      body("hello"),
      err("CHUNK_EXTENSION_TOO_LARGE", CH.length + 7 + 7 + 4), // the "d"
    ],
  },
  {
    name: "maxChunkExtensionBytes: counted per message",
    input: `${CH}1;abcd\r\nx\r\n0\r\n\r\n${CH}1;abcd\r\ny\r\n0\r\n\r\n`,
    requests: [{}, {}],
    limits: { maxChunkExtensionBytes: 6 },
    log: [
      head(200, "OK", [te], { flags: "chunked" }),
      body("x"),
      DONE,
      head(200, "OK", [te], { flags: "chunked" }),
      body("y"),
      DONE,
      EOF_IDLE,
    ],
  },
  {
    name: "maxChunkExtensionBytes: default 16384, exactly the limit is fine",
    input: `${CH}1;${pad(16383)}\r\nx\r\n0\r\n\r\n`,
    log: [head(200, "OK", [te], { flags: "chunked" }), body("x"), DONE, EOF_IDLE],
  },
  {
    name: "maxChunkExtensionBytes: default 16384, one byte over is CHUNK_EXTENSION_TOO_LARGE",
    input: `${CH}1;${pad(16384)}\r\nx\r\n0\r\n\r\n`,
    log: [head(200, "OK", [te], { flags: "chunked" }), err("CHUNK_EXTENSION_TOO_LARGE", CH.length + 1 + 16384)],
  },
];

// ---- Content-Length -----------------------------------------------------------------------

const contentLength: ParserCase[] = [
  {
    name: "Content-Length: a body",
    input: HELLO,
    log: [head(200, "OK", [cl5], { cl: 5 }), body("hello"), DONE, EOF_IDLE],
  },
  {
    name: "Content-Length: 0 is an empty body",
    input: EMPTY,
    log: [head(200, "OK", [cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "Content-Length: leading zeros",
    input: `${OK}Content-Length: 007\r\n\r\n1234567`,
    log: [head(200, "OK", [["Content-Length", "007"]], { cl: 7 }), body("1234567"), DONE, EOF_IDLE],
  },
  {
    name: "Content-Length: a list of identical values is folded",
    input: `${OK}Content-Length: 5, 5\r\n\r\nhello`,
    log: [head(200, "OK", [["Content-Length", "5, 5"]], { cl: 5 }), body("hello"), DONE, EOF_IDLE],
  },
  {
    name: "Content-Length: a list without spaces",
    input: `${OK}Content-Length: 5,5,5\r\n\r\nhello`,
    log: [head(200, "OK", [["Content-Length", "5,5,5"]], { cl: 5 }), body("hello"), DONE, EOF_IDLE],
  },
  {
    name: "Content-Length: identical lines in any letter case are folded",
    input: `${OK}Content-Length: 3\r\ncontent-length: 3\r\nCONTENT-LENGTH: 3\r\n\r\nabc`,
    log: [
      head(
        200,
        "OK",
        [
          ["Content-Length", "3"],
          ["content-length", "3"],
          ["CONTENT-LENGTH", "3"],
        ],
        { cl: 3 },
      ),
      body("abc"),
      DONE,
      EOF_IDLE,
    ],
  },
  {
    name: "Content-Length: differing values in a list is CONFLICTING_CONTENT_LENGTH",
    input: `${OK}Content-Length: 5, 6\r\n\r\nhello!`,
    log: [err("CONFLICTING_CONTENT_LENGTH", OK.length + 22)],
  },
  {
    name: "Content-Length: differing lines is CONFLICTING_CONTENT_LENGTH",
    input: `${OK}${CL5}Content-Length: 6\r\n\r\nhello!`,
    log: [err("CONFLICTING_CONTENT_LENGTH", OK.length + 19 + 19)],
  },
  {
    name: "Content-Length: differing lines in other letter cases is CONFLICTING_CONTENT_LENGTH",
    input: `${OK}content-length: 5\r\nContent-LENGTH: 50\r\n\r\nhello`,
    log: [err("CONFLICTING_CONTENT_LENGTH", OK.length + 19 + 20)],
  },
  {
    name: "Content-Length: +5 is INVALID_CONTENT_LENGTH",
    input: `${OK}Content-Length: +5\r\n\r\nhello`,
    log: [err("INVALID_CONTENT_LENGTH", OK.length + 20)],
  },
  {
    name: "Content-Length: -5 is INVALID_CONTENT_LENGTH",
    input: `${OK}Content-Length: -5\r\n\r\nhello`,
    log: [err("INVALID_CONTENT_LENGTH", OK.length + 20)],
  },
  {
    name: "Content-Length: '5 5' is INVALID_CONTENT_LENGTH",
    input: `${OK}Content-Length: 5 5\r\n\r\nhello`,
    log: [err("INVALID_CONTENT_LENGTH", OK.length + 21)],
  },
  {
    name: "Content-Length: 0x5 is INVALID_CONTENT_LENGTH",
    input: `${OK}Content-Length: 0x5\r\n\r\nhello`,
    log: [err("INVALID_CONTENT_LENGTH", OK.length + 21)],
  },
  {
    name: "Content-Length: empty is INVALID_CONTENT_LENGTH",
    input: `${OK}Content-Length:\r\n\r\nhello`,
    log: [err("INVALID_CONTENT_LENGTH", OK.length + 17)],
  },
  {
    name: "Content-Length: only whitespace is INVALID_CONTENT_LENGTH",
    input: `${OK}Content-Length:  \r\n\r\nhello`,
    log: [err("INVALID_CONTENT_LENGTH", OK.length + 19)],
  },
  {
    name: "Content-Length: 9007199254740991 is accepted",
    input: `${OK}Content-Length: 9007199254740991\r\n\r\nabc`,
    log: [
      head(200, "OK", [["Content-Length", "9007199254740991"]], { cl: 9007199254740991 }),
      body("abc"),
      eofErr("INCOMPLETE_BODY", OK.length + 34 + 2 + 3),
    ],
  },
  {
    name: "Content-Length: 9007199254740992 is CONTENT_LENGTH_OVERFLOW",
    input: `${OK}Content-Length: 9007199254740992\r\n\r\nabc`,
    log: [err("CONTENT_LENGTH_OVERFLOW", OK.length + 34)],
  },
  {
    name: "Content-Length: 20 digits is CONTENT_LENGTH_OVERFLOW",
    input: `${OK}Content-Length: 99999999999999999999\r\n\r\nabc`,
    log: [err("CONTENT_LENGTH_OVERFLOW", OK.length + 38)],
  },
];

// ---- Transfer-Encoding --------------------------------------------------------------------

const CHUNKS = "5\r\nhello\r\n0\r\n\r\n";

const transferEncoding: ParserCase[] = [
  {
    name: "Transfer-Encoding: chunked",
    input: `${CH}${CHUNKS}`,
    log: [head(200, "OK", [te], { flags: "chunked" }), body("hello"), DONE, EOF_IDLE],
  },
  {
    name: "Transfer-Encoding: CHUNKED in any case",
    input: `${OK}Transfer-Encoding: CHUNKED\r\n\r\n${CHUNKS}`,
    log: [head(200, "OK", [["Transfer-Encoding", "CHUNKED"]], { flags: "chunked" }), body("hello"), DONE, EOF_IDLE],
  },
  {
    name: "Transfer-Encoding: gzip, Chunked (chunked last)",
    input: `${OK}Transfer-Encoding: gzip, Chunked\r\n\r\n${CHUNKS}`,
    log: [
      head(200, "OK", [["Transfer-Encoding", "gzip, Chunked"]], { flags: "chunked" }),
      body("hello"),
      DONE,
      EOF_IDLE,
    ],
  },
  {
    name: "Transfer-Encoding: gzip alone is read to close",
    input: `${OK}Transfer-Encoding: gzip\r\n\r\nzipped`,
    log: [
      head(200, "OK", [["Transfer-Encoding", "gzip"]], { flags: "read-to-close", keepAlive: false }),
      body("zipped"),
      EOF_DONE,
    ],
  },
  {
    name: "Transfer-Encoding: chunked, gzip (chunked not last) is read to close",
    input: `${OK}Transfer-Encoding: chunked, gzip\r\n\r\n${CHUNKS}`,
    log: [
      head(200, "OK", [["Transfer-Encoding", "chunked, gzip"]], { flags: "read-to-close", keepAlive: false }),
      body(CHUNKS),
      EOF_DONE,
    ],
  },
  {
    name: "Transfer-Encoding: x-chunked is not chunked",
    input: `${OK}Transfer-Encoding: x-chunked\r\n\r\nabc`,
    log: [
      head(200, "OK", [["Transfer-Encoding", "x-chunked"]], { flags: "read-to-close", keepAlive: false }),
      body("abc"),
      EOF_DONE,
    ],
  },
  {
    name: "Transfer-Encoding: lines combine in order (gzip, then chunked)",
    input: `${OK}Transfer-Encoding: gzip\r\n${TE}\r\n${CHUNKS}`,
    log: [head(200, "OK", [["Transfer-Encoding", "gzip"], te], { flags: "chunked" }), body("hello"), DONE, EOF_IDLE],
  },
  {
    name: "Transfer-Encoding: lines combine in order (chunked, then gzip) is read to close",
    input: `${OK}${TE}Transfer-Encoding: gzip\r\n\r\nabc`,
    log: [
      head(200, "OK", [te, ["Transfer-Encoding", "gzip"]], { flags: "read-to-close", keepAlive: false }),
      body("abc"),
      EOF_DONE,
    ],
  },
  {
    name: "Transfer-Encoding: chunked, chunked is INVALID_TRANSFER_ENCODING",
    input: `${OK}Transfer-Encoding: chunked, chunked\r\n\r\n${CHUNKS}`,
    log: [err("INVALID_TRANSFER_ENCODING", OK.length + 37 + 1)], // the LF ending the head
  },
  {
    name: "Transfer-Encoding: chunked on two lines is INVALID_TRANSFER_ENCODING",
    input: `${OK}${TE}${TE}\r\n${CHUNKS}`,
    log: [err("INVALID_TRANSFER_ENCODING", OK.length + 28 + 28 + 1)],
  },
  {
    name: "Transfer-Encoding with Content-Length is TRANSFER_ENCODING_WITH_LENGTH",
    input: `${OK}${TE}${CL5}\r\n${CHUNKS}`,
    log: [err("TRANSFER_ENCODING_WITH_LENGTH", OK.length + 28 + 19 + 1)],
  },
  {
    name: "Transfer-Encoding gzip after Content-Length is TRANSFER_ENCODING_WITH_LENGTH",
    input: `${OK}${CL5}Transfer-Encoding: gzip\r\n\r\nhello`,
    log: [err("TRANSFER_ENCODING_WITH_LENGTH", OK.length + 19 + 25 + 1)],
  },
  {
    name: "Transfer-Encoding with Content-Length in a 204 is TRANSFER_ENCODING_WITH_LENGTH",
    input: `${NC}${TE}${CL0}\r\n`,
    log: [err("TRANSFER_ENCODING_WITH_LENGTH", NC.length + 28 + 19 + 1)],
  },
  {
    name: "Transfer-Encoding with Content-Length in a 304 is TRANSFER_ENCODING_WITH_LENGTH",
    input: `${NM}${TE}${CL5}\r\n`,
    log: [err("TRANSFER_ENCODING_WITH_LENGTH", NM.length + 28 + 19 + 1)],
  },
  {
    name: "Transfer-Encoding with Content-Length for a HEAD request is TRANSFER_ENCODING_WITH_LENGTH",
    input: `${OK}${TE}${CL5}\r\n`,
    requests: [HEAD],
    log: [err("TRANSFER_ENCODING_WITH_LENGTH", OK.length + 28 + 19 + 1)],
  },
  {
    name: "Transfer-Encoding: HTTP/1.0 chunked is never keep-alive",
    input: `${OK10}${TE}Connection: keep-alive\r\n\r\n${CHUNKS}`,
    log: [
      head(200, "OK", [te, ["Connection", "keep-alive"]], { version: "1.0", keepAlive: false, flags: "chunked" }),
      body("hello"),
      DONE,
      EOF_IDLE,
    ],
  },
];

// ---- responses without a body ---------------------------------------------------------------

const noBody: ParserCase[] = [
  {
    name: "no body: HEAD with Content-Length",
    input: `${OK}${CL5}\r\n`,
    requests: [HEAD],
    log: [head(200, "OK", [cl5], { cl: 5, flags: "no-body" }), DONE, EOF_IDLE],
  },
  {
    name: "no body: HEAD with Transfer-Encoding chunked",
    input: `${OK}${TE}\r\n`,
    requests: [HEAD],
    log: [head(200, "OK", [te], { flags: "no-body" }), DONE, EOF_IDLE],
  },
  {
    name: "no body: HEAD without framing headers is not read to close",
    input: `${OK}\r\n`,
    requests: [HEAD],
    log: [head(200, "OK", [], { flags: "no-body" }), DONE, EOF_IDLE],
  },
  {
    name: "no body: the bytes after a HEAD response are the next response",
    input: `${OK}${CL5}\r\n${HELLO}`,
    requests: [HEAD, {}],
    log: [
      head(200, "OK", [cl5], { cl: 5, flags: "no-body" }),
      DONE,
      head(200, "OK", [cl5], { cl: 5 }),
      body("hello"),
      DONE,
      EOF_IDLE,
    ],
  },
  {
    name: "no body: 204 with Content-Length; the bytes after it are a new response",
    input: `${NC}${CL5}\r\nhello`,
    log: [
      head(204, "No Content", [cl5], { cl: 5, flags: "no-body" }),
      DONE,
      err("UNSOLICITED_RESPONSE", NC.length + 19 + 2),
    ],
  },
  {
    name: "no body: 204 then a pipelined response",
    input: `${NC}${CL5}\r\n${HELLO}`,
    requests: [{}, {}],
    log: [
      head(204, "No Content", [cl5], { cl: 5, flags: "no-body" }),
      DONE,
      head(200, "OK", [cl5], { cl: 5 }),
      body("hello"),
      DONE,
      EOF_IDLE,
    ],
  },
  {
    name: "no body: 304 with Transfer-Encoding chunked",
    input: `${NM}${TE}\r\n`,
    log: [head(304, "Not Modified", [te], { flags: "no-body" }), DONE, EOF_IDLE],
  },
];

// ---- empty lines before a status line (RFC 9112 §2.2) ---------------------------------------

// Skipped while a response is expected (after expect(), and between a 1xx and the next head);
// bounded by maxHeadBytes, which they count toward. On an idle parser they are unsolicited.
const emptyLines: ParserCase[] = [
  {
    name: "empty lines: a leading CRLF is skipped",
    input: `\r\n${EMPTY}`,
    log: [head(200, "OK", [cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "empty lines: several CRLFs are skipped",
    input: `\r\n\r\n\r\n${HELLO}`,
    log: [head(200, "OK", [cl5], { cl: 5 }), body("hello"), DONE, EOF_IDLE],
  },
  {
    name: "empty lines: bare LFs, alone and mixed with CRLFs, are skipped",
    input: `\n\r\n\n${EMPTY}`,
    log: [head(200, "OK", [cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "empty lines: an extra CRLF after a 100 Continue is skipped",
    input: `${CONTINUE}\r\n${HELLO}`,
    log: [head(100, "Continue", [], informational), head(200, "OK", [cl5], { cl: 5 }), body("hello"), DONE, EOF_IDLE],
  },
  {
    name: "empty lines: between two keep-alive responses, after expect(), are skipped",
    input: `${HELLO}\r\n\r\n${HELLO}`,
    requests: [{}, {}],
    log: [
      head(200, "OK", [cl5], { cl: 5 }),
      body("hello"),
      DONE,
      head(200, "OK", [cl5], { cl: 5 }),
      body("hello"),
      DONE,
      EOF_IDLE,
    ],
  },
  {
    name: "empty lines: a CRLF after a response, without expect(), is UNSOLICITED_RESPONSE",
    input: `${HELLO}\r\n${HELLO}`,
    log: [head(200, "OK", [cl5], { cl: 5 }), body("hello"), DONE, err("UNSOLICITED_RESPONSE", HELLO.length)],
  },
  {
    name: "empty lines: a bare LF before any expect() is UNSOLICITED_RESPONSE",
    input: "\n",
    requests: [],
    log: [err("UNSOLICITED_RESPONSE", 0)],
  },
  {
    name: "empty lines: the head starts after them (fields and reason read from the right bytes)",
    input: `\r\n\r\nHTTP/1.1 201 Created\r\nX-A: b\r\n${CL0}\r\n`,
    log: [head(201, "Created", [["X-A", "b"], cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "empty lines: a lone CR is LF_EXPECTED",
    input: `\r${EMPTY}`,
    log: [err("LF_EXPECTED", 1)],
  },
  {
    name: "empty lines: CR CR LF is LF_EXPECTED",
    input: `\r\r\n${EMPTY}`,
    log: [err("LF_EXPECTED", 1)],
  },
  {
    name: "empty lines: a lone CR after a CRLF, before a 1xx's successor, is LF_EXPECTED",
    input: `${CONTINUE}\r\n\r${EMPTY}`,
    log: [head(100, "Continue", [], informational), err("LF_EXPECTED", CONTINUE.length + 3)],
  },
  {
    name: "empty lines: SP after an empty line is INVALID_VERSION",
    input: `\r\n ${EMPTY}`,
    log: [err("INVALID_VERSION", 2)],
  },
  {
    name: "empty lines: EOF after only empty lines is CLOSED_BEFORE_RESPONSE",
    input: "\r\n\n\r",
    log: [eofErr("CLOSED_BEFORE_RESPONSE", 4)],
  },
  {
    name: "empty lines: EOF after a 1xx and empty lines is INCOMPLETE_HEAD",
    input: `${CONTINUE}\r\n`,
    log: [head(100, "Continue", [], informational), eofErr("INCOMPLETE_HEAD", CONTINUE.length + 2)],
  },
  {
    name: "empty lines: they count toward maxHeadBytes (head + empty lines exactly the limit)",
    input: `\r\n\n${EMPTY}`,
    limits: { maxHeadBytes: 38 + 3 },
    log: [head(200, "OK", [cl0], { cl: 0 }), DONE, EOF_IDLE],
  },
  {
    name: "empty lines: they count toward maxHeadBytes (one byte over is HEAD_TOO_LARGE)",
    input: `\r\n\n${EMPTY}`,
    limits: { maxHeadBytes: 38 + 2 },
    log: [err("HEAD_TOO_LARGE", 38 + 2)],
  },
  {
    name: "empty lines: more empty lines than maxHeadBytes is HEAD_TOO_LARGE",
    input: `${"\r\n".repeat(40)}${EMPTY}`,
    limits: { maxHeadBytes: 64 },
    log: [err("HEAD_TOO_LARGE", 64)],
  },
  {
    name: "empty lines: default limit, 16400 bytes of CRLF before a status line is HEAD_TOO_LARGE at 16384",
    input: `${"\r\n".repeat(8200)}${EMPTY}`,
    log: [err("HEAD_TOO_LARGE", 16384)],
  },
  {
    name: "empty lines: after a 1xx they count toward the next head's limit",
    input: `${CONTINUE}\r\n${EMPTY}`,
    limits: { maxHeadBytes: 38 + 1 },
    log: [head(100, "Continue", [], informational), err("HEAD_TOO_LARGE", CONTINUE.length + 39)],
  },
];

// ---- 1xx, 101 and CONNECT -------------------------------------------------------------------

const SWITCHING = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"; // 77
const switchingHead = head(
  101,
  "Switching Protocols",
  [
    ["Upgrade", "websocket"],
    ["Connection", "Upgrade"],
  ],
  { keepAlive: false, flags: "no-body upgrade" },
);
const ESTABLISHED = "HTTP/1.1 200 Connection established\r\n\r\n"; // 39

const interim: ParserCase[] = [
  {
    name: "1xx: 100 Continue, then the final head",
    input: `${CONTINUE}${HELLO}`,
    log: [head(100, "Continue", [], informational), head(200, "OK", [cl5], { cl: 5 }), body("hello"), DONE, EOF_IDLE],
  },
  {
    name: "1xx: any number of them (103 with fields, 100, 102)",
    input: `HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n${CONTINUE}HTTP/1.1 102 Processing\r\n\r\n${HELLO}`,
    log: [
      head(103, "Early Hints", [["Link", "</a.css>; rel=preload"]], informational),
      head(100, "Continue", [], informational),
      head(102, "Processing", [], informational),
      head(200, "OK", [cl5], { cl: 5 }),
      body("hello"),
      DONE,
      EOF_IDLE,
    ],
  },
  {
    name: "1xx: a Content-Length in a 1xx frames nothing",
    input: `HTTP/1.1 100 Continue\r\n${CL5}\r\n${HELLO}`,
    log: [
      head(100, "Continue", [cl5], { ...informational, cl: 5 }),
      head(200, "OK", [cl5], { cl: 5 }),
      body("hello"),
      DONE,
      EOF_IDLE,
    ],
  },
  {
    name: "1xx: before the final head of a HEAD request",
    input: `${CONTINUE}${OK}${CL5}\r\n`,
    requests: [HEAD],
    log: [
      head(100, "Continue", [], informational),
      head(200, "OK", [cl5], { cl: 5, flags: "no-body" }),
      DONE,
      EOF_IDLE,
    ],
  },
  {
    name: "1xx: EOF after a 1xx is INCOMPLETE_HEAD",
    input: CONTINUE,
    log: [head(100, "Continue", [], informational), eofErr("INCOMPLETE_HEAD", CONTINUE.length)],
  },
  {
    name: "101: Upgrade event; the bytes after the head are the other protocol's",
    input: `${SWITCHING}\x81\x05hello`,
    log: [switchingHead, upgrade(SWITCHING.length, "\x81\x05hello")],
  },
  {
    name: "101: nothing after the head",
    input: SWITCHING,
    log: [switchingHead, upgrade(SWITCHING.length, "")],
  },
  {
    name: "101: after a 100 Continue",
    input: `${CONTINUE}${SWITCHING}HTTP/1.1 200 OK\r\n`,
    log: [head(100, "Continue", [], informational), switchingHead, upgrade(CONTINUE.length + 77, OK)],
  },
  {
    name: "CONNECT: a 2xx opens a tunnel",
    input: `${ESTABLISHED}SSH-2.0-x\r\n`,
    requests: [CONNECT],
    log: [
      head(200, "Connection established", [], { keepAlive: false, flags: "no-body upgrade" }),
      upgrade(ESTABLISHED.length, "SSH-2.0-x\r\n"),
    ],
  },
  {
    name: "CONNECT: a 2xx with Content-Length still opens a tunnel",
    input: HELLO,
    requests: [CONNECT],
    log: [head(200, "OK", [cl5], { cl: 5, keepAlive: false, flags: "no-body upgrade" }), upgrade(38, "hello")],
  },
  {
    name: "CONNECT: a non-2xx is an ordinary response",
    input: `HTTP/1.1 407 Proxy Authentication Required\r\n${CL5}\r\nhello`,
    requests: [CONNECT],
    log: [head(407, "Proxy Authentication Required", [cl5], { cl: 5 }), body("hello"), DONE, EOF_IDLE],
  },
  {
    name: "CONNECT: not a CONNECT request, a 200 with Upgrade fields is ordinary",
    input: `${OK}Upgrade: websocket\r\nConnection: Upgrade\r\n${CL5}\r\nhello`,
    log: [
      head(200, "OK", [["Upgrade", "websocket"], ["Connection", "Upgrade"], cl5], { cl: 5 }),
      body("hello"),
      DONE,
      EOF_IDLE,
    ],
  },
];

// ---- read to close ------------------------------------------------------------------------

const readToClose: ParserCase[] = [
  {
    name: "read to close: no Content-Length or Transfer-Encoding, HTTP/1.1",
    input: `${OK}X: y\r\n\r\nsome body\r\nHTTP/1.1 200 OK\r\n\r\n`,
    log: [
      head(200, "OK", [["X", "y"]], { keepAlive: false, flags: "read-to-close" }),
      body("some body\r\nHTTP/1.1 200 OK\r\n\r\n"),
      EOF_DONE,
    ],
  },
  {
    name: "read to close: an empty body",
    input: `${OK}\r\n`,
    log: [head(200, "OK", [], { keepAlive: false, flags: "read-to-close" }), EOF_DONE],
  },
  {
    name: "read to close: HTTP/1.0 with keep-alive is still not keep-alive",
    input: `${OK10}Connection: keep-alive\r\n\r\nabc`,
    log: [
      head(200, "OK", [["Connection", "keep-alive"]], { version: "1.0", keepAlive: false, flags: "read-to-close" }),
      body("abc"),
      EOF_DONE,
    ],
  },
];

// ---- keep-alive ---------------------------------------------------------------------------

function keepAliveCase(version: "1.0" | "1.1", connection: string[], keepAlive: boolean): ParserCase {
  const lines = connection.map((v) => `Connection: ${v}\r\n`).join("");
  const fields = connection.map((v): Field => ["Connection", v]);
  const shown = connection.length === 0 ? "no Connection" : connection.map((v) => `"${v}"`).join(" + ");
  return {
    name: `keep-alive: HTTP/${version} with ${shown} is ${keepAlive ? "" : "not "}keep-alive`,
    input: `HTTP/${version} 200 OK\r\n${lines}${CL0}\r\n`,
    log: [head(200, "OK", [...fields, cl0], { version, keepAlive, cl: 0 }), DONE, EOF_IDLE],
  };
}

const keepAlive: ParserCase[] = [
  keepAliveCase("1.1", [], true),
  keepAliveCase("1.1", ["keep-alive"], true),
  keepAliveCase("1.1", ["close"], false),
  keepAliveCase("1.1", ["CLOSE"], false),
  keepAliveCase("1.1", ["keep-alive, Close"], false),
  keepAliveCase("1.1", ["Upgrade,close"], false),
  keepAliveCase("1.1", ["keep-alive", "close"], false),
  keepAliveCase("1.1", ["closed"], true),
  keepAliveCase("1.1", ["close-x, xclose"], true),
  keepAliveCase("1.0", [], false),
  keepAliveCase("1.0", ["keep-alive"], true),
  keepAliveCase("1.0", ["Keep-Alive"], true),
  keepAliveCase("1.0", ["foo, keep-alive"], true),
  keepAliveCase("1.0", ["keep-alive, close"], false),
  keepAliveCase("1.0", ["keep-alive", "close"], false),
  keepAliveCase("1.0", ["keep-alives"], false),
];

// ---- chunked bodies -----------------------------------------------------------------------

const chunkedHead = head(200, "OK", [te], { flags: "chunked" });
const SEVENTY = Array.from({ length: 70 }, (_, i) => String.fromCharCode(0x21 + i)); // "!" .. "f"

const chunked: ParserCase[] = [
  {
    name: "chunked: hex sizes in both cases",
    input: `${CH}a\r\n0123456789\r\nA\r\nabcdefghij\r\n1F\r\n${pad(31)}\r\n1f\r\n${"b".repeat(31)}\r\n0\r\n\r\n`,
    log: [chunkedHead, body(`0123456789abcdefghij${pad(31)}${"b".repeat(31)}`), DONE, EOF_IDLE],
  },
  {
    name: "chunked: leading zeros",
    input: `${CH}0005\r\nhello\r\n00000000000000000000000001\r\n!\r\n000\r\n\r\n`,
    log: [chunkedHead, body("hello!"), DONE, EOF_IDLE],
  },
  {
    name: "chunked: extensions (token values, quoted-strings with SP, HTAB, obs-text and quoted-pairs; several; on the last chunk)",
    input: `${CH}5;a=b;c\r\nhello\r\n1;name="x y\tz"\r\n!\r\n1;x="\xe9\xff";q="a\\"b"\r\n?\r\n0;last\r\n\r\n`,
    log: [chunkedHead, body("hello!?"), DONE, EOF_IDLE],
  },
  {
    name: "chunked: BWS around ';' and '=' is accepted (RFC 9112 §7.1.1, RFC 9110 §5.6.3)",
    input: `${CH}5 ; a = b\t;c\r\nhello\r\n0\t;\tz\r\n\r\n`,
    log: [chunkedHead, body("hello"), DONE, EOF_IDLE],
  },
  {
    name: "chunked: BWS after an extension, before CRLF, is INVALID_CHUNK_EXTENSION (BWS only precedes ';' or '=')",
    input: `${CH}5;a=b \r\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, err("INVALID_CHUNK_EXTENSION", CH.length + 6)],
  },
  {
    name: "chunked: BWS after a quoted value, then ';', is accepted",
    input: `${CH}5;a="b" ;c\r\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, body("hello"), DONE, EOF_IDLE],
  },
  {
    name: "chunked: an extension with no name is INVALID_CHUNK_EXTENSION",
    input: `${CH}5;\r\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, err("INVALID_CHUNK_EXTENSION", CH.length + 2)],
  },
  {
    name: "chunked: '=' with no name is INVALID_CHUNK_EXTENSION",
    input: `${CH}5;=b\r\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, err("INVALID_CHUNK_EXTENSION", CH.length + 2)],
  },
  {
    name: "chunked: '=' with no value is INVALID_CHUNK_EXTENSION",
    input: `${CH}5;a=\r\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, err("INVALID_CHUNK_EXTENSION", CH.length + 4)],
  },
  {
    name: "chunked: two tokens in a value is INVALID_CHUNK_EXTENSION",
    input: `${CH}5;a=b c\r\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, err("INVALID_CHUNK_EXTENSION", CH.length + 6)],
  },
  {
    name: "chunked: a comma in an extension is INVALID_CHUNK_EXTENSION",
    input: `${CH}5;a,b\r\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, err("INVALID_CHUNK_EXTENSION", CH.length + 3)],
  },
  {
    name: "chunked: obs-text outside a quoted-string is INVALID_CHUNK_EXTENSION",
    input: `${CH}5;x=\xe9\r\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, err("INVALID_CHUNK_EXTENSION", CH.length + 4)],
  },
  {
    name: "chunked: an unterminated quoted-string is INVALID_CHUNK_EXTENSION at the CR",
    input: `${CH}5;a="b\r\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, err("INVALID_CHUNK_EXTENSION", CH.length + 6)],
  },
  {
    name: "chunked: a control in a quoted-string is INVALID_CHUNK_EXTENSION",
    input: `${CH}5;a="b\x01"\r\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, err("INVALID_CHUNK_EXTENSION", CH.length + 6)],
  },
  {
    name: "chunked: 70 one-byte chunks in one feed (more than the engine's 64-span table)",
    input: `${CH}${SEVENTY.map((c) => `1\r\n${c}\r\n`).join("")}0\r\n\r\n`,
    log: [chunkedHead, body(SEVENTY.join("")), DONE, EOF_IDLE],
  },
  {
    name: "chunked: SP after the size with no extension is INVALID_CHUNK_SIZE (at the CR)",
    input: `${CH}5 \r\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, err("INVALID_CHUNK_SIZE", CH.length + 2)],
  },
  {
    name: "chunked: a token after the size and SP is INVALID_CHUNK_SIZE",
    input: `${CH}5 a\r\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, err("INVALID_CHUNK_SIZE", CH.length + 2)],
  },
  {
    name: "chunked: SP before the size is INVALID_CHUNK_SIZE",
    input: `${CH} 5\r\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, err("INVALID_CHUNK_SIZE", CH.length)],
  },
  {
    name: "chunked: SP before ';' is BWS, accepted",
    input: `${CH}5 ;a=b\r\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, body("hello"), DONE, EOF_IDLE],
  },
  {
    name: "chunked: HTAB after the size with no extension is INVALID_CHUNK_SIZE (at the CR)",
    input: `${CH}5\t\r\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, err("INVALID_CHUNK_SIZE", CH.length + 2)],
  },
  {
    name: "chunked: an empty size line is INVALID_CHUNK_SIZE",
    input: `${CH}\r\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, err("INVALID_CHUNK_SIZE", CH.length)],
  },
  {
    name: "chunked: a non-hex size is INVALID_CHUNK_SIZE",
    input: `${CH}g\r\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, err("INVALID_CHUNK_SIZE", CH.length)],
  },
  {
    name: "chunked: 0x5 is INVALID_CHUNK_SIZE",
    input: `${CH}0x5\r\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, err("INVALID_CHUNK_SIZE", CH.length + 1)],
  },
  {
    name: "chunked: -1 is INVALID_CHUNK_SIZE",
    input: `${CH}-1\r\nh\r\n0\r\n\r\n`,
    log: [chunkedHead, err("INVALID_CHUNK_SIZE", CH.length)],
  },
  {
    name: "chunked: bare LF after the size is INVALID_CHUNK_SIZE",
    input: `${CH}5\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, err("INVALID_CHUNK_SIZE", CH.length + 1)],
  },
  {
    name: "chunked: NUL in an extension is INVALID_CHUNK_EXTENSION",
    input: `${CH}5;a\x00\r\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, err("INVALID_CHUNK_EXTENSION", CH.length + 3)],
  },
  {
    name: "chunked: DEL in an extension is INVALID_CHUNK_EXTENSION",
    input: `${CH}5;a\x7f\r\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, err("INVALID_CHUNK_EXTENSION", CH.length + 3)],
  },
  {
    name: "chunked: bare LF in an extension is INVALID_CHUNK_EXTENSION",
    input: `${CH}5;a\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, err("INVALID_CHUNK_EXTENSION", CH.length + 3)],
  },
  {
    name: "chunked: 1fffffffffffff (2^53-1) is accepted",
    input: `${CH}1fffffffffffff\r\nabc`,
    log: [chunkedHead, body("abc"), eofErr("INCOMPLETE_BODY", CH.length + 16 + 3)],
  },
  {
    name: "chunked: 20000000000000 (2^53) is CHUNK_SIZE_OVERFLOW",
    input: `${CH}20000000000000\r\nabc`,
    log: [chunkedHead, err("CHUNK_SIZE_OVERFLOW", CH.length + 13)],
  },
  {
    name: "chunked: leading zeros do not count towards overflow",
    input: `${CH}000000001fffffffffffff\r\nabc`,
    log: [chunkedHead, body("abc"), eofErr("INCOMPLETE_BODY", CH.length + 24 + 3)],
  },
  {
    name: "chunked: 18 hex digits is CHUNK_SIZE_OVERFLOW",
    input: `${CH}ffffffffffffffffff\r\nabc`,
    log: [chunkedHead, err("CHUNK_SIZE_OVERFLOW", CH.length + 13)],
  },
  {
    name: "chunked: data not followed by CRLF is INVALID_CHUNK_DATA_END",
    input: `${CH}5\r\nhelloX\r\n0\r\n\r\n`,
    log: [chunkedHead, body("hello"), err("INVALID_CHUNK_DATA_END", CH.length + 8)],
  },
  {
    name: "chunked: data followed by CR and not LF is INVALID_CHUNK_DATA_END",
    input: `${CH}5\r\nhello\rX\n0\r\n\r\n`,
    log: [chunkedHead, body("hello"), err("INVALID_CHUNK_DATA_END", CH.length + 9)],
  },
  {
    name: "chunked: data followed by a bare LF is INVALID_CHUNK_DATA_END",
    input: `${CH}5\r\nhello\n0\r\n\r\n`,
    log: [chunkedHead, body("hello"), err("INVALID_CHUNK_DATA_END", CH.length + 8)],
  },
  {
    name: "chunked: more data than the size is INVALID_CHUNK_DATA_END",
    input: `${CH}4\r\nhello\r\n0\r\n\r\n`,
    log: [chunkedHead, body("hell"), err("INVALID_CHUNK_DATA_END", CH.length + 7)],
  },
  {
    name: "chunked: CR not followed by LF after the size is LF_EXPECTED",
    input: `${CH}5\rXhello\r\n0\r\n\r\n`,
    log: [chunkedHead, err("LF_EXPECTED", CH.length + 2)],
  },
  {
    name: "chunked: CR not followed by LF after an extension is LF_EXPECTED",
    input: `${CH}5;e\rXhello\r\n0\r\n\r\n`,
    log: [chunkedHead, err("LF_EXPECTED", CH.length + 4)],
  },
  {
    name: "chunked: CR not followed by LF after the last chunk's size is LF_EXPECTED",
    input: `${CH}0\rX\r\n`,
    log: [chunkedHead, err("LF_EXPECTED", CH.length + 2)],
  },
  {
    name: "chunked: trailers, kept apart from the head",
    input: `${CH}5\r\nhello\r\n0\r\nX-T: 1\r\nx-u:  two \r\n\r\n`,
    log: [chunkedHead, body("hello"), trailers(["X-T", "1"], ["x-u", "two"]), DONE, EOF_IDLE],
  },
  {
    name: "chunked: trailers never change framing (the next response is parsed as usual)",
    input: `${CH}${CHUNKS.slice(0, -2)}Content-Length: 99\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${HELLO}`,
    requests: [{}, {}],
    log: [
      chunkedHead,
      body("hello"),
      trailers(["Content-Length", "99"], te, ["Connection", "close"]),
      DONE,
      head(200, "OK", [cl5], { cl: 5 }),
      body("hello"),
      DONE,
      EOF_IDLE,
    ],
  },
  {
    name: "chunked: an invalid trailer name is INVALID_HEADER_NAME",
    input: `${CH}0\r\nX Y: 1\r\n\r\n`,
    log: [chunkedHead, err("INVALID_HEADER_NAME", CH.length + 3 + 1)],
  },
  {
    name: "chunked: an invalid trailer value is INVALID_HEADER_VALUE",
    input: `${CH}0\r\nX: a\x00\r\n\r\n`,
    log: [chunkedHead, err("INVALID_HEADER_VALUE", CH.length + 3 + 4)],
  },
  {
    name: "chunked: a bare CR in the trailers is LF_EXPECTED",
    input: `${CH}0\r\nX: a\rb\r\n\r\n`,
    log: [chunkedHead, err("LF_EXPECTED", CH.length + 3 + 5)],
  },
];

// ---- EOF (finish) -------------------------------------------------------------------------

const eof: ParserCase[] = [
  { name: "EOF: before any byte is CLOSED_BEFORE_RESPONSE", input: "", log: [eofErr("CLOSED_BEFORE_RESPONSE", 0)] },
  { name: "EOF: after one byte is INCOMPLETE_HEAD", input: "H", log: [eofErr("INCOMPLETE_HEAD", 1)] },
  { name: "EOF: after the status line is INCOMPLETE_HEAD", input: OK, log: [eofErr("INCOMPLETE_HEAD", 17)] },
  {
    name: "EOF: before the LF of the blank line is INCOMPLETE_HEAD",
    input: `${OK}${CL0}\r`,
    log: [eofErr("INCOMPLETE_HEAD", 37)],
  },
  {
    name: "EOF: a short Content-Length body is INCOMPLETE_BODY",
    input: `${OK}Content-Length: 10\r\n\r\nhello`,
    log: [head(200, "OK", [["Content-Length", "10"]], { cl: 10 }), body("hello"), eofErr("INCOMPLETE_BODY", 44)],
  },
  {
    name: "EOF: right after a head with Content-Length is INCOMPLETE_BODY",
    input: `${OK}${CL5}\r\n`,
    log: [head(200, "OK", [cl5], { cl: 5 }), eofErr("INCOMPLETE_BODY", 38)],
  },
  {
    name: "EOF: right after a chunked head is INCOMPLETE_BODY",
    input: CH,
    log: [chunkedHead, eofErr("INCOMPLETE_BODY", CH.length)],
  },
  {
    name: "EOF: inside a chunk size is INCOMPLETE_BODY",
    input: `${CH}5`,
    log: [chunkedHead, eofErr("INCOMPLETE_BODY", CH.length + 1)],
  },
  {
    name: "EOF: inside a chunk extension is INCOMPLETE_BODY",
    input: `${CH}5;ab`,
    log: [chunkedHead, eofErr("INCOMPLETE_BODY", CH.length + 4)],
  },
  {
    name: "EOF: inside chunk data is INCOMPLETE_BODY",
    input: `${CH}5\r\nhel`,
    log: [chunkedHead, body("hel"), eofErr("INCOMPLETE_BODY", CH.length + 6)],
  },
  {
    name: "EOF: before the CRLF after chunk data is INCOMPLETE_BODY",
    input: `${CH}5\r\nhello`,
    log: [chunkedHead, body("hello"), eofErr("INCOMPLETE_BODY", CH.length + 8)],
  },
  {
    name: "EOF: before the LF after chunk data is INCOMPLETE_BODY",
    input: `${CH}5\r\nhello\r`,
    log: [chunkedHead, body("hello"), eofErr("INCOMPLETE_BODY", CH.length + 9)],
  },
  {
    name: "EOF: after the last chunk is INCOMPLETE_BODY",
    input: `${CH}5\r\nhello\r\n0\r\n`,
    log: [chunkedHead, body("hello"), eofErr("INCOMPLETE_BODY", CH.length + 13)],
  },
  {
    name: "EOF: inside the trailers is INCOMPLETE_BODY",
    input: `${CH}0\r\nX: 1\r\n`,
    log: [chunkedHead, eofErr("INCOMPLETE_BODY", CH.length + 9)],
  },
  {
    name: "EOF: before the LF ending the trailers is INCOMPLETE_BODY",
    input: `${CH}0\r\n\r`,
    log: [chunkedHead, eofErr("INCOMPLETE_BODY", CH.length + 4)],
  },
  {
    name: "EOF: when the next response has not started is CLOSED_BEFORE_RESPONSE",
    input: HELLO,
    requests: [{}, {}],
    log: [head(200, "OK", [cl5], { cl: 5 }), body("hello"), DONE, eofErr("CLOSED_BEFORE_RESPONSE", 43)],
  },
];

// ---- unsolicited bytes and pipelining -----------------------------------------------------

const pipelining: ParserCase[] = [
  {
    name: "unsolicited: bytes before any expect()",
    input: EMPTY,
    requests: [],
    log: [err("UNSOLICITED_RESPONSE", 0)],
  },
  {
    name: "unsolicited: a second response without expect()",
    input: `${HELLO}${HELLO}`,
    log: [head(200, "OK", [cl5], { cl: 5 }), body("hello"), DONE, err("UNSOLICITED_RESPONSE", 43)],
  },
  {
    name: "unsolicited: a stray CRLF after a chunked body",
    input: `${CH}${CHUNKS}\r\n`,
    log: [chunkedHead, body("hello"), DONE, err("UNSOLICITED_RESPONSE", CH.length + CHUNKS.length)],
  },
  {
    name: "unsolicited: more body bytes than Content-Length",
    input: `${HELLO}!`,
    log: [head(200, "OK", [cl5], { cl: 5 }), body("hello"), DONE, err("UNSOLICITED_RESPONSE", 43)],
  },
  {
    name: "pipelined: Content-Length, chunked with trailers, 1xx + 204, then read to close",
    input: `${HELLO}${CH}3\r\nabc\r\n0\r\nT: v\r\n\r\n${CONTINUE}${NC}\r\nHTTP/1.0 200 OK\r\n\r\nlast`,
    requests: [{}, {}, {}, {}],
    log: [
      head(200, "OK", [cl5], { cl: 5 }),
      body("hello"),
      DONE,
      chunkedHead,
      body("abc"),
      trailers(["T", "v"]),
      DONE,
      head(100, "Continue", [], informational),
      head(204, "No Content", [], { flags: "no-body" }),
      DONE,
      head(200, "OK", [], { version: "1.0", keepAlive: false, flags: "read-to-close" }),
      body("last"),
      EOF_DONE,
    ],
  },
  {
    name: "pipelined: HEAD, GET, HEAD",
    input: `${OK}${CL5}\r\n${HELLO}${OK}${TE}\r\n`,
    requests: [HEAD, {}, HEAD],
    log: [
      head(200, "OK", [cl5], { cl: 5, flags: "no-body" }),
      DONE,
      head(200, "OK", [cl5], { cl: 5 }),
      body("hello"),
      DONE,
      head(200, "OK", [te], { flags: "no-body" }),
      DONE,
      EOF_IDLE,
    ],
  },
  {
    name: "pipelined: three responses when two were expected",
    input: `${EMPTY}${EMPTY}${EMPTY}`,
    requests: [{}, {}],
    log: [
      head(200, "OK", [cl0], { cl: 0 }),
      DONE,
      head(200, "OK", [cl0], { cl: 0 }),
      DONE,
      err("UNSOLICITED_RESPONSE", 76),
    ],
  },
];

export const PARSER_CASES: ParserCase[] = [
  ...statusLine,
  ...headerNames,
  ...headerValues,
  ...obsFold,
  ...limits,
  ...contentLength,
  ...transferEncoding,
  ...noBody,
  ...emptyLines,
  ...interim,
  ...readToClose,
  ...keepAlive,
  ...chunked,
  ...eof,
  ...pipelining,
];

// ---- request writer -----------------------------------------------------------------------

export interface WriterCase {
  name: string;
  method: string;
  target: string;
  headers: Array<[string, string]>;
  /** The head written (latin1), or the SerializeError expected. */
  out?: string;
  error?: { code: string; field: string; headerIndex: number; offset: number };
}

const methodErr = (offset: number) => ({ code: "INVALID_METHOD", field: "method", headerIndex: -1, offset });
const targetErr = (offset: number) => ({ code: "INVALID_TARGET", field: "target", headerIndex: -1, offset });
const nameErr = (headerIndex: number, offset: number) => ({
  code: "INVALID_REQUEST_HEADER_NAME",
  field: "header name",
  headerIndex,
  offset,
});
const valueErr = (headerIndex: number, offset: number) => ({
  code: "INVALID_REQUEST_HEADER_VALUE",
  field: "header value",
  headerIndex,
  offset,
});

export const WRITER_CASES: WriterCase[] = [
  { name: "no fields", method: "GET", target: "/", headers: [], out: "GET / HTTP/1.1\r\n\r\n" },
  {
    name: "fields in order, names and values as given",
    method: "POST",
    target: "/a/b?c=d&e=%20",
    headers: [
      ["Host", "example.com"],
      ["content-type", "text/plain; charset=utf-8"],
      ["X-Dup", "1"],
      ["X-Dup", "2"],
    ],
    out: "POST /a/b?c=d&e=%20 HTTP/1.1\r\nHost: example.com\r\ncontent-type: text/plain; charset=utf-8\r\nX-Dup: 1\r\nX-Dup: 2\r\n\r\n",
  },
  {
    name: "empty value",
    method: "GET",
    target: "/",
    headers: [["X-Empty", ""]],
    out: "GET / HTTP/1.1\r\nX-Empty: \r\n\r\n",
  },
  {
    name: "obs-text value is written as one byte per char, HTAB kept",
    method: "GET",
    target: "/",
    headers: [["X", "caf\xe9\t\x80\xff"]],
    out: "GET / HTTP/1.1\r\nX: caf\xe9\t\x80\xff\r\n\r\n",
  },
  {
    name: "token methods and names: every tchar",
    method: "M-SEARCH!#$%&'*+.^_`|~",
    target: "*",
    headers: [["!#$%&'*+-.^_`|~09azAZ", "v"]],
    out: "M-SEARCH!#$%&'*+.^_`|~ * HTTP/1.1\r\n!#$%&'*+-.^_`|~09azAZ: v\r\n\r\n",
  },
  {
    name: "absolute-form and authority-form targets",
    method: "CONNECT",
    target: "example.com:443",
    headers: [["Host", "example.com:443"]],
    out: "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
  },
  {
    name: "target with every visible ASCII byte",
    method: "GET",
    target: Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join(""),
    headers: [],
    out: `GET ${Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join("")} HTTP/1.1\r\n\r\n`,
  },
  { name: "empty method", method: "", target: "/", headers: [], error: methodErr(0) },
  { name: "SP in the method", method: "GE T", target: "/", headers: [], error: methodErr(2) },
  { name: "separator in the method", method: "G(T", target: "/", headers: [], error: methodErr(1) },
  { name: "Latin-1 letter in the method", method: "G\xc9T", target: "/", headers: [], error: methodErr(1) },
  { name: "char above U+00FF in the method", method: "G\u0100T", target: "/", headers: [], error: methodErr(1) },
  { name: "empty target", method: "GET", target: "", headers: [], error: targetErr(0) },
  { name: "SP in the target", method: "GET", target: "/a b", headers: [], error: targetErr(2) },
  { name: "HTAB in the target", method: "GET", target: "/a\tb", headers: [], error: targetErr(2) },
  { name: "CRLF in the target", method: "GET", target: "/\r\nX: y", headers: [], error: targetErr(1) },
  { name: "NUL in the target", method: "GET", target: "/\x00", headers: [], error: targetErr(1) },
  { name: "DEL in the target", method: "GET", target: "/\x7f", headers: [], error: targetErr(1) },
  { name: "obs-text in the target", method: "GET", target: "/caf\xe9", headers: [], error: targetErr(4) },
  { name: "char above U+00FF in the target", method: "GET", target: "/\u2603", headers: [], error: targetErr(1) },
  {
    name: "empty header name",
    method: "GET",
    target: "/",
    headers: [
      ["A", "1"],
      ["", "v"],
    ],
    error: nameErr(1, 0),
  },
  { name: "SP in a header name", method: "GET", target: "/", headers: [["X A", "v"]], error: nameErr(0, 1) },
  { name: "colon in a header name", method: "GET", target: "/", headers: [["X:", "v"]], error: nameErr(0, 1) },
  { name: "obs-text in a header name", method: "GET", target: "/", headers: [["X\xe9", "v"]], error: nameErr(0, 1) },
  {
    name: "char above U+00FF in a header name",
    method: "GET",
    target: "/",
    headers: [
      ["A", "1"],
      ["B", "2"],
      ["X\u0100", "v"],
    ],
    error: nameErr(2, 1),
  },
  { name: "CR in a header value", method: "GET", target: "/", headers: [["X", "a\rb"]], error: valueErr(0, 1) },
  {
    name: "CRLF in a header value (header injection)",
    method: "GET",
    target: "/",
    headers: [
      ["A", "1"],
      ["X", "a\r\nEvil: 1"],
    ],
    error: valueErr(1, 1),
  },
  { name: "LF in a header value", method: "GET", target: "/", headers: [["X", "\n"]], error: valueErr(0, 0) },
  { name: "NUL in a header value", method: "GET", target: "/", headers: [["X", "ab\x00"]], error: valueErr(0, 2) },
  { name: "SOH in a header value", method: "GET", target: "/", headers: [["X", "\x01"]], error: valueErr(0, 0) },
  { name: "US in a header value", method: "GET", target: "/", headers: [["X", "a\x1f"]], error: valueErr(0, 1) },
  { name: "DEL in a header value", method: "GET", target: "/", headers: [["X", "a\x7f"]], error: valueErr(0, 1) },
  {
    name: "char above U+00FF in a header value",
    method: "GET",
    target: "/",
    headers: [
      ["A", "1"],
      ["X", "snow \u2603"],
    ],
    error: valueErr(1, 5),
  },
  {
    name: "the first bad field is reported (method before target)",
    method: "G T",
    target: "/ x",
    headers: [["X Y", "\x00"]],
    error: methodErr(1),
  },
];
