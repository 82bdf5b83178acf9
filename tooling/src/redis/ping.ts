import net from 'node:net';

/**
 * Sends one inline command over a fresh TCP connection and resolves with the reply as text
 * (the line for simple replies, the payload for a bulk string), or `undefined` when nothing
 * answers in time. Used for readiness polling, where a full client with reconnect logic only
 * gets in the way.
 */
export function rawCommand(host: string, port: number, command: string, timeoutMs = 500): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let buffer = Buffer.alloc(0);
    const done = (value: string | undefined) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.once('error', () => done(undefined));
    socket.once('close', () => done(undefined));
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n');
      if (end < 0) return;
      const head = buffer.subarray(0, end).toString('utf8');
      if (!head.startsWith('$') && !head.startsWith('=')) return done(head);
      const length = Number(head.slice(1));
      if (length < 0) return done('');
      if (buffer.length >= end + 2 + length) done(buffer.subarray(end + 2, end + 2 + length).toString('utf8'));
    });
  });
}

/** `INFO <section>` parsed into fields, or `undefined` if the server does not answer. */
export async function rawInfo(host: string, port: number, section = ''): Promise<Record<string, string> | undefined> {
  const text = await rawCommand(host, port, section ? `INFO ${section}` : 'INFO');
  if (text === undefined || text.startsWith('-')) return undefined;
  return parseInfo(text);
}

export function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  return fields;
}
