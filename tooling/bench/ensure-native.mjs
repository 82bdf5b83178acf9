#!/usr/bin/env node
// Builds a native addon that `pnpm install` leaves unbuilt (see ignoredBuiltDependencies in
// pnpm-workspace.yaml), the first time a benchmark needs it.
//
//   node ensure-native.mjs <native package> [<package that depends on it>]
//
// Resolution starts from the current directory (the package whose bench runs), through the
// dependent package when one is named. Loads the addon; if its binary is missing, runs the
// package's own `node-gyp rebuild --release` (its output shown only if it fails), then loads it again.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const [nativeName, via] = process.argv.slice(2);
if (!nativeName) {
  console.error('usage: ensure-native.mjs <native package> [<package that depends on it>]');
  process.exit(2);
}
let require = createRequire(join(process.cwd(), 'package.json'));
if (via) require = createRequire(require.resolve(`${via}/package.json`));
const dir = dirname(require.resolve(`${nativeName}/package.json`));

function loads() {
  try {
    const mod = require(nativeName);
    // better-sqlite3 loads its binding lazily: open a database to be sure.
    if (nativeName === 'better-sqlite3') new mod(':memory:').close();
    return true;
  } catch {
    return false;
  }
}

if (!loads()) {
  console.error(`Building ${nativeName} for this benchmark (once; about a minute)...`);
  try {
    execFileSync('npm', ['run', '--silent', 'build-release'], { cwd: dir, stdio: 'pipe', maxBuffer: 64 << 20 });
  } catch (err) {
    console.error(String(err.stderr ?? ''), String(err.stdout ?? ''));
    console.error(`building ${nativeName} in ${dir} failed: ${err.message}`);
    process.exit(1);
  }
  if (!loads()) {
    console.error(`${nativeName} still does not load after building it in ${dir}`);
    process.exit(1);
  }
}
