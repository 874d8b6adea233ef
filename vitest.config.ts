import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    reporters: ['default', './tests/support/plain-summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two test files at a time (vitest's default on 2 CPUs is one): most integration tests wait on a CLI
    // child process, so the second file's work fills the idle core.
    maxWorkers: 2,
  },
});
