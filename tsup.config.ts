import { copyFile, readFile, writeFile } from "node:fs/promises";
import { basename } from "node:path";
import { transform } from "esbuild";
import { defineConfig, type Options } from "tsup";

// One entry per runtime (package.json "exports" picks among them). The workerd entry imports
// the engine as a `.wasm` module, left for the Worker's bundler; the others inline its bytes.
// reqwire/testing (dist/testing.js, .cjs) and reqwire/core (dist/core.js, .cjs; core-workerd.js)
// are built beside them, in the same splitting builds: they share their modules (errors, the
// engine, the runtime set up by the entry imported) instead of a copy of them.
const SELF_TYPES = '/* @ts-self-types="./index.d.ts" */';

const common: Options = {
  sourcemap: true,
  clean: false,
  target: "es2022",
  platform: "neutral",
  outDir: "dist",
  removeNodeProtocol: false,
  external: ["cloudflare:sockets", /^node:/],
};

/**
 * CommonJS whose entries share chunks (node.cjs and testing.cjs must see one copy of the errors
 * and of the runtime): esbuild splits only ESM, so the chunks are built as ESM named `.cjs` and each
 * is turned into CommonJS here, by esbuild, its `import()`s into `require`s (as a single-file build
 * has them). Not tsup's own cjs splitting: its sucrase pass turns `this.#options = x` into
 * `this.#options = exports.options = x` when a chunk exports `options`.
 */
const chunksToCommonJs: NonNullable<Options["plugins"]>[number] = {
  name: "chunks-to-commonjs",
  async renderChunk(code, info) {
    if (!info.path.endsWith(".cjs")) return;
    const out = await transform(code, {
      format: "cjs",
      target: "es2022",
      platform: "node",
      supported: { "dynamic-import": false },
      sourcemap: "external",
      sourcefile: basename(info.path),
    });
    return { code: out.code, map: out.map };
  },
};

export default defineConfig([
  {
    ...common,
    entry: {
      node: "src/entry/node.ts",
      deno: "src/entry/deno.ts",
      bun: "src/entry/bun.ts",
      workerd: "src/entry/workerd.ts",
      fetch: "src/entry/fetch.ts",
      testing: "src/testing/index.ts",
      core: "src/core/index.ts",
      "core-workerd": "src/core/index-workerd.ts",
    },
    format: ["esm"],
    // the published types are the public API: members marked @internal are left out
    // one types build for the three entries, so that reqwire/testing and reqwire/core declare the
    // main entry's classes by reference, not as copies (a copy of a class with private members is
    // another type: a MockAdapter would not be an Adapter); members marked @internal are left out
    dts: {
      entry: { index: "src/main.ts", testing: "src/testing/index.ts", core: "src/core/api.ts" },
      compilerOptions: { stripInternal: true },
    },
    splitting: true,
    esbuildPlugins: [
      {
        // the workerd entry's `./generated/core.wasm` becomes `./core.wasm` next to the bundle
        name: "wasm-beside",
        setup(build) {
          build.onResolve({ filter: /\.wasm$/ }, () => ({ path: "./core.wasm", external: true }));
        },
      },
    ],
    async onSuccess() {
      await copyFile("src/core/generated/core.wasm", "dist/core.wasm");
      // Deno and JSR find the types of a JavaScript entry through this directive
      const deno = await readFile("dist/deno.js", "utf8");
      if (!deno.startsWith(SELF_TYPES)) await writeFile("dist/deno.js", `${SELF_TYPES}\n${deno}`);
    },
  },
  {
    // CommonJS for Node: `require("reqwire")` and `require("reqwire/testing")` share chunks (see
    // chunksToCommonJs)
    ...common,
    entry: { node: "src/entry/node.ts", testing: "src/testing/index.ts", core: "src/core/index.ts" },
    format: ["esm"],
    splitting: true,
    outExtension: () => ({ js: ".cjs" }),
    plugins: [chunksToCommonJs],
    dts: false,
  },
  {
    // the `reqwire` command (package.json "bin"), importing the library from dist/node.js
    ...common,
    entry: { cli: "src/cli/main.ts" },
    format: ["esm"],
    platform: "node",
    dts: false,
    banner: { js: "#!/usr/bin/env node" },
    esbuildPlugins: [
      {
        name: "library-beside",
        setup(build) {
          build.onResolve({ filter: /\/entry\/node\.js$/ }, () => ({ path: "./node.js", external: true }));
        },
      },
    ],
  },
]);
