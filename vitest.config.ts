import { defineConfig } from 'vitest/config';

// `npm test` runs everything that needs only npm: unit, integration on embedded emulators and
// loopback sockets, infra. The interop suite (real rsyslog / syslog-ng / go-syslog from apt) has
// its own config and script.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the fault suite and the load test have their own configs and scripts (test:faults, test:load)
    exclude: ['test/interop/**', 'test/faults/**', 'test/load/**', 'node_modules/**'],
    setupFiles: ['test/setup.ts'],
    reporters: ['default', './test/helpers/count-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
