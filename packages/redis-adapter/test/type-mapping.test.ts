import { RESP_TYPES, createClient, createCluster } from 'redis';
import { describe, expect, it } from 'vitest';
import { forEachTopology, getTopologies } from '@x/tooling/vitest';
import { defineScript } from '@x/lua-scripts';
import { createRedisAdapter } from '../src/index.js';
import { plainOptionsFor } from '../src/node-redis/type-mapping.js';

const BUFFERS = { [RESP_TYPES.BLOB_STRING]: Buffer } as const;
const echo = defineScript({ name: 'test/echo-type', source: 'return ARGV[1]', keys: ['k'], args: ['v'] });

/** Strings from a plain call and Buffers when asked, whatever the connection maps itself. */
async function expectOurDecoding(connection: Parameters<typeof createRedisAdapter>[0], key: string): Promise<void> {
  const adapter = createRedisAdapter(connection);
  expect(await adapter.runScript(echo, { keys: [key], args: ['héllo'] })).toBe('héllo');
  expect(await adapter.command({ command: ['ECHO', 'plain'] })).toBe('plain');
  const asBuffer = await adapter.runScript(echo, { keys: [key], args: ['héllo'] }, { returnBuffers: true });
  expect(Buffer.isBuffer(asBuffer)).toBe(true);
  expect((asBuffer as Buffer).toString('utf8')).toBe('héllo');
  await adapter.close();
}

describe('replies do not depend on the caller connection’s own type mapping', () => {
  it('a client created with a Buffer mapping, and one from withTypeMapping', async () => {
    const { url } = getTopologies().standalone;
    const mapped = createClient({ url, commandOptions: { typeMapping: BUFFERS } });
    await mapped.connect();
    try {
      // The client itself would hand Buffers back; the adapter still answers with strings.
      expect(Buffer.isBuffer(await mapped.sendCommand(['ECHO', 'x']))).toBe(true);
      await expectOurDecoding(mapped, 'tm:{a}');
      const plain = createClient({ url });
      await plain.connect();
      try {
        await expectOurDecoding(plain.withTypeMapping(BUFFERS), 'tm:{b}');
        await expectOurDecoding(plain, 'tm:{c}');
      } finally {
        await plain.close();
      }
    } finally {
      await mapped.close();
    }
  });

  it('decides once per connection whether a plain call must state the string mapping', async () => {
    const { url } = getTopologies().standalone;
    expect(plainOptionsFor(createClient({ url }))).toBeUndefined();
    expect(plainOptionsFor(createClient({ url, commandOptions: { typeMapping: BUFFERS } }))).toEqual({ typeMapping: {} });
    expect(plainOptionsFor(createClient({ url }).withTypeMapping(BUFFERS))).toEqual({ typeMapping: {} });
    // Options node-redis does not show (a sentinel's own, another shape): state it.
    expect(plainOptionsFor({})).toEqual({ typeMapping: {} });
  });
});

forEachTopology(['cluster'], (t) => {
  it('a cluster with a Buffer mapping of its own or in its node defaults', async () => {
    // node-redis' types leave commandOptions out of `defaults`, but it passes them to every node client.
    const variants = [{ commandOptions: { typeMapping: BUFFERS } }, { defaults: { commandOptions: { typeMapping: BUFFERS } } }];
    for (const options of variants) {
      const cluster = createCluster({ rootNodes: t.rootNodes, ...(options as { commandOptions: { typeMapping: typeof BUFFERS } }) });
      await cluster.connect();
      try {
        expect(plainOptionsFor(cluster)).toEqual({ typeMapping: {} });
        await expectOurDecoding(cluster, 'tm:{cluster}');
      } finally {
        await cluster.close();
      }
    }
    const plain = createCluster({ rootNodes: t.rootNodes });
    expect(plainOptionsFor(plain)).toBeUndefined();
  });
});
