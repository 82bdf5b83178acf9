import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTopologies } from '@x/tooling/vitest';
import { adapter, defineScript } from '../src/index.js';

// Scripts run directly with EVAL/EVALSHA on a real server, without the adapter package.
describe('adapter/server-time.lua on a real Redis', () => {
  const client = createClient({ url: getTopologies().standalone.url, RESP: 2 });
  beforeAll(async () => {
    await client.connect();
  });
  afterAll(async () => {
    await client.close();
  });

  it('returns the server clock in milliseconds, the same by EVAL and by its sha1', async () => {
    const [sec, usec] = (await client.sendCommand(['TIME'])) as [string, string];
    const serverNow = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
    const s = adapter.serverTime;
    const viaEval = Number(await client.sendCommand(['EVAL', s.source, '1', 'anchor']));
    const viaSha = Number(await client.sendCommand(['EVALSHA', s.sha1, '1', 'anchor']));
    expect(viaEval).toBeGreaterThanOrEqual(serverNow);
    expect(viaSha).toBeGreaterThanOrEqual(viaEval);
    expect(viaSha - serverNow).toBeLessThan(60_000);
  });

  it('include/time.lua: server_time_text agrees with server_time_ms to the millisecond', async () => {
    const { readFileSync } = await import('node:fs');
    // TIME's reply replaced by ARGV so the formatting is checked at the edges of the microsecond field.
    const helper = readFileSync(new URL('../src/include/time.lua', import.meta.url), 'utf8').replaceAll(
      "redis.call('TIME')",
      '{ ARGV[1], ARGV[2] }',
    );
    const source = `${helper}\nreturn { string.format('%.0f', server_time_ms()), server_time_text() }`;
    for (const usec of ['0', '5', '999', '1000', '1999', '123456', '999999']) {
      const [ms, text] = (await client.sendCommand(['EVAL', source, '0', '1795309449', usec])) as [string, string];
      expect(text).toBe(ms);
      expect(text).toBe(String(1795309449 * 1000 + Math.floor(Number(usec) / 1000)));
    }
  });

  it('include/ttl.lua sets a TTL with a positive value and persists with 0', async () => {
    const { readFileSync } = await import('node:fs');
    const helper = readFileSync(new URL('../src/include/ttl.lua', import.meta.url), 'utf8');
    const s = defineScript({
      name: 'test/ttl',
      source: `${helper}\nredis.call('SET', KEYS[1], 'v')\napply_ttl_ms({ KEYS[1] }, tonumber(ARGV[1]))\nreturn redis.call('PTTL', KEYS[1])`,
      keys: ['k'],
      args: ['ttlMs'],
    });
    const key = `lua-test:${process.pid}:${Date.now()}`;
    const withTtl = Number(await client.sendCommand(['EVAL', s.source, '1', key, '5000']));
    expect(withTtl).toBeGreaterThan(4000);
    expect(withTtl).toBeLessThanOrEqual(5000);
    expect(Number(await client.sendCommand(['EVAL', s.source, '1', key, '0']))).toBe(-1);
    await client.sendCommand(['DEL', key]);
  });
});
