import { copyFile } from "node:fs/promises";
import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: false,
  target: "es2022",
  platform: "neutral",
  outDir: "dist",
  async onSuccess() {
    await copyFile("src/core/generated/core.wasm", "dist/core.wasm");
  },
});
