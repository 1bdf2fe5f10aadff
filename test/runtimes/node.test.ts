// The runtime suite in Node itself, over sockets and over the fetch transport (Node's fetch).
import { afterAll, beforeAll, describe } from "vitest";
import * as lib from "../../src/index.js";
import * as testing from "../../src/testing/index.js";
import { itEachCase } from "./each-case.js";
import { type SuiteServers, startSuiteServers } from "./servers.js";
import { type CaseResult, runSuite, type SuiteConfig } from "./suite.js";

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
    itEachCase({ transport }, () => results);
  });
}
