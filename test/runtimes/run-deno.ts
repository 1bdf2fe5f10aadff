// Runs the suite in Deno with reqwire as a Deno user gets it: the package's "deno" export.
// Usage: deno run --unstable-sloppy-imports --allow-net=127.0.0.1 test/runtimes/run-deno.ts '<SuiteConfig JSON>'
// (sloppy imports: `./suite.js` is the TypeScript file beside it, as tsc resolves it)
import * as lib from "reqwire";
import * as testing from "reqwire/testing";
import { type Lib, runSuite, type SuiteConfig, type TestingLib } from "./suite.js";

const { Deno } = globalThis as unknown as { Deno: { args: string[] } };
const cfg = JSON.parse(Deno.args[0] as string) as SuiteConfig;
console.log(
  `RESULTS ${JSON.stringify({ runtime: lib.runtime(), results: await runSuite(lib as unknown as Lib, cfg, testing as unknown as TestingLib) })}`,
);
