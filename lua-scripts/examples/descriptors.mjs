import { createClient } from 'redis';
import { allScripts, defineScript } from '@x/lua-scripts';

// Every script of the @x packages is a frozen descriptor: name, source, sha1, KEYS and ARGV names.
console.log('every script has a sha1:', allScripts.every((s) => /^[0-9a-f]{40}$/.test(s.sha1)));
console.log('every script names its keys:', allScripts.every((s) => s.keys.length >= s.numberOfKeys));

// A script of your own, described the same way.
const incrWithTtl = defineScript({
  name: 'app/incr-with-ttl',
  source: "local n = redis.call('INCR', KEYS[1]); redis.call('PEXPIRE', KEYS[1], ARGV[1]); return n",
  keys: ['counter'],
  args: ['ttlMs'],
});
console.log(`${incrWithTtl.name}: ${incrWithTtl.numberOfKeys} key (${incrWithTtl.keys.join(', ')}), args ${incrWithTtl.args.join(', ')}`);

// Run it with any client: EVALSHA, and EVAL when the server does not know the script yet.
const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
await client.connect();
try {
  const options = { keys: ['example:{visits}'], arguments: ['60000'] };
  const run = () =>
    client.evalSha(incrWithTtl.sha1, options).catch((err) => {
      if (String(err?.message).startsWith('NOSCRIPT')) return client.eval(incrWithTtl.source, options);
      throw err;
    });
  await client.del('example:{visits}');
  console.log('visits:', await run(), await run());
} finally {
  await client.close();
}
