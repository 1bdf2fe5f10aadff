// Running the `reqwire` command as a subprocess (piped, or on a pseudo-terminal through
// util-linux `script`), and node:http servers on 127.0.0.1 that record what reaches them.
import { spawn, spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { newestMtime } from "../support/files.js";
import { type BodyHandler, readAndAnswer } from "../support/http.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BUILT = join(ROOT, "dist/cli.js");

/**
 * How to run the command: the built dist/cli.js (what users run; `npm test` builds first), or
 * the sources through tsx when there is no build newer than src/ (running vitest alone).
 */
function command(): string[] {
  try {
    if (statSync(BUILT).mtimeMs >= newestMtime(join(ROOT, "src"))) return [process.execPath, BUILT];
  } catch {
    // not built
  }
  // tsx by its file URL: the command may run in another directory
  return [process.execPath, "--import", import.meta.resolve("tsx"), join(ROOT, "src/cli/main.ts")];
}

export const CLI: readonly string[] = command();

/** The environment of the command: no proxies, CA bundles, .netrc or NO_COLOR from this machine. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (
      /^(https?_proxy|all_proxy|no_proxy|requests_ca_bundle|curl_ca_bundle|netrc|no_color|force_color)$/i.test(name)
    ) {
      delete env[name];
    }
  }
  env.HOME = ROOT; // no ~/.netrc
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout as bytes. */
  out: Buffer;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Kill the command after this many milliseconds (the test then fails on its output). */
  killAfter?: number;
  /** Sends SIGINT (Ctrl-C) once stderr so far passes this test. */
  interruptWhen?: (stderr: string) => boolean;
}

/** Runs `reqwire args…` with stdout and stderr piped. */
export function reqwire(args: readonly string[], options: RunOptions = {}): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const [exe, ...pre] = CLI as [string, ...string[]];
    const child = spawn(exe, [...pre, ...args], {
      cwd: options.cwd ?? ROOT,
      env: cliEnv(options.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    let interrupted = false;
    child.stderr.on("data", (c: Buffer) => {
      err.push(c);
      if (!interrupted && options.interruptWhen?.(Buffer.concat(err).toString("utf8"))) {
        interrupted = true;
        child.kill("SIGINT");
      }
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.killAfter ?? 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const bytes = Buffer.concat(out);
      resolvePromise({ code, stdout: bytes.toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), out: bytes });
    });
  });
}

/** Whether util-linux `script` (which runs a command on a pseudo-terminal) is installed. */
export function hasScript(): boolean {
  const r = spawnSync("script", ["--version"], { encoding: "utf8" });
  return r.status === 0 && /util-linux/.test(r.stdout);
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, "'\\''")}'`;
}

/**
 * Runs `reqwire args…` on a pseudo-terminal (`script -q -e -c CMD /dev/null`): stdout and stderr
 * are both the terminal, so the output is one stream (with the terminal's \r\n line ends).
 */
export function reqwireOnTty(
  args: readonly string[],
  options: RunOptions = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const cmd = [...CLI, ...args].map(shellQuote).join(" ");
    const child = spawn("script", ["-q", "-e", "-c", cmd, "/dev/null"], {
      cwd: options.cwd ?? ROOT,
      env: cliEnv({ TERM: "xterm-256color", ...options.env }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => out.push(c));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.killAfter ?? 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output: Buffer.concat(out).toString("utf8") });
    });
  });
}

// ---- servers ------------------------------------------------------------------------------------

export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  /** Name/value pairs as received, in order. */
  rawHeaders: Array<[string, string]>;
  body: Buffer;
}

export type Handler = BodyHandler;

export interface TestServer {
  /** http://127.0.0.1:PORT or https://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  readonly seen: Seen[];
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

function serve(server: Server, scheme: string, handler: Handler): Promise<TestServer> {
  const seen: Seen[] = [];
  let connections = 0;
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    connections++;
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const record = (body: Buffer, rawHeaders: Array<[string, string]>) =>
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, rawHeaders, body });
    readAndAnswer(req, res, record, handler);
  });
  return new Promise((resolvePromise) => {
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      resolvePromise({
        url: `${scheme}://127.0.0.1:${port}`,
        port,
        seen,
        connections: () => connections,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** An HTTP server on 127.0.0.1 (a random port). */
export function httpServer(handler: Handler): Promise<TestServer> {
  return serve(createHttpServer(), "http", handler);
}

/** An HTTPS server on 127.0.0.1 with the given certificate. */
export function httpsServer(cert: { cert: string; key: string }, handler: Handler): Promise<TestServer> {
  return serve(createHttpsServer({ cert: cert.cert, key: cert.key }), "https", handler);
}

/** A port on 127.0.0.1 where nothing listens (it was just free). */
export async function closedPort(): Promise<number> {
  const s = createHttpServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The parts of a multipart/form-data body. */
export function multipartParts(
  body: Buffer,
  contentType: string | undefined,
): Array<{ headers: Record<string, string>; content: Buffer }> {
  const boundary = /boundary=([^;]+)/.exec(contentType ?? "")?.[1];
  if (boundary === undefined) throw new Error(`not multipart: ${contentType}`);
  const parts: Array<{ headers: Record<string, string>; content: Buffer }> = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, start);
    const part = body.subarray(start + 2, next - 2); // after CRLF, before CRLF
    const split = part.indexOf("\r\n\r\n");
    const headers: Record<string, string> = {};
    for (const line of part.subarray(0, split).toString("latin1").split("\r\n")) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    parts.push({ headers, content: part.subarray(split + 4) });
    at = next;
  }
  return parts;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC
export const ANSI_COLOR = /\u001b\[[0-9;]*m/;

/** Text without its colour codes. */
export function stripColors(s: string): string {
  return s.replace(new RegExp(ANSI_COLOR.source, "g"), "");
}

/** ESC shown as "⎋", so that tests can match escape sequences with plain regular expressions. */
export function visible(s: string): string {
  return s.replaceAll("\u001b", "⎋");
}
