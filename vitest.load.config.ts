import { defineConfig } from 'vitest/config';

// The load and soak test (`npm run test:load`): 100,000 events through the local relay, alone on
// the machine (one worker), bounded at 10 minutes; numbers go to test-results/load.json.
export default defineConfig({
  test: {
    include: ['test/load/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    reporters: [
      'default',
      ['./test/helpers/ledger-reporter.ts', { file: 'test-results/load-ledger.json' }],
      './test/helpers/count-reporter.ts',
    ],
    testTimeout: 900_000,
    hookTimeout: 60_000,
    teardownTimeout: 60_000,
    pool: 'forks',
    // the memory samples force a full GC every 10 s to read the live heap
    execArgv: ['--expose-gc'],
    maxWorkers: 1,
    fileParallelism: false,
  },
});
