// The runtime suite in Node itself, over sockets and over the fetch transport (Node's fetch).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as lib from "../../src/index.js";
import * as testing from "../../src/testing/index.js";
import { type SuiteServers, startSuiteServers } from "./servers.js";
import { type CaseResult, caseNames, runSuite, type SuiteConfig } from "./suite.js";

let servers: SuiteServers;
beforeAll(async () => {
  servers = await startSuiteServers();
});
afterAll(() => servers?.close());

for (const transport of ["sockets", "fetch"] as const) {
  describe(`Node, ${transport}`, () => {
    let results: Map<string, CaseResult>;
    beforeAll(async () => {
      const cfg: SuiteConfig = { ...servers.config, transport };
      results = new Map((await runSuite(lib, cfg, testing)).map((r) => [r.name, r]));
    }, 60_000);
    for (const name of caseNames(transport)) {
      it(name, () => {
        const r = results.get(name);
        expect(r?.error).toBeUndefined();
        expect(r?.ok).toBe(true);
      });
    }
  });
}
