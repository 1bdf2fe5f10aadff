// Restores the lockfile entries of other platforms' optional binary packages.
//
// The npm registry mirror of our machines carries only the linux-gnu builds of packages such as
// @biomejs/cli-* and @rollup/rollup-*, so `npm install` writes a package-lock.json without the
// other platforms' entries, and `npm ci` then rejects that lock as out of sync with package.json.
// This script adds each missing optional package with its version and its os/cpu/libc, exactly
// what a lock written on a full registry records, so that `npm ci` skips them on this platform
// and installs them elsewhere. Run it after every `npm install`: `node .ci/lockfile-platforms.mjs`.
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
const packages = lock.packages;

/** os, cpu and libc from a platform package's name, e.g. "rollup-linux-arm-musleabihf". */
function platformOf(name) {
  const tail = name
    .split("/")
    .pop()
    .replace(/^(cli|rollup)-/, "");
  const [os, cpu, ...rest] = tail.split("-");
  const entry = { os: [os], cpu: [cpu] };
  if (os === "linux") entry.libc = [rest.join("-").includes("musl") ? "musl" : "glibc"];
  return entry;
}

let added = 0;
for (const [key, pkg] of Object.entries(packages)) {
  if (!key.startsWith("node_modules/") || pkg.optionalDependencies === undefined) continue;
  for (const [dep, version] of Object.entries(pkg.optionalDependencies)) {
    if (!/^(@biomejs\/cli-|@rollup\/rollup-)/.test(dep)) continue;
    const at = `node_modules/${dep}`;
    if (packages[at] !== undefined) continue;
    packages[at] = { version, ...platformOf(dep), dev: pkg.dev, optional: true };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)),
);
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} platform entr${added === 1 ? "y" : "ies"} added`);
