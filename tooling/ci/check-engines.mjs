#!/usr/bin/env node
// Fails when an installed package declares an engines.node range that excludes the running Node,
// except the packages named in ALLOWED (with the reason). This is the check pnpm's engineStrict
// would make, which the workspace cannot turn on for everything but one package.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(new URL('../package.json', import.meta.url));
const semver = require('semver');

// name -> why an engines mismatch is accepted
const ALLOWED = {
  openai: 'openai 7 (a dependency of @openai/agents-core 0.20) declares node >=22; the SDK runs on Node 20, where @x/openai-agents is tested',
};

const store = join(process.cwd(), 'node_modules', '.pnpm');
const bad = [];
const allowed = new Set();
for (const entry of readdirSync(store)) {
  const nm = join(store, entry, 'node_modules');
  if (!existsSync(nm)) continue;
  // the entry's own package: <name>@<version>... or @scope+name@<version>...
  const at = entry.indexOf('@', 1);
  if (at < 0) continue;
  const name = entry.slice(0, at).replace('+', '/');
  const manifest = join(nm, name, 'package.json');
  if (!existsSync(manifest)) continue;
  const { version, engines } = JSON.parse(readFileSync(manifest, 'utf8'));
  const range = engines?.node;
  if (typeof range !== 'string' || !semver.validRange(range)) continue;
  if (semver.satisfies(process.version, range, { includePrerelease: true })) continue;
  if (ALLOWED[name]) allowed.add(`${name}@${version} (node ${range}): ${ALLOWED[name]}`);
  else bad.push(`${name}@${version} wants node ${range}`);
}
for (const line of allowed) console.log(`engines: accepted ${line}`);
if (bad.length) {
  console.error(`engines: packages that do not support Node ${process.version}:\n  ${bad.join('\n  ')}`);
  process.exit(1);
}
console.log(`engines: every other installed package supports Node ${process.version}`);
