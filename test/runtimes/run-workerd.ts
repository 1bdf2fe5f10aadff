// The worker that runs the suite inside workerd, with reqwire as a Worker user gets it: the
// package's "workerd" export, bundled by esbuild the way wrangler bundles it (see
// workerd.test.ts). POST a SuiteConfig as JSON; the answer is `{"runtime": ..., "results": [...]}`.
// POST /posts?url=<url> sends two POSTs with the module functions (whose pool outlives the
// Worker request) and answers with their statuses.
import * as lib from "reqwire";
import * as testing from "reqwire/testing";
import { type Lib, runSuite, type SuiteConfig, type TestingLib } from "./suite.js";

export default {
  async fetch(request: Request): Promise<Response> {
    if (request.method !== "POST") return new Response("POST a SuiteConfig", { status: 405 });
    const url = new URL(request.url);
    if (url.pathname === "/posts") {
      const target = url.searchParams.get("url") as string;
      const statuses: Array<number | string> = [];
      for (let i = 0; i < 2; i++) {
        try {
          statuses.push((await lib.post(target, { data: `post ${i}` })).status_code);
        } catch (err) {
          statuses.push(`${(err as Error).name}: ${(err as Error).message}`);
        }
      }
      return Response.json(statuses);
    }
    const cfg = (await request.json()) as SuiteConfig;
    const results = await runSuite(lib as unknown as Lib, cfg, testing as unknown as TestingLib);
    return Response.json({ runtime: lib.runtime(), results });
  },
};
