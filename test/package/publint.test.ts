// publint on the tarball `npm pack` makes: no error, no warning, no suggestion.
import { readFile } from "node:fs/promises";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { expect, it } from "vitest";
import { packed } from "./packed.js";

it("publint finds nothing to report in the packed package", async () => {
  const { tarball } = await packed();
  const { messages, pkg } = await publint({
    pack: { tarball: new Uint8Array(await readFile(tarball)).buffer },
    level: "suggestion",
  });
  expect(messages.map((m) => `${m.type} ${m.code}: ${formatMessage(m, pkg, { color: false })}`)).toEqual([]);
});
