import { copyFile, readFile, writeFile } from "node:fs/promises";
import { defineConfig, type Options } from "tsup";

// One entry per runtime (package.json "exports" picks among them). The workerd entry imports
// the engine as a `.wasm` module, left for the Worker's bundler; the others inline its bytes.
// reqwire/testing (dist/testing.js) and reqwire/core (dist/core.js, core-workerd.js) are built
// beside them, in the same splitting build: they share their modules (errors, the engine, the
// runtime set up by the entry imported) instead of a copy of them. CommonJS (`require`) gets the
// same modules through dist/*.cjs, written after this by assembly/commonjs.mjs.
const SELF_TYPES = '/* @ts-self-types="./index.d.ts" */';

const common: Options = {
  // the published JavaScript: whitespace and syntax minified, names kept (stack traces and
  // `err.name` read as in the source); no source maps, as the package ships no sources
  // (REQWIRE_SOURCEMAP=1 adds them, for bench/size.ts to attribute bytes to src/ modules)
  sourcemap: process.env.REQWIRE_SOURCEMAP === "1",
  minifyWhitespace: true,
  minifySyntax: true,
  clean: false,
  target: "es2022",
  platform: "neutral",
  outDir: "dist",
  removeNodeProtocol: false,
  external: ["cloudflare:sockets", /^node:/],
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
