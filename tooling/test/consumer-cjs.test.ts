import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toCommonJs } from '../src/consumer/cjs.js';

// The consumer check runs every README example as CommonJS through this transform; a wrong
// transform would either fail every CJS run or, worse, hide a real difference between the forms.
describe('toCommonJs (the consumer check turns ESM examples into CommonJS programs)', () => {
  it('rewrites named, renamed, default and namespace imports and drops type-only names', () => {
    const out = toCommonJs(
      [
        "import { a, b as c, type T } from 'x';",
        "import d from 'node:path';",
        "import * as ns from 'y';",
        'console.log(a);',
      ].join('\n'),
    );
    expect(out).toContain("const { a, b: c } = require('x');");
    expect(out).toContain("const d = require('node:path');");
    expect(out).toContain("const ns = require('y');");
    expect(out).not.toContain('import ');
  });

  it('joins an import that spans lines', () => {
    const out = toCommonJs("import {\n  a,\n  b,\n} from 'x';\nawait a();");
    expect(out).toContain("const { a, b } = require('x');");
  });

  it('refuses what has no CommonJS form instead of guessing', () => {
    expect(() => toCommonJs("const here = import.meta.url;\nconsole.log(here);")).toThrow(/import\.meta/);
    expect(() => toCommonJs('export const x = 1;')).toThrow(/export/);
  });

  it('runs top-level await under plain node and reports a rejection through the exit code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'x-cjs-'));
    const ok = join(dir, 'ok.cjs');
    writeFileSync(ok, toCommonJs("import { setTimeout as sleep } from 'node:timers/promises';\nawait sleep(1);\nconsole.log('done');"));
    expect(execFileSync(process.execPath, [ok], { encoding: 'utf8' })).toBe('done\n');
    const bad = join(dir, 'bad.cjs');
    writeFileSync(bad, toCommonJs("await Promise.reject(new Error('boom'));"));
    let status = 0;
    try {
      execFileSync(process.execPath, [bad], { stdio: 'pipe' });
    } catch (err) {
      status = (err as { status: number }).status;
    }
    expect(status).toBe(1);
  });
});
