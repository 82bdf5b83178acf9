import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeBlocks } from '../examples/readme-examples.js';

/**
 * The install command a package's README gives for `pm`, as the list of packages it names:
 * the first `npm i ...` line of a `sh` block, or its `pnpm add ...` line (which may stand
 * behind a `# or:` comment). With `client: 'ioredis'`, the first such line that names `ioredis`
 * (the README's ioredis quick start).
 */
export function readmeInstall(pkgDir: string, pm: 'npm' | 'pnpm', client?: 'ioredis'): string[] {
  const md = readFileSync(join(pkgDir, 'README.md'), 'utf8');
  const re = pm === 'npm' ? /^npm (?:i|install) (.+)$/ : /^(?:# or: )?pnpm add (.+)$/;
  for (const block of codeBlocks(md)) {
    if (block.lang !== 'sh') continue;
    for (const line of block.code.split('\n')) {
      const m = re.exec(line.trim());
      const names = m?.[1]?.split(/\s+/).filter((w) => !w.startsWith('-'));
      if (names && (client === undefined || names.includes(client))) return names;
    }
  }
  throw new Error(`${pkgDir}/README.md shows no \`${pm === 'npm' ? 'npm i' : 'pnpm add'} ...${client ? ` ${client}` : ''}\` line in a sh block`);
}
