import { describe, expect, it } from 'vitest';
import { getTopologies, randomPrefix } from '@x/tooling/vitest';
import {
  bytesCodec,
  ContextBuffer,
  InMemoryBackend,
  InvalidArgumentError,
  RedisBackend,
  textCodec,
  ThreadRegistry,
  type SharedBackend,
  type SlotCodec,
} from '../src/index.js';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const backends: Array<[string, () => SharedBackend]> = [
  ['in-memory', () => new InMemoryBackend()],
  ['redis', () => new RedisBackend(getTopologies().standalone.url, { prefix: randomPrefix('sb-classes') })],
];

describe.each(backends)('ContextBuffer and ThreadRegistry on %s', (_, make) => {
  it('ContextBuffer stores JSON values by default', async () => {
    const backend = make();
    const buffer = new ContextBuffer<{ role: string; text: string; n?: number[] }>({ backend });
    expect(await buffer.append('t', { role: 'user', text: 'hi' })).toBe(0);
    expect(await buffer.append('t', { role: 'assistant', text: 'hello 🌍', n: [1, 2] })).toBe(1);
    expect(await buffer.get('t')).toEqual([
      { role: 'user', text: 'hi' },
      { role: 'assistant', text: 'hello 🌍', n: [1, 2] },
    ]);
    expect(await buffer.at('t', -1)).toEqual({ role: 'assistant', text: 'hello 🌍', n: [1, 2] });
    expect(await buffer.at('t', 5)).toBeUndefined();
    expect(await buffer.length('t')).toBe(2);
    expect(await buffer.has('t')).toBe(true);
    expect(await collect(buffer.threads())).toEqual(['t']);
    // The slot is the JSON text: other languages and processes can read it.
    expect(Buffer.from((await backend.bufferGetSlot('t', 0))!).toString()).toBe('{"role":"user","text":"hi"}');
    await expect(buffer.append('t', undefined as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(buffer.append('t', { big: 1n } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await buffer.length('t')).toBe(2);
    expect(await buffer.delete('t')).toBe(true);
    await buffer.append('u', { role: 'x', text: '' });
    await buffer.clear();
    expect(await collect(buffer.threads())).toEqual([]);
    await buffer.close(); // not its backend: stays open
    expect(await backend.ping()).toBe(true);
    await backend.close();
  });

  it('ContextBuffer takes other codecs', async () => {
    const backend = make();
    const bytes = new ContextBuffer({ backend, codec: bytesCodec });
    await bytes.append('b', Uint8Array.from([0, 255]));
    expect(Buffer.from((await bytes.get('b'))[0]!).toString('hex')).toBe('00ff');
    const text = new ContextBuffer({ backend, codec: textCodec });
    await text.append('s', 'plain');
    expect(await text.get('s')).toEqual(['plain']);
    const upper: SlotCodec<string> = { encode: (v) => v.toUpperCase(), decode: (b) => Buffer.from(b).toString().toLowerCase() };
    const custom = new ContextBuffer({ backend, codec: upper });
    await custom.append('c', 'MiXeD');
    expect(await custom.get('c')).toEqual(['mixed']);
    expect(Buffer.from((await backend.bufferGetSlot('c', 0))!).toString()).toBe('MIXED');
    await backend.bufferClear();
    await backend.close();
  });

  it('ThreadRegistry maps both ways and replaces stale mappings', async () => {
    const backend = make();
    const registry = new ThreadRegistry({ backend });
    await registry.set('chain-a', 'uuid-1');
    await registry.set('chain-b', 'uuid-2');
    await registry.set('chain-a', 'uuid-3');
    expect(await registry.uuidOf('chain-a')).toBe('uuid-3');
    expect(await registry.chainOf('uuid-1')).toBeNull();
    expect(await registry.toMap()).toEqual(new Map([['uuid-2', 'chain-b'], ['uuid-3', 'chain-a']]));
    expect(await registry.delete('uuid-2')).toBe(true);
    expect((await collect(registry.entries())).length).toBe(1);
    await registry.clear();
    expect(await registry.toMap()).toEqual(new Map());
    await registry.close();
    await backend.close();
  });
});

describe('defaults', () => {
  it('without a backend each class owns an in-memory one and closes it', async () => {
    const buffer = new ContextBuffer();
    const registry = new ThreadRegistry();
    expect(buffer.backend).toBeInstanceOf(InMemoryBackend);
    expect(registry.backend).toBeInstanceOf(InMemoryBackend);
    await buffer.append('t', [1, 'two', { three: 3 }]);
    expect(await buffer.get('t')).toEqual([[1, 'two', { three: 3 }]]);
    await buffer.close();
    await registry.close();
    expect(await buffer.backend.ping()).toBe(false);
    expect(await registry.backend.ping()).toBe(false);
  });

  it('rejects bad options', () => {
    expect(() => new ContextBuffer(null as never)).toThrow(InvalidArgumentError);
    expect(() => new ContextBuffer({ codec: {} as never })).toThrow(InvalidArgumentError);
    expect(() => new ThreadRegistry(null as never)).toThrow(InvalidArgumentError);
  });
});
