import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { exampleFiles } from '../examples/readme-examples.js';
import { toCommonJs } from './cjs.js';
import { cleanEnv, run } from './exec.js';

export type PackageManager = 'npm' | 'pnpm';
export type Variant = 'esm' | 'cjs' | 'ts';

/** What an install brought: how many packages and how many bytes under node_modules. */
export interface Footprint {
  packages: number;
  bytes: number;
}

/** A fresh project directory, as a user starts one: its own package.json and .npmrc. */
export function createProject(dir: string, npmrc: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
  writeFileSync(join(dir, '.npmrc'), npmrc);
}

/** Installs the README's package list the way a user would with `pm`. */
export async function install(dir: string, pm: PackageManager, packages: string[], dev = false): Promise<void> {
  const args =
    pm === 'npm'
      ? ['install', '--no-audit', '--no-fund', ...(dev ? ['--save-dev'] : []), ...packages]
      : ['add', ...(dev ? ['--save-dev'] : []), ...packages];
  await run(pm, args, { cwd: dir, env: cleanEnv(), timeoutMs: 600_000 });
}

function walk(dir: string, visit: (path: string, isPackageRoot: boolean) => void): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) walk(path, visit);
    else visit(path, entry.name === 'package.json');
  }
}

/**
 * Counts the packages and bytes an install put under node_modules. npm: every directory
 * directly under a node_modules folder (scoped ones one level down) with a package.json;
 * pnpm: every package in its virtual store (`node_modules/.pnpm/<name>@<version>`).
 * Symlinks are not followed, so nothing is counted twice.
 */
export function footprint(dir: string, pm: PackageManager): Footprint {
  const root = join(dir, 'node_modules');
  let bytes = 0;
  let packages = 0;
  walk(root, (path, isManifest) => {
    bytes += lstatSync(path).size;
    if (!isManifest) return;
    const rel = path.slice(root.length + 1).split('/');
    if (pm === 'npm') {
      // .../node_modules/<name>/package.json or .../node_modules/@scope/<name>/package.json
      const i = rel.length - 2;
      const parent = rel[i - 1];
      const grand = rel[i - 2];
      if (i === 0 || parent === 'node_modules' || (parent?.startsWith('@') && (i === 1 || grand === 'node_modules'))) packages++;
    } else if (rel[0] === '.pnpm' && rel.length >= 5 && rel[2] === 'node_modules') {
      // .pnpm/<id>/node_modules/<name>/package.json (scoped: @scope/<name>): the entry's own package
      const scoped = rel[3]?.startsWith('@') ?? false;
      const name = scoped ? `${rel[3]}+${rel[4]}` : rel[3];
      if (rel.length === (scoped ? 6 : 5) && name && (rel[1] ?? '').startsWith(`${name}@`)) packages++;
    }
  });
  return { packages, bytes };
}

/**
 * The examples of a package (`examples/*.mjs` and `examples/*.ts`, sorted), none when it has no
 * examples folder. Examples named `*-ioredis.*` need ioredis: they run in a project installed
 * from the README's ioredis line (`client: 'ioredis'`), the others in the default one.
 */
export function examplesOf(pkgDir: string, client?: 'ioredis'): string[] {
  const all = existsSync(join(pkgDir, 'examples')) ? exampleFiles(pkgDir) : [];
  return all.filter((f) => /-ioredis\.[a-z]+$/.test(f) === (client === 'ioredis'));
}

const repoTsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/**
 * Sets up TypeScript the way `tsc --init` leaves it (TypeScript 5.9: strict,
 * exactOptionalPropertyTypes, noUncheckedIndexedAccess, module nodenext, ...), with the one
 * change its own comment suggests for Node programs: `"types": ["node"]` (and `@types/node`
 * installed). The compiler itself is this repository's pinned TypeScript 5.9.3, the same
 * version a user would install; the project's node_modules is what it resolves against.
 */
export async function setUpTypeScript(dir: string, pm: PackageManager): Promise<void> {
  await install(dir, pm, ['@types/node@20'], true);
  await run(process.execPath, [repoTsc, '--init'], { cwd: dir });
  const file = join(dir, 'tsconfig.json');
  const text = readFileSync(file, 'utf8');
  if (!text.includes('"types": [],')) throw new Error('tsc --init no longer writes "types": [] (check the TypeScript version)');
  writeFileSync(file, text.replace('"types": [],', '"types": ["node"],'));
}

/** Copies the examples in: `<name>.mjs` as it is and as `<name>.ts` for the TypeScript check. */
export function copyExamples(dir: string, files: string[]): void {
  for (const f of files) {
    copyFileSync(f, join(dir, basename(f)));
    if (f.endsWith('.mjs')) copyFileSync(f, join(dir, `${basename(f, '.mjs')}.ts`));
  }
}

/** Type-checks and compiles every `.ts` file of the project with its tsconfig. */
export async function compileTypeScript(dir: string): Promise<void> {
  await run(process.execPath, [repoTsc, '-p', '.'], { cwd: dir, timeoutMs: 300_000 });
}

/**
 * The file to run for one variant of one example, written if needed: ESM is the `.mjs` file
 * (or tsc's output for a TypeScript-only example), CJS its CommonJS form, TS tsc's output.
 */
export function variantFile(dir: string, example: string, variant: Variant): string {
  const stem = basename(example).replace(/\.(mjs|ts)$/, '');
  const isJs = example.endsWith('.mjs');
  const esm = isJs ? `${stem}.mjs` : `${stem}.js`;
  if (variant === 'esm') return esm;
  if (variant === 'ts') return `${stem}.js`;
  writeFileSync(join(dir, `${stem}.cjs`), toCommonJs(readFileSync(join(dir, esm), 'utf8')));
  return `${stem}.cjs`;
}

/** Runs a program of the project with plain `node`: no loader, no flags. */
export async function runProgram(dir: string, file: string, env: Record<string, string>): Promise<string> {
  const { stdout } = await run(process.execPath, [file], { cwd: dir, env: cleanEnv(env), timeoutMs: 120_000 });
  return stdout;
}
