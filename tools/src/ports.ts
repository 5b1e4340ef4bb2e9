import net from 'node:net';

/**
 * Ports nothing listens on right now, for tests that must not collide with a running demo.
 * All probe sockets stay open until every port is picked, so no port is handed out twice.
 */
export async function freePorts<K extends string>(names: readonly K[]): Promise<Record<K, number>> {
  const servers = await Promise.all(
    names.map(
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = {} as Record<K, number>;
  names.forEach((name, index) => (ports[name] = (servers[index]!.address() as net.AddressInfo).port));
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

export async function freePort(): Promise<number> {
  return (await freePorts(['port'])).port;
}
