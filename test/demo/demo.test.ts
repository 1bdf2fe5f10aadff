// The demo's scenarios, asserted: what `npm run demo` shows is what a user gets.
import { describe, expect, it } from "vitest";
import { runDemo } from "./demo.js";

describe("the requests tutorial against the embedded server", () => {
  it("runs every scenario", async () => {
    const lines: string[] = [];
    const seen = await runDemo((line) => lines.push(line));
    expect(seen.get?.status_code).toBe(200);
    expect(seen.get?.json<{ title: string }>().title).toBe("Hello from the demo server");
    expect(seen.get?.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(seen.get?.headers.Server).toBe("reqwire-demo");
    expect([seen.status200?.status_code, seen.status404?.status_code, seen.status500?.status_code]).toEqual([
      200, 404, 500,
    ]);
    expect(lines).toContain(
      `GET /status?code=500 -> HTTPError: 500 Server Error: Internal Server Error for url: ${seen.status500?.url}`,
    );
    expect(seen.post?.status_code).toBe(201);
    expect(seen.post?.json()).toMatchObject({ id: 101, title: "New Post", userId: 1 });
    expect(seen.basic?.json()).toEqual({ authenticated: true, user: "user" });
    expect(seen.bearer?.json()).toEqual({ authenticated: true, token: "demo-token" });
    expect(seen.profile?.json()).toEqual({ name: "Ada", email: "ada@example.test" });
    expect(seen.form?.json()).toEqual({ form: { key: "value", lang: "ts" } });
    expect(seen.form?.headers["x-form-fields"]).toBe("2");
    expect(seen.putJson?.text).toBe('{"success":"true"}');
    expect(seen.putCreated?.status_code).toBe(201);
    expect(seen.putCreated?.headers.location).toBe("/items/new");
    expect(seen.putNoContent?.status_code).toBe(204);
    expect(seen.putNoContent?.content.length).toBe(0);
    expect(seen.patch?.json()).toEqual({ id: 1, title: "Patched" });
    expect(seen.delete?.status_code).toBe(200);
    expect(seen.head?.status_code).toBe(200);
    expect(seen.head?.content.length).toBe(0);
    expect(Number(seen.head?.headers["content-length"])).toBeGreaterThan(0);
    // keep-alive: the module functions share one pool, the session has its own
    expect(lines.at(-1)?.trim()).toMatch(/^15 requests served over 2 connection\(s\)$/);
  });
});
