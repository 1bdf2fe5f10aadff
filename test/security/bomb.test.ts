// Decompression bombs are stopped by default (issue #17): 611 KB of gzip that inflates to 600 MiB
// used to be accepted with the defaults, raising RSS by 600 MiB. The default
// max_decompression_ratio (100 decoded bytes per byte received, beyond the first MiB) stops it
// after a few MiB, buffered or streamed, for gzip, br and a gzip-of-gzip chain; large legitimate
// compressed downloads still pass; `max_decompression_ratio: null` lifts the limit.
import { once } from "node:events";
import * as zlib from "node:zlib";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ContentDecodingError, DecodedBodyTooLarge, DecompressionRatioExceeded, get } from "../../src/index.js";
import { rawEach, rejection, runCleanups, session } from "../api/helpers.js";

afterEach(runCleanups);

const MiB = 1024 * 1024;

/** `total` bytes of zeros through `z`, written a MiB at a time: the test never holds them all. */
async function compressZeros(z: zlib.Gzip | zlib.BrotliCompress, total: number): Promise<Buffer> {
  const out: Buffer[] = [];
  z.on("data", (d: Buffer) => out.push(d));
  const done = once(z, "end");
  const block = Buffer.alloc(MiB);
  for (let i = 0; i < total / MiB; i++) if (!z.write(block)) await once(z, "drain");
  z.end();
  await done;
  return Buffer.concat(out);
}

function encoded(coding: string, body: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: ${coding}\r\nContent-Length: ${body.length}\r\n\r\n`, "latin1"),
    body,
  ]);
}

/** Runs `work`, sampling RSS meanwhile; resolves with its outcome and the peak RSS growth. */
async function rssGrowth<T>(work: () => Promise<T>): Promise<{ outcome: T; growth: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 2);
  try {
    const outcome = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { outcome, growth: peak - before };
  } finally {
    clearInterval(timer);
  }
}

// Realistic JSON: records with repeated keys and a few varying values (gzip ~11x, br ~14x).
function jsonBody(bytes: number): Buffer {
  const words = ["alpha", "beta", "gamma", "delta", "active", "pending", "closed", "north", "south", "east"];
  let seed = 1;
  const pick = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor((seed / 2147483648) * n);
  };
  const parts: string[] = ["["];
  let n = 1;
  for (let i = 0; n < bytes; i++) {
    const rec = `${JSON.stringify({
      id: i,
      name: `user-${i}`,
      email: `user${i}@example.com`,
      status: words[4 + pick(3)],
      region: words[7 + pick(3)],
      tags: [words[pick(4)], words[pick(4)]],
      score: pick(1000),
      created: "2026-01-01T00:00:00Z",
    })},\n`;
    parts.push(rec);
    n += rec.length;
  }
  parts.push("{}]");
  return Buffer.from(parts.join(""));
}

// Log lines (gzip ~13x).
function logBody(bytes: number): Buffer {
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const line = `2026-12-07T15:${String(Math.floor(i / 6000) % 60).padStart(2, "0")}:${String(Math.floor(i / 100) % 60).padStart(2, "0")}.${String(i % 1000).padStart(3, "0")}Z INFO request handled method=GET path=/api/items/${i % 500} status=200 ms=${i % 37}\n`;
    parts.push(line);
    n += line.length;
  }
  return Buffer.from(parts.join(""));
}

describe("decompression bombs are stopped by default", () => {
  // the issue's bomb: 600 MiB of zeros, ~611 KB gzipped; the same in brotli; and a bomb in a bomb
  let gz: Buffer;
  let br: Buffer;
  let nested: Buffer;
  beforeAll(async () => {
    gz = await compressZeros(zlib.createGzip({ level: 9 }), 600 * MiB);
    br = await compressZeros(
      zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } }),
      600 * MiB,
    );
    nested = zlib.gzipSync(gz, { level: 9 });
  }, 60_000);

  async function bombServer() {
    return rawEach(
      (req) => {
        if (req.target === "/gzip") return encoded("gzip", gz);
        if (req.target === "/br") return encoded("br", br);
        if (req.target === "/nested") return encoded("gzip, gzip", nested);
        return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
      },
      // the client stops reading in the middle of the body: the server's writes may fail
      { tolerateErrors: true },
    );
  }

  it("the issue's gzip bomb (611 KB ⇒ 600 MiB) fails with the defaults, RSS growing under 64 MiB", async () => {
    expect(gz.length).toBeLessThan(700 * 1024);
    const srv = await bombServer();
    const s = session();
    s.trust_env = false;
    const { outcome: err, growth } = await rssGrowth(() => rejection(s.get(`${srv.url}/gzip`)));
    expect(err).toBeInstanceOf(DecompressionRatioExceeded);
    expect(err).toBeInstanceOf(DecodedBodyTooLarge);
    expect(err).toBeInstanceOf(ContentDecodingError);
    const e = err as DecompressionRatioExceeded;
    expect(e.code).toBe("DECOMPRESSION_RATIO_EXCEEDED");
    expect(e.name).toBe("DecompressionRatioExceeded");
    expect(e.message).toMatch(/^The gzip body decoded to \d+ bytes from \d+ bytes received/);
    expect(e.message).toContain("max_decompression_ratio 100");
    expect(e.message).toContain("null for no limit");
    expect(e.response?.status_code).toBe(200);
    expect(growth).toBeLessThan(64 * MiB);
    // the connection was given up, the session still works
    expect((await s.get(`${srv.url}/after`)).text).toBe("ok");
  });

  it("gzip, br and gzip-of-gzip bombs fail with the defaults, a session's and the module functions'", async () => {
    const srv = await bombServer();
    const s = session();
    s.trust_env = false;
    for (const path of ["/gzip", "/br", "/nested"]) {
      for (const send of [(url: string) => s.get(url), (url: string) => get(url)]) {
        const { outcome: err, growth } = await rssGrowth(() => rejection(send(`${srv.url}${path}`)));
        expect(err, path).toBeInstanceOf(DecompressionRatioExceeded);
        expect((err as Error).message, path).toMatch(/^The (gzip|br) body decoded to/);
        expect(growth, path).toBeLessThan(64 * MiB);
      }
    }
  });

  it("streamed (stream: true, iter_content): reading fails within a few MiB, RSS growing under 64 MiB", async () => {
    const srv = await bombServer();
    const s = session();
    s.trust_env = false;
    for (const path of ["/gzip", "/br", "/nested"]) {
      let read = 0;
      const { outcome: err, growth } = await rssGrowth(async () => {
        const r = await s.get(`${srv.url}${path}`, { stream: true });
        return rejection(async () => {
          for await (const chunk of r.iter_content()) read += chunk.length;
        });
      });
      expect(err, path).toBeInstanceOf(DecompressionRatioExceeded);
      expect(read, path).toBeLessThan(16 * MiB);
      expect(growth, path).toBeLessThan(64 * MiB);
    }
  });

  it("lifting the limit: the session's max_decompression_ratio, or the request's, set to null", async () => {
    const bomb = await compressZeros(zlib.createGzip(), 50 * MiB);
    const srv = await rawEach((req) =>
      req.target === "/gzip" ? encoded("gzip", bomb) : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    );
    const s = session();
    s.trust_env = false;
    expect(s.max_decompression_ratio).toBe(100);
    expect(await rejection(s.get(`${srv.url}/gzip`))).toBeInstanceOf(DecompressionRatioExceeded);
    const r = await s.get(`${srv.url}/gzip`, { max_decompression_ratio: null });
    expect(r.content.length).toBe(50 * MiB);
    // a ratio above gzip's maximum (~1032) lets it through too
    expect((await s.get(`${srv.url}/gzip`, { max_decompression_ratio: 2000 })).content.length).toBe(50 * MiB);
    s.max_decompression_ratio = null;
    expect((await s.get(`${srv.url}/gzip`)).content.length).toBe(50 * MiB);
    // the request's own ratio wins over the session's
    expect(await rejection(s.get(`${srv.url}/gzip`, { max_decompression_ratio: 100 }))).toBeInstanceOf(
      DecompressionRatioExceeded,
    );
    // max_decoded_size still applies without a ratio
    const tooLarge = await rejection(s.get(`${srv.url}/gzip`, { max_decoded_size: 10 * MiB }));
    expect(tooLarge).toBeInstanceOf(DecodedBodyTooLarge);
    expect(tooLarge).not.toBeInstanceOf(DecompressionRatioExceeded);
    // a ratio that is not a positive number is a mistake, refused before anything is sent
    for (const ratio of [0, -1, Number.NaN]) {
      const err = await rejection(s.get(`${srv.url}/gzip`, { max_decompression_ratio: ratio }));
      expect(err, String(ratio)).toBeInstanceOf(TypeError);
      expect((err as Error).message).toContain("max_decompression_ratio");
    }
  });
});

describe("legitimate large compressed downloads pass with the defaults", () => {
  it("20 MiB of JSON (gzip and br) and 20 MiB of logs, buffered and streamed", async () => {
    const json = jsonBody(20 * MiB);
    const logs = logBody(20 * MiB);
    const bodies: Record<string, { coding: string; plain: Buffer; sent: Buffer }> = {
      "/json-gzip": { coding: "gzip", plain: json, sent: zlib.gzipSync(json) },
      "/json-br": {
        coding: "br",
        plain: json,
        sent: zlib.brotliCompressSync(json, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } }),
      },
      "/logs-gzip": { coding: "gzip", plain: logs, sent: zlib.gzipSync(logs, { level: 9 }) },
      // a very compressible first MiB, then a long ordinary body
      "/padded-gzip": {
        coding: "gzip",
        plain: Buffer.concat([Buffer.alloc(MiB, 0x20), json]),
        sent: zlib.gzipSync(Buffer.concat([Buffer.alloc(MiB, 0x20), json])),
      },
    };
    for (const [path, b] of Object.entries(bodies)) {
      const ratio = b.plain.length / b.sent.length;
      expect(ratio, path).toBeGreaterThan(8);
      expect(ratio, path).toBeLessThan(100);
    }
    const srv = await rawEach((req) => {
      const b = bodies[req.target];
      return b === undefined ? "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n" : encoded(b.coding, b.sent);
    });
    const s = session();
    s.trust_env = false;
    for (const [path, b] of Object.entries(bodies)) {
      const r = await s.get(`${srv.url}${path}`);
      expect(r.content.length, path).toBe(b.plain.length);
      expect(Buffer.from(r.content).equals(b.plain), path).toBe(true);
      const streamed = await s.get(`${srv.url}${path}`, { stream: true });
      let read = 0;
      for await (const chunk of streamed.iter_content()) read += chunk.length;
      expect(read, path).toBe(b.plain.length);
    }
  });
});
