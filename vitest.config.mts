import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "policies/test/**/*.test.ts"],
    // Pulumi's mock engine is process-global state: every test file gets a process of its own.
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
