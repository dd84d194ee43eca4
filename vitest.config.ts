import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./tooling/vitest/global-setup.ts'],
    include: ['{apps,packages,tooling}/*/{src,test,examples}/**/*.test.ts', 'apps/web/e2e/**/*.e2e.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './tooling/vitest/summary-reporter.ts'],
  },
});
