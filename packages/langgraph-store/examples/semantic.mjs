import { SyntheticEmbeddings } from '@langchain/core/utils/testing';
import { RedisStore } from '@x/langgraph-store';

// Use your real embeddings here (OpenAIEmbeddings, ...): the store keeps each item's vectors
// next to it and ranks the filtered items of a search by exact cosine.
const embeddings = new SyntheticEmbeddings({ vectorSize: 16 });
const store = new RedisStore(process.env.REDIS_URL ?? 'redis://localhost:6379', {
  prefix: `example-semantic-${process.pid}`,
  index: { dims: 16, embeddings, fields: ['text'] },
});
try {
  const ns = ['memories', 'ada'];
  await store.put(ns, 'm1', { text: 'drives a red bicycle to work', kind: 'habit' });
  await store.put(ns, 'm2', { text: 'likes green tea in the morning', kind: 'taste' });
  await store.put(ns, 'm3', { text: 'allergic to peanuts', kind: 'health' });
  await store.put(ns, 'm4', { text: 'note to self', kind: 'misc' }, false); // index: false, never ranked

  const [best] = await store.search(ns, { query: 'likes green tea in the morning', limit: 1 });
  console.log('best match:', best?.key, 'score', best?.score?.toFixed(2));

  const health = await store.search(ns, { query: 'food', filter: { kind: { $in: ['health', 'misc'] } } });
  console.log('filtered then ranked:', health.map((i) => `${i.key} (${i.score === undefined ? 'no vector' : 'scored'})`).join(', '));

  for (const key of ['m1', 'm2', 'm3', 'm4']) await store.delete(ns, key);
} finally {
  await store.close();
}
