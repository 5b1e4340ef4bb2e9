import net from 'node:net';
import type { AddressInfo } from 'node:net';

// A backend that can be switched off: a TCP front on its own port, passing every connection
// on to the OTLP receiver that plays Tempo and Loki. Off, the port is closed and open
// connections are cut, which is what the collector sees when Tempo or Loki is stopped:
// "connection refused". On again, the same port answers, and the receiver still holds
// everything it got before. (The receiver itself is left alone: it keeps the record of what
// arrived, and other tools add endpoints to it.)

export class OutageSwitch {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private port = 0;

  private constructor(private readonly target: { host: string; port: number }) {}

  /** Opens the front on a free port (or `port`), passing connections to `targetUrl`. */
  static async open(targetUrl: string, port = 0): Promise<OutageSwitch> {
    const url = new URL(targetUrl);
    const front = new OutageSwitch({ host: url.hostname, port: Number(url.port) });
    front.port = port;
    await front.up();
    return front;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get isUp(): boolean {
    return this.server !== undefined;
  }

  async up(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((client) => this.pass(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private pass(client: net.Socket): void {
    const backend = net.connect(this.target.port, this.target.host);
    for (const socket of [client, backend]) {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      // A cut connection is the point of an outage, not an error of this tool.
      socket.on('error', () => {
        client.destroy();
        backend.destroy();
      });
    }
    client.pipe(backend);
    backend.pipe(client);
  }
}
