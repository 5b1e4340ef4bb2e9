import http from 'node:http';
import { request } from 'undici';

// The `limit` reference of `npm run bench`: a bare node:http server that forwards each
// request body to the next hop (undici, keep-alive) and answers with what came back. Four of
// them in a row do the chain's networking and nothing else: no framework, no database, no
// logging, no telemetry. Whatever the real chain reaches, it cannot beat this.
//
//   PORT=9001 NEXT_URL=http://127.0.0.1:9002/ node bench-hop.js

const next = process.env.NEXT_URL;
const server = http.createServer((incoming, outgoing) => {
  if (incoming.url === '/health') {
    outgoing.writeHead(200).end('{}');
    return;
  }
  const chunks: Buffer[] = [];
  incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
  incoming.on('end', () => void answer(Buffer.concat(chunks), outgoing));
});

/** Passes the body on to the next hop, if any, and answers with what comes back (502 if nothing does). */
async function answer(body: Buffer, outgoing: http.ServerResponse): Promise<void> {
  try {
    if (next) {
      const response = await request(next, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      body = Buffer.from(await response.body.arrayBuffer());
    }
    outgoing.writeHead(200, { 'content-type': 'application/json' }).end(body);
  } catch {
    outgoing.writeHead(502).end();
  }
}
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
