import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { deserialize } from 'node:v8';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { MemorySaver } from '@langchain/langgraph';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import { RedisJsonPlusSerializer } from '../src/index.js';
import { expectSameReadBack } from './compare.js';
import { TeeSaver } from './graphs/tee.js';
import { forEachTopology, randomPrefix } from '@x/tooling/vitest';
import { crashGraph } from './graphs/crash-graph.js';
import { makeSaver, useRedis } from './helpers.js';
import { normalize } from './graphs/scenarios.js';

// `node --import tsx` runs the worker in one process (the tsx CLI would wrap it in a second one)
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
const worker = join(import.meta.dirname, 'graphs', 'crash-worker.ts');

function runWorker(env: Record<string, string>): Promise<{ signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', tsx, worker], { env: { ...process.env, ...env }, timeout: 60_000 }, (_err, stdout, stderr) =>
      resolve({ signal: child.signalCode, stdout, stderr }),
    );
  });
}

forEachTopology(['standalone', 'cluster'], (t) => {
  const redis = useRedis(t);

  it('a run killed mid-step in one process is finished by another, reusing the writes already stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-crash-'));
    const prefix = randomPrefix('cp-crash').replace(/:$/, '');
    const runLog = join(dir, 'runs.log');
    writeFileSync(runLog, '');
    const { signal, stderr } = await runWorker({ TOPOLOGY: JSON.stringify(t), PREFIX: prefix, THREAD: 'job', RUN_LOG: runLog });
    expect(signal, stderr).toBe('SIGKILL');
    expect(readFileSync(runLog, 'utf8')).toBe('a\nb\n');

    // this process resumes the thread from Redis
    const saver = makeSaver(redis.client(), { prefix });
    const graph = crashGraph(saver, runLog);
    const config = { configurable: { thread_id: 'job' } };
    const before = await graph.getState(config);
    expect(before.next).toEqual(['b']); // a's result survived, only b is pending
    const result = await graph.invoke(null, config);
    expect(result).toEqual({ input: 'x', parts: ['a(x)', 'b(x)'], result: 'a(x)+b(x)' });
    expect(readFileSync(runLog, 'utf8')).toBe('a\nb\nb\njoin\n'); // a did not run again

    // the same as a run that never crashed
    const memoryLog = join(dir, 'memory.log');
    writeFileSync(memoryLog, '');
    const memory = crashGraph(new MemorySaver(), memoryLog);
    expect(await memory.invoke({ input: 'x' }, config)).toEqual(result);
    expect(normalize((await graph.getState(config)).values)).toEqual(normalize((await memory.getState(config)).values));
  });

  it('after the crash and the resume, the raw checkpoints equal MemorySaver’s after the same calls', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-crash-raw-'));
    const prefix = randomPrefix('cp-crash-raw').replace(/:$/, '');
    const runLog = join(dir, 'runs.log');
    const callLog = join(dir, 'calls.log');
    writeFileSync(runLog, '');
    writeFileSync(callLog, '');
    const { signal, stderr } = await runWorker({ TOPOLOGY: JSON.stringify(t), PREFIX: prefix, THREAD: 'job', RUN_LOG: runLog, CALL_LOG: callLog });
    expect(signal, stderr).toBe('SIGKILL');
    // the calls the killed process made, replayed into a MemorySaver
    const memory = new MemorySaver(new RedisJsonPlusSerializer());
    const calls = readFileSync(callLog, 'utf8').split('\n').filter(Boolean);
    expect(calls.length).toBeGreaterThan(1);
    for (const line of calls) {
      const [method, args] = deserialize(Buffer.from(line, 'base64')) as ['put' | 'putWrites', unknown[]];
      await ((memory as BaseCheckpointSaver)[method] as (...a: unknown[]) => Promise<unknown>)(...args);
    }
    // this process resumes on Redis, every write also going to that MemorySaver
    const tee = new TeeSaver(makeSaver(redis.client(), { prefix }), memory);
    const result = await crashGraph(tee, runLog).invoke(null, { configurable: { thread_id: 'job' } });
    expect(result).toEqual({ input: 'x', parts: ['a(x)', 'b(x)'], result: 'a(x)+b(x)' });
    await expectSameReadBack(tee.redis, memory, ['job'], [...tee.namespaces]);
  });
});
