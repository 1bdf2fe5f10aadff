// What happens to a connection when the user forgets a streamed response.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const fixture = fileURLToPath(new URL("./fixtures/drop-stream.ts", import.meta.url));

describe("an unread streamed response", () => {
  it("gives its connection back once it is garbage-collected", async () => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ["--expose-gc", "--import", "tsx", fixture], { timeout: 20_000 }, (err, stdout) =>
        err && !stdout ? reject(err) : resolve(stdout.trim()),
      );
    });
    expect(out).toBe("released");
  });
});
