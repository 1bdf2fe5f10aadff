// The runtime suite in a browser page (Debian's chromium, driven by playwright-core), with
// reqwire as a web application gets it: run-browser.ts bundled by esbuild for the browser (the
// package's "browser" export, its lazy chunks split as an application bundler splits them),
// served from a page server on 127.0.0.1, and run against the suite's servers on another port:
// another origin, so CORS applies as it does for users. The page server answers the suite's
// requests too, for what only same-origin requests do (the browser's own cookies).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import type { ChildReport } from "./child.js";
import { describeRun } from "./each-case.js";
import { answerSuiteRequest, type SuiteServers, startSuiteServers } from "./servers.js";
import type { SuiteConfig, SuiteKind } from "./suite.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PAGE_SCRIPT = fileURLToPath(new URL("./run-browser.ts", import.meta.url));
/** Debian's chromium (test/support/system-packages.mjs installs it): no browser is downloaded. */
const CHROMIUM = "/usr/bin/chromium";
/**
 * As root on a machine with no network: no sandbox (chromium will not run as root with one), no
 * GPU, no QUIC, and none of the calls to Google's hosts a fresh profile makes. playwright adds
 * --headless and a fresh temporary --user-data-dir, removed on close.
 */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const PAGE = '<!doctype html><meta charset="utf-8"><script type="module" src="/run-browser.js"></script>';

/** Bundles the page script as an application would: the browser condition, code splitting. */
async function bundlePage(dir: string): Promise<void> {
  await build({
    entryPoints: [PAGE_SCRIPT],
    outdir: dir,
    absWorkingDir: ROOT,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    logLevel: "silent",
  });
}

/** Serves the page and the bundle's files; every other request is the suite's. */
function pageServer(dir: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(PAGE);
    } else if (path.endsWith(".js")) {
      readFile(join(dir, basename(path))).then(
        (body) => {
          res.writeHead(200, { "content-type": "text/javascript" });
          res.end(body);
        },
        () => {
          res.writeHead(404);
          res.end();
        },
      );
    } else {
      answerSuiteRequest(req, res);
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const a = server.address();
      resolve({ server, origin: `http://127.0.0.1:${typeof a === "object" && a !== null ? a.port : 0}` });
    });
  });
}

let servers: SuiteServers | undefined;
let dir: string | undefined;
let pages: Server | undefined;
let browser: Browser | undefined;
let page: Page | undefined;
let origin = "";
/** What went wrong in the page (uncaught errors, console errors), for the failure messages. */
const pageLog: string[] = [];

beforeAll(async () => {
  servers = await startSuiteServers();
  dir = await mkdtemp(join(tmpdir(), "reqwire-browser-"));
  await bundlePage(dir);
  const served = await pageServer(dir);
  pages = served.server;
  origin = served.origin;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 15_000 });
  page = await browser.newPage();
  page.on("pageerror", (err) => pageLog.push(`page error: ${err.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") pageLog.push(`console: ${m.text()}`);
  });
  await page.goto(`${origin}/`, { timeout: 10_000 });
  await page.waitForFunction(() => "runReqwireSuite" in globalThis, undefined, { timeout: 10_000 });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  if (pages !== undefined) {
    pages.closeAllConnections();
    await new Promise<void>((resolve) => (pages as Server).close(() => resolve()));
  }
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  await servers?.close();
});

/** Runs the suite once in the page, within `timeoutMs`. */
async function runInPage(cfg: SuiteConfig, timeoutMs: number): Promise<ChildReport> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the page ran over ${timeoutMs} ms:\n${pageLog.join("\n")}`)), timeoutMs);
  });
  try {
    const run = (page as Page).evaluate(
      (c) => (globalThis as unknown as { runReqwireSuite(c: SuiteConfig): Promise<ChildReport> }).runReqwireSuite(c),
      cfg,
    );
    return await Promise.race([
      run.catch((err: Error) => Promise.reject(new Error(`${err.message}\n${pageLog.join("\n")}`))),
      overrun,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

// (the page's origin is known once it is served: only whether there is one decides the cases)
const kind: SuiteKind = { transport: "fetch", page: "the page's origin" };

// the browser export is the fetch build
describeRun(
  "Chromium, a page on another origin than the servers",
  kind,
  "fetch",
  () => runInPage({ ...(servers as SuiteServers).config, ...kind, page: origin }, 40_000),
  45_000,
);
