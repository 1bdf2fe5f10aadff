// The mock server's reading of requests from bytes (whole, split at every byte, one byte at a
// time: the same requests) and its writing of response bytes.
import { describe, expect, it } from "vitest";
import {
  chunkFrame,
  LAST_CHUNK,
  RequestReader,
  responseHead,
  WireError,
  type WireRequest,
} from "../../src/testing/wire.js";

const latin1 = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));
const text = (b: Uint8Array) => Buffer.from(b).toString("latin1");

/** Every request `pieces` make, fed in that order. */
function read(pieces: Uint8Array[]): WireRequest[] {
  const reader = new RequestReader();
  const out: WireRequest[] = [];
  for (const p of pieces) {
    reader.push(p);
    for (let r = reader.next(); r !== undefined; r = reader.next()) out.push(r);
  }
  return out;
}

/** The same bytes fed whole, split at each position, and byte by byte: one answer for all. */
function readEverySplit(wire: string): WireRequest[] {
  const bytes = latin1(wire);
  const whole = read([bytes]);
  for (let at = 1; at < bytes.length; at++) {
    expect(read([bytes.subarray(0, at), bytes.subarray(at)]), `split at ${at}`).toEqual(whole);
  }
  expect(read(Array.from(bytes, (b) => new Uint8Array([b])))).toEqual(whole);
  return whole;
}

const shape = (r: WireRequest) => ({ method: r.method, target: r.target, fields: r.fields, body: text(r.body) });

describe("RequestReader", () => {
  it("reads a request without a body, then one with a Content-Length body", () => {
    const first = "GET /a?b=1 HTTP/1.1\r\nHost: api.test\r\nAccept: */*\r\n\r\n";
    const second = "POST /items HTTP/1.1\r\nHost: api.test\r\nContent-Length: 11\r\n\r\nhello world";
    const got = readEverySplit(first + second);
    expect(got.map(shape)).toEqual([
      {
        method: "GET",
        target: "/a?b=1",
        fields: [
          ["Host", "api.test"],
          ["Accept", "*/*"],
        ],
        body: "",
      },
      {
        method: "POST",
        target: "/items",
        fields: [
          ["Host", "api.test"],
          ["Content-Length", "11"],
        ],
        body: "hello world",
      },
    ]);
    expect(text((got[1] as WireRequest).raw)).toBe(second);
  });

  it("de-chunks a chunked body, skipping extensions and trailers", () => {
    const wire =
      "PUT /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
      "4;ext=1\r\none,\r\n" +
      "A\r\ntwo,three!\r\n" +
      "0\r\nX-Trailer: t\r\n\r\n" +
      "GET /next HTTP/1.1\r\nHost: h\r\n\r\n";
    const got = readEverySplit(wire);
    expect(got.map((r) => [r.method, r.target, text(r.body)])).toEqual([
      ["PUT", "/up", "one,two,three!"],
      ["GET", "/next", ""],
    ]);
    expect(text((got[0] as WireRequest).raw)).toBe(wire.slice(0, wire.indexOf("GET /next")));
  });

  it("keeps bytes of an unfinished request until the rest comes", () => {
    const reader = new RequestReader();
    reader.push(latin1("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab"));
    expect(reader.next()).toBeUndefined();
    expect(reader.partial).toBe(true);
    reader.push(latin1("cde"));
    expect(text((reader.next() as WireRequest).body)).toBe("abcde");
    expect(reader.partial).toBe(false);
  });

  it("copies what it is given (the writer may reuse its array)", () => {
    const reader = new RequestReader();
    const buf = latin1("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
    reader.push(buf);
    buf.fill(0);
    expect(text((reader.next() as WireRequest).body)).toBe("abc");
  });

  it("refuses what is not a request", () => {
    const bad = [
      "GET /\r\n\r\n",
      "GE T / HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc",
    ];
    for (const wire of bad) {
      const reader = new RequestReader();
      reader.push(latin1(wire));
      expect(() => reader.next(), wire).toThrow(WireError);
    }
  });
});

describe("response bytes", () => {
  it("a head is the status line, the fields in order and an empty line", () => {
    expect(
      text(
        responseHead(404, "Not Found", [
          ["Content-Length", "0"],
          ["X-A", "é"],
        ]),
      ),
    ).toBe("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nX-A: é\r\n\r\n");
    expect(() => responseHead(200, "OK", [["X-A", "€"]])).toThrow(/Latin-1/);
  });

  it("chunks are framed with their size in hex; an empty piece is nothing", () => {
    expect(text(chunkFrame(latin1("0123456789abcdef!")))).toBe("11\r\n0123456789abcdef!\r\n");
    expect(chunkFrame(new Uint8Array(0)).length).toBe(0);
    expect(text(LAST_CHUNK)).toBe("0\r\n\r\n");
  });
});
