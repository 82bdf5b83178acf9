import net from 'node:net';

const HOST = '127.0.0.1';
/** Ports this process already handed out, so two servers started together never get the same one. */
const handedOut = new Set<number>();

function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host: HOST, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/** True when nothing listens on 127.0.0.1:port right now. */
export async function isPortFree(port: number): Promise<boolean> {
  return (await listenOnce(port)) === port;
}

export interface FreePortOptions {
  /** Also require port + 10000 (the Redis Cluster bus port) to be free. */
  withClusterBus?: boolean;
}

/**
 * A port that is free on 127.0.0.1 now (asks the OS by binding port 0). There is always a
 * window before the server binds it; launchers retry with a new port on "address in use".
 */
export async function getFreePort({ withClusterBus = false }: FreePortOptions = {}): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    // Ephemeral ports can be above 55535, where port + 10000 does not exist: pick from a
    // lower range ourselves when we need a bus port.
    const wanted = withClusterBus ? 20000 + Math.floor(Math.random() * 35000) : 0;
    const port = await listenOnce(wanted);
    if (port === undefined || handedOut.has(port)) continue;
    if (withClusterBus && !(await isPortFree(port + 10000))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('Could not find a free TCP port on 127.0.0.1');
}
