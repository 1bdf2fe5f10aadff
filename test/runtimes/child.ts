// Runs the suite in another runtime as a child process and collects its report: the child
// prints one line `RESULTS {"runtime": ..., "results": [...]}`. Bounded by a timeout; the child
// is killed if it overruns.
import { spawn } from "node:child_process";
import type { CaseResult } from "./suite.js";

export interface ChildReport {
  runtime: string;
  results: CaseResult[];
}

export function runChild(command: string, args: string[], timeoutMs: number): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = out.split("\n").find((l) => l.startsWith("RESULTS "));
      if (line === undefined) {
        reject(new Error(`${command} exited (${code ?? signal}) without results:\n${out}\n${err}`.slice(0, 4000)));
        return;
      }
      resolve(JSON.parse(line.slice(8)) as ChildReport);
    });
  });
}
