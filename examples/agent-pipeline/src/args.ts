/** Command-line options of the demo. */
export interface DemoOptions {
  conversations: number;
  workers: number;
  /** Concurrent conversations each worker serves. */
  concurrency: number;
  turns: number;
  seed: number;
  crash: boolean;
  /** Run without Redis even when one is available. */
  memory: boolean;
  /** Print the summary as JSON on the last line (for tests). */
  json: boolean;
  /** The Redis client library every process uses. */
  client: 'node-redis' | 'ioredis';
  /**
   * Run on a local 3-master cluster with a replica each (started with the local
   * redis-server), kill a master part-way, and keep the shared backend's writes
   * durable (`durability: { replicas: 1 }`).
   */
  cluster: boolean;
}

export const DEFAULTS: DemoOptions = {
  conversations: 300,
  workers: 3,
  concurrency: 4,
  turns: 3,
  seed: 42,
  crash: true,
  memory: false,
  json: false,
  client: 'node-redis',
  cluster: false,
};

const USAGE = `usage: pnpm demo [--conversations N] [--workers N] [--concurrency N] [--turns N]
                 [--seed N] [--no-crash] [--memory] [--json] [--client node-redis|ioredis] [--cluster]
  --conversations  conversations to serve (default ${DEFAULTS.conversations})
  --workers        worker processes (default ${DEFAULTS.workers}, at least 2 for the crash)
  --concurrency    conversations each worker serves at once (default ${DEFAULTS.concurrency})
  --turns          user turns per conversation (default ${DEFAULTS.turns})
  --seed           seed of the workload (default ${DEFAULTS.seed})
  --no-crash       do not SIGKILL a worker part-way
  --memory         run in one process on the in-memory backends, even if Redis is available
  --json           also print the summary as one JSON line at the end
  --client         the Redis client every process uses: node-redis (default) or ioredis
  --cluster        run on a local 3-master cluster with replicas (local redis-server), kill a master
                   part-way besides the worker, with durable shared-backend writes`;

export class UsageError extends Error {
  /** True for `--help`: print the usage and exit 0. */
  readonly help: boolean;

  constructor(message: string, help = false) {
    super(help ? USAGE : `${message}\n${USAGE}`);
    this.name = 'UsageError';
    this.help = help;
  }
}

function int(name: string, raw: string | undefined, min: number, max: number): number {
  const n = Number(raw);
  if (raw === undefined || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} takes an integer from ${min} to ${max}, got ${raw ?? 'nothing'}`);
  }
  return n;
}

/** Parses argv (without node and the script). */
export function parseArgs(argv: readonly string[]): DemoOptions {
  const o = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--':
        break;
      case '--conversations':
        o.conversations = int('conversations', value(), 1, 100_000);
        break;
      case '--workers':
        o.workers = int('workers', value(), 1, 32);
        break;
      case '--concurrency':
        o.concurrency = int('concurrency', value(), 1, 64);
        break;
      case '--turns':
        o.turns = int('turns', value(), 1, 20);
        break;
      case '--seed':
        o.seed = int('seed', value(), 0, 2 ** 31 - 1);
        break;
      case '--no-crash':
        o.crash = false;
        break;
      case '--memory':
        o.memory = true;
        break;
      case '--json':
        o.json = true;
        break;
      case '--client': {
        const client = value();
        if (client !== 'node-redis' && client !== 'ioredis') throw new UsageError(`--client takes node-redis or ioredis, got ${client ?? 'nothing'}`);
        o.client = client;
        break;
      }
      case '--cluster':
        o.cluster = true;
        break;
      case '--help':
      case '-h':
        throw new UsageError('', true);
      default:
        throw new UsageError(`unknown option ${arg}`);
    }
  }
  if (o.cluster && o.memory) throw new UsageError('--cluster runs on Redis: it cannot be combined with --memory');
  if (o.crash && o.workers < 2) throw new UsageError('the crash needs at least 2 workers (or pass --no-crash)');
  return o;
}
