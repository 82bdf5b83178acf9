import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM build script without types
import { buildScript, dropUnusedHelpers, listScripts, resolveIncludes } from '../scripts/lua-source.mjs';
import { allScripts, adapter } from '../src/index.js';

let dir: string;
const write = (rel: string, text: string) => {
  const full = join(dir, rel);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
  return full;
};
const header = '-- test\n-- KEYS[1] k: a key\n-- ARGV[1] v: a value\n-- Reply: something\n';

describe('lua build', () => {
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const fresh = () => {
    dir = mkdtempSync(join(tmpdir(), 'lua-build-'));
  };

  it('inlines includes once, relative to src/', () => {
    fresh();
    write('include/a.lua', '--!include include/b.lua\nlocal function a() return b() end\n');
    write('include/b.lua', 'local function b() return 1 end\n');
    const file = write('x/s.lua', `${header}--!include include/a.lua\n--!include include/b.lua\nreturn a()\n`);
    const source = resolveIncludes(dir, file) as string;
    expect(source.match(/local function b\(\)/g)).toHaveLength(1);
    expect(source.indexOf('function b')).toBeLessThan(source.indexOf('function a'));
    expect(source).not.toContain('--!include');
  });

  it('drops included helpers the script never calls, directly or through another helper', () => {
    fresh();
    write(
      'include/h.lua',
      [
        '-- helper file',
        '-- unused: never called',
        'local function unused()',
        "  return redis.call('GET', KEYS[1])",
        'end',
        '-- inner: called by outer only',
        'local function inner(x)',
        '  if x then',
        '    return 1',
        '  end',
        '  return 2',
        'end',
        'local function outer() return inner(true) end',
        'local function one_liner() return 3 end',
        'local CONSTANT = 7',
        '',
      ].join('\n'),
    );
    const s = buildScript(dir, write('x/s.lua', `${header}--!include include/h.lua\nreturn outer() + CONSTANT\n`));
    expect(s.source).toContain('local function inner(x)');
    expect(s.source).toContain('local function outer()');
    expect(s.source).toContain('local CONSTANT = 7');
    expect(s.source).not.toContain('unused');
    expect(s.source).not.toContain('one_liner');
    expect(s.source.startsWith(header)).toBe(true);
  });

  it('keeps a helper whose closing end is missing from being cut silently', () => {
    expect(() => dropUnusedHelpers('local function broken()\n  return 1\n  end\n')).toThrow(/no closing 'end' at column 0/);
  });

  it('detects include cycles and names the chain', () => {
    fresh();
    write('include/a.lua', '--!include include/b.lua\n');
    write('include/b.lua', '--!include include/a.lua\n');
    const file = write('x/s.lua', `${header}--!include include/a.lua\nreturn 1\n`);
    expect(() => buildScript(dir, file)).toThrow(/include cycle: x\/s.lua -> include\/a.lua -> include\/b.lua -> include\/a.lua/);
  });

  it('reads KEYS and ARGV names, variadic tails and the sha1 of the resolved source', () => {
    fresh();
    const file = write(
      'area/name.lua',
      '-- d\n-- KEYS[1] first: x\n-- KEYS[2...] rest: y\n-- ARGV[1] a: z\n-- ARGV[2...] more: w\n-- Reply: r\nreturn KEYS[1]\n',
    );
    const s = buildScript(dir, file);
    expect(s).toMatchObject({
      name: 'area/name',
      area: 'area',
      numberOfKeys: 1,
      keys: ['first', 'rest'],
      args: ['a', 'more'],
      variadicKeys: true,
      variadicArgs: true,
    });
    expect(s.sha1).toMatch(/^[0-9a-f]{40}$/);
  });

  it('refuses scripts without a header, without a reply line, with holes, or using KEYS beyond the header', () => {
    fresh();
    expect(() => buildScript(dir, write('a/none.lua', 'return 1\n'))).toThrow(/must open with a comment block/);
    expect(() => buildScript(dir, write('a/noreply.lua', '-- KEYS[1] k: x\nreturn 1\n'))).toThrow(/state the reply/);
    expect(() => buildScript(dir, write('a/hole.lua', '-- KEYS[2] k: x\n-- Reply: r\nreturn 1\n'))).toThrow(/out of order/);
    expect(() => buildScript(dir, write('a/beyond.lua', `${header}return KEYS[2]\n`))).toThrow(/uses KEYS\[2\]/);
  });

  it('refuses the KEYS command in any script or include', () => {
    fresh();
    write('include/bad.lua', "local function f() return redis.call('KEYS', '*') end\n");
    expect(() => buildScript(dir, write('a/k.lua', `${header}--!include include/bad.lua\nreturn 1\n`))).toThrow(/forbidden/);
  });

  it('lists scripts but not helpers under include/', () => {
    fresh();
    write('include/h.lua', '-- helper\n');
    write('a/one.lua', header);
    write('b/two.lua', header);
    expect((listScripts(dir) as string[]).map((f) => f.slice(dir.length + 1))).toEqual(['a/one.lua', 'b/two.lua']);
  });

  it('generates descriptors for the real scripts with matching sha1 and key counts', async () => {
    const { createHash } = await import('node:crypto');
    expect(allScripts.length).toBeGreaterThan(0);
    for (const s of allScripts) {
      expect(createHash('sha1').update(s.source).digest('hex')).toBe(s.sha1);
      expect(s.keys.length - (s.variadicKeys ? 1 : 0)).toBe(s.numberOfKeys);
    }
    expect(adapter.serverTime.name).toBe('adapter/server-time');
  });
});
