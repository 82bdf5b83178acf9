import { createClient } from 'redis';
import { createRedisAdapter, defineScript, Keyspace } from '@x/redis-adapter';

// A script of your own; the @x packages ship theirs as generated descriptors (@x/lua-scripts).
const incrWithTtl = defineScript({
  name: 'app/incr-with-ttl',
  source: "local n = redis.call('INCR', KEYS[1]); redis.call('PEXPIRE', KEYS[1], ARGV[1]); return n",
  keys: ['counter'],
  args: ['ttlMs'],
});

const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
await client.connect();
const redis = createRedisAdapter(client); // caller-owned: the adapter never closes it

const ks = new Keyspace('example');
const key = ks.key('user:42 {odd id}', 'visits'); // ids are data: encoded, one hash slot per id
const visits = await redis.runScript(incrWithTtl, { keys: { counter: key }, args: { ttlMs: 60_000 } });
console.log(`visits: ${visits}`);

// Several calls, one round trip; replies in order.
const [a, b] = await redis.pipeline([
  { script: incrWithTtl, keys: [key], args: [60_000] },
  { command: ['PTTL', key], keys: [key] },
]);
console.log(`visits: ${a}, expires in <= ${b} ms`);

await client.close();
