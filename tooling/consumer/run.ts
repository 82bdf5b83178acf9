// The consumer check: installs every published package the way a stranger would.
//
// 1. Packs every public package (`pnpm pack`: workspace ranges become real ones) and checks
//    each tarball (LICENSE, README, dist with types, repository/homepage/bugs/keywords, peers).
// 2. Starts a throwaway verdaccio (storage in a temp dir; uplink = `npm config get registry`)
//    and publishes the tarballs there.
// 3. For npm and for pnpm: in a fresh temp project per package, installs that package alone
//    with exactly the packages its README's `npm i ...` line names, records the footprint,
//    sets TypeScript up as `tsc --init` does, then runs every README example on plain Node
//    as ESM, as CommonJS (require) and as TypeScript (type-checked, then compiled by tsc)
//    against Redis servers the harness starts. The three variants must print the same.
//
// Usage: pnpm test:consumer   (after pnpm build). Writes consumer-check.json to
// X_TEST_REPORT_DIR when set, so CI's "N passed, N failed" line includes these checks.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveRedis } from '../src/redis/index.js';
import { Cases } from '../src/consumer/cases.js';
import { inspectTarball, pack, publicPackages, publish } from '../src/consumer/packages.js';
import {
  compileTypeScript,
  copyExamples,
  createProject,
  examplesOf,
  footprint,
  install,
  runProgram,
  setUpTypeScript,
  variantFile,
  type Footprint,
  type PackageManager,
} from '../src/consumer/project.js';
import { readmeInstall } from '../src/consumer/readme.js';
import { startRegistry } from '../src/consumer/registry.js';

const root = join(import.meta.dirname, '..', '..');
// Installs side by side (network-bound); X_CONSUMER_CONCURRENCY overrides.
const CONCURRENCY = Number(process.env.X_CONSUMER_CONCURRENCY ?? 3);
// A temp dir inside the repository would let Node and pnpm find the workspace's own
// node_modules and pnpm-workspace.yaml, hiding exactly what this check is for.
const base = resolve(tmpdir()).startsWith(`${root}/`) ? '/tmp' : tmpdir();
const work = mkdtempSync(join(base, 'x-consumer-'));
const cases = new Cases();
const footprints: { pkg: string; pm: PackageManager; command: string; fp: Footprint }[] = [];
const started = performance.now();

// Numbers (ports, timings, pids) differ between runs; the variants must agree on the rest.
const shape = (out: string) => out.replace(/\d+(\.\d+)?/g, '#');

/** Type-checks a package's examples, then runs each as ESM, CJS and TS; the three must agree. */
async function runExamples(local: Cases, pkgDir: string, name: string, pm: PackageManager, dir: string, examples: string[]): Promise<void> {
  copyExamples(dir, examples);
  const compiled = await local.check(`${name} (${pm}): examples type-check under tsc --init defaults`, async () => {
    await setUpTypeScript(dir, pm);
    await compileTypeScript(dir);
    return true;
  });
  for (const example of examples) {
    const file = example.slice(pkgDir.length + 1);
    let esm: string | undefined;
    for (const variant of ['esm', 'cjs', 'ts'] as const) {
      // Without tsc's output there is no TS run, and no ESM/CJS run of a TypeScript-only example.
      if (!compiled && (variant === 'ts' || example.endsWith('.ts'))) continue;
      await local.check(`${name} (${pm}): ${file} as ${variant.toUpperCase()}`, async () => {
        const out = await runProgram(dir, variantFile(dir, example, variant), env);
        if (!out.trim()) throw new Error('printed nothing');
        if (esm !== undefined && shape(esm) !== shape(out)) {
          throw new Error(`prints something else than the ESM run:\n--- esm\n${esm}--- ${variant}\n${out}`);
        }
        if (variant === 'esm') esm = out;
      });
    }
  }
}

const standalone = await resolveRedis('standalone');
const cluster = await resolveRedis('cluster');
const env = {
  REDIS_URL: standalone.url ?? '',
  REDIS_CLUSTER_NODES: (cluster.rootNodes ?? []).map((n) => n.url).join(','),
};
console.log(`Redis: ${standalone.summary}; ${cluster.summary}`);
const registry = await startRegistry(join(work, 'registry'));
console.log(`Registry: verdaccio on ${registry.url} (uplink: the registry npm is set up for)`);

try {
  const all = publicPackages(root);
  // X_CONSUMER_ONLY=@x/lock,@x/atomic-ops narrows the install runs (every package is still published).
  const only = process.env.X_CONSUMER_ONLY?.split(',').filter(Boolean);
  const packages = all;
  const installed = only ? all.filter((p) => only.includes(p.name)) : all;
  const publishDir = join(work, 'publish');
  createProject(publishDir, registry.npmrc);

  console.log('\nTarballs');
  for (const pkg of packages) {
    await cases.check(`${pkg.name}@${pkg.version}: tarball packs, holds what a user needs, and publishes`, async () => {
      if (!existsSync(join(pkg.dir, 'dist'))) throw new Error(`${pkg.dir}/dist is missing: run pnpm build first`);
      const tarball = await pack(pkg, join(work, 'tarballs'));
      const problems = await inspectTarball(tarball, pkg);
      if (problems.length) throw new Error(problems.join('\n'));
      await publish(tarball, publishDir);
    });
  }

  // One task per (package manager, package), a few side by side; each buffers its output.
  // A package with ioredis examples gets a second project, installed from its README's ioredis line
  // (no node-redis in it): its footprint is the package with ioredis alone.
  const tasks = (['npm', 'pnpm'] as const).flatMap((pm) =>
    installed.flatMap((pkg) => [
      { pm, pkg, client: undefined as 'ioredis' | undefined },
      ...(examplesOf(pkg.dir, 'ioredis').length > 0 ? [{ pm, pkg, client: 'ioredis' as const }] : []),
    ]),
  );
  const pending = [...tasks];
  // A package's examples use fixed names (a lock called 'invoice:42'): two of its projects
  // (npm and pnpm, node-redis and ioredis) running them at once on the same servers would meet
  // on those keys. So a task never starts while another task of its package runs.
  const running = new Set<string>();
  const nextTask = async (): Promise<(typeof tasks)[number] | undefined> => {
    for (;;) {
      if (pending.length === 0) return undefined;
      const i = pending.findIndex((t) => !running.has(t.pkg.name));
      if (i >= 0) return pending.splice(i, 1)[0];
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const worker = async () => {
    for (let task = await nextTask(); task; task = await nextTask()) {
      running.add(task.pkg.name);
      try {
        await runTask(task);
      } finally {
        running.delete(task.pkg.name);
      }
    }
  };
  const runTask = async (task: (typeof tasks)[number]) => {
    const { pm, pkg, client } = task;
    const local = new Cases(true);
    const label = client ? `${pkg.name} + ${client}` : pkg.name;
    local.log(`\n${label} with ${pm}`);
    const dir = join(work, pm, pkg.name.replace('/', '+') + (client ? `+${client}` : ''));
    createProject(dir, registry.npmrc);
    const ok = await local.check(`${label}: the README's \`${pm}\` install line in a fresh project`, async () => {
      const names = readmeInstall(pkg.dir, pm, client);
      if (!names.includes(pkg.name)) throw new Error(`the README's install line does not name ${pkg.name}`);
      const command = `${pm === 'npm' ? 'npm i' : 'pnpm add'} ${names.join(' ')}`;
      local.log(`        ${command}`);
      await install(dir, pm, names);
      if (client && existsSync(join(dir, 'node_modules', 'redis'))) throw new Error(`the ${client} install brought node-redis`);
      footprints.push({ pkg: label, pm, command, fp: footprint(dir, pm) });
      return true;
    });
    if (ok) await runExamples(local, pkg.dir, label, pm, dir, examplesOf(pkg.dir, client));
    cases.merge(local);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
} finally {
  await registry.stop();
  await standalone.stop();
  await cluster.stop();
}

footprints.sort((a, b) => a.pm.localeCompare(b.pm) || a.pkg.localeCompare(b.pkg));
console.log('\nInstall footprint (node_modules after the README install line, before TypeScript)');
console.log(`${'package'.padEnd(22)} ${'manager'.padEnd(8)} ${'packages'.padStart(8)} ${'MB'.padStart(7)}  command`);
for (const { pkg, pm, command, fp } of footprints) {
  console.log(`${pkg.padEnd(22)} ${pm.padEnd(8)} ${String(fp.packages).padStart(8)} ${(fp.bytes / 1e6).toFixed(1).padStart(7)}  ${command}`);
}
const seconds = ((performance.now() - started) / 1000).toFixed(0);
console.log(`\nconsumer check: ${cases.passed} passed, ${cases.failed} failed (${seconds} s)`);
if (process.env.X_TEST_REPORT_DIR) cases.writeReport(process.env.X_TEST_REPORT_DIR, 'consumer-check.json');
if (process.env.X_CONSUMER_KEEP !== '1') rmSync(work, { recursive: true, force: true });
else console.log(`kept ${work}`);
process.exit(cases.failed > 0 || cases.passed === 0 ? 1 : 0);
