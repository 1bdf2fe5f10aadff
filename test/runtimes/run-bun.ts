// Runs the suite in Bun with reqwire as a Bun user gets it: the package's "bun" export.
// Usage: bun run test/runtimes/run-bun.ts '<SuiteConfig JSON>'
// (Bun resolves `./suite.js` to the TypeScript file beside it, as tsc does)
import * as lib from "reqwire";
import * as testing from "reqwire/testing";
import { type Lib, runSuite, type SuiteConfig, type TestingLib } from "./suite.js";

const cfg = JSON.parse(process.argv[2] as string) as SuiteConfig;
console.log(
  `RESULTS ${JSON.stringify({ runtime: lib.runtime(), results: await runSuite(lib as unknown as Lib, cfg, testing as unknown as TestingLib) })}`,
);
