import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { context, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import {
  checkOrderItem,
  checkOrderLine,
  checkIdParam,
  toHttpError,
  invalidField,
  dependencyFailed,
  HttpError,
  parseFault,
  faultFromHeaders,
  RetryingExporter,
  isRetryable,
  markOwnTelemetryStarted,
} from '@demo/shared';
import { describeSql, Database } from '@demo/shared/sqlite';
import { postJson, refusalAsFailure } from '@demo/shared/http-client';
import { freePort } from '@demo/tools';
import { failingServer, hungServer } from '../harness/stand-ins';
import http from 'node:http';

const spans = new InMemorySpanExporter();
before(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }));
  // As telemetry.ts does once its SDK runs: the services' own spans speak only then.
  markOwnTelemetryStarted();
});
after(() => {
  trace.disable();
  context.disable();
});

test('checkOrderItem accepts a valid item and trims the product name', () => {
  assert.deepEqual(checkOrderItem({ user_id: 1001, product_name: ' Laptop ', quantity: 2 }), {
    ok: true,
    value: { user_id: 1001, product_name: 'Laptop', quantity: 2 },
  });
});

test('checkOrderItem names the first bad field', () => {
  const cases: [unknown, string, RegExp][] = [
    [null, 'body', /JSON object/],
    [{ product_name: 'Laptop', quantity: 1 }, 'user_id', /required/],
    [{ user_id: 1, product_name: 'Laptop', quantity: 2.5 }, 'quantity', /integer/],
    [{ user_id: 1, product_name: 'Laptop', quantity: 1001 }, 'quantity', /between 1 and 1000/],
    [{ user_id: 1, product_name: '', quantity: 1 }, 'product_name', /empty/],
  ];
  for (const [body, field, message] of cases) {
    const result = checkOrderItem(body);
    assert.equal(result.ok, false);
    if (result.ok) continue;
    assert.equal(result.error.statusCode, 400);
    assert.equal(result.error.body.field, field);
    assert.match(result.error.body.message, message);
  }
});

test('checkOrderLine requires an order_id before the item fields', () => {
  const result = checkOrderLine({ user_id: 1, product_name: 'Laptop', quantity: 1 });
  assert.ok(!result.ok && result.error.body.field === 'order_id');
});

test('checkIdParam accepts only positive integers', () => {
  assert.deepEqual(checkIdParam('42', 'id'), { ok: true, value: 42 });
  for (const raw of ['0', '-1', '1.5', 'abc', '', '1e3', undefined]) assert.equal(checkIdParam(raw, 'id').ok, false, String(raw));
});

test('describeSql finds the operation and the table', () => {
  assert.deepEqual(describeSql('SELECT stock FROM products WHERE name = ?'), { operation: 'SELECT', collection: 'products' });
  assert.deepEqual(describeSql('insert into orders (a) values (1)'), { operation: 'INSERT', collection: 'orders' });
  assert.deepEqual(describeSql('UPDATE products SET stock = 1'), { operation: 'UPDATE', collection: 'products' });
  assert.deepEqual(describeSql('PRAGMA journal_mode'), { operation: 'PRAGMA' });
});

test('toHttpError maps framework errors to the shared JSON shape', () => {
  assert.equal(toHttpError(invalidField('quantity', 'bad')).statusCode, 400);
  assert.equal(toHttpError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }).body.error, 'body_too_large');
  assert.equal(toHttpError({ type: 'entity.too.large', status: 413 }).body.error, 'body_too_large');
  assert.equal(toHttpError({ code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 }).body.error, 'invalid_json');
  assert.equal(toHttpError({ type: 'entity.parse.failed', status: 400 }).body.error, 'invalid_json');
  const unexpected = toHttpError(new TypeError('x is undefined'));
  assert.deepEqual([unexpected.statusCode, unexpected.unexpected], [500, true]);
  assert.doesNotMatch(unexpected.body.message, /undefined/, 'internal details must not leak');
});

test('dependencyFailed answers 504 for a timeout and 502 otherwise', () => {
  const timeout = dependencyFailed({ dependency: 'pricing', kind: 'timeout', message: 'slow' });
  const down = dependencyFailed({ dependency: 'pricing', kind: 'unreachable', message: 'down' });
  assert.ok(timeout instanceof HttpError);
  assert.deepEqual([timeout.statusCode, down.statusCode], [504, 502]);
  assert.equal(down.body.dependency, 'pricing');
});

test('postJson reports an unreachable dependency as a value', async () => {
  const port = await freePort();
  const result = await postJson(`http://127.0.0.1:${port}/x`, {}, { dependency: 'pricing', timeoutMs: 1000 });
  assert.ok(!result.ok && 'failure' in result);
  assert.equal(result.failure.kind, 'unreachable');
  assert.match(result.failure.message, /pricing is unreachable \(ECONNREFUSED\)/);
});

test('postJson gives up on a hung dependency at its timeout', async () => {
  const port = await freePort();
  const hung = await hungServer(port);
  const start = performance.now();
  const result = await postJson(`http://127.0.0.1:${port}/x`, {}, { dependency: 'pricing', timeoutMs: 300 });
  const elapsed = performance.now() - start;
  await hung.close();
  assert.ok(!result.ok && 'failure' in result && result.failure.kind === 'timeout');
  assert.ok(elapsed >= 290 && elapsed < 1500, `elapsed ${elapsed}`);
});

test('postJson reports a 500 with junk as bad_status', async () => {
  const port = await freePort();
  const failing = await failingServer(port);
  const result = await postJson(`http://127.0.0.1:${port}/x`, {}, { dependency: 'pricing', timeoutMs: 1000 });
  await failing.close();
  assert.ok(!result.ok && 'failure' in result);
  assert.deepEqual([result.failure.kind, result.failure.status], ['bad_status', 500]);
});

test('postJson keeps the name of the service that failed deeper in the chain', async () => {
  const port = await freePort();
  const server = http.createServer((_request, response) => {
    response.writeHead(504, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({ error: 'dependency_failed', dependency: 'notifications', message: 'notifications did not answer within 5 ms' }),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const result = await postJson(`http://127.0.0.1:${port}/x`, {}, { dependency: 'pricing', timeoutMs: 1000 });
  server.close();
  assert.ok(!result.ok && 'failure' in result);
  assert.deepEqual([result.failure.dependency, result.failure.kind], ['notifications', 'timeout']);
});

/** A server that answers every request with this status, content type and body. */
async function answering(status: number, contentType: string, body: string): Promise<{ url: string; close: () => void }> {
  const port = await freePort();
  const server = http.createServer((_request, response) => {
    response.writeHead(status, { 'content-type': contentType });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}/x`, close: () => server.close() };
}

test('postJson: ok means a 2xx with JSON; a 4xx is a refusal with its error body; a 2xx without JSON is a failure', async () => {
  const options = { dependency: 'inventory', timeoutMs: 1000 };
  const created = await answering(201, 'application/json', '{"notification_id":7}');
  const refused = await answering(422, 'application/json', '{"error":"invalid_field","field":"product_name","message":"no such product"}');
  const bare = await answering(404, 'text/plain', 'Not Found');
  const garbled = await answering(200, 'text/html', '<html>');
  try {
    assert.deepEqual(await postJson(created.url, {}, options), { ok: true, status: 201, body: { notification_id: 7 } });
    assert.deepEqual(await postJson(refused.url, {}, options), {
      ok: false,
      refusal: {
        dependency: 'inventory',
        status: 422,
        body: { error: 'invalid_field', field: 'product_name', message: 'no such product' },
      },
    });
    const notFound = await postJson(bare.url, {}, options);
    assert.ok(!notFound.ok && 'refusal' in notFound);
    assert.deepEqual(notFound.refusal.body, { error: 'refused', message: 'no error body with the 404' });
    assert.equal(refusalAsFailure(notFound.refusal).message, 'inventory refused the request (404): no error body with the 404');
    const notJson = await postJson(garbled.url, {}, options);
    assert.ok(!notJson.ok && 'failure' in notJson);
    assert.deepEqual(
      [notJson.failure.kind, notJson.failure.message],
      ['bad_status', 'inventory answered 200 with a body that is not JSON'],
    );
  } finally {
    for (const server of [created, refused, bare, garbled]) server.close();
  }
});

test('every SQLite statement becomes a CLIENT span with the database semantic conventions', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-spans-'));
  const db = Database.open(path.join(dir, 'test.db'), 'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);');
  spans.reset();
  db.prepare('SELECT COUNT(*) FROM items').get();
  assert.equal(spans.getFinishedSpans().length, 0, 'a statement outside any request must not start a trace of its own');
  trace.getTracer('test').startActiveSpan('request', (request) => {
    db.prepare('INSERT INTO items (name) VALUES (:name)').run({ name: 'a' });
    assert.equal(db.prepare<{ name: string }>('SELECT name FROM items WHERE id = :id').get({ id: 1 })?.name, 'a');
    assert.throws(() => db.prepare('INSERT INTO items (name) VALUES (NULL)').run());
    request.end();
  });
  const [insert, select, failed, request] = spans.getFinishedSpans();
  assert.equal(insert?.parentSpanContext?.spanId, request?.spanContext().spanId);
  assert.equal(insert?.name, 'INSERT items');
  assert.equal(insert?.kind, SpanKind.CLIENT);
  assert.deepEqual(insert?.attributes, {
    'db.system.name': 'sqlite',
    'db.namespace': 'test.db',
    'db.query.text': 'INSERT INTO items (name) VALUES (:name)',
    'db.operation.name': 'INSERT',
    'db.collection.name': 'items',
  });
  assert.equal(select?.name, 'SELECT items');
  assert.equal(failed?.status.code, SpanStatusCode.ERROR);
  assert.equal(failed?.attributes['error.type'], 'SQLITE_CONSTRAINT_NOTNULL');
  assert.equal(failed?.events[0]?.name, 'exception');
  db.close();
  fs.rmSync(dir, { recursive: true });
});

test('parseFault reads <service>:<kind> and nothing else', () => {
  assert.deepEqual(parseFault('pricing:slow'), { service: 'pricing', kind: 'slow' });
  assert.deepEqual(parseFault(' inventory:slow-query '), { service: 'inventory', kind: 'slow-query' });
  for (const bad of [undefined, '', 'pricing', 'pricing:', ':slow', 'pricing:slow:x', 'billing:error', 'pricing:explode', 'PRICING:SLOW']) {
    assert.equal(parseFault(bad), null, String(bad));
  }
});

test('faultFromHeaders: the baggage as the W3C propagator reads it, demo.fault among other members, decoded, within the limits', () => {
  const fault = (baggage: string | string[] | undefined) => faultFromHeaders({ baggage });
  assert.deepEqual(fault('user=1, demo.fault=notifications%3Aerror;prop=x'), { service: 'notifications', kind: 'error' });
  assert.deepEqual(fault(['a=b', 'demo.fault=orders:slow']), { service: 'orders', kind: 'slow' });
  assert.equal(fault('demo.faults=orders:slow'), null);
  assert.equal(fault('demo.fault=%zz'), null);
  assert.equal(fault('demo.fault=pricing:melt'), null);
  assert.equal(fault(undefined), null);
  assert.equal(fault(`${'k=v,'.repeat(2100)}demo.fault=orders:error`), null, 'a member past 8192 bytes is not read');
});

test('the exporters retry what the OTLP specification calls retryable, over gRPC and over HTTP, and nothing else', async () => {
  // An exporter that fails `failures` times with `error`, then succeeds.
  const attemptsUntil = async (error: Error & { code?: unknown }, failures: number) => {
    let attempts = 0;
    const inner = {
      export: (_items: unknown[], done: (result: { code: number; error?: Error }) => void) => {
        attempts++;
        done(attempts <= failures ? { code: 1, error } : { code: 0 });
      },
      shutdown: async () => {},
    };
    const exporter = new RetryingExporter(inner, { giveUpAfterMs: 5000, firstPauseMs: 1, longestPauseMs: 2 });
    const result = await new Promise<{ code: number }>((resolve) => exporter.export([{}], resolve));
    return { attempts, code: result.code };
  };
  const withCode = (code: unknown) => Object.assign(new Error(`failed with ${String(code)}`), { code });
  assert.deepEqual(await attemptsUntil(withCode(14), 3), { attempts: 4, code: 0 }, 'gRPC UNAVAILABLE');
  assert.deepEqual(await attemptsUntil(withCode(503), 3), { attempts: 4, code: 0 }, 'HTTP 503');
  assert.deepEqual(await attemptsUntil(withCode('ECONNREFUSED'), 3), { attempts: 4, code: 0 }, 'a refused connection');
  assert.deepEqual(await attemptsUntil(withCode(3), 3), { attempts: 1, code: 1 }, 'gRPC INVALID_ARGUMENT');
  assert.deepEqual(await attemptsUntil(withCode(400), 3), { attempts: 1, code: 1 }, 'HTTP 400');
  assert.deepEqual(await attemptsUntil(withCode('EACCES'), 3), { attempts: 1, code: 1 }, 'a local error');
  assert.equal(isRetryable(undefined), false);
});
