import { defineConfig } from 'vitest/config';

// The fault suite (`npm run test:faults`): the whole relay on embedded emulators under injected
// faults, each scenario closing with an exact ledger (test-results/faults-ledger.json, printed as a
// table at the end). The RELP scenarios crash a real rsyslog (imrelp, imptcp): the script runs
// test/interop/install.sh first, which installs it (quick when present). One file at a time in one worker: the scenarios measure timings (breaker
// windows, visibility timeouts) that CPU contention would distort.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // INFO: the scenarios read the functions' own logs as evidence (connection replaced, batch
    // normalized with its counts); they are captured, not printed
    env: { POWERTOOLS_LOG_LEVEL: 'INFO' },
    reporters: [
      'default',
      ['./test/helpers/ledger-reporter.ts', { file: 'test-results/faults-ledger.json' }],
      './test/helpers/count-reporter.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    teardownTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
