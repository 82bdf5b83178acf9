import { redisServerVersion, requireRedisServer } from './binary.js';
import { launchServer } from './launch.js';
import { baseServerArgs, HOST } from './server-process.js';

export interface StandaloneOptions {
  /** Fixed port (default: a free one). */
  port?: number;
  /** Extra redis-server flags, e.g. `['--maxmemory', '10mb']`. */
  extraArgs?: string[];
  readyTimeoutMs?: number;
}

export interface StandaloneHandle {
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** redis-server version, e.g. "7.0.15". */
  readonly version: string;
  readonly running: boolean;
  /** Process id of the running server (undefined while stopped). */
  readonly pid: number | undefined;
  /** Stops the server for good and removes its temp dir. */
  stop(): Promise<void>;
  /** Stop + start on the same port: the data (and the script cache) is gone afterwards. */
  restart(): Promise<void>;
  /** SIGKILL, as a crash would; `start()` brings it back (empty). */
  kill(): Promise<void>;
  /** Starts it again on the same port after `kill()` or `stop()`. */
  start(): Promise<void>;
}

/** Starts a standalone redis-server from the local binary on a free 127.0.0.1 port. */
export async function startStandalone(options: StandaloneOptions = {}): Promise<StandaloneHandle> {
  const bin = requireRedisServer();
  const extra = options.extraArgs ?? [];
  const server = await launchServer({
    bin,
    label: 'standalone',
    args: (port, dir) => [...baseServerArgs(port, dir), ...extra],
    ...(options.port !== undefined && { port: options.port }),
    ...(options.readyTimeoutMs !== undefined && { readyTimeoutMs: options.readyTimeoutMs }),
  });
  return {
    host: HOST,
    port: server.port,
    url: server.url,
    version: redisServerVersion(bin),
    get running() {
      return server.running;
    },
    get pid() {
      return server.running ? server.pid : undefined;
    },
    stop: () => server.dispose(),
    restart: async () => {
      await server.stop();
      await server.start();
    },
    kill: () => server.kill(),
    start: () => server.start(),
  };
}
