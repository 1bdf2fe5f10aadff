// Restores the lockfile entries of other platforms' optional binary packages.
//
// The npm registry mirror of our machines carries only the linux-gnu builds of packages such as
// @biomejs/cli-*, @rollup/rollup-*, @deno/* and @cloudflare/workerd-*, so `npm install` writes a package-lock.json without the
// other platforms' entries, and `npm ci` then rejects that lock as out of sync with package.json.
// This script adds each missing optional package with its version and its os/cpu/libc, exactly
// what a lock written on a full registry records, so that `npm ci` skips them on this platform
// and installs them elsewhere. Run it after every `npm install`: `node .ci/lockfile-platforms.mjs`.
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
const packages = lock.packages;

const OS = { darwin: "darwin", linux: "linux", win32: "win32", windows: "win32", freebsd: "freebsd" };
const CPU = { x64: "x64", 64: "x64", arm64: "arm64", aarch64: "arm64", arm: "arm", ia32: "ia32" };

/**
 * os, cpu and libc from a platform package's name, e.g. "@rollup/rollup-linux-arm-musleabihf",
 * "@deno/linux-arm64-glibc", "@cloudflare/workerd-windows-64"; undefined if it names no platform.
 */
function platformOf(name) {
  const parts = name.split("/").pop().split("-");
  const i = parts.findIndex((p) => OS[p] !== undefined);
  if (i < 0 || CPU[parts[i + 1]] === undefined) return undefined;
  const os = OS[parts[i]];
  const entry = { os: [os], cpu: [CPU[parts[i + 1]]] };
  const musl = parts.slice(i + 2).some((p) => p.startsWith("musl"));
  if (os === "linux") entry.libc = [musl ? "musl" : "glibc"];
  return entry;
}

let added = 0;
for (const [key, pkg] of Object.entries(packages)) {
  if (!key.startsWith("node_modules/") || pkg.optionalDependencies === undefined) continue;
  for (const [dep, version] of Object.entries(pkg.optionalDependencies)) {
    const at = `node_modules/${dep}`;
    const platform = platformOf(dep);
    if (packages[at] !== undefined || platform === undefined) continue;
    packages[at] = { version, ...platform, dev: pkg.dev, optional: true };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)),
);
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} platform entr${added === 1 ? "y" : "ies"} added`);
