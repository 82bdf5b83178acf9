/**
 * Last-resort fallback: Redis in a Docker container through testcontainers, used only when
 * no local redis-server exists and a Docker engine answers. Standalone and cluster only.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StartedTestContainer } from 'testcontainers';
import { formCluster } from './cluster-state.js';
import { getFreePort } from './ports.js';

const IMAGE = process.env.X_REDIS_IMAGE ?? 'redis:7.0';

/** Sockets where Docker engines usually listen (Linux, Docker Desktop, Colima, Podman). */
function candidateSockets(): string[] {
  const home = os.homedir();
  const runtimeDir = process.env.XDG_RUNTIME_DIR;
  return [
    '/var/run/docker.sock',
    path.join(home, '.docker/run/docker.sock'),
    path.join(home, '.docker/desktop/docker.sock'),
    path.join(home, '.colima/default/docker.sock'),
    ...(runtimeDir ? [path.join(runtimeDir, 'docker.sock'), path.join(runtimeDir, 'podman/podman.sock')] : []),
  ];
}

/**
 * True when a container runtime answers within `timeoutMs`. Without DOCKER_HOST or a docker
 * socket file this answers at once, without loading testcontainers.
 */
export async function dockerAnswers(timeoutMs = 3000): Promise<boolean> {
  if (!process.env.DOCKER_HOST && !candidateSockets().some((socket) => existsSync(socket))) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    const probe = import('testcontainers')
      .then(({ getContainerRuntimeClient }) => getContainerRuntimeClient())
      .then(() => true as const)
      .catch(() => false as const);
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ContainerRedis {
  container: StartedTestContainer;
  host: string;
  ports: number[];
}

export async function startStandaloneContainer(): Promise<ContainerRedis> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(IMAGE)
    .withExposedPorts(6379)
    .withCommand(['redis-server', '--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes'])
    .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
    .start();
  return { container, host: container.getHost(), ports: [container.getMappedPort(6379)] };
}

/**
 * All nodes run in one container on the same port numbers inside and outside, announcing
 * 127.0.0.1, so the addresses in CLUSTER SLOTS work from the host and between the nodes.
 * Needs the Docker engine on this machine (not a remote DOCKER_HOST).
 */
export async function startClusterContainer(masters: number, nodeTimeoutMs: number): Promise<ContainerRedis> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const ports: number[] = [];
  for (let i = 0; i < masters; i++) ports.push(await getFreePort({ withClusterBus: true }));
  const launch = ports
    .map(
      (port) =>
        `mkdir -p /data/${port} && redis-server --port ${port} --bind 0.0.0.0 --protected-mode no --save '' --appendonly no ` +
        `--dir /data/${port} --cluster-enabled yes --cluster-node-timeout ${nodeTimeoutMs} ` +
        `--cluster-announce-ip 127.0.0.1 --daemonize yes`,
    )
    .join(' && ');
  const container = await new GenericContainer(IMAGE)
    .withExposedPorts(...ports.map((port) => ({ container: port, host: port })))
    .withEntrypoint(['sh', '-c'])
    .withCommand([`${launch} && exec sleep infinity`])
    .withWaitStrategy(Wait.forListeningPorts())
    .start();
  const nodes = ports.map((port) => ({ host: '127.0.0.1', port }));
  try {
    await formCluster(nodes, { masters, replicasPerMaster: 0, meetHost: '127.0.0.1', timeoutMs: 30_000 });
  } catch (error) {
    await container.stop();
    throw error;
  }
  return { container, host: '127.0.0.1', ports };
}
