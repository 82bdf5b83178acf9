import { RedisStore } from '@x/langgraph-store';

const store = new RedisStore(process.env.REDIS_URL ?? 'redis://localhost:6379', { prefix: `example-filters-${process.pid}` });
try {
  const teamA = ['docs', 'team-a'];
  // One batch: one script per shard, one round trip.
  await store.batch([
    { namespace: teamA, key: 'q1', value: { kind: 'report', quarter: 1, status: 'final' } },
    { namespace: teamA, key: 'q2', value: { kind: 'report', quarter: 2, status: 'draft' } },
    { namespace: teamA, key: 'q3', value: { kind: 'report', quarter: 3, status: 'final' } },
    { namespace: ['docs', 'team-b'], key: 'memo', value: { kind: 'memo', quarter: 2, status: 'final' } },
  ]);

  // Filters run in Lua on the server: equality and $eq $ne $gt $gte $lt $lte $in $nin.
  const finals = await store.search(['docs'], { filter: { status: 'final', quarter: { $gte: 2 } } });
  console.log('final since Q2:', finals.map((i) => `${i.namespace.join('/')}/${i.key}`).join(', '));

  const page = await store.search(teamA, { limit: 2, offset: 1 });
  console.log('page 2 of team-a:', page.map((i) => i.key).join(', '));
  console.log('namespaces:', JSON.stringify(await store.listNamespaces({ prefix: ['docs'] })));

  // An item that expires 200 ms after the put (the store's ttlMs option sets one for every put).
  await store.put(teamA, 'scratch', { kind: 'note' }, undefined, { ttlMs: 200 });
  console.log('scratch now:', (await store.get(teamA, 'scratch'))?.value.kind);
  while ((await store.get(teamA, 'scratch')) !== null) await new Promise((r) => setTimeout(r, 25));
  console.log('scratch expired');

  for (const item of await store.search(['docs'])) await store.delete(item.namespace, item.key);
  console.log('left:', JSON.stringify(await store.listNamespaces()));
} finally {
  await store.close();
}
