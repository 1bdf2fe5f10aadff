// The packed package in an application bundle: esbuild bundles the user's script
// (user-script.ts, written as bundled.mjs) for browsers and for Cloudflare Workers (the conditions
// wrangler uses, `cloudflare:sockets` and the `.wasm` import left to workerd, as
// test/runtimes/workerd.test.ts does) without a warning, from reqwire installed (a copy in
// node_modules) and linked (a symlink, as `npm link` and workspaces install it: esbuild then
// reports on its files as on the user's own, where it says nothing of files inside node_modules).
// The browser bundle then runs, under Node (whose fetch it uses): what the bundler left out of
// it, as package.json "sideEffects" allows, was not needed.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type BuildOptions, build, formatMessages } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Packed, packed } from "./packed.js";
import { ESM, expected, type PathServer, pathServer, runScript } from "./user-script.js";

const TARGETS: Record<string, BuildOptions> = {
  browser: { platform: "browser" },
  workerd: {
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["cloudflare:sockets", "*.wasm"],
  },
};
const LAYOUTS = ["app", "linked"] as const;

let pkg: Packed;
let server: PathServer | undefined;

beforeAll(async () => {
  pkg = await packed();
  server = await pathServer();
  for (const layout of LAYOUTS) await writeFile(join(pkg[layout], "bundled.mjs"), ESM);
});

afterAll(() => server?.close());

/** Bundles the layout's bundled.mjs for the target into out-<target>/ (code splitting on); its warnings, as text. */
async function bundle(layout: (typeof LAYOUTS)[number], target: string): Promise<string[]> {
  const dir = pkg[layout];
  const result = await build({
    entryPoints: [join(dir, "bundled.mjs")],
    absWorkingDir: dir,
    outdir: join(dir, `out-${target}`),
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    format: "esm",
    target: "es2022",
    logLevel: "silent",
    ...TARGETS[target],
  });
  return formatMessages(result.warnings, { kind: "warning", color: false });
}

for (const layout of LAYOUTS) {
  describe(`reqwire ${layout === "app" ? "installed" : "linked"}, bundled by esbuild`, () => {
    for (const target of Object.keys(TARGETS)) {
      it(`for ${target}: no warning`, async () => {
        expect(await bundle(layout, target)).toEqual([]);
      });
    }

    it("for browser: the bundle runs", async () => {
      await bundle(layout, "browser");
      const result = await runScript(
        process.execPath,
        [join(pkg[layout], "out-browser/bundled.mjs"), server?.url ?? ""],
        pkg[layout],
      );
      expect(result).toEqual(expected("fetch"));
    });
  });
}
