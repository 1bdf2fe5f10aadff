// reqwire's package entry (Node, Deno, Bun). The requests-style API is built on the core.
export * from "./core/index.js";
