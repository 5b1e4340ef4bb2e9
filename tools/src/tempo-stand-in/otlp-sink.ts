import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeLogsRequest, decodeTracesRequest } from './otlp-protobuf';
import { answerTempoQuery, tempoBehaviour, type TempoBehaviour } from './tempo-api';
import { fromAttributes, fromValue, type LogRecord, type OtlpKeyValue, type SpanRecord } from './records';

// The end of the pipeline when Tempo and Loki are not there (native runs and tests): a small
// OTLP/HTTP receiver for both encodings, protobuf (what the collector sends Tempo and Loki)
// and JSON. The collector exports traces to <url>/v1/traces
// and logs to <url>/loki/v1/logs, exactly as it would to Tempo and Loki. Everything before
// this point (SDK, Envoy, collector) is the real thing. Like Tempo, it answers search and
// trace-by-id (tempo-api.ts), for the web UI's drawing of an order's traces.

function parsePayload(path: string, contentType: string, body: Buffer): Record<string, unknown> {
  if (!body.length) return {};
  if (contentType.startsWith('application/x-protobuf')) {
    if (path.endsWith('/v1/traces')) return decodeTracesRequest(body);
    if (path.endsWith('/v1/logs')) return decodeLogsRequest(body);
    return {}; // metrics are counted, not read
  }
  return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
}

/** A resource's service.name, "unknown" when it has none. */
function serviceName(attributes: OtlpKeyValue[] | undefined): string {
  const name = fromAttributes(attributes)['service.name'];
  return typeof name === 'string' ? name : 'unknown';
}

export class OtlpSink {
  readonly spans: SpanRecord[] = [];
  readonly logs: LogRecord[] = [];
  /** Requests received per path, to tell "nothing arrived" from "arrived but empty". */
  readonly requests = new Map<string, number>();
  private lastReceived = Date.now();
  private readonly extraServers: http.Server[] = [];

  private constructor(
    private readonly server: http.Server,
    private readonly store: boolean,
    /** How its Tempo API answers: as the pinned Tempo by default; tests may switch instantSearch. */
    readonly tempo: TempoBehaviour,
  ) {}

  /** store=false only drains and counts requests: for the benchmark, where parsing every span would steal CPU. */
  static async start(port = 0, host = '127.0.0.1', store = true, tempo: Partial<TempoBehaviour> = {}): Promise<OtlpSink> {
    const server = http.createServer();
    const sink = new OtlpSink(server, store, tempoBehaviour(tempo));
    server.on('request', (request, response) => sink.handle(request, response));
    await new Promise<void>((resolve) => server.listen(port, host, resolve));
    return sink;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Answers on one more port too (the compose stand-in plays Tempo on 4318 and 3200). */
  async listenAlso(port: number, host = '127.0.0.1'): Promise<void> {
    const server = http.createServer((request, response) => this.handle(request, response));
    this.extraServers.push(server);
    await new Promise<void>((resolve) => server.listen(port, host, resolve));
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    if (request.method === 'GET' && request.url === '/ready') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ready');
      return;
    }
    // Not Tempo's API: everything received, for the compose stack test to count traces by.
    if (request.method === 'GET' && (request.url === '/stand-in/spans' || request.url === '/stand-in/logs')) {
      const records = request.url === '/stand-in/spans' ? this.spans : this.logs;
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(records, (_key, value) => (typeof value === 'bigint' ? value.toString() : value)));
      return;
    }
    // Not Tempo's either: the tests switch the search lag off where it is not what they check
    // (POST /stand-in/instant-search?on=true|false), as --instant-search does at start.
    if (request.method === 'POST' && request.url?.startsWith('/stand-in/instant-search?')) {
      const on = new URLSearchParams(request.url.split('?')[1]).get('on');
      if (on !== 'true' && on !== 'false') {
        response.writeHead(400, { 'content-type': 'text/plain' }).end('on must be true or false');
        return;
      }
      this.tempo.instantSearch = on === 'true';
      response.writeHead(204).end();
      return;
    }
    if (answerTempoQuery(request, response, this.spans, this.tempo)) return;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (!this.store) {
        this.requests.set(request.url ?? '', (this.requests.get(request.url ?? '') ?? 0) + 1);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      try {
        let body = Buffer.concat(chunks);
        if (request.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
        const path = request.url ?? '';
        const payload = parsePayload(path, String(request.headers['content-type'] ?? ''), body);
        this.requests.set(path, (this.requests.get(path) ?? 0) + 1);
        if (path.endsWith('/v1/traces')) this.addTraces(payload);
        else if (path.endsWith('/v1/logs')) this.addLogs(payload);
        this.lastReceived = Date.now();
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch (error) {
        response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (error as Error).message }));
      }
    });
  }

  private addTraces(payload: Record<string, unknown>): void {
    if (this.spans.length > 200_000) this.spans.splice(0, 100_000);
    const receivedMs = Date.now();
    for (const resourceSpans of (payload.resourceSpans as any[]) ?? []) {
      const resource = fromAttributes(resourceSpans.resource?.attributes);
      const service = serviceName(resourceSpans.resource?.attributes);
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        const scope = typeof scopeSpans.scope?.name === 'string' ? scopeSpans.scope.name : '';
        for (const span of scopeSpans.spans ?? []) {
          this.spans.push({
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ?? '',
            name: span.name,
            kind: Number(span.kind ?? 0),
            service,
            startNs: BigInt(span.startTimeUnixNano ?? 0),
            endNs: BigInt(span.endTimeUnixNano ?? 0),
            attributes: fromAttributes(span.attributes),
            events: (span.events ?? []).map((event: any) => ({ name: event.name, attributes: fromAttributes(event.attributes) })),
            statusCode: Number(span.status?.code ?? 0),
            statusMessage: span.status?.message ?? '',
            resource,
            receivedMs,
            scope,
          });
        }
      }
    }
  }

  private addLogs(payload: Record<string, unknown>): void {
    for (const resourceLogs of (payload.resourceLogs as any[]) ?? []) {
      const resource = fromAttributes(resourceLogs.resource?.attributes);
      const service = serviceName(resourceLogs.resource?.attributes);
      for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
        for (const record of scopeLogs.logRecords ?? []) {
          this.logs.push({
            traceId: record.traceId ?? '',
            spanId: record.spanId ?? '',
            service,
            severity: record.severityText ?? '',
            body: fromValue(record.body),
            attributes: fromAttributes(record.attributes),
            resource,
            scope: typeof scopeLogs.scope?.name === 'string' ? scopeLogs.scope.name : '',
            severityNumber: Number(record.severityNumber ?? 0),
            timeUnixNano: String(record.timeUnixNano ?? ''),
          });
        }
      }
    }
  }

  spansOfTrace(traceId: string): SpanRecord[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  clear(): void {
    this.spans.length = 0;
    this.logs.length = 0;
  }

  /** Waits until nothing has arrived for quietMs (an order's telemetry has all come in). */
  async waitForQuiet(quietMs: number, maxMs: number): Promise<void> {
    const deadline = Date.now() + maxMs;
    while (Date.now() < deadline && Date.now() - this.lastReceived < quietMs) await sleep(50);
  }

  async close(): Promise<void> {
    for (const server of [this.server, ...this.extraServers]) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
