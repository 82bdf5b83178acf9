/**
 * The one error the harness throws for setup problems a developer can act on
 * (missing binary, no Docker, a server that never became ready, ...).
 */
export class HarnessError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HarnessError';
    this.code = code;
  }
}

export const INSTALL_HINT =
  'Install Redis >= 7.0 locally (Debian/Ubuntu: `apt-get install redis-server`, macOS: `brew install redis`), ' +
  'or start a Docker engine (the harness then uses testcontainers), ' +
  'or point the tests at a running server with REDIS_URL=redis://host:port (and REDIS_CLUSTER_NODES=host:port,host:port for a cluster).';
