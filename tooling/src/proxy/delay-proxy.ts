import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** A running delay proxy: where to connect, and how to stop it. */
export interface DelayProxy {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts `latency-proxy.mjs` in a child process (so it does not compete for the
 * bench's event loop) in front of `127.0.0.1:<targetPort>`, holding every chunk
 * `delayMs` in each direction: a network round trip between a bench's clients
 * and a loopback Redis.
 */
export async function startDelayProxy(targetPort: number, delayMs: number): Promise<DelayProxy> {
  const child = fork(fileURLToPath(new URL('./latency-proxy.mjs', import.meta.url)), [String(targetPort), String(delayMs)], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = Number(line.toString().trim());
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill();
      await once(child, 'exit');
    },
  };
}
