// After tsup (`npm run build`): the package's CommonJS face. `require("reqwire")` loads the ES
// module itself (Node's require of ES modules, 20.19+ and 22.12+), so a program that both imports
// and requires reqwire holds one copy of it: one pool of connections, one set of error classes.
//   dist/<entry>.cjs     `module.exports = require("./<entry>.js")`
//   dist/<types>.d.cts   the same module's types for CommonJS resolution: the ES module's types,
//                        referred to with resolution-mode "import", each exported type named again
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import ts from "typescript";

const dist = join(import.meta.dirname, "..", "dist");

/** CommonJS file ⇒ the ES module it re-exports. */
const WRAPPERS = {
  "node.cjs": "./node.js",
  "fetch.cjs": "./fetch.js",
  "testing.cjs": "./testing.js",
  "core.cjs": "./core.js",
};
/** The declaration files given a CommonJS twin. */
const TYPES = ["index.d.ts", "testing.d.ts", "core.d.ts"];

for (const [file, target] of Object.entries(WRAPPERS)) {
  const body = `"use strict";\n// ${target} itself: require() and import share one copy of reqwire\nmodule.exports = require(${JSON.stringify(target)});\n`;
  await writeFile(join(dist, file), body);
}

const program = ts.createProgram({
  rootNames: TYPES.map((f) => join(dist, f)),
  options: { noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
});
const checker = program.getTypeChecker();

/** The names of a declaration file's exports that have a type meaning (classes, interfaces, types). */
function exportedTypes(file) {
  const source = program.getSourceFile(join(dist, file));
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error(`commonjs: cannot read dist/${file}`);
  const names = [];
  for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    if ((target.flags & ts.SymbolFlags.Type) === 0) continue;
    const generic = target.declarations?.some((d) => (d.typeParameters?.length ?? 0) > 0);
    // a generic type would need its parameters (and their constraints) repeated here
    if (generic) throw new Error(`commonjs: dist/${file} exports the generic type ${symbol.name}; name it by hand`);
    names.push(symbol.name);
  }
  return names.sort();
}

for (const file of TYPES) {
  const esm = `import("./${file.replace(/\.d\.ts$/, ".js")}", { with: { "resolution-mode": "import" } })`;
  const types = exportedTypes(file).map((name) => `  type ${name} = ${esm}.${name};\n`);
  const text =
    `// The types of require("reqwire${file === "index.d.ts" ? "" : `/${file.replace(/\.d\.ts$/, "")}`}"): the ES module's own (see ${file}).\n` +
    `declare const reqwire: typeof ${esm};\n` +
    `declare namespace reqwire {\n${types.join("")}}\n` +
    "export = reqwire;\n";
  await writeFile(join(dist, file.replace(/\.d\.ts$/, ".d.cts")), text);
}
