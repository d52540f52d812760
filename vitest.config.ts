import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Two projects:
 * - `default` (`npm test`): everything in-process — services, the app over HTTP, fake Feishu.
 * - `runtime` (`npm run test:runtime`): tests that start another process (the Node server,
 *   the verify CLI, wrangler/workerd). Seconds of process start-up each, so they stay out of
 *   the everyday command; CI runs both (.ci/run).
 * Long fuzzing is `npm run fuzz` (FUZZ_RUNS, test/inventory/property.test.ts).
 */
const RUNTIME = ['test/server.test.ts', 'test/worker.test.ts', 'test/verify-cli.test.ts', 'test/chat-cli.test.ts'];

/** What both projects share. The timeouts bound waits on I/O (a database, a socket, a child process), never a speed. */
const shared = {
  pool: 'forks',
  testTimeout: 60_000,
  hookTimeout: 120_000,
} as const;

export default defineConfig({
  test: {
    // On the root, not in the projects: it runs once per `vitest` call and both projects read
    // what it provides (the migrated PGlite template, the Postgres template database).
    globalSetup: ['test/global-setup.ts'],
    // Two cores: more workers only contend for them (and for Postgres).
    maxWorkers: 2,
    projects: [
      {
        test: {
          ...shared,
          name: 'default',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...RUNTIME],
          // A worker keeps its loaded modules from one test file to the next instead of
          // importing the whole app again per file (that was a third of the suite's CPU time);
          // PGlite's compiled WebAssembly is reused the same way. Each file still gets its own
          // database (test/helpers/db.ts), and no test relies on module state of another file.
          isolate: false,
        },
      },
      { test: { ...shared, name: 'runtime', include: RUNTIME } },
    ],
  },
});
