// The published types, as users' TypeScript sees them: a file using the README's API, compiled
// against the unpacked tarball (packed.ts) under each module resolution (nodenext, node16,
// bundler), as an ES module (.mts) and as CommonJS (.cts), with three `lib`s — strict, library
// files checked (skipLibCheck: false), and no @types/node (`types: []`): a browser or Worker
// project has none, so the types may need nothing from it. Four cells more add @types/node, as a
// Node project has it; Deno's own checker reads the ES module file too.
//
// The programs are built in this process with one compiler host whose parsed files are shared
// (the lib files and reqwire's declarations are parsed once per language version and format).
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { packed, ROOT } from "./packed.js";

// no console, TextEncoder or other globals that lib es2022 lacks: the user's file needs none
/** The README's API: the verbs and their options, Response, errors, Session, reqwire/testing, reqwire/core. */
const BODY = `
export async function main(base: string): Promise<string[]> {
  const out: string[] = [];
  const r = await requests.get(\`\${base}/get\`, {
    params: { q: "x" },
    headers: { Accept: "application/json" },
    timeout: 5,
  });
  r.raise_for_status();
  out.push(String(r.status_code), r.reason, r.text, r.headers.get("content-type") ?? "");
  // the platform's types stand in structurally where the lib has none (URL here)
  const host: string = r.request.parsedUrl.hostname;
  out.push(host);
  // @ts-expect-error timeout is seconds or a tuple, never text: the types are not \`any\` anywhere
  await requests.get(base, { timeout: "5" });
  out.push(r.json<{ args: { q: string } }>().args.q);
  const created = await requests.post(\`\${base}/post\`, { json: { title: "New Post" }, auth: ["u", "p"] as const });
  out.push(created.json<{ json: { title: string } }>().json.title);
  try {
    (await requests.get(\`\${base}/status/404\`, { timeout: [1, 2] })).raise_for_status();
  } catch (e) {
    if (e instanceof HTTPError) out.push(String(e.response?.status_code), e.message);
    else if (e instanceof Timeout) out.push("timeout", e.code);
    else if (e instanceof ConnectionError) out.push("connection", e.message);
  }

  // a fetch of one's own (a stand-in here): it must answer with a Response, under every lib
  const offline = fetchTransport(async () => {
    throw new Error("offline");
  });
  // @ts-expect-error an object with a status is not a Response
  fetchTransport(async () => ({ status: 200 }));
  out.push(offline.kind);

  const m = new Mocker();
  const s = new Session();
  s.mount("https://api.example/", new MockAdapter(m));
  m.get("https://api.example/user", { json: { name: "Ada" } });
  out.push((await s.get("https://api.example/user")).json<{ name: string }>().name);
  s.close();

  const head: Uint8Array = sharedWriter().head("GET", "/bytes/3", [["Host", "127.0.0.1"]]);
  const parser = new ResponseParser();
  parser.expect({ head: false });
  // bytes of ASCII text, without TextEncoder (not in lib es2022 without dom)
  parser.feed(Uint8Array.from("HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\n\\r\\nabc", (c) => c.charCodeAt(0)));
  let bytes = head.length;
  for (let ev = parser.next(); ev !== ParserEvent.NeedMore; ev = parser.next()) {
    if (ev === ParserEvent.Head) out.push(String(parser.statusCode), parser.headers.get("content-length") ?? "");
    else if (ev === ParserEvent.Body) bytes += parser.body.length;
  }
  parser.finish();
  out.push(String(bytes));
  return out;
}
`;

const ESM = `import requests, { ConnectionError, fetchTransport, HTTPError, Session, Timeout } from "reqwire";
import { ParserEvent, ResponseParser, sharedWriter } from "reqwire/core";
import { MockAdapter, Mocker } from "reqwire/testing";
${BODY}
export const lines: string[] = await main("http://127.0.0.1:8080");
`;

// CommonJS as TypeScript writes it: \`import x = require()\`, a require() in every module mode
const CJS = `import reqwire = require("reqwire");
import core = require("reqwire/core");
import testing = require("reqwire/testing");
const requests = reqwire.default;
const { ConnectionError, fetchTransport, HTTPError, Session, Timeout } = reqwire;
const { ParserEvent, ResponseParser, sharedWriter } = core;
const { MockAdapter, Mocker } = testing;
${BODY}
export const lines: Promise<string[]> = main("http://127.0.0.1:8080");
`;

type Resolution = "nodenext" | "node16" | "bundler";
type Format = "esm" | "cjs";
const LIBS = [["es2022"], ["esnext"], ["es2022", "dom"]];

interface Cell {
  name: string;
  file: string;
  options: ts.CompilerOptions;
}

/** One program: the user's file under a resolution, a format, a lib and with or without @types/node. */
function cell(app: string, resolution: Resolution, format: Format, lib: string[], nodeTypes = false): Cell {
  return {
    name: `${resolution}, ${format === "esm" ? ".mts" : ".cts"}, lib ${lib.join("+")}${nodeTypes ? ", @types/node" : ""}`,
    file: join(app, format === "esm" ? "user.mts" : "user.cts"),
    options: {
      // bundler resolution goes with module "preserve" (a bundler reads the file, imports and
      // require()s as written): a .cts file's `import x = require()` resolves with the
      // "require" condition there, an .mts file's imports with "import". CommonJS output
      // ("module": "commonjs") cannot go with bundler resolution (TS5095).
      module: resolution === "bundler" ? ts.ModuleKind.Preserve : moduleKind(resolution),
      moduleResolution: moduleResolutionKind(resolution),
      target: ts.ScriptTarget.ES2022,
      lib: lib.map((l) => `lib.${l}.d.ts`),
      ...(nodeTypes ? { types: ["node"], typeRoots: [join(ROOT, "node_modules", "@types")] } : { types: [] }),
      strict: true,
      skipLibCheck: false,
      noEmit: true,
    },
  };
}

function cells(app: string): Cell[] {
  const out: Cell[] = [];
  for (const resolution of ["nodenext", "node16", "bundler"] as Resolution[]) {
    for (const format of ["esm", "cjs"] as Format[]) {
      for (const lib of LIBS) out.push(cell(app, resolution, format, lib));
    }
  }
  // a Node project's usual setting: @types/node (20, as pinned here), with and without dom
  for (const format of ["esm", "cjs"] as Format[]) {
    for (const lib of [["es2022"], ["esnext", "dom"]]) out.push(cell(app, "nodenext", format, lib, true));
  }
  return out;
}

/** `using` where disposables are declared: lib esnext, or @types/node (with and without dom). */
function usingCells(app: string): Cell[] {
  return [
    cell(app, "nodenext", "esm", ["esnext"]),
    cell(app, "nodenext", "esm", ["es2022"], true),
    cell(app, "nodenext", "esm", ["esnext", "dom"], true),
  ].map((c) => ({ ...c, name: `using: ${c.name}`, file: join(app, "using.mts") }));
}

function moduleKind(resolution: "nodenext" | "node16"): ts.ModuleKind {
  return resolution === "nodenext" ? ts.ModuleKind.NodeNext : ts.ModuleKind.Node16;
}

function moduleResolutionKind(resolution: Resolution): ts.ModuleResolutionKind {
  if (resolution === "bundler") return ts.ModuleResolutionKind.Bundler;
  return resolution === "nodenext" ? ts.ModuleResolutionKind.NodeNext : ts.ModuleResolutionKind.Node16;
}

/** A compiler host whose source files are parsed once for all programs (keyed on file, version and format). */
function sharedHost(): (options: ts.CompilerOptions) => ts.CompilerHost {
  const parsed = new Map<string, ts.SourceFile | undefined>();
  return (options) => {
    const host = ts.createCompilerHost(options, true);
    const parse = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, version, onError, create) => {
      const v = typeof version === "object" ? version : { languageVersion: version };
      const key = `${fileName}\0${v.languageVersion}\0${v.impliedNodeFormat ?? ""}\0${v.setExternalModuleIndicator ? 1 : 0}`;
      if (!parsed.has(key)) parsed.set(key, parse(fileName, version, onError, create));
      return parsed.get(key);
    };
    return host;
  };
}

const run = promisify(execFile);

// `using` closes a Session where the compilation declares disposables (lib esnext, @types/node)
const USING = `import { Session } from "reqwire";
export function scoped(): string {
  using s = new Session();
  return s.headers["user-agent"] ?? "";
}
`;

const results = new Map<string, string>();

beforeAll(async () => {
  const { app } = await packed();
  await writeFile(join(app, "user.mts"), ESM);
  await writeFile(join(app, "user.cts"), CJS);
  await writeFile(join(app, "using.mts"), USING);
  const hostFor = sharedHost();
  for (const c of [...cells(app), ...usingCells(app)]) {
    const host = hostFor(c.options);
    const program = ts.createProgram({ rootNames: [c.file], options: c.options, host });
    const diagnostics = ts.getPreEmitDiagnostics(program);
    results.set(c.name, ts.formatDiagnostics(diagnostics, { ...host, getCurrentDirectory: () => app }));
  }
}, 120_000);

describe("the published types", () => {
  for (const c of cells("")) {
    it(`compile: ${c.name}`, () => {
      expect(results.get(c.name)).toBe("");
    });
  }

  it("pass Deno's own check (deno check, the package from node_modules)", async () => {
    const { app } = await packed();
    const env = { ...process.env, DENO_DIR: join(app, ".deno"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
    const args = ["check", "--node-modules-dir=manual", "user.mts", "using.mts"];
    const out = await run(join(ROOT, "node_modules/.bin/deno"), args, { cwd: app, env, timeout: 60_000 }).catch(
      (err: { stdout?: string; stderr?: string; message: string }) => ({
        stdout: err.stdout ?? "",
        stderr: `${err.message}\n${err.stderr}`,
      }),
    );
    expect(out.stderr).not.toMatch(/error/i);
    expect(out.stderr).toContain("Check");
  }, 70_000);

  it("let `using` close a Session where the lib or @types/node declares disposables", () => {
    const using = [...results].filter(([name]) => name.startsWith("using: "));
    expect(using.map(([name]) => name)).toHaveLength(3);
    for (const [name, text] of using) expect(text, name).toBe("");
  });
});
