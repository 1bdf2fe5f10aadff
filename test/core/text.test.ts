// The engine's UTF-8 decoder (assembly/text.ts, src/core/text.ts) against TextDecoder("utf-8"),
// the reference it must equal exactly: valid text, every kind of malformed sequence, BOMs, and
// random bytes at every alignment of the eight-byte ASCII path.
import { describe, expect, it, vi } from "vitest";
import { decodeText } from "../../src/api/response.js";
import { sharedUtf8Decoder } from "../../src/core/text.js";
import "../../src/entry/node.js";
import { random } from "../support/random.js";

const reference = new TextDecoder("utf-8");
const decoder = sharedUtf8Decoder();

/** What the engine makes of `bytes`, as a string (undefined: ASCII only, left to TextDecoder). */
function engine(bytes: Uint8Array): string | undefined {
  const units = decoder.decode(bytes);
  return units === undefined
    ? undefined
    : Buffer.from(units.buffer, units.byteOffset, units.byteLength).toString("utf16le");
}

function expectSame(bytes: Uint8Array): void {
  const ours = engine(bytes);
  const hasHigh = bytes.some((b) => b >= 0x80);
  if (!hasHigh) expect(ours).toBeUndefined();
  else expect(ours, Buffer.from(bytes).toString("hex")).toBe(reference.decode(bytes));
}

describe("the engine's UTF-8 decoder", () => {
  it("decodes text in every script, around every alignment of the ASCII fast path", () => {
    const samples = [
      "Grüße",
      "naïve café — ünïcödé",
      "日本語のテキスト",
      "😀 emoji 🎉",
      "Ελληνικά",
      "a\u0000b",
      "\u00ff\u0100",
    ];
    for (const sample of samples) {
      for (let pad = 0; pad < 17; pad++) {
        expectSame(new TextEncoder().encode(`${"x".repeat(pad)}${sample}${"y".repeat(pad)}`));
      }
    }
  });

  it("turns each maximal invalid subpart into one U+FFFD, as the Encoding Standard says", () => {
    const cases = [
      [0x80],
      [0xbf],
      [0xc0, 0x80],
      [0xc1, 0xbf],
      [0xc2],
      [0xc2, 0x41],
      [0xe0, 0x80, 0x80],
      [0xe0, 0xa0],
      [0xe0, 0xa0, 0x41],
      [0xed, 0xa0, 0x80],
      [0xed, 0x9f, 0xbf],
      [0xef, 0xbf, 0xbf],
      [0xf0, 0x80, 0x80, 0x80],
      [0xf0, 0x90, 0x80],
      [0xf0, 0x90, 0x80, 0x80],
      [0xf4, 0x8f, 0xbf, 0xbf],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf5, 0x80],
      [0xff],
      [0xfe, 0xff],
    ];
    for (const c of cases) {
      for (const [before, after] of [
        ["", ""],
        ["abcdefgh", ""],
        ["ab", "cdefghij"],
      ]) {
        expectSame(Uint8Array.from([...Buffer.from(before as string), ...c, ...Buffer.from(after as string)]));
      }
    }
    for (let b = 0x80; b <= 0xff; b++) expectSame(Uint8Array.of(0x61, b, 0x62));
  });

  it("drops one leading BOM only", () => {
    const bom = [0xef, 0xbb, 0xbf];
    expectSame(Uint8Array.from([...bom, ...Buffer.from("héllo")]));
    expectSame(Uint8Array.from([...bom, ...bom, ...Buffer.from("é")]));
    expectSame(Uint8Array.from(bom));
    expectSame(Uint8Array.from([0x61, ...bom]));
  });

  it("agrees with TextDecoder on 50,000 random byte strings", () => {
    const next = random(20261207);
    for (let k = 0; k < 50_000; k++) {
      const bytes = new Uint8Array(Math.floor(next() * 48));
      for (let i = 0; i < bytes.length; i++) {
        const r = next();
        bytes[i] = r < 0.6 ? 0x20 + Math.floor(next() * 95) : r < 0.8 ? 0x80 + Math.floor(next() * 64) : next() * 256;
      }
      expectSame(bytes);
    }
  });

  it("is what decodeText uses for long UTF-8 text with non-ASCII characters, and the result is the same", () => {
    const page = new TextEncoder().encode("<p>Grüße, naïve café — 日本語 😀</p>\n".repeat(200));
    const spy = vi.spyOn(decoder, "decode");
    expect(decodeText(page, "utf-8")).toBe(reference.decode(page));
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.results[0]?.value).toBeDefined();
    expect(decodeText(page, "UTF-8")).toBe(reference.decode(page));
    // text over 4 MiB goes to TextDecoder (it would grow the engine's memory for good)
    const huge = new TextEncoder().encode("é".repeat(2 * 1024 * 1024 + 1));
    spy.mockClear();
    expect(decodeText(huge, "utf-8")).toBe(reference.decode(huge));
    expect(spy).not.toHaveBeenCalled();
    // ASCII, short text and other labels keep TextDecoder
    expect(decodeText(new TextEncoder().encode("a".repeat(5000)), "utf-8")).toBe("a".repeat(5000));
    expect(decodeText(page, "iso-8859-1")).toBe(Buffer.from(page).toString("latin1"));
    spy.mockRestore();
  });
});
