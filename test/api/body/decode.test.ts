import * as zlib from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import "../../../src/index.js"; // sets up the Node runtime (node:zlib)
import { type ContentDecoder, createDecoder, RATIO_ALLOWANCE } from "../../../src/api/body/decode.js";
import { ContentDecodingError, DecodedBodyTooLarge, DecompressionRatioExceeded } from "../../../src/errors.js";
import { acceptEncoding } from "../../../src/runtime/platform.js";

const HAS_ZSTD = typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress === "function";
const zstdCompress = (zlib as unknown as { zstdCompressSync?: (b: Uint8Array) => Buffer }).zstdCompressSync;

const enc = new TextEncoder();
const BODY = enc.encode(`${"reqwire decodes bodies. ".repeat(500)}é€😀`);

const COMPRESS: Record<string, (b: Uint8Array) => Uint8Array> = {
  gzip: (b) => zlib.gzipSync(b),
  "x-gzip": (b) => zlib.gzipSync(b),
  deflate: (b) => zlib.deflateSync(b),
  br: (b) => zlib.brotliCompressSync(b),
};

/** Feeds `chunks` one push at a time, then ends; returns everything decoded. */
async function decodeAll(decoder: ContentDecoder, chunks: Uint8Array[]): Promise<Buffer> {
  const out: Uint8Array[] = [];
  for (const c of chunks) out.push(...(await decoder.push(c)));
  out.push(...(await decoder.end()));
  return Buffer.concat(out);
}

const decode = (coding: string | undefined, data: Uint8Array, limits = {}) =>
  decodeAll(createDecoder(coding, limits), [data]);

function splitEvery(data: Uint8Array, size: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size));
  return parts;
}

async function decodeError(p: Promise<unknown>): Promise<ContentDecodingError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ContentDecodingError);
  return err as ContentDecodingError;
}

describe("acceptEncoding", () => {
  it("advertises gzip, deflate and br, and zstd only where node:zlib has it", () => {
    expect(acceptEncoding()).toBe(HAS_ZSTD ? "gzip, deflate, br, zstd" : "gzip, deflate, br");
  });
});

describe("createDecoder: round trips", () => {
  for (const [coding, compress] of Object.entries(COMPRESS)) {
    it(`decodes ${coding}`, async () => {
      const decoder = createDecoder(coding);
      expect(decoder.codings.length).toBe(1);
      expect(await decodeAll(decoder, [compress(BODY)])).toEqual(Buffer.from(BODY));
    });
  }

  it("decodes zstd where the runtime has it, and leaves it as received where it does not", async () => {
    if (HAS_ZSTD) {
      expect(await decode("zstd", (zstdCompress as (b: Uint8Array) => Buffer)(BODY))).toEqual(Buffer.from(BODY));
    } else {
      // Not advertised in Accept-Encoding, so a server should not send it; if one does, the
      // bytes come through undecoded (as for any unknown coding), never corrupted.
      const framed = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.from(BODY)]);
      expect(await decode("zstd", framed)).toEqual(framed);
    }
  });

  it("ignores case and whitespace in Content-Encoding", async () => {
    expect(await decode("  GZip ", zlib.gzipSync(BODY))).toEqual(Buffer.from(BODY));
  });

  it("decodes raw deflate as well as zlib-wrapped deflate, as urllib3 does", async () => {
    expect(await decode("deflate", zlib.deflateRawSync(BODY))).toEqual(Buffer.from(BODY));
    expect(await decode("deflate", zlib.deflateSync(BODY))).toEqual(Buffer.from(BODY));
    // The first byte alone cannot tell the two apart.
    for (const data of [zlib.deflateRawSync(BODY), zlib.deflateSync(BODY)]) {
      const chunks = [data.subarray(0, 1), data.subarray(1, 2), data.subarray(2)];
      expect(await decodeAll(createDecoder("deflate"), chunks)).toEqual(Buffer.from(BODY));
    }
  });

  it("removes a chain of codings in reverse order", async () => {
    const data = zlib.brotliCompressSync(zlib.deflateSync(zlib.gzipSync(BODY)));
    const decoder = createDecoder("gzip, deflate, br");
    expect(decoder.codings).toEqual(["br", "deflate", "gzip"]);
    expect(await decodeAll(decoder, splitEvery(data, 7))).toEqual(Buffer.from(BODY));
    // In the wrong order it is corrupt.
    await decodeError(decode("br, deflate, gzip", data));
  });

  it("skips identity anywhere in the chain", async () => {
    const decoder = createDecoder("identity, gzip, identity");
    expect(decoder.codings).toEqual(["gzip"]);
    expect(await decodeAll(decoder, [zlib.gzipSync(BODY)])).toEqual(Buffer.from(BODY));
  });

  it("decodes gzip split at every byte boundary, and fed a byte at a time", async () => {
    const small = enc.encode("hello, gzip world");
    const data = zlib.gzipSync(small);
    for (let i = 0; i <= data.length; i++) {
      const got = await decodeAll(createDecoder("gzip"), [data.subarray(0, i), data.subarray(i)]);
      expect(got.toString()).toBe("hello, gzip world");
    }
    expect((await decodeAll(createDecoder("gzip"), splitEvery(data, 1))).toString()).toBe("hello, gzip world");
  });

  it("decodes concatenated gzip members", async () => {
    const data = Buffer.concat([zlib.gzipSync("first "), zlib.gzipSync("second")]);
    expect((await decode("gzip", data)).toString()).toBe("first second");
  });

  it("treats an empty body as empty under any coding", async () => {
    for (const coding of ["gzip", "deflate", "br", "gzip, br"]) {
      expect((await decodeAll(createDecoder(coding), [])).length).toBe(0);
      expect((await decodeAll(createDecoder(coding), [new Uint8Array(0)])).length).toBe(0);
    }
  });

  it("ignores bytes after the end of a deflate or brotli stream, as Python's zlib does", async () => {
    const tail = enc.encode("trailing");
    expect(await decode("deflate", Buffer.concat([zlib.deflateSync(BODY), tail]))).toEqual(Buffer.from(BODY));
    expect(await decode("br", Buffer.concat([zlib.brotliCompressSync(BODY), tail]))).toEqual(Buffer.from(BODY));
  });
});

describe("createDecoder: pass-through", () => {
  it("passes the body through with no coding or identity", async () => {
    for (const coding of [undefined, "", "identity", " , "]) {
      const decoder = createDecoder(coding);
      expect(decoder.codings).toEqual([]);
      const chunk = enc.encode("plain");
      expect(await decoder.push(chunk)).toEqual([chunk]);
      expect(await decoder.end()).toEqual([]);
    }
  });

  it("leaves a body with an unknown coding as received, as urllib3 does", async () => {
    const data = zlib.gzipSync(BODY);
    for (const coding of ["compress", "x-custom", "gzip, x-custom", "x-custom, gzip"]) {
      const decoder = createDecoder(coding);
      expect(decoder.codings).toEqual([]);
      expect(await decodeAll(decoder, [data])).toEqual(Buffer.from(data));
    }
  });
});

describe("createDecoder: errors", () => {
  it("rejects a chain longer than maxChain (default 5) before decoding anything", () => {
    const six = "gzip, gzip, gzip, gzip, gzip, gzip";
    expect(() => createDecoder(six)).toThrow(ContentDecodingError);
    expect(() => createDecoder(six)).toThrow(/lists 6 codings, more than the 5 allowed/);
    try {
      createDecoder(six);
    } catch (err) {
      // a ContentDecodingError as such, as urllib3's "too many content encodings" is for requests
      expect(err).not.toBeInstanceOf(DecodedBodyTooLarge);
      expect((err as ContentDecodingError).code).toBe("CONTENT_DECODING_ERROR");
    }
    expect(createDecoder("gzip, gzip, gzip, gzip, gzip").codings).toHaveLength(5);
    expect(() => createDecoder("gzip, br", { maxChain: 1 })).toThrow(/2 codings/);
  });

  it("decodes five nested gzip layers", async () => {
    let data: Uint8Array = BODY;
    for (let i = 0; i < 5; i++) data = zlib.gzipSync(data);
    expect(await decode("gzip,gzip,gzip,gzip,gzip", data)).toEqual(Buffer.from(BODY));
  });

  it("rejects corrupt data of each coding", async () => {
    const junk = enc.encode("this is not compressed at all, not even a little bit");
    for (const coding of ["gzip", "deflate", "br"]) {
      const err = await decodeError(decode(coding, junk));
      expect(err.code).toBe("CONTENT_DECODING_ERROR");
      expect(err.message).toContain(coding);
      expect(err.cause).toBeInstanceOf(Error);
    }
    const flipped = Buffer.from(zlib.gzipSync(BODY));
    flipped[flipped.length - 5] = (flipped[flipped.length - 5] as number) ^ 0xff; // damages the CRC
    expect((await decodeError(decode("gzip", flipped))).code).toBe("CONTENT_DECODING_ERROR");
  });

  it("rejects a body cut short when it ends", async () => {
    for (const [coding, compress] of Object.entries(COMPRESS)) {
      const data = compress(BODY);
      const decoder = createDecoder(coding);
      await decoder.push(data.subarray(0, data.length >> 1));
      expect((await decodeError(decoder.end())).code).toBe("CONTENT_DECODING_ERROR");
    }
    expect((await decodeError(decode("deflate", new Uint8Array([0x78])))).code).toBe("CONTENT_DECODING_ERROR");
  });

  it("rejects garbage after a gzip member", async () => {
    const data = Buffer.concat([zlib.gzipSync(BODY), enc.encode("garbage")]);
    expect((await decodeError(decode("gzip", data))).code).toBe("CONTENT_DECODING_ERROR");
  });

  it("stays failed: later calls reject with the same error", async () => {
    const decoder = createDecoder("gzip");
    const first = await decodeError(decoder.push(enc.encode("not gzip data")));
    expect(await decodeError(decoder.push(zlib.gzipSync(BODY)))).toBe(first);
    expect(await decodeError(decoder.end())).toBe(first);
  });

  it("refuses overlapping calls and calls after end", async () => {
    const decoder = createDecoder("gzip");
    const data = zlib.gzipSync(BODY);
    const pending = decoder.push(data.subarray(0, 10));
    await expect(decoder.push(data.subarray(10))).rejects.toThrow(/previous call/);
    await pending.catch(() => {});
    const fresh = createDecoder("gzip");
    await decodeAll(fresh, [data]);
    await expect(fresh.push(data)).rejects.toThrow(/already ended/);
  });

  it("fails pending and later calls once destroyed", async () => {
    const decoder = createDecoder("gzip");
    await decoder.push(zlib.gzipSync(BODY).subarray(0, 20));
    decoder.destroy();
    await expect(decoder.push(new Uint8Array([1]))).rejects.toThrow(/destroyed/);
  });
});

describe("createDecoder: decompression bombs", () => {
  const MiB = 1024 * 1024;
  // 100 MiB of zeros gzipped to about 100 KiB, built without holding 100 MiB at once.
  let bomb: Buffer;
  beforeAll(async () => {
    const gz = zlib.createGzip();
    const parts: Buffer[] = [];
    gz.on("data", (d: Buffer) => parts.push(d));
    const ended = new Promise((resolve) => gz.on("end", resolve));
    const zeros = Buffer.alloc(MiB);
    for (let i = 0; i < 100; i++) gz.write(zeros);
    gz.end();
    await ended;
    bomb = Buffer.concat(parts);
  });

  it("allows a body right at the limit", async () => {
    const data = zlib.gzipSync(Buffer.alloc(MiB));
    expect((await decode("gzip", data, { maxDecodedBytes: MiB })).length).toBe(MiB);
    expect((await decodeError(decode("gzip", data, { maxDecodedBytes: MiB - 1 }))).code).toBe("DECODED_BODY_TOO_LARGE");
  });

  it("stops a 100 MiB gzip bomb at a 1 MiB limit from a single push, quickly and in bounded memory", async () => {
    expect(bomb.length).toBeLessThan(200 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    const started = performance.now();
    const decoder = createDecoder("gzip", { maxDecodedBytes: MiB });
    const err = await decodeError(decoder.push(bomb));
    const elapsed = performance.now() - started;
    expect(err.code).toBe("DECODED_BODY_TOO_LARGE");
    expect(elapsed).toBeLessThan(1000);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * MiB);
  });

  it("fails on the push that crosses the limit, long before the bomb's end", async () => {
    const decoder = createDecoder("gzip", { maxDecodedBytes: MiB });
    const chunks = splitEvery(bomb, 1024);
    let decoded = 0;
    let pushed = 0;
    let failure: unknown;
    for (const chunk of chunks) {
      try {
        for (const out of await decoder.push(chunk)) decoded += out.length;
      } catch (err) {
        failure = err;
        break;
      }
      pushed++;
    }
    expect(failure).toBeInstanceOf(DecodedBodyTooLarge);
    expect((failure as DecodedBodyTooLarge).code).toBe("DECODED_BODY_TOO_LARGE");
    expect(decoded).toBeLessThanOrEqual(MiB);
    // About 1 KiB of this bomb decodes to 1 MiB: it must stop within the first few chunks.
    expect(pushed).toBeLessThan(chunks.length / 20);
  });

  it("limits every layer of a chain, so a bomb inside a bomb stops too", async () => {
    const inner = zlib.gzipSync(Buffer.alloc(20 * MiB));
    const outer = zlib.brotliCompressSync(inner);
    expect((await decodeError(decode("gzip, br", outer, { maxDecodedBytes: MiB }))).code).toBe(
      "DECODED_BODY_TOO_LARGE",
    );
    expect(
      (await decodeError(decode("br", zlib.brotliCompressSync(Buffer.alloc(4 * MiB)), { maxDecodedBytes: MiB }))).code,
    ).toBe("DECODED_BODY_TOO_LARGE");
  });
});

describe("createDecoder: the limit on the ratio of decoded to received bytes", () => {
  const MiB = 1024 * 1024;
  const zeros = (n: number) => zlib.gzipSync(Buffer.alloc(n), { level: 9 });
  // 100 MiB of zeros gzipped to about 100 KiB (1030 times smaller), built a MiB at a time.
  let bomb: Buffer;
  beforeAll(async () => {
    const gz = zlib.createGzip({ level: 9 });
    const parts: Buffer[] = [];
    gz.on("data", (d: Buffer) => parts.push(d));
    const ended = new Promise((resolve) => gz.on("end", resolve));
    const block = Buffer.alloc(MiB);
    for (let i = 0; i < 100; i++) gz.write(block);
    gz.end();
    await ended;
    bomb = Buffer.concat(parts);
  });

  it("stops a bomb pushed whole after a few MiB, in bounded memory", async () => {
    const before = process.memoryUsage().arrayBuffers;
    const err = await decodeError(decode("gzip", bomb, { maxRatio: 100 }));
    expect(err).toBeInstanceOf(DecompressionRatioExceeded);
    expect(err).toBeInstanceOf(DecodedBodyTooLarge);
    expect(err.code).toBe("DECOMPRESSION_RATIO_EXCEEDED");
    // fed 64 KiB at a time: 1 MiB + 100 × 64 KiB at most, and one more piece of output
    const [, decoded, received] = /decoded to (\d+) bytes from (\d+) bytes received/.exec(err.message) ?? [];
    expect(Number(received)).toBe(64 * 1024);
    expect(Number(decoded)).toBeLessThanOrEqual(RATIO_ALLOWANCE + 100 * 64 * 1024 + 64 * 1024);
    expect(err.message).toContain("max_decompression_ratio 100");
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * MiB);
  });

  it("checks every piece of output against the bytes received so far", async () => {
    const decoder = createDecoder("gzip", { maxRatio: 100 });
    let decoded = 0;
    let received = 0;
    let failure: unknown;
    for (const chunk of splitEvery(bomb, 1024)) {
      received += chunk.length;
      try {
        for (const out of await decoder.push(chunk)) decoded += out.length;
      } catch (err) {
        failure = err;
        break;
      }
      expect(decoded).toBeLessThanOrEqual(RATIO_ALLOWANCE + 100 * received);
    }
    expect(failure).toBeInstanceOf(DecompressionRatioExceeded);
    // about 1 KiB of this bomb decodes to 1 MiB: it stops within the first few MiB
    expect(decoded).toBeLessThan(3 * MiB);
    expect(received).toBeLessThan(bomb.length / 20);
  });

  it("lets the first MiB through whatever the ratio", async () => {
    expect((await decode("gzip", zeros(MiB), { maxRatio: 1 })).length).toBe(MiB);
    const over = zeros(MiB + 64 * 1024);
    expect(await decodeError(decode("gzip", over, { maxRatio: 1 }))).toBeInstanceOf(DecompressionRatioExceeded);
    // ... and beyond it, ratio × received
    expect((await decode("gzip", over, { maxRatio: (64 * 1024) / over.length + 1 })).length).toBe(MiB + 64 * 1024);
  });

  it("has no limit unless one is given (Infinity too)", async () => {
    const data = zeros(8 * MiB);
    expect((await decode("gzip", data)).length).toBe(8 * MiB);
    expect((await decode("gzip", data, { maxRatio: Number.POSITIVE_INFINITY })).length).toBe(8 * MiB);
    expect(await decodeError(decode("gzip", data, { maxRatio: 100 }))).toBeInstanceOf(DecompressionRatioExceeded);
  });

  it("applies to every coding of a chain, counting the bytes received, and to br and deflate", async () => {
    // a gzip bomb inside br: the br layer is small, the gzip layer trips
    const nested = zlib.brotliCompressSync(zeros(20 * MiB));
    const err = await decodeError(decode("gzip, br", nested, { maxRatio: 100 }));
    expect(err).toBeInstanceOf(DecompressionRatioExceeded);
    expect(err.message).toMatch(/^The gzip body decoded to \d+ bytes from \d+ bytes received/);
    // gzip of gzip
    const twice = zlib.gzipSync(zeros(20 * MiB));
    expect(await decodeError(decode("gzip, gzip", twice, { maxRatio: 100 }))).toBeInstanceOf(
      DecompressionRatioExceeded,
    );
    const br = zlib.brotliCompressSync(Buffer.alloc(20 * MiB));
    expect((await decodeError(decode("br", br, { maxRatio: 100 }))).message).toMatch(/^The br body/);
    const deflate = zlib.deflateSync(Buffer.alloc(20 * MiB));
    expect((await decodeError(decode("deflate", deflate, { maxRatio: 100 }))).message).toMatch(/^The deflate body/);
  });

  it("passes compressible text well under the ratio, fed in any pieces", async () => {
    const lines: string[] = [];
    for (let i = 0; i < 200_000; i++) lines.push(`{"id":${i},"name":"item ${i}","ok":${i % 3 === 0}}`);
    const text = Buffer.from(lines.join("\n"));
    const gz = zlib.gzipSync(text);
    expect(text.length / gz.length).toBeGreaterThan(5);
    for (const size of [gz.length, 64 * 1024, 1000]) {
      expect((await decodeAll(createDecoder("gzip", { maxRatio: 100 }), splitEvery(gz, size))).equals(text)).toBe(true);
    }
  });
});
