// The script a user of the packed package runs (imports.test.ts runs it in Node, Deno and Bun;
// bundlers.test.ts runs its browser bundle): a real GET read with r.json(), a request mocked with
// reqwire/testing, a response head parsed and a request head written with reqwire/core. It
// prints one line, RESULT and JSON, and takes the server's URL as its argument.

import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const CHILD_MS = 30_000;

/** The script's work, the same in every runtime and module format (`Session`, `Mocker`… in scope). */
const BODY = `
const r = await requests.get(base + "/hello", { params: { q: "x" }, timeout: 5 });
const s = new Session();
const m = new Mocker();
s.mount("https://api.example/", new MockAdapter(m));
m.get("https://api.example/user", { json: { name: "Ada" } });
const mocked = (await s.get("https://api.example/user", { timeout: 5 })).json().name;
s.close();
const parser = new ResponseParser();
parser.expect({ head: false });
parser.feed(new TextEncoder().encode("HTTP/1.1 204 No Content\\r\\n\\r\\n"));
let parsed = 0;
for (let ev = parser.next(); ev !== ParserEvent.NeedMore; ev = parser.next()) {
  if (ev === ParserEvent.Head) parsed = parser.statusCode;
}
const head = new TextDecoder().decode(sharedWriter().head("GET", "/", [["Host", "a"]]));
// import() after require() or import: the same module, so the same classes
const again = await import("reqwire");
const oneCopy = again.Session === Session && again.HTTPError === requests.HTTPError;
console.log("RESULT " + JSON.stringify({ runtime: requests.runtime(), status: r.status_code, json: r.json(), mocked, parsed, head, oneCopy }));
`;

export const ESM = `import requests, { Session } from "reqwire";
import { MockAdapter, Mocker } from "reqwire/testing";
import { ParserEvent, ResponseParser, sharedWriter } from "reqwire/core";
const base = globalThis.Deno ? Deno.args[0] : process.argv[2];
${BODY}`;

export const CJS = `const requests = require("reqwire");
const { Session } = requests;
const { MockAdapter, Mocker } = require("reqwire/testing");
const { ParserEvent, ResponseParser, sharedWriter } = require("reqwire/core");
const base = process.argv[2];
(async () => {
${BODY}
})().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
`;

export interface Result {
  runtime: string;
  status: number;
  json: unknown;
  mocked: string;
  parsed: number;
  head: string;
  /** import("reqwire") gives the classes the script already has (no second copy of reqwire). */
  oneCopy: boolean;
}

/** What the script prints in `runtime` against a server answering its path as JSON. */
export const expected = (runtime: string): Result => ({
  runtime,
  status: 200,
  json: { path: "/hello?q=x" },
  mocked: "Ada",
  parsed: 204,
  head: "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
  oneCopy: true,
});

/** Runs a runtime on the user's script in `cwd`; its RESULT line, or its output in the error. */
export function runScript(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<Result> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, timeout: CHILD_MS, killSignal: "SIGKILL", env: { ...process.env, NO_COLOR: "1", ...env } },
      (err, stdout, stderr) => {
        const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
        if (err !== null || line === undefined) {
          reject(new Error(`${command} ${args.join(" ")}: ${err?.message ?? "no RESULT line"}\n${stdout}\n${stderr}`));
          return;
        }
        resolve(JSON.parse(line.slice("RESULT ".length)) as Result);
      },
    );
  });
}

export interface PathServer {
  url: string;
  close(): Promise<void>;
}

/** A server on 127.0.0.1 answering every request with its path, as JSON. */
export async function pathServer(): Promise<PathServer> {
  const server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
