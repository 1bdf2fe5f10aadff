// One temporary directory per vitest run for the package checks (test/package/): the tarball
// `npm pack` makes of dist/ is written there, and unpacked, by the first test file that asks for
// it (packed.ts), so a run that checks nothing of the package packs nothing. Removed at the end.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's directory for the packed package (see test/package/packed.ts). */
    packageDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), "reqwire-package-"));
  project.provide("packageDir", dir);
  return () => rm(dir, { recursive: true, force: true });
}
