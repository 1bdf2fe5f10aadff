// After tsup: the type chunks that dist/index.d.ts, testing.d.ts and core.d.ts share
// (dist/<name>-<hash>.d.ts, imported as "./<name>-<hash>.js") get a JavaScript file of that name
// that exports nothing and names its types with Deno's @ts-self-types directive, so that Deno and
// JSR, which resolve a declaration's ".js" imports as files, find them as TypeScript does.
import { existsSync } from "node:fs";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

const dist = join(import.meta.dirname, "..", "dist");
const entries = new Set(["index.d.ts", "testing.d.ts", "core.d.ts"]);
for (const file of await readdir(dist)) {
  if (!file.endsWith(".d.ts") || entries.has(file)) continue;
  const base = file.slice(0, -".d.ts".length);
  if (existsSync(join(dist, `${base}.js`)))
    throw new Error(`type-stubs: dist/${base}.js exists; it is not a types chunk`);
  await writeFile(join(dist, `${base}.js`), `/* @ts-self-types="./${file}" */\nexport {};\n`);
}
