// reqwire's Node entry (the package's `node` and CommonJS export): see src/entry/ for the others.

export * from "./entry/node.js";
export { default } from "./entry/node.js";
