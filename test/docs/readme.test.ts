// The README's TypeScript code blocks, run as a user would: each block is type-checked against the
// built package's types and run against the built package (`import … from "reqwire"`), talking to
// a local httpbin where the README says http://127.0.0.1:8080. Its `// prints: …` comments (after
// the statement that prints, or gathered at the end) are its stdout: the block's output must be
// exactly those lines, in order. So a README example cannot drift from the code.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Httpbin, startHttpbin } from "../support/httpbin.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Where the blocks are written: inside the package, so `import … from "reqwire"` resolves to it. */
const workDir = join(root, "test", "docs", ".blocks");
/** The address the README's examples use for the server. */
const README_BASE = "http://127.0.0.1:8080";

interface Block {
  /** 1-based line of the opening fence in README.md. */
  line: number;
  /** The heading the block stands under. */
  section: string;
  code: string;
  /** What the block must print, from its `// prints: …` comments. */
  prints: string[];
}

/** The ```ts blocks of README.md, with the heading each stands under. */
function readmeBlocks(): Block[] {
  const lines = readFileSync(join(root, "README.md"), "utf8").split("\n");
  const blocks: Block[] = [];
  let section = "";
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] as string;
    if (text.startsWith("#")) section = text.replace(/^#+\s*/, "");
    if (text.trim() !== "```ts") continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && (lines[i] as string).trim() !== "```"; i++) body.push(lines[i] as string);
    const prints = body.flatMap((l) => {
      const m = /\/\/ prints: (.*)$/.exec(l);
      return m ? [m[1] as string] : [];
    });
    blocks.push({ line: start + 1, section, code: body.join("\n"), prints });
  }
  return blocks;
}

const blocks = readmeBlocks();
let httpbin: Httpbin;

function fileOf(block: Block): string {
  return join(workDir, `line-${block.line}.mts`);
}

beforeAll(async () => {
  httpbin = await startHttpbin();
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  for (const block of blocks) writeFileSync(fileOf(block), `${block.code.replaceAll(README_BASE, httpbin.base)}\n`);
}, 60_000);

afterAll(async () => {
  await httpbin?.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe("README.md", () => {
  it("has TypeScript examples, each with something to check", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const block of blocks) expect(block.prints.length, `block at line ${block.line}`).toBeGreaterThan(0);
  });

  it("type-checks every block against the built package's types (tsc --strict)", () => {
    writeFileSync(
      join(workDir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2023"],
          types: ["node"],
          typeRoots: [join(root, "node_modules", "@types")],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
        },
        include: ["*.mts"],
      }),
    );
    const tsc = spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", workDir], {
      encoding: "utf8",
      timeout: 60_000,
    });
    const report = (tsc.stdout + tsc.stderr).replaceAll(`${workDir}/`, "README block at ");
    expect(report).toBe("");
    expect(tsc.status).toBe(0);
  });

  it.each(blocks.map((b) => [`line ${b.line} (${b.section})`, b] as const))(
    "the block at %s runs and prints what it says",
    async (_name, block) => {
      const { code, stdout, stderr } = await run(fileOf(block));
      expect(stderr).toBe("");
      expect(code).toBe(0);
      const printed = stdout.replaceAll(httpbin.base, README_BASE).split("\n").filter(Boolean);
      expect(printed).toEqual(block.prints);
    },
  );
});

/** Runs a block with tsx; bounded by a deadline. */
function run(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "node_modules", "tsx", "dist", "cli.mjs"), file], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString("utf8");
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
