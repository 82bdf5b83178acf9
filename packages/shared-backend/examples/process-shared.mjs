import { fork } from 'node:child_process';
import { ProcessSharedBackend, SharedBackendHost } from '@x/shared-backend';

if (process.env.X_SHARED_BACKEND_SOCKET === undefined) {
  // The host process: serves an in-memory backend on a private Unix socket (a named pipe on Windows).
  const host = await SharedBackendHost.start({ ttlMs: 60_000 });
  const workers = ['planner', 'coder', 'reviewer'].map(
    (name) =>
      new Promise((resolve, reject) => {
        // host.env carries the socket path and the access token to the worker.
        const child = fork(String(process.argv[1]), [], { env: { ...process.env, ...host.env, AGENT: name } });
        child.once('exit', (code) => (code === 0 ? resolve(name) : reject(new Error(`${name} exited with ${code}`))));
      }),
  );
  await Promise.all(workers);
  const slots = await host.backend.bufferGetThread('shared-thread');
  console.log('slots:', slots.map((s) => Buffer.from(s).toString()).sort());
  console.log('registry:', (await host.backend.registryGetUuid('chain:reviewer')) ?? 'none');
  await host.close();
} else {
  // A worker process: same SharedBackend interface, state lives in the host.
  const backend = ProcessSharedBackend.fromEnv();
  const agent = process.env.AGENT ?? 'agent';
  await backend.bufferAppend('shared-thread', `note from ${agent}`);
  await backend.registrySet(`chain:${agent}`, `thread-of-${agent}`);
  await backend.close();
}
