// A short, seeded run of the fuzzer (test/core/fuzz.ts) in every `npm test`: its noise half —
// random bytes, HTTP-ish tokens and badly mutated responses, fed at random cuts to parsers with
// random limits — is not covered by differential.test.ts, which runs only the llhttp comparison.
// Long runs: `npm run fuzz -- --iterations 1000000`.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const ITERATIONS = 20_000;
const SEED = 2; // differential.test.ts uses seed 1

describe("fuzzer", () => {
  it(`runs ${ITERATIONS} iterations (seed ${SEED}): no crash, no unexplained disagreement, no slow input`, () => {
    const run = spawnSync(
      process.execPath,
      ["--import", "tsx", "test/core/fuzz.ts", "--iterations", String(ITERATIONS), "--seed", String(SEED)],
      { cwd: root, encoding: "utf8", timeout: 240_000 },
    );
    const out = `${run.stdout}\n${run.stderr}`;
    expect(run.error, out).toBeUndefined();
    expect(out).toContain("failures: 0");
    expect(run.status, out.slice(-4000)).toBe(0);
  }, 300_000);
});
