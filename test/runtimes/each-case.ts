// The vitest side of a suite run: one test per case a configuration runs, passing when the run
// reported that case passed (its error, if any, is the failure message).
import { beforeAll, describe, expect, it } from "vitest";
import type { ChildReport } from "./child.js";
import { type CaseResult, caseNames, type SuiteKind } from "./suite.js";

/** Declares a test per case of `kind`; `results` gives the run's report once it is in. */
export function itEachCase(kind: SuiteKind, results: () => Map<string, CaseResult> | undefined): void {
  for (const name of caseNames(kind)) {
    it(name, () => {
      const r = results()?.get(name);
      expect(r?.error).toBeUndefined();
      expect(r?.ok).toBe(true);
    });
  }
}

/**
 * A run of the suite elsewhere (another runtime, a worker, a page): `run` reports, within
 * `timeoutMs`; then a test that the package's `entry` build was the one imported, and one per case.
 */
export function describeRun(
  title: string,
  kind: SuiteKind,
  entry: string,
  run: () => Promise<ChildReport>,
  timeoutMs: number,
): void {
  describe(title, () => {
    let runtime = "";
    let results: Map<string, CaseResult> | undefined;
    beforeAll(async () => {
      const report = await run();
      runtime = report.runtime;
      results = new Map(report.results.map((r) => [r.name, r]));
    }, timeoutMs);
    it(`imports the package's ${entry} entry`, () => {
      expect(runtime).toBe(entry);
    });
    itEachCase(kind, () => results);
  });
}
