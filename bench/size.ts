import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { buildRevision, checkBuild, option, RESULTS_FILE, writeSection } from "./common.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const dist = join(root, "dist");
const START_MARK = "<!-- size:start -->";
const END_MARK = "<!-- size:end -->";
const ENTRIES = ["node", "deno", "bun", "workerd", "fetch"] as const;
type Entry = (typeof ENTRIES)[number];
/** Target: gzipped bytes per entry (30 KB, counted as 30,000 bytes). */
const TARGET = 30_000;

/**
 * The modules a plain GET (no redirect, no .netrc file) runs that load on first use, per entry:
 * the exchange (pools and connections, the receiving side) and the runtime's transport.
 */
const EXCHANGE = ["src/http/pool.ts", "src/api/receive.ts"];
const FIRST_GET: Record<Entry, string[]> = {
  node: [...EXCHANGE, "src/transport/node.ts"],
  deno: [...EXCHANGE, "src/transport/deno.ts"],
  bun: [...EXCHANGE, "src/transport/bun.ts"],
  workerd: [...EXCHANGE, "src/transport/workerd.ts"],
  fetch: ["src/api/receive.ts", "src/http/fetch.ts"],
};

const gz = (b: Uint8Array | string) => gzipSync(b, { level: 9 }).length;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const kb = (n: number) => `${(n / 1000).toFixed(1)} KB`;

// ---- dist as shipped ----------------------------------------------------------------------------

/** The entry and every dist file it imports statically (chunks), in load order; .wasm excluded. */
function distFiles(entry: Entry): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(join(dist, file), "utf8");
    for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*["'](\.\/[^"']+)["']/g)) {
      const dep = (m[1] as string).slice(2);
      if (!dep.endsWith(".wasm")) visit(dep);
    }
  };
  visit(`${entry}.js`);
  return [...seen];
}

// ---- source-map attribution -----------------------------------------------------------------------

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

/** Source-map segments as [generated column, source index or -1], per generated line. */
function decodeMappings(mappings: string): Array<Array<[number, number]>> {
  const lines: Array<Array<[number, number]>> = [];
  let source = 0;
  for (const line of mappings.split(";")) {
    const segs: Array<[number, number]> = [];
    let col = 0;
    for (const seg of line.split(",")) {
      if (seg === "") continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const d = B64_INDEX.get(ch);
        if (d === undefined) throw new Error(`bad VLQ digit ${ch}`);
        value += (d & 31) << shift;
        if (d & 32) {
          shift += 5;
        } else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      col += fields[0] ?? 0;
      if (fields.length >= 4) {
        source += fields[1] as number;
        segs.push([col, source]);
      } else {
        segs.push([col, -1]);
      }
    }
    lines.push(segs);
  }
  return lines;
}

/** For each output character, the module it came from: an index into `sources`, or -1 (esbuild's glue). */
function owners(code: string, map: { sources: string[]; mappings: string }): Int32Array {
  const own = new Int32Array(code.length).fill(-1);
  const lines = decodeMappings(map.mappings);
  let start = 0;
  for (let l = 0; l < lines.length && start <= code.length; l++) {
    let end = code.indexOf("\n", start);
    if (end < 0) end = code.length;
    const segs = lines[l] as Array<[number, number]>;
    for (let i = 0; i < segs.length; i++) {
      const [col, src] = segs[i] as [number, number];
      const next = i + 1 < segs.length ? (segs[i + 1] as [number, number])[0] : end - start;
      own.fill(src, start + col, Math.min(start + next, end));
    }
    start = end + 1;
  }
  return own;
}

interface ModuleShare {
  /** Minified bytes from this module. */
  bytes: number;
  /** Gzipped bundle minus the gzipped bundle without this module's bytes. */
  gzip: number;
}

/** `mapDir`: the directory the source map's `sources` are relative to. */
function attribute(
  code: string,
  map: { sources: string[]; mappings: string },
  mapDir: string,
): Map<string, ModuleShare> {
  const own = owners(code, map);
  const total = gz(code);
  const names = map.sources.map((s) => relative(root, resolve(mapDir, s)));
  const out = new Map<string, ModuleShare>();
  const indexes = new Set<number>(own);
  for (const idx of indexes) {
    let kept = "";
    let bytes = 0;
    let run = 0;
    for (let i = 0; i <= code.length; i++) {
      if (i === code.length || own[i] === idx) {
        kept += code.slice(run, i);
        run = i + 1;
        if (i < code.length) bytes++;
      }
    }
    const name = idx < 0 ? "(esbuild glue, unmapped)" : (names[idx] ?? `source ${idx}`);
    out.set(name, { bytes, gzip: total - gz(kept) });
  }
  return out;
}

// ---- per entry ----------------------------------------------------------------------------------

interface EntrySize {
  entry: Entry;
  files: string[];
  distRaw: number;
  /** gzip -9 of each dist file, summed (each file served on its own). */
  distGzip: number;
  /** What loads with the import: the entry's output and the chunks it imports statically. */
  minified: number;
  minifiedGzip: number;
  /** workerd: gzip -9 of core.wasm, shipped beside the JS; 0 where the engine is inline. */
  wasmGzip: number;
  /** At import, gzip, with the engine. */
  total: number;
  /** What a program that sends one plain GET has loaded: at import + the chunks that request runs. */
  firstGzip: number;
  /** Source modules of the chunks the first GET loads. */
  firstNames: string[];
  /** Source modules loaded only by features a plain GET does not use. */
  laterNames: string[];
  /** Everything the entry can load (what a bundle without code splitting carries). */
  allGzip: number;
  modules: Map<string, ModuleShare>;
}

type Metafile = esbuild.Metafile;

/** The outputs reachable from `from` through imports of `kind`, in load order. */
function reach(meta: Metafile, from: string[], kind: esbuild.ImportKind, skip: Set<string>): string[] {
  const seen: string[] = [];
  const visit = (path: string) => {
    if (skip.has(path) || seen.includes(path)) return;
    seen.push(path);
    for (const imp of meta.outputs[path]?.imports ?? []) {
      if (!imp.external && imp.kind === kind && meta.outputs[imp.path] !== undefined) visit(imp.path);
    }
  };
  for (const f of from) visit(f);
  return seen;
}

async function measure(entry: Entry): Promise<EntrySize> {
  const files = distFiles(entry);
  let distRaw = 0;
  let distGzip = 0;
  for (const f of files) {
    const b = readFileSync(join(dist, f));
    distRaw += b.length;
    distGzip += gz(b);
  }
  // bundled as an application bundler would: code splitting on, so dynamic imports stay chunks
  const outdir = join(os.tmpdir(), `reqwire-size-${entry}`);
  const r = await esbuild.build({
    entryPoints: { [entry]: join(dist, `${entry}.js`) },
    bundle: true,
    splitting: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    external: ["node:*", "cloudflare:sockets", "./core.wasm"],
    write: false,
    outdir,
    sourcemap: "external",
    metafile: true,
    logLevel: "error",
  });
  const meta = r.metafile;
  const rel = (abs: string) => relative(process.cwd(), abs);
  const text = new Map(r.outputFiles.map((f) => [rel(f.path), f.text]));
  // dynamic imports are entry points too: the entry is the one built from dist/<entry>.js
  const entryOut = Object.keys(meta.outputs).find((o) => meta.outputs[o]?.entryPoint === `dist/${entry}.js`);
  if (entryOut === undefined) throw new Error(`bench/size: no output for ${entry}`);
  const atImport = reach(meta, [entryOut], "import-statement", new Set());
  const sourcesOf = (o: string): string[] => {
    const map = JSON.parse(text.get(`${o}.map`) ?? '{"sources":[]}') as { sources: string[] };
    return map.sources.map((src) => relative(root, resolve(dirname(o), src))).filter((src) => src.startsWith("src/"));
  };
  // every chunk behind a dynamic import, each with the chunks it imports statically
  const dynamicTargets = reach(
    meta,
    atImport.flatMap((o) =>
      (meta.outputs[o]?.imports ?? []).filter((i) => i.kind === "dynamic-import" && !i.external).map((i) => i.path),
    ),
    "dynamic-import",
    new Set(atImport),
  );
  const withDeps = (targets: string[]) => [
    ...new Set(targets.flatMap((o) => reach(meta, [o], "import-statement", new Set(atImport)))),
  ];
  const lazyFiles = withDeps(dynamicTargets);
  // what the first plain GET loads on top: the dynamic imports of the modules it runs, with their
  // static imports. tsup names the dist file of a module imported dynamically after the module
  // (src/transport/deno.ts: dist/deno-<hash>.js), which may be a stub importing the module's code
  // from a shared chunk (when another chunk imports it statically too): its output is found by
  // the dist file it was built from, not by the sources it holds.
  const needed = FIRST_GET[entry].map((src) => basename(src, ".ts"));
  const firstTargets = dynamicTargets.filter((o) => {
    const m = /^dist\/(.+)-[A-Z0-9]{8}\.js$/.exec(meta.outputs[o]?.entryPoint ?? "");
    return m !== null && needed.includes(m[1] as string);
  });
  const firstFiles = [...atImport, ...withDeps(firstTargets)];
  const join_ = (outs: string[]) => outs.map((o) => text.get(o) ?? "").join("\n");
  const code = join_(atImport);
  const firstCode = join_(firstFiles);
  const lazyCode = join_(lazyFiles);
  const minifiedGzip = gz(code);
  const wasmGzip = entry === "workerd" ? gz(readFileSync(join(dist, "core.wasm"))) : 0;
  // attribution per output file of the first GET, shares summed per module
  const modules = new Map<string, ModuleShare>();
  for (const o of firstFiles) {
    const map = text.get(`${o}.map`);
    if (map === undefined) continue;
    const shares = attribute(text.get(o) ?? "", JSON.parse(map) as { sources: string[]; mappings: string }, dirname(o));
    for (const [name, share] of shares) {
      const m = modules.get(name) ?? { bytes: 0, gzip: 0 };
      m.bytes += share.bytes;
      m.gzip += share.gzip;
      modules.set(name, m);
    }
  }
  const firstSet = new Set(firstFiles);
  const firstNames = withDeps(firstTargets).flatMap(sourcesOf);
  const laterNames = lazyFiles.filter((o) => !firstSet.has(o)).flatMap(sourcesOf);
  return {
    entry,
    files,
    distRaw,
    distGzip,
    minified: code.length,
    minifiedGzip,
    wasmGzip,
    total: minifiedGzip + wasmGzip,
    firstGzip: gz(firstCode) + wasmGzip,
    firstNames,
    laterNames,
    allGzip: gz(`${code}\n${lazyCode}`) + wasmGzip,
    modules,
  };
}

// ---- the tarball ------------------------------------------------------------------------------------

/** Where `--tarball` leaves the published build's tarball numbers for the report (the report's own build has source maps). */
const TARBALL_FILE = join(root, "node_modules", ".cache", "reqwire", "tarball.json");

interface Tarball {
  packed: number;
  unpacked: number;
  files: number;
  revision: string;
}

/** What `npm pack` would publish from dist/ as it is: the .tgz's bytes, the files' bytes and their count. */
function tarball(): Tarball {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" });
  const [info] = JSON.parse(out) as Array<{ size: number; unpackedSize: number; entryCount: number }>;
  if (info === undefined) throw new Error("bench/size: npm pack printed nothing");
  return { packed: info.size, unpacked: info.unpackedSize, files: info.entryCount, revision: buildRevision() };
}

function tarballLine(): string {
  if (!existsSync(TARBALL_FILE)) return "- The package: not measured (`npm run bench:size` measures it first).";
  const t = JSON.parse(readFileSync(TARBALL_FILE, "utf8")) as Tarball;
  return (
    `- The package (\`npm pack\` of the published build, ${t.revision}): ${fmt(t.packed)} bytes packed ` +
    `(limit 200 KB, test/package/tarball.test.ts), ${fmt(t.unpacked)} unpacked, ${t.files} files: dist's ` +
    "JavaScript, declarations and engine, README, LICENSE, package.json."
  );
}

// ---- report -------------------------------------------------------------------------------------

function report(sizes: EntrySize[], rows: number, stale: string): string {
  const wasm = readFileSync(join(dist, "core.wasm"));
  const inline = sizes.find((s) => s.entry === "node")?.modules.get("src/core/generated/wasm-inline.ts");
  const lines = [
    START_MARK,
    "## Package size per entry (engine included)",
    "",
    "`npx tsx bench/size.ts` (bench/size.ts; `npm run build` first)",
    "",
    `- Date: ${new Date().toISOString()}; ${buildRevision()}${stale ? ` (${stale})` : ""}; esbuild ${esbuild.version}; ` +
      `Node ${process.version}, node:zlib gzip level 9`,
    "- Bundled: each dist entry with the chunks it imports, by esbuild's JS API (`bundle: true, splitting: true, " +
      "minify: true, format: 'esm', platform: 'neutral'`, `node:*` and `cloudflare:sockets` external). The engine " +
      "is inline hex in every entry but workerd's, which imports `./core.wasm` (kept external; its gzip is added). " +
      "Dist as shipped: the entry file and the chunks it imports statically, as published (whitespace and syntax " +
      "minified, names kept), each gzipped on its own, summed.",
    tarballLine(),
    `- Engine: core.wasm ${fmt(wasm.length)} bytes, ${fmt(gz(wasm))} gzipped; inline as hex it adds ` +
      `${inline === undefined ? "?" : `${fmt(inline.bytes)} minified bytes and ${fmt(inline.gzip)} gzipped`} to the node bundle.`,
    "- Three sizes per entry, each the listed code gzipped as one text (as one bundle would be) plus the " +
      "engine: **at import** — the entry's chunk and every chunk it imports statically; **after a first GET** — " +
      "what a program that sends one plain GET has loaded, at import plus the chunks that request runs (the " +
      "exchange, the runtime's transport); **everything** — the chunks of every feature (redirects, the .netrc " +
      "parser where a file exists, Digest auth, proxies, multipart, the fetch exchange on socket runtimes), which an application " +
      "bundler with code splitting keeps out of the start-up bundle and a bundler without splitting inlines.",
    `- Target: ≤ 30 KB gzipped per entry (counted as ${fmt(TARGET)} bytes), applied to what a program that sends ` +
      `a request loads (after a first GET). Met by ${sizes.filter((s) => s.firstGzip <= TARGET).length} of ${sizes.length}.`,
    "",
    "| entry | dist files | dist raw bytes | dist gzip (per file) | at import: minified | at import: gzip | + core.wasm gzip | at import | after a first GET | ≤ 30 KB | everything |",
    "|---|---|--:|--:|--:|--:|--:|--:|--:|:-:|--:|",
  ];
  for (const s of sizes) {
    lines.push(
      `| ${s.entry} | ${s.files.length} | ${fmt(s.distRaw)} | ${fmt(s.distGzip)} | ` +
        `${fmt(s.minified)} | ${fmt(s.minifiedGzip)} | ${s.wasmGzip ? fmt(s.wasmGzip) : "— (inline)"} | ` +
        `${fmt(s.total)} (${kb(s.total)}) | **${fmt(s.firstGzip)}** (${kb(s.firstGzip)}) | ` +
        `${s.firstGzip <= TARGET ? "yes" : "no"} | ${fmt(s.allGzip)} (${kb(s.allGzip)}) |`,
    );
  }
  lines.push("");
  for (const s of sizes) {
    lines.push(
      `- ${s.entry}: the first GET loads ${s.firstNames.join(", ") || "nothing more"}; ` +
        `later, only when used: ${s.laterNames.join(", ") || "nothing"}.`,
    );
  }
  // Modules: ordered by their largest gzip share over the entries.
  const names = new Set<string>();
  for (const s of sizes) for (const n of s.modules.keys()) names.add(n);
  const worst = (n: string) => Math.max(...sizes.map((s) => s.modules.get(n)?.gzip ?? 0));
  const sorted = [...names].sort((a, b) => worst(b) - worst(a));
  const cell = (s: EntrySize, n: string) => {
    const m = s.modules.get(n);
    return m === undefined ? "—" : `${fmt(m.bytes)} / ${fmt(m.gzip)}`;
  };
  lines.push(
    "",
    "Where the bytes of a first GET come from (source maps back to src/): minified bytes / gzipped bytes its code would lose " +
      "without the module (gzip of the whole minus gzip of the rest; shares of a whole, so they do not add up " +
      `exactly). The ${Math.min(rows, sorted.length)} largest, then the rest summed.`,
    "",
    `| module | ${sizes.map((s) => s.entry).join(" | ")} |`,
    `|---|${sizes.map(() => "--:").join("|")}|`,
  );
  for (const n of sorted.slice(0, rows)) lines.push(`| ${n} | ${sizes.map((s) => cell(s, n)).join(" | ")} |`);
  const rest = sorted.slice(rows);
  if (rest.length > 0) {
    const sum = (s: EntrySize) => {
      let b = 0;
      let g = 0;
      for (const n of rest) {
        b += s.modules.get(n)?.bytes ?? 0;
        g += s.modules.get(n)?.gzip ?? 0;
      }
      return `${fmt(b)} / ${fmt(g)}`;
    };
    lines.push(`| ${rest.length} other modules | ${sizes.map(sum).join(" | ")} |`);
  }
  lines.push(END_MARK);
  return lines.join("\n");
}

async function main(): Promise<void> {
  if (option("tarball") !== undefined) {
    // `npm run bench:size` runs this on the published build, before building with source maps
    mkdirSync(dirname(TARBALL_FILE), { recursive: true });
    writeFileSync(TARBALL_FILE, JSON.stringify(tarball()));
    return;
  }
  const stale = checkBuild("bench/size", ENTRIES);
  const rows = Number(option("modules") ?? 14);
  const sizes: EntrySize[] = [];
  for (const e of ENTRIES) sizes.push(await measure(e));
  const text = report(sizes, rows, stale);
  console.log(text.split("\n").slice(1, -1).join("\n"));
  writeSection(START_MARK, END_MARK, text);
  console.error(`wrote ${RESULTS_FILE}`);
}

await main();
