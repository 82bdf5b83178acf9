import { describe, expect, inject, it } from 'vitest';
import { forEachTopology, getTopologies, randomPrefix, useTopologyClient } from '@x/tooling/vitest';

describe('global setup', () => {
  it('provides a standalone server and a 3-master cluster', () => {
    const topologies = getTopologies();
    expect(inject('redisTopologies')).toEqual(topologies);
    expect(topologies.standalone.url).toMatch(/^redis:\/\/[^:]+:\d+$/);
    expect(topologies.cluster.rootNodes.length).toBeGreaterThanOrEqual(3);
    expect(topologies.standalone.summary).toContain(topologies.standalone.source === 'env' ? 'REDIS_URL' : 'redis');
  });
});

forEachTopology(['standalone', 'cluster', 'sentinel'], (t) => {
  const redis = useTopologyClient(t);

  it(`answers PING and round-trips a value (${t.kind})`, async () => {
    const client = redis();
    const key = `${randomPrefix(t.kind)}{k}`;
    expect(await client.ping()).toBe('PONG');
    await client.set(key, 'v', { expiration: { type: 'PX', value: 10_000 } });
    expect(await client.get(key)).toBe('v');
    await client.del(key);
  });
});

describe('randomPrefix', () => {
  it('is unique and free of glob and hash-tag characters', () => {
    const prefixes = new Set(Array.from({ length: 100 }, () => randomPrefix('a*b{c}?[d] e')));
    expect(prefixes.size).toBe(100);
    for (const prefix of prefixes) expect(prefix).toMatch(/^t:[A-Za-z0-9_-]+:$/);
  });
});
