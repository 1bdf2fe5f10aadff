// The tarball itself: small (≤ 200 KB packed; bench/RESULTS.md has the number), and only what runs
// or types the package: no source maps, no sources, nothing of the repository's own.
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packed } from "./packed.js";

const LIMIT = 200 * 1024;

async function files(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory()) out.push(...(await files(join(dir, entry.name), `${path}/`)));
    else out.push(path);
  }
  return out;
}

describe("the tarball", () => {
  it(`is at most ${LIMIT / 1024} KB packed`, async () => {
    const { tarball } = await packed();
    expect((await stat(tarball)).size).toBeLessThanOrEqual(LIMIT);
  });

  it("holds dist's JavaScript, declarations and engine, the README, the licence and package.json", async () => {
    const { app } = await packed();
    const all = await files(join(app, "node_modules", "reqwire"));
    const outside = all.filter((f) => !f.startsWith("dist/"));
    expect(outside.sort()).toEqual(["LICENSE", "README.md", "package.json"]);
    const kinds = new Set(
      all.filter((f) => f.startsWith("dist/")).map((f) => /(\.d\.c?ts|\.c?js|\.wasm)$/.exec(f)?.[1]),
    );
    expect([...kinds].sort()).toEqual([".cjs", ".d.cts", ".d.ts", ".js", ".wasm"]);
  });
});
