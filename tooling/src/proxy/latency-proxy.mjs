// A TCP proxy that holds every chunk for DELAY_MS in each direction, to put a
// network round trip between the bench's clients and a loopback Redis.
// Run as a child process (so it does not compete for the bench's event loop):
//   node latency-proxy.mjs <targetPort> <delayMs>; prints the port it listens on.
import net from 'node:net';

const [targetPort, delayMs] = process.argv.slice(2).map(Number);
const delayed = (to) => (chunk) => setTimeout(() => to.destroyed || to.write(chunk), delayMs);
const server = net.createServer((client) => {
  client.setNoDelay(true);
  const upstream = net.connect(targetPort, '127.0.0.1');
  upstream.setNoDelay(true);
  client.on('data', delayed(upstream));
  upstream.on('data', delayed(client));
  // A side that ends is closed on the other side only after the chunks still held for it went out.
  const close = () =>
    setTimeout(() => {
      client.destroy();
      upstream.destroy();
    }, delayMs);
  for (const s of [client, upstream]) {
    s.on('close', close);
    s.on('error', close);
  }
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('disconnect', () => process.exit(0));
