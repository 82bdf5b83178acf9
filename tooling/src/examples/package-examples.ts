// What every package's test/readme-examples.test.ts needs: its example files, the harness's
// Redis coordinates for them, and the check that each stands verbatim in the README.
import { join } from 'node:path';
import { expect } from 'vitest';
import { getTopologies } from '../vitest/index.js';
import { exampleFiles, examplesMissingFromReadme, runExample } from './readme-examples.js';

/** The examples of the package whose `test/` folder is `testDir` (pass `import.meta.dirname`). */
export function packageExamples(testDir: string) {
  const dir = join(testDir, '..');
  const files = exampleFiles(dir);
  /** `REDIS_URL` (the harness's standalone server) and `REDIS_CLUSTER_NODES` (its cluster's seeds, comma-separated). */
  const env = () => {
    const t = getTopologies();
    return { REDIS_URL: t.standalone.url, REDIS_CLUSTER_NODES: t.cluster.rootNodes.map((n) => n.url).join(',') };
  };
  return {
    dir,
    files,
    env,
    /** Runs `examples/<name>` as plain Node (TypeScript transpiled) with {@link env} and `extra` in its environment. */
    run: (name: string, extra: Record<string, string | undefined> = {}) => runExample(join(dir, 'examples', name), { ...env(), ...extra }),
    /** Asserts the example files are exactly `names` (paths from the package folder, sorted) and each stands verbatim in the README. */
    expectEmbedded(names: string[]): void {
      expect(files.map((f) => f.slice(dir.length + 1))).toEqual(names);
      expect(examplesMissingFromReadme(join(dir, 'README.md'), files)).toEqual([]);
    },
  };
}
