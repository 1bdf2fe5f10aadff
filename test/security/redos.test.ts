// Security regression: ReDoS-shaped inputs. Inputs built to make a backtracking regex or a
// rescanning loop go quadratic (or worse) are read in linear time. There is no timing assertion:
// each input is megabytes, and fed in small pieces, so that a quadratic pass (rescanning what was
// buffered on every feed, backtracking over a run of whitespace...) would need on the order of
// 10^11 steps and never finish within the test's timeout, while a linear one takes well under a
// second. Through a Session the default limits (16 KiB head, 128 fields) bound everything first;
// the same shapes are then given to the engine with its limits raised to 16 MiB and 8192 fields,
// and to the Link header parser directly.
import { afterEach, describe, expect, it } from "vitest";
import { parseLinks } from "../../src/api/response.js";
import { ParserEvent, ResponseParser } from "../../src/core/index.js";
import { ProtocolError } from "../../src/index.js";
import { rawEach, rejection, runCleanups, session } from "../api/helpers.js";

afterEach(runCleanups);

const MiB = 1024 * 1024;
const PIECE = 64;

/** Feeds `head` (a whole response) to a parser with raised limits in PIECE-byte pieces; its head. */
function parseInPieces(text: string): ResponseParser {
  const p = new ResponseParser({ maxHeadBytes: 16 * MiB, maxHeaderCount: 8192 });
  p.expect();
  const bytes = Buffer.from(text, "latin1");
  let head = false;
  let done = false;
  for (let at = 0; at < bytes.length && !done; at += PIECE) {
    p.feed(bytes.subarray(at, at + PIECE));
    for (let ev = p.next(); ev !== ParserEvent.NeedMore; ev = p.next()) {
      if (ev === ParserEvent.Head) head = true;
      if (ev === ParserEvent.Done) {
        done = true;
        break;
      }
    }
  }
  expect(head && done).toBe(true);
  return p;
}

/** Runs of the shapes that trouble whitespace trimming, list splitting and obs-fold handling. */
const SHAPES = (n: number): Record<string, string> => ({
  spaces: `${" ".repeat(n)}x${" \t".repeat(n / 2)}`,
  commas: ",".repeat(n),
  "comma-space": ", ".repeat(n / 2),
  quotes: '"\\'.repeat(n / 2),
  semicolons: "a=b;".repeat(n / 4),
  "angle-brackets": "<".repeat(n),
});

describe("ReDoS-shaped inputs", () => {
  it("ReDoS-shaped inputs: huge headers parsed in linear time", async () => {
    // through a Session: the limits come first, whatever the shape
    const srv = await rawEach((req) => {
      const shape = SHAPES(32 * 1024)[req.target.slice(1)] ?? "";
      return `HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Shape: ${shape}\r\n\r\nok`;
    });
    const s = session();
    s.trust_env = false;
    for (const name of Object.keys(SHAPES(4))) {
      expect(await rejection(s.get(`${srv.url}/${name}`)), name).toBeInstanceOf(ProtocolError);
    }

    // the engine with its limits raised: heads of 4 to 8 MiB of each shape, fed 64 bytes at a time
    const n = 4 * MiB;
    for (const [name, shape] of Object.entries(SHAPES(n))) {
      const p = parseInPieces(`HTTP/1.1 200 OK\r\nX-Shape: ${shape}\r\nContent-Length: 0\r\n\r\n`);
      expect(p.headers.get("x-shape")?.length, name).toBe(shape.trim().length);
      expect(p.headers.get("content-length")).toBe("0");
    }
    // a reason phrase of 4 MiB, and 4 MiB of obs-fold continuation lines
    expect(parseInPieces(`HTTP/1.1 200 ${"r ".repeat(n / 2)}\r\nContent-Length: 0\r\n\r\n`).reason.length).toBe(n);
    const folded = parseInPieces(`HTTP/1.1 200 OK\r\nX-Fold: a${"\r\n b".repeat(n / 4)}\r\nContent-Length: 0\r\n\r\n`);
    expect(folded.headers.get("x-fold")?.length).toBe(1 + 4 * (n / 4));
    // 8192 fields of the same name (the count limit raised): lookups and the joined value
    const many = parseInPieces(`HTTP/1.1 200 OK\r\n${"Set-Cookie: a=b\r\n".repeat(8191)}Content-Length: 0\r\n\r\n`);
    expect(many.headers.getAll("set-cookie")).toHaveLength(8191);
    expect(many.headers.get("x-absent")).toBeUndefined();
    // chunk extensions and trailers of megabytes (their limits raised too)
    const chunked = new ResponseParser({ maxChunkExtensionBytes: 16 * MiB, maxTrailerBytes: 16 * MiB });
    chunked.expect();
    const ext = `;${"a=b;".repeat(MiB / 4)}x`;
    const trailer = `X-T: ${" ".repeat(MiB)}t\r\n`;
    const body = Buffer.from(
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2${ext}\r\nok\r\n0\r\n${trailer}\r\n`,
    );
    let got = "";
    let done = false;
    for (let at = 0; at < body.length && !done; at += PIECE) {
      chunked.feed(body.subarray(at, at + PIECE));
      for (let ev = chunked.next(); ev !== ParserEvent.NeedMore; ev = chunked.next()) {
        if (ev === ParserEvent.Body) got += Buffer.from(chunked.body).toString("latin1");
        if (ev === ParserEvent.Done) {
          done = true;
          break;
        }
      }
    }
    expect(done).toBe(true);
    expect(got).toBe("ok");
    expect(chunked.trailers?.get("x-t")).toBe("t");
  });

  it("ReDoS-shaped inputs: a long Link header parsed in linear time", async () => {
    // through a Session, just under the head limit
    const link = `<https://a.test/${"x".repeat(100)}>; rel="next"; ${"a=b; ".repeat(2000)}`.slice(0, 15_000);
    const srv = await rawEach(() => `HTTP/1.1 200 OK\r\nLink: ${link}\r\nContent-Length: 2\r\n\r\nok`);
    const s = session();
    s.trust_env = false;
    expect((await s.get(`${srv.url}/link`)).links.next?.url).toBe(`https://a.test/${"x".repeat(100)}`);

    // the parser alone, on megabytes of each shape
    const n = 4 * MiB;
    const hostile: Record<string, string> = {
      "open brackets": "<".repeat(n),
      "no close": `<${"a".repeat(n)}`,
      "empty links": "<>,".repeat(n / 3),
      "params without links": ";".repeat(n),
      "params no value": `<a>${"; k".repeat(n / 3)}`,
      "unclosed quote": `<a>; rel="${"x".repeat(n)}`,
      "quotes and semicolons": `<a>; t="${';"'.repeat(n / 2)}`,
      "whitespace runs": `<a>;${" \t".repeat(n / 2)}rel=next`,
      "equals runs": `<a>; rel${"=".repeat(n)}`,
      "many links": "<a>; rel=x, ".repeat(n / 12),
      "commas in brackets": `<${",".repeat(n)}>; rel=next`,
    };
    for (const [name, value] of Object.entries(hostile)) {
      const links = parseLinks(value);
      expect(Array.isArray(links), name).toBe(true);
    }
    expect(parseLinks(hostile["many links"] as string)).toHaveLength(Math.floor(n / 12));
    expect(parseLinks(hostile["commas in brackets"] as string)[0]?.rel).toBe("next");
  });
});
