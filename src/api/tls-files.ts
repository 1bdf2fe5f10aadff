// PEM text given directly, or read from a file path where the runtime has a file system.
import { platform } from "../runtime/platform.js";

/** PEM text as is; anything else is taken as a path to a PEM file. */
export function readPem(value: string): string {
  if (value.includes("-----BEGIN")) return value;
  const { readTextFile, name } = platform();
  if (readTextFile === undefined) {
    throw new TypeError(`reqwire on ${name} has no file system: give certificates as PEM text, not a path`);
  }
  return readTextFile(value);
}
