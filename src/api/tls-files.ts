// PEM text given directly, or read from a file path (Node only: the one place the API reads
// files, so other runtimes can replace it).
import { readFileSync } from "node:fs";

/** PEM text as is; anything else is taken as a path to a PEM file. */
export function readPem(value: string): string {
  if (value.includes("-----BEGIN")) return value;
  return readFileSync(value, "utf8");
}
