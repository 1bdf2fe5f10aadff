// Where the package's own name leads, as Node and TypeScript resolve it through package.json
// "exports" (a package may import itself by name): the JavaScript and the declaration file that
// `import` and `require` of a specifier get.
import { createRequire } from "node:module";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const HERE = fileURLToPath(import.meta.url);

export interface Resolved {
  /** The JavaScript file, relative to the project root (e.g. "dist/testing.js"). */
  js: string;
  /** The declaration file TypeScript (moduleResolution node16) reads for it. */
  types: string;
}

function types(specifier: string, mode: ts.ResolutionMode): string {
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
  };
  const found = ts.resolveModuleName(specifier, HERE, options, ts.sys, undefined, undefined, mode).resolvedModule;
  if (found === undefined) throw new Error(`TypeScript does not resolve ${specifier} (${String(mode)})`);
  return relative(ROOT, found.resolvedFileName);
}

/** What `import` of `specifier` loads in Node, and its types. */
export function resolveImport(specifier: string): Resolved {
  const js = relative(ROOT, fileURLToPath(import.meta.resolve(specifier)));
  return { js, types: types(specifier, ts.ModuleKind.ESNext) };
}

/** What `require` of `specifier` loads in Node, and its types. */
export function resolveRequire(specifier: string): Resolved {
  const js = relative(ROOT, createRequire(HERE).resolve(specifier));
  return { js, types: types(specifier, ts.ModuleKind.CommonJS) };
}
