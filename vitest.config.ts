import { defineConfig } from "vitest/config";

// Three projects: pure unit tests, database tests (PGlite, or PostgreSQL with DATABASE_URL),
// and browser tests in Chromium. `npm test` runs all three; `npm run test:db` only the second.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "apps/server/src/**/*.test.ts", "apps/web/src/**/*.test.ts"],
          exclude: ["**/*.db.test.ts", "**/node_modules/**"],
          // Property tests and large trees take a few seconds alone, many more on a loaded machine.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "db",
          include: ["apps/server/src/**/*.db.test.ts", "apps/server/test/**/*.test.ts"],
          pool: "forks",
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: "browser",
          include: ["apps/web/e2e/**/*.test.ts"],
          // A page on a loaded machine can take seconds to show what a poll waits for.
          expect: { poll: { timeout: 10_000 } },
          pool: "forks",
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
