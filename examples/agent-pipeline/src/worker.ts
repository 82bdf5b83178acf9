// A worker process, forked by main.ts: serves conversations until none is pending.
import { redisServices, type ClientLibrary, type RedisLocation } from './services.js';
import { runWorker, type WorkerEvent } from './work-loop.js';
import { planWorkload } from './workload.js';

export interface WorkerConfig {
  name: string;
  redis: RedisLocation;
  /** The shared backend's durability (`--cluster`). */
  durability?: { replicas: number; timeoutMs?: number };
  prefix: string;
  seed: number;
  conversations: number;
  turns: number;
  concurrency: number;
  client: ClientLibrary;
}

async function main() {
  const config = JSON.parse(process.env.DEMO_WORKER_CONFIG ?? 'null') as WorkerConfig | null;
  if (!config || !process.send) throw new Error('worker.ts is started by main.ts (fork with DEMO_WORKER_CONFIG)');
  const send = (e: WorkerEvent | { type: 'error'; worker: string; message: string }) => process.send?.(e);
  const services = await redisServices(config.redis, { prefix: config.prefix, library: config.client, durability: config.durability });
  const plans = new Map(planWorkload(config.seed, config.conversations, config.turns).map((p) => [p.id, p]));
  try {
    await runWorker({
      name: config.name,
      services,
      plans,
      concurrency: config.concurrency,
      seed: config.seed + Number(config.name.replace(/\D/g, '') || 0) * 7919,
      report: send,
    });
  } finally {
    await services.close();
  }
}

main().then(
  () => process.disconnect?.(),
  (err: unknown) => {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    process.send?.({ type: 'error', worker: JSON.parse(process.env.DEMO_WORKER_CONFIG ?? '{}').name, message }, () =>
      process.exit(1),
    );
  },
);
