import { Redis } from 'ioredis';
import { RedisStore } from '@x/langgraph-store';

// The ioredis client your service already has: used as is, never closed for you.
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const store = new RedisStore(redis, { prefix: `example-ioredis-${process.pid}` });
try {
  const ns = ['memories', 'ada'];
  await store.put(ns, 'tone', { text: 'prefers short answers', kind: 'style' });
  await store.put(ns, 'work', { text: 'works on compilers', kind: 'fact' });
  const facts = await store.search(ns, { filter: { kind: 'fact' } });
  console.log('facts:', facts.map((i) => i.value.text).join('; '));
  await store.delete(ns, 'tone');
  await store.delete(ns, 'work');
  console.log('left:', (await store.search(ns)).length);
} finally {
  await store.close();
  await redis.quit();
}
