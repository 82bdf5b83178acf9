// The host of the process-shared bench cases, in a process of its own as in a
// real deployment: serves an in-memory backend and reports its address over IPC.
import { SharedBackendHost } from '../src/index.js';

const host = await SharedBackendHost.start();
process.send?.(JSON.stringify(host.address));
process.on('disconnect', () => {
  void host.close().then(() => process.exit(0));
});
