import type { ViteUserConfig } from 'vitest/config';

export interface RedisTestConfigOptions {
  /** Name used for the JSON report file; default: `name` from the nearest package.json above the cwd. */
  packageName?: string;
}

/** Absolute path of the harness globalSetup file (for configs that build their own `globalSetup`). */
export declare const GLOBAL_SETUP: string;

/** `@x/lock` -> `x-lock.json`, the report file name for a package. */
export declare function reportFileName(packageName: string): string;

/**
 * The shared vitest config for packages that test against Redis: the harness globalSetup,
 * testTimeout 30 s, hookTimeout 60 s, `pool: 'forks'`, the default reporter, and a JSON report
 * in `$X_TEST_REPORT_DIR/<package>.json` when that variable is set. `overrides` are merged on
 * top with vite's `mergeConfig` (arrays such as `globalSetup` and `include` are concatenated).
 */
export declare function defineRedisTestConfig(overrides?: ViteUserConfig, options?: RedisTestConfigOptions): ViteUserConfig;
