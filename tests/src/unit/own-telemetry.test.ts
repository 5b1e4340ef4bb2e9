import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { inSpan, markCurrentSpanFailed, meter, ownTelemetryStarted, tagSpansWithOrder } from '@demo/shared';
import { Database } from '@demo/shared/sqlite';

// The zero-code mode: an SDK other than this project's is registered (the register hook of
// @opentelemetry/auto-instrumentations-node), and pricing must look like an application with
// no OpenTelemetry code. Its own calls to the API then record nothing; only the library
// instrumentations' spans (here the test's "request" span stands for them) remain.
test("with another SDK registered, the services' own telemetry code records nothing", () => {
  const spans = new InMemorySpanExporter();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'own-telemetry-'));
  try {
    assert.equal(ownTelemetryStarted(), false);
    const db = Database.open(path.join(dir, 'test.db'), 'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);');
    trace.getTracer('library-instrumentation').startActiveSpan('request', (request) => {
      assert.equal(
        inSpan(
          'calculate price',
          { 'demo.product': 'Laptop' },
          () => db.prepare('INSERT INTO items (name) VALUES (:name)').run({ name: 'a' }).changes,
        ),
        1,
        'the code still runs, only untraced',
      );
      tagSpansWithOrder(7);
      markCurrentSpanFailed('notifications answered 503');
      meter('pricing').createCounter('pricing_quoted_revenue').add(1);
      request.end();
    });
    const finished = spans.getFinishedSpans();
    assert.deepEqual(
      finished.map((span) => span.name),
      ['request'],
    );
    assert.deepEqual(finished[0]?.attributes, {}, 'no app.order.id, no failure attributes');
    assert.equal(finished[0]?.status.code, 0);
    db.close();
  } finally {
    trace.disable();
    context.disable();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
