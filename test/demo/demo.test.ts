// The demo's scenarios, asserted: what `npm run demo` prints is what a user would see.
import { describe, expect, it } from "vitest";
import { runDemo } from "./demo.js";

describe("demo against the embedded server", () => {
  it("runs every scenario over one keep-alive connection", async () => {
    const lines: string[] = [];
    const seen = await runDemo((line) => lines.push(line));
    expect(seen.get?.status).toBe(200);
    expect(JSON.parse(seen.get?.body ?? "").title).toBe("Hello from the demo server");
    expect(seen.status404?.status).toBe(404);
    expect(seen.status500?.status).toBe(500);
    expect(seen.post?.status).toBe(201);
    expect(JSON.parse(seen.post?.body ?? "")).toMatchObject({ id: 101, title: "New Post" });
    expect(seen.put?.body).toBe('{"success":"true"}');
    expect(seen.chunked?.chunked).toBe(true);
    expect(seen.chunked?.body).toBe("chunk 0\nchunk 1\nchunk 2\nchunk 3\n");
    expect(seen.head?.body).toBe("");
    expect(seen.head?.headers.find(([n]) => n === "Content-Length")?.[1]).toBe("79");
    expect(seen.noContent?.status).toBe(204);
    expect([seen.pipelined0?.status, seen.pipelined1?.status, seen.pipelined2?.status]).toEqual([200, 201, 404]);
    expect(lines.at(-1)?.trim()).toBe("12 requests served over 1 connection(s)");
    expect(lines.some((l) => l.includes("refused before any byte was written: INVALID_REQUEST_HEADER_VALUE"))).toBe(
      true,
    );
  });
});
