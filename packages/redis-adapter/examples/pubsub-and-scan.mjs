import { createRedisAdapter, Keyspace } from '@x/redis-adapter';

// From a URL the adapter owns the connection: close() ends it.
const redis = createRedisAdapter(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
try {
  const ks = new Keyspace('example-scan');

  const received = new Promise((resolve) => {
    void redis.subscribe(ks.key('room', 'events'), (message) => resolve(message)).then(() =>
      redis.publish(ks.key('room', 'events'), 'hello'),
    );
  });
  console.log(`received: ${await received}`);

  await redis.pipeline(['a', 'a:b', 'a*'].map((id) => ({ command: ['SET', ks.key(id, 'v'), id], keys: [ks.key(id, 'v')] })));
  const ids = [];
  for await (const keys of redis.scan({ match: ks.scanPattern() })) ids.push(...keys.map((k) => ks.idOf(k)));
  console.log(`ids under the prefix: ${ids.sort().join(', ')}`);
} finally {
  await redis.close();
}
