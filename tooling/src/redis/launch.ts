import { HarnessError } from './errors.js';
import { getFreePort } from './ports.js';
import { RedisServerProcess, type ServerProcessOptions } from './server-process.js';

export interface LaunchOptions extends Omit<ServerProcessOptions, 'port'> {
  /** Fixed port; by default a free one is picked (and re-picked if someone takes it first). */
  port?: number;
  /** Cluster nodes also need port + 10000 free. */
  withClusterBus?: boolean;
}

/** Starts one server on a free port, retrying with another port when the chosen one gets taken. */
export async function launchServer(options: LaunchOptions): Promise<RedisServerProcess> {
  const attempts = options.port === undefined ? 5 : 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = options.port ?? (await getFreePort({ withClusterBus: options.withClusterBus ?? false }));
    const server = new RedisServerProcess({ ...options, port });
    try {
      await server.start();
      return server;
    } catch (error) {
      lastError = error;
      const retry = server.failedOnPortInUse();
      await server.dispose();
      if (!retry) break;
    }
  }
  if (lastError instanceof HarnessError) throw lastError;
  throw new HarnessError('SERVER_START_FAILED', `Could not start redis-server: ${String(lastError)}`, { cause: lastError });
}
