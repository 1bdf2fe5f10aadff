// The package as a user receives it: dist/ packed by `npm pack` once per vitest run, in the run's
// directory (global-setup.ts), then unpacked twice beside the tarball:
//
// - app/node_modules/reqwire: a copy of the tarball's files, which is what installing it does
//   (reqwire has no runtime dependencies), for a user's project in app/;
// - linked/node_modules/reqwire: a symlink to the unpacked tarball, as `npm link` or a workspace
//   installs a package (a bundler then sees its files outside any node_modules directory, and
//   reports on them as on the user's own code).
//
// Test files run in parallel workers: the first to take the lock (an atomic mkdir) packs; the
// others wait, a bounded time, for its `ready` file or its `failed` file.
import { execFile } from "node:child_process";
import { cp, mkdir, readFile, rename, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { inject } from "vitest";

const run = promisify(execFile);
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const WAIT_MS = 120_000;

export interface Packed {
  /** The .tgz `npm pack` wrote. */
  tarball: string;
  /** A user's project (package.json naming reqwire as a dependency), reqwire installed in it. */
  app: string;
  /** A user's project whose node_modules/reqwire links to the unpacked tarball. */
  linked: string;
  /** The package's own package.json, as packed. */
  manifest: { exports: Record<string, unknown>; version: string };
}

let pending: Promise<Packed> | undefined;

/** The packed package of this vitest run (packed by the first caller of any worker). */
export function packed(): Promise<Packed> {
  pending ??= packOnce(inject("packageDir"));
  return pending;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function packOnce(dir: string): Promise<Packed> {
  const ready = join(dir, "ready.json");
  const failed = join(dir, "failed.txt");
  try {
    await mkdir(join(dir, "lock"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    const deadline = Date.now() + WAIT_MS;
    while (Date.now() < deadline) {
      if (await exists(ready)) return JSON.parse(await readFile(ready, "utf8")) as Packed;
      if (await exists(failed)) throw new Error(`packing failed in another worker: ${await readFile(failed, "utf8")}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no package was packed in ${dir} within ${WAIT_MS} ms`);
  }
  try {
    const result = await pack(dir);
    await writeFile(`${ready}.tmp`, JSON.stringify(result));
    await rename(`${ready}.tmp`, ready); // atomic: a waiter reads the whole file or none
    return result;
  } catch (err) {
    await writeFile(failed, err instanceof Error ? (err.stack ?? err.message) : String(err));
    throw err;
  }
}

async function pack(dir: string): Promise<Packed> {
  // --ignore-scripts: dist/ is what `npm run build` made; nothing runs before packing
  const { stdout } = await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir], {
    cwd: ROOT,
    timeout: 60_000,
    env: { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false" },
  });
  const [info] = JSON.parse(stdout) as Array<{ filename: string }>;
  if (info === undefined) throw new Error(`npm pack printed no file:\n${stdout}`);
  const tarball = join(dir, info.filename);
  await run("tar", ["-xzf", tarball, "-C", dir], { timeout: 30_000 }); // writes dir/package/
  const unpacked = join(dir, "package");
  const manifest = JSON.parse(await readFile(join(unpacked, "package.json"), "utf8")) as Packed["manifest"];
  const user = JSON.stringify({ name: "reqwire-user", private: true, dependencies: { reqwire: manifest.version } });
  const app = join(dir, "app");
  await mkdir(join(app, "node_modules"), { recursive: true });
  await cp(unpacked, join(app, "node_modules", "reqwire"), { recursive: true });
  await writeFile(join(app, "package.json"), user);
  const linked = join(dir, "linked");
  await mkdir(join(linked, "node_modules"), { recursive: true });
  await symlink(unpacked, join(linked, "node_modules", "reqwire"), "dir");
  await writeFile(join(linked, "package.json"), user);
  return { tarball, app, linked, manifest };
}
