// Plain JavaScript on purpose: vitest loads vitest.config.ts with Node's own loader for
// everything under node_modules (this package included, via the workspace link), and Node 20
// cannot import .ts files. Types: config.d.ts next to this file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';

/** The globalSetup file; vitest transforms it, so it can stay TypeScript. */
export const GLOBAL_SETUP = fileURLToPath(new URL('./global-setup.ts', import.meta.url));

function nearestPackageName(from) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const { name } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (name) return name;
    } catch {
      // no readable package.json here
    }
    if (path.dirname(dir) === dir) return path.basename(from);
  }
}

export function reportFileName(packageName) {
  return `${packageName.replace(/^@/, '').replace(/[^A-Za-z0-9._-]+/g, '-')}.json`;
}

export function defineRedisTestConfig(overrides = {}, options = {}) {
  const reportDir = process.env.X_TEST_REPORT_DIR;
  const reporters = ['default'];
  if (reportDir) {
    const name = options.packageName ?? nearestPackageName(process.cwd());
    // A second run of some suites on another client library (X_REDIS_CLIENT) gets a report of its own.
    const client = process.env.X_REDIS_CLIENT;
    const runName = client && client !== 'node-redis' ? `${name}-${client}` : name;
    reporters.push(['json', { outputFile: path.resolve(reportDir, reportFileName(runName)) }]);
  }
  const base = defineConfig({
    test: {
      globalSetup: [GLOBAL_SETUP],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      teardownTimeout: 30_000,
      pool: 'forks',
      reporters,
    },
  });
  return mergeConfig(base, overrides);
}
