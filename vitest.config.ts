import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // no proxy settings from the machine running the tests: only tests that set them use a proxy
    setupFiles: ["test/setup.ts"],
    // a temporary directory per run for test/package/, where the package is packed once
    globalSetup: ["test/package/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: "forks",
    // the JSON report lets .ci/run print a plain "N passed, N failed" line
    reporters: ["default", "json"],
    outputFile: { json: "node_modules/.cache/reqwire/vitest.json" },
  },
});
