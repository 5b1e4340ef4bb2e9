import http from 'node:http';
import net from 'node:net';

// Misbehaving dependencies for failure tests, put on a real service's port while it is
// stopped: one that accepts connections and never answers (a hung process), and one that
// answers 500 with a body that is not JSON (a crashing one).

export interface StandIn {
  close(): Promise<void>;
}

export async function hungServer(port: number): Promise<StandIn> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export async function failingServer(port: number): Promise<StandIn> {
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(500, { 'content-type': 'text/plain' }).end('boom: out of memory'));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface DelayingProxy extends StandIn {
  delayMs: number;
}

/** Forwards every request to target after delayMs: a dependency that is slow but works. */
export async function delayingProxy(port: number, target: string, delayMs: number): Promise<DelayingProxy> {
  const proxy = {
    delayMs,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const relay = async () => {
        try {
          const upstream = await fetch(`${target}${request.url}`, {
            method: request.method,
            headers: {
              'content-type': request.headers['content-type'] ?? 'application/json',
              ...(request.headers.traceparent ? { traceparent: String(request.headers.traceparent) } : {}),
            },
            body: chunks.length ? Buffer.concat(chunks) : undefined,
          });
          response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
          response.end(Buffer.from(await upstream.arrayBuffer()));
        } catch {
          response.writeHead(502).end();
        }
      };
      setTimeout(() => void relay(), proxy.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return proxy;
}
