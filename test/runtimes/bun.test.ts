// The runtime suite in Bun (bun from npm), importing reqwire through the package's "bun" export.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChild } from "./child.js";
import { type SuiteServers, startSuiteServers } from "./servers.js";
import { type CaseResult, caseNames, type SuiteConfig } from "./suite.js";

const BUN = fileURLToPath(new URL("../../node_modules/.bin/bun", import.meta.url));
const RUNNER = fileURLToPath(new URL("./run-bun.ts", import.meta.url));

let servers: SuiteServers;
beforeAll(async () => {
  servers = await startSuiteServers();
});
afterAll(() => servers?.close());

for (const transport of ["sockets", "fetch"] as const) {
  describe(`Bun, ${transport}`, () => {
    let runtime = "";
    let results: Map<string, CaseResult>;
    beforeAll(async () => {
      const cfg: SuiteConfig = { ...servers.config, transport };
      const report = await runChild(BUN, ["run", RUNNER, JSON.stringify(cfg)], 60_000);
      runtime = report.runtime;
      results = new Map(report.results.map((r) => [r.name, r]));
    }, 70_000);
    it("imports the package's bun entry", () => {
      expect(runtime).toBe("bun");
    });
    for (const name of caseNames(transport)) {
      it(name, () => {
        const r = results.get(name);
        expect(r?.error).toBeUndefined();
        expect(r?.ok).toBe(true);
      });
    }
  });
}
