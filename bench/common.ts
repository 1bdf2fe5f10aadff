// What the bench scripts share: their sections of bench/RESULTS.md, options, test bytes.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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
