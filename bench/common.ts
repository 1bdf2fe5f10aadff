// What the bench scripts share: their sections of bench/RESULTS.md, options, test bytes, and
// the checks of a measured build.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The project's root. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The results file every bench script writes its own section of. */
export const RESULTS_FILE = join(dirname(fileURLToPath(import.meta.url)), "RESULTS.md");

/** Replaces the text between `start` and `end` in bench/RESULTS.md (appends it when absent). */
export function writeSection(start: string, end: string, text: string): void {
  let doc: string;
  try {
    doc = readFileSync(RESULTS_FILE, "utf8");
  } catch {
    doc = "# reqwire benchmark results\n\nEach bench script owns one section, between its markers.\n";
  }
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  doc = a !== -1 && b > a ? doc.slice(0, a) + text + doc.slice(b + end.length) : `${doc.trimEnd()}\n\n${text}\n`;
  writeFileSync(RESULTS_FILE, doc);
}

/** `--name` ⇒ "", `--name=value` ⇒ "value", absent ⇒ undefined. */
export function option(name: string): string | undefined {
  for (const arg of process.argv.slice(2)) {
    if (arg === `--${name}`) return "";
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

/** A deterministic printable byte stream (LCG), for bodies. */
export function filler(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = 0x20 + ((x >>> 24) % 95);
  }
  return out;
}

/**
 * Checks that the dist entries `entries` (e.g. "node", "deno") exist; when src/ changed after
 * the build, says so on stderr and returns the note the report carries (what is measured is
 * dist/ as built), else "". `tool` names the script in messages.
 */
export function checkBuild(tool: string, entries: readonly string[]): string {
  const newest = (dir: string): number => {
    let t = 0;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }
    return t;
  };
  const src = newest(join(ROOT, "src"));
  let stale = false;
  for (const e of entries) {
    const f = join(ROOT, "dist", `${e}.js`);
    let t = 0;
    try {
      t = statSync(f).mtimeMs;
    } catch {}
    if (t === 0) throw new Error(`${tool}: ${relative(ROOT, f)} is missing; run \`npm run build\` first`);
    if (t < src) stale = true;
  }
  if (!stale) return "";
  console.error(`${tool}: src/ changed after dist/ was built; measuring dist/ as built (\`npm run build\` to refresh)`);
  return "dist/ is older than the latest change in src/ (measured as built)";
}

/** The commit dist/ was built from, and whether src/ or assembly/ had uncommitted changes. */
export function buildRevision(): string {
  try {
    const git = (...a: string[]) => execFileSync("git", ["-C", ROOT, ...a], { encoding: "utf8" });
    const head = git("rev-parse", "--short", "HEAD").trim();
    const dirty = git("status", "--porcelain", "--", "src", "assembly") !== "";
    return `commit ${head}${dirty ? " with uncommitted changes in src/ or assembly/" : ""}, built into dist/`;
  } catch {
    return "commit unknown (no git), built into dist/";
  }
}
