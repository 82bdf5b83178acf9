import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, run } from './exec.js';

/** A publishable workspace package. */
export interface PublicPackage {
  name: string;
  version: string;
  dir: string;
  manifest: Record<string, unknown>;
}

/** Every non-private package of the workspace (`lua-scripts/` and `packages/*`). */
export function publicPackages(root: string): PublicPackage[] {
  const dirs = [join(root, 'lua-scripts'), ...readdirSync(join(root, 'packages')).map((d) => join(root, 'packages', d))];
  const out: PublicPackage[] = [];
  for (const dir of dirs) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (manifest.private === true) continue;
    out.push({ name: String(manifest.name), version: String(manifest.version), dir, manifest });
  }
  return out;
}

/** `pnpm pack` into `outDir` (workspace ranges become real ones); returns the tarball path. */
export async function pack(pkg: PublicPackage, outDir: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const { stdout } = await run('pnpm', ['pack', '--pack-destination', outDir, '--json'], { cwd: pkg.dir });
  const info = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { filename: string };
  return info.filename.startsWith('/') ? info.filename : join(outDir, info.filename);
}

/** What a tarball must hold and say, as a list of problems (empty when it is fine). */
export async function inspectTarball(tarball: string, pkg: PublicPackage): Promise<string[]> {
  const { stdout: list } = await run('tar', ['-tzf', tarball], { cwd: pkg.dir });
  const files = new Set(list.split('\n').filter(Boolean));
  const problems: string[] = [];
  for (const f of ['package/LICENSE', 'package/README.md', 'package/package.json', 'package/dist/index.js', 'package/dist/index.cjs', 'package/dist/index.d.ts', 'package/dist/index.d.cts']) {
    if (!files.has(f)) problems.push(`missing ${f.slice('package/'.length)}`);
  }
  for (const f of files) if (/\.(test|spec)\.|\/test\//.test(f)) problems.push(`ships a test file: ${f}`);
  const { stdout: manifestText } = await run('tar', ['-xzOf', tarball, 'package/package.json'], { cwd: pkg.dir });
  if (manifestText.includes('workspace:')) problems.push('package.json still has a workspace: range');
  const m = JSON.parse(manifestText) as Record<string, any>;
  if (m.license !== 'MIT') problems.push(`license is ${m.license}`);
  if (!m.repository?.url || !m.repository?.directory) problems.push('repository with directory missing');
  if (!m.homepage) problems.push('homepage missing');
  if (!m.bugs?.url) problems.push('bugs missing');
  if (!Array.isArray(m.keywords) || m.keywords.length === 0) problems.push('keywords missing');
  if (!m.exports?.['.']?.import?.types || !m.exports?.['.']?.require?.types) problems.push('exports map without types');
  const usesRedis = Object.keys(m.dependencies ?? {}).some((d) => d === '@x/redis-adapter') || m.name === '@x/redis-adapter';
  if (usesRedis) {
    // Either client works: both are peers, both optional (the adapter loads the one a URL needs,
    // and says to install one when neither is there).
    for (const peer of ['redis', 'ioredis']) {
      if (!m.peerDependencies?.[peer]) problems.push(`${peer} is not a peer dependency`);
      else if (!m.peerDependenciesMeta?.[peer]?.optional) problems.push(`${peer} is a required peer: a user of the other client would have to install it`);
    }
  }
  return problems;
}

/** Publishes a tarball to the registry named in `npmrcDir/.npmrc`. */
export async function publish(tarball: string, npmrcDir: string): Promise<void> {
  await run('npm', ['publish', tarball, '--access', 'public', '--tag', 'latest'], { cwd: npmrcDir, env: cleanEnv() });
}
