// The runtime suite in Bun (bun from npm), importing reqwire through the package's "bun" export.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";
import { runChild } from "./child.js";
import { describeRun } from "./each-case.js";
import { type SuiteServers, startSuiteServers } from "./servers.js";

const BUN = fileURLToPath(new URL("../../node_modules/.bin/bun", import.meta.url));
const RUNNER = fileURLToPath(new URL("./run-bun.ts", import.meta.url));

let servers: SuiteServers;
beforeAll(async () => {
  servers = await startSuiteServers();
});
afterAll(() => servers?.close());

for (const transport of ["sockets", "fetch"] as const) {
  describeRun(
    `Bun, ${transport}`,
    { transport },
    "bun",
    () => runChild(BUN, ["run", RUNNER, JSON.stringify({ ...servers.config, transport })], 60_000),
    70_000,
  );
}
