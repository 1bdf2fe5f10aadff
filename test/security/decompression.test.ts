// Security regressions: content decoding a server can use against the client. A small body that
// inflates without end (a decompression bomb) stops at the limit on decoded bytes, buffered or
// streamed, inside a chain too; a Content-Encoding listing more than 5 codings is refused before
// anything is decoded.
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { ContentDecodingError, DecodedBodyTooLarge } from "../../src/index.js";
import { rawEach, rejection, runCleanups, session } from "../api/helpers.js";

afterEach(runCleanups);

const MiB = 1024 * 1024;

function encoded(coding: string, body: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: ${coding}\r\nContent-Length: ${body.length}\r\n\r\n`, "latin1"),
    body,
  ]);
}

describe("content decoding", () => {
  it("decompression bomb (limit on decompressed bytes)", async () => {
    const zeros = Buffer.alloc(16 * MiB);
    const gz = gzipSync(zeros, { level: 9 });
    const br = brotliCompressSync(zeros, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } });
    const nested = gzipSync(gzipSync(zeros, { level: 9 }), { level: 9 }); // a bomb inside a bomb
    expect(gz.length + br.length + nested.length).toBeLessThan(200 * 1024);
    const srv = await rawEach((req) => {
      if (req.target === "/gzip") return encoded("gzip", gz);
      if (req.target === "/br") return encoded("br", br);
      if (req.target === "/nested") return encoded("gzip, gzip", nested);
      return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    });
    const s = session();
    s.trust_env = false;
    for (const path of ["/gzip", "/br", "/nested"]) {
      const err = await rejection(s.get(`${srv.url}${path}`, { max_decoded_size: MiB }));
      expect(err, path).toBeInstanceOf(DecodedBodyTooLarge);
      expect(err).toBeInstanceOf(ContentDecodingError);
      // streamed: the head comes back, reading the body fails at the limit
      const r = await s.get(`${srv.url}${path}`, { stream: true, max_decoded_size: MiB });
      let read = 0;
      const streamed = await rejection(async () => {
        for await (const chunk of r.iter_content()) read += chunk.length;
      });
      expect(streamed, path).toBeInstanceOf(DecodedBodyTooLarge);
      expect(read).toBeLessThanOrEqual(MiB);
    }
    // under the limit, the same body decodes (once the limit on the ratio is lifted)
    const r = await s.get(`${srv.url}/gzip`, { max_decoded_size: 16 * MiB, max_decompression_ratio: null });
    expect(r.content.length).toBe(16 * MiB);
    expect((await s.get(`${srv.url}/after`)).text).toBe("ok");
  });

  it("content-encoding chain over 5", async () => {
    const text = Buffer.from("the body");
    let five: Buffer = text;
    for (let i = 0; i < 5; i++) five = gzipSync(five);
    const six = gzipSync(five);
    let hundred: Buffer = text;
    for (let i = 0; i < 100; i++) hundred = gzipSync(hundred);
    const srv = await rawEach((req) => {
      if (req.target === "/five") return encoded(Array(5).fill("gzip").join(", "), five);
      if (req.target === "/six") return encoded(Array(6).fill("gzip").join(", "), six);
      if (req.target === "/six-fields") return encoded(Array(6).fill("gzip").join("\r\nContent-Encoding: "), six);
      if (req.target === "/hundred") return encoded(Array(100).fill("gzip").join(","), hundred);
      return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    });
    const s = session();
    s.trust_env = false;
    expect((await s.get(`${srv.url}/five`)).text).toBe("the body");
    for (const path of ["/six", "/six-fields", "/hundred"]) {
      const err = await rejection(s.get(`${srv.url}${path}`));
      expect(err, path).toBeInstanceOf(ContentDecodingError);
      expect(err).not.toBeInstanceOf(DecodedBodyTooLarge);
    }
    expect((await s.get(`${srv.url}/after`)).text).toBe("ok");
  });
});
