import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { HarnessError, INSTALL_HINT } from './errors.js';

const FALLBACK_DIRS = ['/usr/bin', '/usr/local/bin', '/opt/homebrew/bin', '/usr/sbin'];

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Path of the `redis-server` binary: `REDIS_SERVER_BIN` if set, else the first one on PATH
 * (then a few usual install dirs). Returns `undefined` when there is none.
 * A `REDIS_SERVER_BIN` that does not point at an executable is an error, not a silent fallback.
 */
export function findRedisServer(): string | undefined {
  const fromEnv = process.env.REDIS_SERVER_BIN;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) {
      throw new HarnessError('BAD_REDIS_SERVER_BIN', `REDIS_SERVER_BIN=${fromEnv} is not an executable file. ${INSTALL_HINT}`);
    }
    return fromEnv;
  }
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of [...dirs, ...FALLBACK_DIRS]) {
    const candidate = path.join(dir, 'redis-server');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Like {@link findRedisServer} but throws a {@link HarnessError} saying what to install. */
export function requireRedisServer(): string {
  const bin = findRedisServer();
  if (!bin) {
    throw new HarnessError('NO_REDIS_SERVER', `No redis-server binary found (looked at REDIS_SERVER_BIN and PATH). ${INSTALL_HINT}`);
  }
  return bin;
}

const versions = new Map<string, string>();

/** Version of a redis-server binary, e.g. "7.0.15" (cached per path). */
export function redisServerVersion(bin: string): string {
  let version = versions.get(bin);
  if (version === undefined) {
    const out = execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 5000 });
    version = /v=(\S+)/.exec(out)?.[1] ?? 'unknown';
    versions.set(bin, version);
  }
  return version;
}
