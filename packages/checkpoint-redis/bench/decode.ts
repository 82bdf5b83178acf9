// Client-side cost of turning a getTuple reply into a tuple, without the network:
// one real reply is captured, then a saver whose adapter answers with that reply
// at once is timed. `pnpm --filter @x/checkpoint-redis exec tsx bench/decode.ts`
import { RedisSaver } from '../src/index.js';
import { threadFixture } from './thread-fixture.js';

const { node, saver, config, close } = await threadFixture(`dec-${process.pid}`);
let captured: unknown;
const real = saver.redis;
const fake = new Proxy(real, {
  get(target, prop, receiver) {
    if (prop === 'runScript') return async () => captured;
    return Reflect.get(target, prop, receiver);
  },
});
const orig = real.runScript.bind(real);
captured = await orig((await import('@x/lua-scripts')).checkpoint.getTuple, { keys: saver.keys.thread('t'), args: ['', '', 0] }, { returnBuffers: true });
const offline = new RedisSaver(fake, { prefix: `dec-${process.pid}` });
const N = 20000;
for (let r = 0; r < 3; r++) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await offline.getTuple(config);
  const c = process.cpuUsage(c0);
  console.log(`getTuple reply -> tuple: ${((c.user + c.system) / N).toFixed(1)} µs CPU per call`);
}
await close();
