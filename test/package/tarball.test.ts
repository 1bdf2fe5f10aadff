// The tarball itself: small (≤ 200 KB packed; bench/RESULTS.md has the number), and only what runs
// or types the package: no source maps, no sources, nothing of the repository's own.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
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

  it("has no runtime dependency", async () => {
    const { app } = await packed();
    const manifest = JSON.parse(await readFile(join(app, "node_modules", "reqwire", "package.json"), "utf8")) as object;
    expect(Object.keys(manifest).filter((k) => /dependencies$/i.test(k) && k !== "devDependencies")).toEqual([]);
  });

  it("keeps the names of its classes and functions (minified JavaScript, names kept)", async () => {
    const { app } = await packed();
    const url = pathToFileURL(join(app, "node_modules", "reqwire", "dist", "node.js")).href;
    const lib = (await import(url)) as Record<string, unknown>;
    // `delete` is `del` under a second name (a keyword cannot name a function)
    const named = Object.entries(lib).filter(([k, v]) => typeof v === "function" && k !== "default" && k !== "delete");
    expect(named.length).toBeGreaterThan(40);
    // esbuild names a class that refers to itself `_Name` (`Name = class _Name`), minified or not
    for (const [name, value] of named) expect((value as { name: string }).name.replace(/^_/, ""), name).toBe(name);
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
