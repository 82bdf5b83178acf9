// Client CPU and server script time per call, measured in one process:
// process.cpuUsage() around N sequential calls, and INFO commandstats (evalsha
// usec) on the server for the same calls. `pnpm --filter @x/checkpoint-redis exec tsx bench/cpu.ts`
import { threadFixture } from './thread-fixture.js';

const N = Number(process.env.N ?? 4000);
const { node, saver, config, close } = await threadFixture(`cpu-${process.pid}`);
async function measure(name: string, fn: () => Promise<unknown>) {
  for (let i = 0; i < 500; i++) await fn();
  await node.sendCommand(['CONFIG', 'RESETSTAT']);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await fn();
  const wall = (performance.now() - t0) / N;
  const c = process.cpuUsage(c0);
  const stats = String(await node.sendCommand(['INFO', 'commandstats']));
  const m = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(stats);
  const server = m ? Number(m[2]) / Number(m[1]) : NaN;
  console.log(`${name.padEnd(28)} client CPU ${(((c.user + c.system) / N)).toFixed(1).padStart(6)} µs/call  server ${server.toFixed(1).padStart(5)} µs/call  wall ${(wall * 1000).toFixed(0)} µs`);
}
const trivial = await node.scriptLoad("return {''}");
const keys8 = saver.keys.thread('t');
await measure('floor: node-redis EVALSHA', () => node.evalSha(trivial, { keys: keys8, arguments: ['', '', '0'] }));
await measure('floor: adapter runScript', () => saver.redis.runScript({ name: 'trivial', source: "return {''}", sha1: trivial, numberOfKeys: 8, keys: [], args: [], variadicKeys: false, variadicArgs: false } as never, { keys: keys8, args: ['', '', 0] }, { returnBuffers: true }));
await measure('getTuple latest', () => saver.getTuple(config));
await measure('list limit 10', async () => { for await (const _ of saver.list(config, { limit: 10 })) void _; });
await measure('getTuple latest', () => saver.getTuple(config));
await close();
