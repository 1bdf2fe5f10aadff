// `npm run demo`: the classic `requests` tutorial, line by line in TypeScript, against an
// embedded local server (127.0.0.1, random port). The same scenarios are asserted in
// demo.test.ts.
import { pathToFileURL } from "node:url";
import requests, { type Response } from "../../src/index.js";
import { startDemoServer } from "./server.js";

/** Runs every scenario, printing what a tutorial prints; returns the responses for the tests. */
export async function runDemo(print: (line: string) => void = console.log): Promise<Record<string, Response>> {
  const server = await startDemoServer();
  const base = server.url;
  const seen: Record<string, Response> = {};
  const session = new requests.Session();
  try {
    print(`demo server on ${base}\n`);

    // GET a JSON resource
    const r = await requests.get(`${base}/posts/1`);
    seen.get = r;
    print(`GET /posts/1 -> ${r.status_code} ${r.reason}`);
    print(`  r.json().title: ${r.json<{ title: string }>().title}`);
    print(`  r.headers['content-type']: ${r.headers["content-type"]}`);
    print(`  r.headers['server']: ${r.headers.server}`);
    print(`  r.content: ${r.content.length} bytes; r.text starts ${JSON.stringify(r.text.slice(0, 20))}`);

    // status branches
    for (const code of [200, 404, 500]) {
      const res = await requests.get(`${base}/status`, { params: { code } });
      seen[`status${code}`] = res;
      if (res.status_code === 200) print(`GET /status?code=${code} -> success!`);
      else if (res.status_code === 404) print(`GET /status?code=${code} -> not found.`);
      else {
        try {
          res.raise_for_status();
        } catch (err) {
          print(`GET /status?code=${code} -> ${(err as Error).name}: ${(err as Error).message}`);
        }
      }
    }

    // POST JSON
    const created = await requests.post(`${base}/posts`, { json: { title: "New Post", body: "hello", userId: 1 } });
    seen.post = created;
    print(`\nPOST /posts -> ${created.status_code}, id ${created.json<{ id: number }>().id}`);

    // POST with Basic auth, and with a Bearer token
    const basic = await requests.post(`${base}/basic-auth/user/passwd`, { auth: ["user", "passwd"], json: {} });
    seen.basic = basic;
    print(`POST /basic-auth with auth=("user", "passwd") -> ${basic.status_code} ${basic.text}`);
    session.headers.Authorization = "Bearer demo-token";
    const bearer = await session.post(`${base}/bearer`, { json: {} });
    seen.bearer = bearer;
    print(`POST /bearer with a session header -> ${bearer.status_code} ${bearer.text}`);

    // PUT a whole profile; PUT form data and show the response headers
    const profile = await requests.put(`${base}/profile`, { json: { name: "Ada", email: "ada@example.test" } });
    seen.profile = profile;
    print(`\nPUT /profile -> ${profile.status_code} ${profile.text}`);
    const form = await requests.put(`${base}/form`, { data: { key: "value", lang: "ts" } });
    seen.form = form;
    print(`PUT /form (form data) -> ${form.status_code}; headers:`);
    for (const [name, value] of form.headers) print(`  ${name}: ${value}`);

    // PUT JSON, a PUT that creates, a PUT with 204
    const putJson = await requests.put(`${base}/echo/put/json`, { json: { a: 1 } });
    seen.putJson = putJson;
    print(`PUT /echo/put/json -> ${putJson.status_code} ${putJson.text}`);
    const putNew = await requests.put(`${base}/items/new`, { json: { n: 1 } });
    seen.putCreated = putNew;
    print(`PUT /items/new -> ${putNew.status_code} ${putNew.reason}, Location ${putNew.headers.location}`);
    const putOld = await requests.put(`${base}/items/existing`, { json: { n: 2 } });
    seen.putNoContent = putOld;
    print(`PUT /items/existing -> ${putOld.status_code} ${putOld.reason}, ${putOld.content.length} bytes`);

    // PATCH, DELETE, HEAD
    const patched = await requests.patch(`${base}/posts/1`, { json: { title: "Patched" } });
    seen.patch = patched;
    print(`\nPATCH /posts/1 -> ${patched.status_code} ${patched.text}`);
    const deleted = await requests.delete(`${base}/posts/123`);
    seen.delete = deleted;
    print(`DELETE /posts/123 -> ${deleted.status_code} ${deleted.text}`);
    const head = await requests.head(`${base}/posts/1`);
    seen.head = head;
    print(
      `HEAD /posts/1 -> ${head.status_code}, content-length ${head.headers["content-length"]}, body ${head.content.length} bytes`,
    );

    print(`\n${server.log.length} requests served over ${server.connections()} connection(s)`);
  } finally {
    session.close();
    await server.close();
  }
  return seen;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  runDemo().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
