// The shared bad-input suite (@x/tooling/bad-input) against the adapter's entry points,
// on standalone and cluster (each adapter made from a URL; on the cluster, one node's URL)
// and on a sentinel-managed master (made from sentinel settings).
import { forEachTopology } from '@x/tooling/vitest';
import { describeBadInput } from '@x/tooling/bad-input';
import { defineScript } from '@x/lua-scripts';
import { CALL_OPTIONS, CREATE_ADAPTER_OPTIONS, Keyspace, SCAN_OPTIONS, createRedisAdapter, type RedisAdapter, type RedisTarget } from '../src/index.js';

const setScript = defineScript({ name: 'test/bad-input-set', source: "return redis.call('SET', KEYS[1], ARGV[1])", keys: ['key'], args: ['value'] });

/** An adapter and the keyspace of the subject's prefix (ids go through Keyspace, limited to 1 KiB). */
interface Subject {
  readonly adapter: RedisAdapter;
  readonly ks: Keyspace;
}

forEachTopology(['standalone', 'cluster', 'sentinel'], (t) => {
  // Read when a subject opens: a sentinel's coordinates are known only once its hooks ran.
  const target = (): RedisTarget => {
    if (t.kind === 'standalone') return t.url;
    if (t.kind === 'cluster') return t.rootNodes[0]!.url;
    return { sentinelRootNodes: t.sentinelRootNodes, name: t.masterName };
  };
  describeBadInput<Subject>({
    name: `RedisAdapter (${t.kind}, from ${t.kind === 'sentinel' ? 'sentinel settings' : 'a URL'})`,
    open: (prefix) => ({ adapter: createRedisAdapter(target()), ks: new Keyspace(prefix, { maxIdBytes: 1024 }) }),
    close: (s) => s.adapter.close(),
    commands: (s) => s.adapter.stats.commands,
    entryPoints: [
      {
        name: 'command',
        call: (s, a) => {
          const key = s.ks.key(a.id as string, 'v');
          return s.adapter.command({ command: ['SET', key, 'x'], keys: [key] }, a.options as never);
        },
        valid: { id: 'id', options: { returnBuffers: false } },
        takesId: true,
        options: { accepted: CALL_OPTIONS },
      },
      {
        name: 'runScript',
        call: (s, a) => s.adapter.runScript(setScript, { keys: [s.ks.key(a.id as string, 'v')], args: ['x'] }, a.options as never),
        valid: { id: 'id', options: {} },
        takesId: true,
        options: { accepted: CALL_OPTIONS },
      },
      {
        name: 'pipeline',
        call: (s, a) => s.adapter.pipeline([{ script: setScript, keys: [s.ks.key(a.id as string, 'v')], args: ['x'] }], a.options as never),
        valid: { id: 'id', options: {} },
        takesId: true,
        options: { accepted: CALL_OPTIONS },
      },
      {
        name: 'scan',
        call: async (s, a) => {
          for await (const batch of s.adapter.scan(a.options as never)) return batch;
          return [];
        },
        valid: { options: { count: 100 } },
        options: { accepted: SCAN_OPTIONS, numbers: { count: { min: 1, max: 1_000_000 } } },
      },
    ],
    closedName: 'RedisAdapter',
    closedCodes: ['ERR_CONNECTION_CLOSED'],
    constructors: [
      {
        name: 'createRedisAdapter(url, options)',
        make: (options) => createRedisAdapter('redis://127.0.0.1:1', options),
        dispose: (made) => (made as RedisAdapter).close(),
        valid: { detectCluster: false },
        accepted: CREATE_ADAPTER_OPTIONS,
        numbers: { commandTimeoutMs: { min: 0, max: 2_147_483_647 } },
      },
    ],
    extra: [
      { name: 'a host/port object', run: () => createRedisAdapter({ host: 'h', port: 1 } as never), code: 'ERR_INVALID_ARGUMENT', message: /socket: \{ host, port \}/ },
      { name: 'a URL without a scheme', run: () => createRedisAdapter('localhost:6379'), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'an empty list of cluster seeds', run: () => createRedisAdapter([]), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'a scan with a misspelled match', run: (s) => s.adapter.scan({ mach: '*' } as never), code: 'ERR_UNKNOWN_OPTION', message: /"match"/ },
      { name: 'a NaN argument', run: (s) => s.adapter.command({ command: ['SET', s.ks.key('id', 'v'), Number.NaN], keys: [s.ks.key('id', 'v')] }), code: 'ERR_INVALID_ARGUMENT' },
      { name: 'keys in two slots', run: (s) => s.adapter.command({ command: ['MSET', s.ks.key('a', 'v'), '1', s.ks.key('b', 'v'), '2'], keys: [s.ks.key('a', 'v'), s.ks.key('b', 'v')] }), code: 'ERR_CROSS_SLOT' },
    ],
    namespace: {
      write: async (s, id) => {
        const key = s.ks.key(id, 'v');
        await s.adapter.command({ command: ['SET', key, id], keys: [key] });
      },
      has: async (s, id) => {
        const key = s.ks.key(id, 'v');
        return Number(await s.adapter.command({ command: ['EXISTS', key], keys: [key] })) === 1;
      },
      list: async (s) => {
        const ids: string[] = [];
        for await (const batch of s.adapter.scan({ match: s.ks.scanPattern() })) ids.push(...batch.map((k) => s.ks.idOf(k)!));
        return ids;
      },
      clear: async (s) => {
        for await (const batch of s.adapter.scan({ match: s.ks.scanPattern() })) {
          for (const key of batch) await s.adapter.command({ command: ['DEL', key], keys: [key] });
        }
      },
    },
  });
});
