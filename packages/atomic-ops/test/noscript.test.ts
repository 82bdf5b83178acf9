import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoundTripProxy } from '@x/tooling/proxy';
import { connectClient, connectCluster, startStandalone, type StandaloneHandle } from '@x/tooling/redis';
import { connectTopology, forEachTopology, getTopologies, randomPrefix } from '@x/tooling/vitest';
import { atomicOps } from '@x/lua-scripts';
import { AtomicOperations } from '../src/index.js';
import { sessionId } from './helpers.js';

/** Runs every operation once and checks its effect; returns nothing, throws on any failure. */
async function everyOperation(ops: AtomicOperations, label: string): Promise<void> {
  const id = sessionId(label);
  expect(await ops.appendMessage(id, { role: 'user', content: 'hi' }, { operationId: 'op' })).toBe(1);
  expect(await ops.appendMessages(id, [{ role: 'user' }, { role: 'user' }])).toBe(3);
  expect(
    await ops.recordResponse({
      sessionId: id,
      queryHash: `q-${id}`,
      response: 'r',
      userMessage: { role: 'user' },
      assistantMessage: { role: 'assistant' },
      operationId: 'rec',
    }),
  ).toEqual({ messageCount: 5 });
  expect(await ops.getCachedResponse(`q-${id}`, { sessionId: id })).toMatchObject({ response: 'r', hits: 1 });
  const { token } = await ops.handoff({ sessionId: id, fromAgent: 'a', toAgent: 'b' });
  expect(await ops.releaseHandoffLock(id, token)).toBe(true);
  expect(await ops.getSession(id)).toMatchObject({ messageCount: 5, responses: 1, currentAgent: 'b' });
  expect(await ops.getMessages(id)).toHaveLength(5);
  expect(await ops.deleteSession(id)).toBe(true);
}

describe('standalone: NOSCRIPT after SCRIPT FLUSH and after a restart is invisible', () => {
  let server: StandaloneHandle;
  let proxy: RoundTripProxy;
  let ops: AtomicOperations;
  let sessionScoped: AtomicOperations;
  let admin: Awaited<ReturnType<typeof connectClient>>;

  beforeAll(async () => {
    server = await startStandalone();
    proxy = await RoundTripProxy.start(server.host, server.port);
    ops = new AtomicOperations(proxy.url, { prefix: randomPrefix('atomic-ops-noscript') });
    sessionScoped = new AtomicOperations(proxy.url, { prefix: randomPrefix('atomic-ops-noscript'), cacheScope: 'session' });
    admin = await connectClient(server.url);
  });
  afterAll(async () => {
    await ops?.close();
    await sessionScoped?.close();
    await admin?.close().catch(() => undefined);
    await proxy?.close();
    await server?.stop();
  });

  it('takes one round trip per operation once the scripts are cached', async () => {
    await everyOperation(ops, 'warm'); // loads the scripts
    const id = sessionId('rt');
    const steps: [string, () => Promise<unknown>][] = [
      ['appendMessage', () => ops.appendMessage(id, { role: 'user' }, { operationId: 'x' })],
      ['appendMessage (retry)', () => ops.appendMessage(id, { role: 'user' }, { operationId: 'x' })],
      [
        'recordResponse',
        () => ops.recordResponse({ sessionId: id, queryHash: id, response: 1, assistantMessage: { role: 'assistant' } }),
      ],
      [
        'recordResponse (session cache)',
        () =>
          sessionScoped.recordResponse({ sessionId: id, queryHash: id, response: 1, assistantMessage: { role: 'assistant' } }),
      ],
      ['getCachedResponse', () => ops.getCachedResponse(id)],
      ['handoff', () => ops.handoff({ sessionId: id, fromAgent: 'a', toAgent: 'b' })],
      ['getSession', () => ops.getSession(id)],
      ['getMessages', () => ops.getMessages(id)],
      ['deleteSession', () => ops.deleteSession(id)],
    ];
    await sessionScoped.getSession(id); // connect it and load get-session
    await sessionScoped.recordResponse({ sessionId: 'warm', queryHash: 'w', response: 1, assistantMessage: { role: 'assistant' } });
    for (const [name, step] of steps) {
      proxy.reset();
      await step();
      expect({ name, roundTrips: proxy.roundTrips }).toEqual({ name, roundTrips: 1 });
    }
  });

  it('recovers from SCRIPT FLUSH without the caller noticing', async () => {
    await everyOperation(ops, 'before-flush');
    await admin.sendCommand(['SCRIPT', 'FLUSH']);
    const fallbacks = ops.redis.stats.noscriptFallbacks;
    await everyOperation(ops, 'after-flush');
    expect(ops.redis.stats.noscriptFallbacks).toBeGreaterThan(fallbacks);
    await admin.sendCommand(['SCRIPT', 'FLUSH']);
    await everyOperation(sessionScoped, 'after-flush-session-scope');
  });

  it('recovers from a server restart (empty data, empty script cache) without the caller noticing', async () => {
    await everyOperation(ops, 'before-restart');
    await admin.close();
    await server.restart();
    admin = await connectClient(server.url);
    expect(await admin.sendCommand(['SCRIPT', 'EXISTS', atomicOps.append.sha1, atomicOps.recordResponse.sha1])).toEqual([0, 0]);
    await everyOperation(ops, 'after-restart');
    await everyOperation(sessionScoped, 'after-restart-session-scope');
  });
});

describe('cluster: NOSCRIPT on every master, also inside the recordResponse pipeline', () => {
  let ops: AtomicOperations;
  let cluster: Awaited<ReturnType<typeof connectCluster>>;
  beforeAll(async () => {
    cluster = await connectCluster(getTopologies().cluster.rootNodes);
    ops = new AtomicOperations(cluster, { prefix: randomPrefix('atomic-ops-noscript-cluster') });
  });
  afterAll(async () => {
    await ops?.close();
    await cluster?.close();
  });

  it('recovers from SCRIPT FLUSH on all masters', async () => {
    await everyOperation(ops, 'before');
    for (const master of cluster.masters) await (await cluster.nodeClient(master)).sendCommand(['SCRIPT', 'FLUSH']);
    await everyOperation(ops, 'after');
    expect(ops.redis.stats.noscriptFallbacks).toBeGreaterThan(0);
  });
});

forEachTopology(['sentinel'], (t) => {
  let ops: AtomicOperations;
  let client: Awaited<ReturnType<typeof connectTopology>>;
  beforeAll(async () => {
    client = await connectTopology(t);
    ops = new AtomicOperations(client, { prefix: randomPrefix('atomic-ops-sentinel') });
  });
  afterAll(async () => {
    await ops?.close();
    await client?.close();
  });

  it('runs every operation through a sentinel-managed master, recordResponse in one call', async () => {
    expect(ops.redis.topology).toBe('sentinel');
    await everyOperation(ops, 'sentinel');
    const id = sessionId('sentinel-one-call');
    await ops.recordResponse({ sessionId: `${id}-warm`, queryHash: id, response: 1, assistantMessage: { role: 'assistant' } });
    const sent = () => ops.redis.stats.commands - ops.redis.stats.noscriptFallbacks;
    const before = sent();
    await ops.recordResponse({ sessionId: id, queryHash: id, response: 1, assistantMessage: { role: 'assistant' } });
    expect(sent() - before).toBe(1);
  });
});
