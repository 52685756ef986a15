import { defineConfig } from 'vitest/config';

// The interop suite: real rsyslog / syslog-ng / go-syslog from apt (see test/interop/README.md).
// Run through `npm run test:interop`, which installs them first. One worker, one file at a time:
// each file starts its own daemons and they must not compete for CPU or time out each other.
export default defineConfig({
  test: {
    include: ['test/interop/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    reporters: ['default', './test/helpers/count-reporter.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
