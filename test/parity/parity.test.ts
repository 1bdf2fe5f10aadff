// Parity with Python requests: every scenario of scenarios.ts runs through the real requests
// (driver.py, one Python process for all of them) and through the built reqwire (dist/node.js),
// against the same httpbin (under gunicorn, test/support/httpbin.ts) and a second local server for
// what httpbin cannot do. One case per scenario compares the two records after the same
// normalisation; a scenario's documented differences must hold on both sides exactly.
//
// PARITY_DUMP=file writes every scenario's two normalised records to that file.
//
// Needs Debian's python3-requests, python3-httpbin, gunicorn and python3-brotli (for
// /usr/bin/python3) and a build (`npm run build`, which `npm test` runs first). Missing either
// fails the suite with a message saying so; it never skips.
import { spawn } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as Reqwire from "../../src/main.js";
import { newestMtime } from "../support/files.js";
import { type Httpbin, type SilentListener, startHttpbin, startSilentListener } from "../support/httpbin.js";
import { normalise, resolve, withoutField } from "./normalise.js";
import { runReqwire } from "./runner.js";
import { DIFFERENCE_REASONS, scenarios } from "./scenarios.js";
import type { Bases, Scenario } from "./types.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BUILT = join(ROOT, "dist/node.js");
const DRIVER = fileURLToPath(new URL("./driver.py", import.meta.url));

/** The built package, refused when src/ changed after the build (the test would compare stale code). */
async function loadBuilt(): Promise<typeof Reqwire> {
  let built: number;
  try {
    built = statSync(BUILT).mtimeMs;
  } catch {
    throw new Error(`${BUILT} does not exist: run \`npm run build\` first (npm test does)`);
  }
  if (newestMtime(join(ROOT, "src")) > built) {
    throw new Error(
      `${BUILT} is older than src/: run \`npm run build\` (npm test does) so the built package is tested`,
    );
  }
  return (await import(pathToFileURL(BUILT).href)) as typeof Reqwire;
}

// ---- the second server: another host (127.0.0.2), raw responses -----------------------------

const AUX_HOST = "127.0.0.2";

/** Header names in httpbin's spelling (Title-Case), so echoes of both servers read alike. */
const titleCase = (name: string) =>
  name.toLowerCase().replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase());

function answer(socket: Socket, status: string, headers: string[], body: Buffer | string): void {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  socket.end(
    Buffer.concat([
      Buffer.from(
        `${status}\r\n${[...headers, `Content-Length: ${bytes.length}`, "Connection: close"].join("\r\n")}\r\n\r\n`,
        "latin1",
      ),
      bytes,
    ]),
  );
}

function json(socket: Socket, status: string, value: unknown, headers: string[] = []): void {
  answer(socket, status, ["Content-Type: application/json", ...headers], JSON.stringify(value));
}

/** One request per connection: reads the head and a Content-Length body, then answers and closes. */
function auxServer(): Promise<Server> {
  const server = createServer((socket) => {
    let buffered = Buffer.alloc(0);
    socket.on("error", () => {});
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf("\r\n\r\n");
      if (end < 0) return;
      const lines = buffered.subarray(0, end).toString("latin1").split("\r\n");
      const [method = "", target = ""] = (lines[0] ?? "").split(" ");
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(":");
        headers[titleCase(line.slice(0, colon))] = line.slice(colon + 1).trim();
      }
      const length = Number(headers["Content-Length"] ?? 0);
      if (buffered.length < end + 4 + length) return;
      const body = buffered.subarray(end + 4, end + 4 + length).toString("utf8");
      socket.removeAllListeners("data");
      const path = target.split("?")[0];
      if (path === "/echo") {
        json(socket, "HTTP/1.1 200 OK", { method, url: target, headers, data: body });
      } else if (path === "/digest") {
        if ((headers.Authorization ?? "").startsWith("Digest ")) {
          json(socket, "HTTP/1.1 200 OK", { digest_answered: true });
        } else {
          json(socket, "HTTP/1.1 401 UNAUTHORIZED", { digest_answered: false }, [
            'WWW-Authenticate: Digest realm="aux", nonce="6d6f7265206e6f6e6365", qop="auth", algorithm=MD5, opaque="aux"',
          ]);
        }
      } else if (path === "/leading-crlf") {
        socket.write("\r\n\r\n");
        answer(socket, "HTTP/1.1 200 OK", ["Content-Type: text/plain"], "after empty lines");
      } else if (path === "/latin1-reason") {
        answer(socket, "HTTP/1.1 200 Ok\xe9", ["Content-Type: text/plain"], "reason with obs-text");
      } else {
        answer(socket, "HTTP/1.1 404 Not Found", ["Content-Type: text/plain"], "no such aux path");
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, AUX_HOST, () => resolve(server));
  });
}

/** A port that was free a moment ago and is closed now: connecting to it is refused. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

// ---- the requests side ------------------------------------------------------------------------

/** Runs driver.py once over every resolved scenario; its record per scenario name. */
function runDriver(python: string, resolved: Scenario[]): Promise<Map<string, unknown[]>> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(python, [DRIVER], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 50_000);
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`driver.py exited with ${code}:\n${err.slice(-4000)}`));
        return;
      }
      const records = new Map<string, unknown[]>();
      for (const line of out.split("\n")) {
        if (line.trim() === "") continue;
        const { name, record } = JSON.parse(line) as { name: string; record: unknown[] };
        records.set(name, record);
      }
      resolvePromise(records);
    });
    child.stdin.end(JSON.stringify(resolved));
  });
}

// ---- the suite --------------------------------------------------------------------------------

let httpbin: Httpbin | undefined;
let silent: SilentListener | undefined;
let aux: Server | undefined;
let api: typeof Reqwire | undefined;
let bases: Bases;
let requestsRecords: Map<string, unknown[]>;
const reqwireRecords = new Map<string, Promise<unknown[]>>();

beforeAll(async () => {
  api = await loadBuilt();
  httpbin = await startHttpbin();
  silent = await startSilentListener();
  aux = await auxServer();
  bases = {
    httpbin: httpbin.base,
    aux: `http://${AUX_HOST}:${(aux.address() as AddressInfo).port}`,
    silent: silent.base,
    refused: `http://127.0.0.1:${await closedPort()}`,
  };
  const resolved = scenarios.map((s) => resolve(s, bases));
  // both clients at once: each runs its scenarios one after another
  const loaded = api;
  const python = runDriver(httpbin.python, resolved);
  let chain: Promise<unknown> = Promise.resolve();
  for (const s of resolved) {
    const run = chain.then(() => runReqwire(loaded, s));
    reqwireRecords.set(s.name, run);
    chain = run.catch(() => {});
  }
  requestsRecords = await python;
  await chain;
  const dump = process.env.PARITY_DUMP;
  if (dump !== undefined && dump !== "") {
    // every pair of records, normalised, for a reader working on a difference
    const pairs: unknown[] = [];
    for (const s of scenarios) {
      pairs.push({
        name: s.name,
        requests: normalise(requestsRecords.get(s.name), s, bases),
        reqwire: normalise(await reqwireRecords.get(s.name)?.catch(String), s, bases),
      });
    }
    writeFileSync(dump, JSON.stringify(pairs, null, 1));
  }
}, 55_000);

afterAll(async () => {
  aux?.close();
  await silent?.close();
  await httpbin?.close();
});

describe("parity with Python requests", () => {
  it("has at least 100 scenarios with unique names", () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(100);
    expect(new Set(scenarios.map((s) => s.name)).size).toBe(scenarios.length);
  });

  it("lists every documented difference, word for word, in README's Differences from requests", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const start = readme.indexOf("Differences from requests, on purpose");
    const section = readme.slice(start, readme.indexOf("\n\n", readme.indexOf("\n- ", start)));
    const flat = (text: string) => text.replace(/\s+/g, " ");
    expect(start).toBeGreaterThan(0);
    const used = new Set(scenarios.flatMap((s) => (s.differences ?? []).map((d) => d.reason)));
    for (const reason of used) expect(DIFFERENCE_REASONS, reason).toContain(reason);
    for (const reason of DIFFERENCE_REASONS) expect(flat(section), "missing from README").toContain(flat(reason));
  });

  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const fromRequests = requestsRecords.get(scenario.name);
      if (fromRequests === undefined) throw new Error("driver.py gave no record for this scenario");
      const fromReqwire = await reqwireRecords.get(scenario.name);
      let rq = normalise(fromRequests, scenario, bases);
      let rw = normalise(fromReqwire, scenario, bases);
      for (const d of scenario.differences ?? []) {
        const a = withoutField(rq, d.field);
        const b = withoutField(rw, d.field);
        expect({ side: "requests", field: d.field, value: a.value }).toEqual({
          side: "requests",
          field: d.field,
          value: d.requests,
        });
        expect({ side: "reqwire", field: d.field, value: b.value }).toEqual({
          side: "reqwire",
          field: d.field,
          value: d.reqwire,
        });
        rq = a.rest;
        rw = b.rest;
      }
      expect(rw).toEqual(rq);
    });
  }
});
