// The engine's json.dumps pass (assembly/json.ts, src/core/json.ts) against Python's own
// json.dumps, the reference it must equal byte for byte: separators, ensure_ascii escapes of every
// kind of character (DEL, Latin-1, BMP, astral, lone surrogates), strings full of commas, colons,
// quotes and backslashes, and text long enough to go to the engine in several pieces, with a
// piece boundary at every kind of place.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { pythonJson } from "../../src/core/json.js";
import "../../src/entry/node.js";
import { random } from "../support/random.js";

const latin1 = new TextDecoder("latin1");

/** What the engine writes for `value` (as JSON.stringify writes it). */
function ours(value: unknown): string {
  const bytes = pythonJson(JSON.stringify(value));
  expect(bytes.every((b) => b < 0x80)).toBe(true);
  return latin1.decode(bytes);
}

/** json.dumps(json.loads(text)) for each text, by the python3 on this machine. */
function python(texts: readonly string[]): string[] {
  const script = "import json,sys\nfor l in sys.stdin:\n    print(json.dumps(json.loads(l)))\n";
  const run = spawnSync("python3", ["-c", script], {
    input: `${texts.join("\n")}\n`,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    timeout: 60_000,
  });
  if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr || run.error}`);
  return run.stdout.split("\n").slice(0, texts.length);
}

const PICKS = [
  ",",
  ":",
  '"',
  "\\",
  " ",
  "a",
  "\u007f",
  "\u0000",
  "\n",
  "\u00e9",
  "\u00ff",
  "\u0100",
  "\u07ff",
  "\u0800",
  "\u20ac",
  "\uffff",
  "\ud83d\ude00",
  "\u{10ffff}",
  "\ud800",
  "\udfff",
];

function randomString(next: () => number, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += PICKS[Math.floor(next() * PICKS.length)];
  return s;
}

function randomValue(next: () => number, depth: number): unknown {
  const kind = Math.floor(next() * (depth > 3 ? 4 : 6));
  switch (kind) {
    case 0:
      return randomString(next, Math.floor(next() * 12));
    case 1:
      return Math.floor((next() - 0.5) * 2 ** 40);
    case 2:
      return next() < 0.5 ? null : next() < 0.5;
    case 3:
      return "";
    case 4:
      return Array.from({ length: Math.floor(next() * 5) }, () => randomValue(next, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(next() * 5); i > 0; i--)
        o[randomString(next, 1 + Math.floor(next() * 6))] = randomValue(next, depth + 1);
      return o;
    }
  }
}

describe("the engine's json.dumps pass", () => {
  it("writes what json.dumps writes for every kind of character and separator", () => {
    const values: unknown[] = [
      { a: 1, b: [1, 2, { c: null }], d: "x" },
      PICKS.map((p) => ({ [p]: p })),
      { "k:,": 'v,:"x:y"', "\\": "\\\\", "": [[], {}] },
      "plain",
      ["\u007f", "\u0080", "Zoë Müller", "Hauptstraße", "日本語", "😀 and 𐍈"],
    ];
    const next = random(0x5eed);
    for (let i = 0; i < 300; i++) values.push(randomValue(next, 0));
    const texts = values.map((v) => JSON.stringify(v));
    const expected = python(texts);
    values.forEach((v, i) => {
      expect(ours(v), texts[i]).toBe(expected[i]);
    });
  });

  it("gives the same bytes for long text, which goes to the engine in pieces, wherever a piece ends", () => {
    const values: unknown[] = [];
    // 16 Ki code units per piece: strings that put each kind of character, an escape's
    // backslash, a surrogate pair and a closing quote across the boundary
    for (const pad of [16 * 1024 - 3, 16 * 1024 - 2, 16 * 1024 - 1, 16 * 1024]) {
      for (const tail of ['\\"', "\\\\", "\ud83d\ude00", "\u00e9", '",', "\u0000", ":,"]) {
        values.push(["x".repeat(pad - 2) + tail + "y".repeat(10), { k: "z" }]);
        values.push({ [`${"é".repeat(pad - 5)}`]: tail, n: [1, 2, 3] });
      }
    }
    const next = random(42);
    values.push(Array.from({ length: 3000 }, () => randomValue(next, 0)));
    values.push(randomString(next, 100_000));
    // the most output per input byte: DEL (one byte) becomes \u007f (six), in whole pieces
    values.push("\u007f".repeat(60_000), { k: "\u007f".repeat(200_000) });
    const texts = values.map((v) => JSON.stringify(v));
    const expected = python(texts);
    values.forEach((v, i) => {
      const got = ours(v);
      if (got !== expected[i]) expect.fail(`value ${i} (${texts[i]?.length} code units) differs from json.dumps`);
    });
  });
});
