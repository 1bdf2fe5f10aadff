// Are the types wrong? @arethetypeswrong/core on the tarball `npm pack` makes: every entry point of
// package.json "exports", under each module resolution TypeScript users have (node10, node16 from
// CommonJS, node16 from ESM, bundler), resolves to types that match its JavaScript.
import { readFile } from "node:fs/promises";
import { type Analysis, checkPackage, createPackageFromTarballData, type ResolutionKind } from "@arethetypeswrong/core";
import { problemKindInfo } from "@arethetypeswrong/core/problems";
import { beforeAll, describe, expect, it } from "vitest";
import { packed } from "./packed.js";

const RESOLUTIONS: ResolutionKind[] = ["node10", "node16-cjs", "node16-esm", "bundler"];
// `./core.wasm` is the engine's bytes for a Worker's bundler (workerd's entry imports it), not a
// module TypeScript resolves: attw can only report it unresolved ("NoResolution") everywhere.
const NOT_MODULES = ["./core.wasm"];
// the JavaScript entry points, and package.json (resolved as JSON)
const ENTRYPOINTS = [".", "./fetch", "./testing", "./core", "./package.json"];

let analysis: Analysis;
beforeAll(async () => {
  const { tarball } = await packed();
  const result = await checkPackage(createPackageFromTarballData(new Uint8Array(await readFile(tarball))), {
    excludeEntrypoints: NOT_MODULES,
  });
  if (result.types === false) throw new Error("attw found no types in the package");
  analysis = result;
});

describe("attw", () => {
  it("checks every entry point of package.json exports", async () => {
    const { manifest } = await packed();
    const exported = Object.keys(manifest.exports);
    expect(exported).toEqual([".", "./fetch", "./testing", "./core", "./core.wasm", "./package.json"]);
    expect(Object.keys(analysis.entrypoints)).toEqual(exported.filter((e) => !NOT_MODULES.includes(e)));
    expect(Object.keys(analysis.entrypoints)).toEqual(ENTRYPOINTS);
  });

  for (const entrypoint of ENTRYPOINTS) {
    for (const kind of RESOLUTIONS) {
      it(`${entrypoint} under ${kind}: no problem`, () => {
        const resolution = analysis.entrypoints[entrypoint]?.resolutions[kind];
        const problems = (resolution?.visibleProblems ?? []).map((i) => analysis.problems[i]);
        const text = problems.map((p) =>
          p === undefined ? "?" : `${problemKindInfo[p.kind].title}: ${JSON.stringify(p)}`,
        );
        expect(text).toEqual([]);
        expect(resolution?.resolution?.fileName, "types resolved").toBeDefined();
      });
    }
  }

  it("has no problem outside the entry points' resolutions", () => {
    const shown = new Set(
      Object.values(analysis.entrypoints).flatMap((e) =>
        Object.values(e.resolutions).flatMap((r) => r.visibleProblems ?? []),
      ),
    );
    expect(analysis.problems.filter((_, i) => !shown.has(i))).toEqual([]);
  });
});
