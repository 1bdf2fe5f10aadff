// The unpacked tarball (packed.ts), imported by a user's script in each runtime reqwire supports
// outside a bundler: Node and Bun, each as ESM and as CommonJS, and Deno (the project's
// node_modules, no network but 127.0.0.1). Each does a real GET to a server on 127.0.0.1 and reads
// it with r.json(), loads reqwire/testing (a mocked request) and reqwire/core (a response head
// parsed), and names the runtime whose entry package.json "exports" gave it.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packed, ROOT } from "./packed.js";
import { CJS, ESM, expected, type PathServer, pathServer, runScript } from "./user-script.js";

const DENO = join(ROOT, "node_modules/.bin/deno");
const BUN = join(ROOT, "node_modules/.bin/bun");

let server: PathServer | undefined;
let base = "";
let app = "";

beforeAll(async () => {
  server = await pathServer();
  base = server.url;
  ({ app } = await packed());
  await writeFile(join(app, "user.mjs"), ESM);
  await writeFile(join(app, "user.cjs"), CJS);
});

afterAll(() => server?.close());

describe("the packed package, imported", () => {
  it("by Node, as ESM (import requests, { Session } from 'reqwire')", async () => {
    expect(await runScript(process.execPath, ["user.mjs", base], app)).toEqual(expected("node"));
  });

  it("by Node, as CommonJS (require('reqwire'), require('reqwire/testing'))", async () => {
    expect(await runScript(process.execPath, ["user.cjs", base], app)).toEqual(expected("node"));
  });

  it("by Deno, from the project's node_modules", async () => {
    const cache = join(app, ".deno");
    await mkdir(cache, { recursive: true });
    // "manual": the node_modules directory as it is, nothing fetched; DENO_DIR kept in the project
    const args = ["run", "--node-modules-dir=manual", "--allow-net=127.0.0.1", "user.mjs", base];
    expect(await runScript(DENO, args, app, { DENO_DIR: cache, DENO_NO_UPDATE_CHECK: "1" })).toEqual(expected("deno"));
  });

  it("by Bun, as ESM", async () => {
    expect(await runScript(BUN, ["--no-install", "user.mjs", base], app)).toEqual(expected("bun"));
  });

  it("by Bun, as CommonJS", async () => {
    expect(await runScript(BUN, ["--no-install", "user.cjs", base], app)).toEqual(expected("bun"));
  });
});
