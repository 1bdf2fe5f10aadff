// The page script that runs the suite in a browser, with reqwire as a web application gets it:
// the package's "browser" export, bundled by esbuild the way an application bundler does (see
// browser.test.ts). It sets `runReqwireSuite(cfg)` on the page, resolving with the report.
import * as lib from "reqwire";
import type { ChildReport } from "./child.js";
import { type Lib, runSuite, type SuiteConfig } from "./suite.js";

async function runReqwireSuite(cfg: SuiteConfig): Promise<ChildReport> {
  return { runtime: lib.runtime(), results: await runSuite(lib as unknown as Lib, cfg) };
}

(globalThis as { runReqwireSuite?: typeof runReqwireSuite }).runReqwireSuite = runReqwireSuite;
