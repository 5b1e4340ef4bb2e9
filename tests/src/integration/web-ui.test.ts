import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import {
  checkNginxConfig,
  fromRoot,
  WEB_UI_PUBLIC,
  SPAN_KIND,
  serverSpan,
  waitFor,
  freePorts,
  nginxProcess,
  writeNginxConfig,
  type ManagedProcess,
  type WebUiVariables,
} from '@demo/tools';
import { startHarness, type Harness } from '../harness/harness';
import { launchChromium } from '../harness/browser';

// The web UI in a real browser (Debian's Chromium, driven by playwright-core), served by the
// real nginx with the project's template, in front of the real services and the real
// collector. The OTLP receiver at the end of the pipeline answers trace-by-id like Tempo, so
// the page's trace preview is drawn from the spans the order really produced.

let h: Harness;
let nginx: ManagedProcess;
let nginxWithoutTempo: ManagedProcess;
let browser: Browser;
let page: Page;
let variables: WebUiVariables;
let withoutTempoUrl: string;

before(async () => {
  h = await startHarness({ mode: 'sdk', withCollector: true });
  const ports = await freePorts(['web', 'webWithoutTempo', 'nothing'] as const);
  variables = {
    WEB_UI_PORT: String(ports.web),
    WEB_UI_ROOT: WEB_UI_PUBLIC,
    ORDERS_URL: h.chain.ordersUrl,
    TEMPO_URL: h.sink!.url,
    COLLECTOR_OTLP_HTTP_URL: `http://127.0.0.1:${h.collectorPorts!.http}`,
    GRAFANA_URL: 'http://localhost:3000',
    DEMO_MODE: 'sdk',
  };
  nginx = nginxProcess(path.join(h.dataDir, 'nginx'), variables);
  await nginx.start();
  // The same page where neither Tempo nor the collector answers: the preview must say so,
  // and the browser's own spans are lost without the page noticing.
  const nothing = `http://127.0.0.1:${ports.nothing}`;
  nginxWithoutTempo = nginxProcess(path.join(h.dataDir, 'nginx-without-tempo'), {
    ...variables,
    WEB_UI_PORT: String(ports.webWithoutTempo),
    TEMPO_URL: nothing,
    COLLECTOR_OTLP_HTTP_URL: nothing,
  });
  await nginxWithoutTempo.start();
  withoutTempoUrl = `http://127.0.0.1:${ports.webWithoutTempo}/`;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`http://127.0.0.1:${variables.WEB_UI_PORT}/`);
});

after(async () => {
  await browser?.close();
  await nginx?.stop();
  await nginxWithoutTempo?.stop();
  await h?.stop();
});

test('nginx -t accepts the rendered template', () => {
  const file = writeNginxConfig(path.join(h.dataDir, 'nginx-check'), variables);
  assert.match(checkNginxConfig(file), /test is successful/);
});

test('the page shows the mode and the trace shape to expect', async () => {
  await page.getByText('Mode: sdk').waitFor();
  assert.match(await page.locator('#mode').innerText(), /one trace: orders -> inventory -> pricing -> notifications/);
});

test('an order placed in the browser is in orders.db, and its trace id is the one in the logs and the Grafana link', async () => {
  assert.equal(await page.inputValue('#user_id'), '1001');
  assert.equal(await page.inputValue('#product_name'), 'Laptop');
  assert.equal(await page.inputValue('#quantity'), '2');
  await page.getByRole('button', { name: 'Create Order & Trigger Workflow' }).click();
  await page.locator('#result-summary', { hasText: 'confirmed' }).waitFor();

  const orderId = Number(/#(\d+)/.exec(await page.locator('#result-summary').innerText())![1]);
  const row = h.db('orders').prepare('SELECT status, trace_id FROM orders WHERE id = ?').get(orderId) as {
    status: string;
    trace_id: string;
  };
  assert.equal(row.status, 'confirmed');

  const traceId = await page.locator('#trace-id').innerText();
  assert.equal(traceId, row.trace_id);
  const logged = h.chain.services.orders.jsonLines().find((line) => line.order_id === orderId);
  assert.equal(logged?.trace_id, traceId);

  const href = (await page.locator('#grafana-link').getAttribute('href'))!;
  assert.ok(href.startsWith('http://localhost:3000/explore?schemaVersion=1&orgId=1&panes='));
  const panes = JSON.parse(decodeURIComponent(href.split('panes=')[1]!)) as Record<
    string,
    { datasource: string; queries: { query: string }[] }
  >;
  const pane = Object.values(panes)[0]!;
  assert.equal(pane.datasource, 'tempo');
  assert.equal(pane.queries[0]!.query, traceId);

  const details = await page.locator('#result-details').innerText();
  assert.match(details, /reserved 2/);
  assert.match(details, /\$2,599\.98/);
  assert.match(details, /sent by email/);
  await page.locator('#recent tbody tr').first().getByText(`#${orderId}`).waitFor();
});

test('the trace starts in the browser: click -> fetch -> orders, one trace id', async () => {
  const traceId = await page.locator('#trace-id').innerText();
  const spans = await waitFor(
    () => {
      const found = h.sink!.spansOfTrace(traceId);
      const click = found.find((span) => span.service === 'web-ui' && span.name === 'click');
      return (
        click && found.some((span) => span.parentSpanId === click.spanId) && found.some((span) => span.service === 'notifications') && found
      );
    },
    20_000,
    "the browser spans and the servers' spans of the order in one trace",
  );
  const click = spans.find((span) => span.service === 'web-ui' && span.name === 'click')!;
  assert.equal(click.parentSpanId, '', 'the click is the root span');
  assert.equal(click.attributes['event_type'], 'click');
  const fetchSpan = spans.find((span) => span.service === 'web-ui' && span.parentSpanId === click.spanId)!;
  assert.ok(fetchSpan, `no child of the click in ${JSON.stringify(spans.map((s) => `${s.service}:${s.name}`))}`);
  assert.equal(fetchSpan.kind, SPAN_KIND.client);
  assert.match(String(fetchSpan.attributes['url.full'] ?? fetchSpan.attributes['http.url']), /\/api\/orders$/);
  const ordersServer = serverSpan(spans, 'orders')!;
  assert.equal(ordersServer.parentSpanId, fetchSpan.spanId, "orders' server span is the fetch span's child");
});

test('the page load is a trace of its own in Tempo', async () => {
  await waitFor(
    () => h.sink!.spans.find((span) => span.service === 'web-ui' && span.name === 'documentLoad'),
    20_000,
    'a documentLoad span from the browser',
  );
});

test('/otlp takes POSTs of traces only, small ones, and refuses the rest with a 4xx', async () => {
  const base = `http://127.0.0.1:${variables.WEB_UI_PORT}`;
  assert.equal((await fetch(`${base}/otlp/v1/traces`)).status, 403);
  assert.equal((await fetch(`${base}/otlp/v1/traces`, { method: 'PUT', body: '{}' })).status, 403);
  assert.equal(
    (await fetch(`${base}/otlp/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status,
    404,
  );
  assert.equal(
    (await fetch(`${base}/otlp/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status,
    404,
  );
  const oversized = JSON.stringify({ resourceSpans: [], padding: 'x'.repeat(100 * 1024) });
  assert.equal(
    (await fetch(`${base}/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: oversized })).status,
    413,
  );
  // A small, valid export goes through to the collector.
  assert.equal(
    (
      await fetch(`${base}/otlp/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"resourceSpans":[]}',
      })
    ).status,
    200,
  );
});

test("the trace preview draws the order's spans, from every service", async () => {
  await page.locator('#waterfall-note', { hasText: 'spans from 5 services' }).waitFor({ timeout: 20_000 });
  const rows = await page.locator('#waterfall .span-label').allInnerTexts();
  assert.equal(rows[0], 'web-ui: click', 'the waterfall starts with the browser');
  for (const expected of [
    'web-ui: POST',
    'orders: POST /orders',
    'inventory: reserve stock',
    'pricing: calculate price',
    'notifications: INSERT notifications',
  ]) {
    assert.ok(rows.includes(expected), `no "${expected}" in ${JSON.stringify(rows)}`);
  }
  fs.mkdirSync(fromRoot('test-results'), { recursive: true });
  await page.screenshot({ path: fromRoot('test-results', 'web-ui.png'), fullPage: true });
});

test('without Tempo and the collector, orders still work and the trace preview says so', async () => {
  const other = await browser.newPage();
  await other.goto(withoutTempoUrl);
  await other.getByRole('button', { name: 'Create Order & Trigger Workflow' }).click();
  await other.locator('#result-summary', { hasText: 'confirmed' }).waitFor();
  await other.locator('#waterfall-note', { hasText: 'Tempo is not reachable' }).waitFor({ timeout: 20_000 });
  assert.equal(await other.locator('#waterfall .span-row').count(), 0);
  await other.close();
});

test('invalid input shows the message next to the field, and nothing is stored', async () => {
  const before = (h.db('orders').prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number }).n;
  await page.fill('#quantity', '0');
  await page.getByRole('button', { name: 'Create Order & Trigger Workflow' }).click();
  await page.locator('#quantity-error', { hasText: 'quantity must be between 1 and 1000' }).waitFor();
  assert.equal(await page.getAttribute('#quantity', 'aria-invalid'), 'true');
  assert.equal((h.db('orders').prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number }).n, before);
  await page.fill('#quantity', '2');
});

test('a failed dependency is named, and its trace id still shown', async () => {
  await h.chain.services.pricing.stop();
  try {
    await page.getByRole('button', { name: 'Create Order & Trigger Workflow' }).click();
    await page.locator('#result-summary', { hasText: 'pricing is not working' }).waitFor();
    assert.match(await page.locator('#result-details').innerText(), /Failed dependency\s+pricing/);
    assert.match(await page.locator('#trace-id').innerText(), /^[0-9a-f]{32}$/);
    assert.equal(await page.locator('#grafana-link').isVisible(), true);
  } finally {
    await h.chain.services.pricing.start();
  }
});

test('a fault chosen on the page travels as baggage; the preview highlights where it hit and names the error', async () => {
  try {
    await page.selectOption('#fault', 'notifications:error');
    await page.getByRole('button', { name: 'Create Order & Trigger Workflow' }).click();
    await page.locator('#result-summary', { hasText: 'confirmed' }).waitFor();
    assert.match(
      await page.locator('#result-details').innerText(),
      /Notification\s+skipped: notifications answered 500: notifications failed on purpose/,
    );
    await page.locator('#waterfall-note', { hasText: 'Highlighted: where notifications:error hit' }).waitFor({ timeout: 20_000 });
    const hits = await page.locator('#waterfall .fault-hit .span-label').allInnerTexts();
    assert.ok(hits.includes('notifications: injected error'), JSON.stringify(hits));
    assert.ok(
      hits.every((label) => label.startsWith('notifications: ')),
      `only notifications' spans are highlighted: ${JSON.stringify(hits)}`,
    );

    await page.selectOption('#fault', 'inventory:slow-query');
    await page.getByRole('button', { name: 'Create Order & Trigger Workflow' }).click();
    await page
      .locator('#waterfall-note', { hasText: 'Highlighted: where inventory:slow-query hit (inventory: WITH scan' })
      .waitFor({ timeout: 20_000 });
    await page.screenshot({ path: fromRoot('test-results', 'web-ui-fault.png'), fullPage: true });
  } finally {
    await page.selectOption('#fault', '');
  }
});

test("nginx serves the page's own files only, and answers its health check without logging it", async () => {
  const base = `http://127.0.0.1:${variables.WEB_UI_PORT}`;
  for (const path of ['/README.md', '/nginx/default.conf.template', '/public/index.html', '/../README.md']) {
    assert.equal((await fetch(`${base}${path}`)).status, 404, path);
  }
  for (const path of ['/', '/app.js', '/style.css']) assert.equal((await fetch(`${base}${path}`)).status, 200, path);
  assert.equal(await (await fetch(`${base}/healthz`)).text(), 'ok');
  await fetch(`${base}/style.css?after-healthz`);
  // nginx writes a request's log line after it has sent the answer: wait for the later one.
  const accessLog = await waitFor(
    () => {
      const log = fs.readFileSync(path.join(h.dataDir, 'nginx', 'access.log'), 'utf8');
      return /style\.css\?after-healthz/.test(log) && log;
    },
    5000,
    'the request after /healthz in the access log',
  );
  assert.doesNotMatch(accessLog, /GET \/healthz/);
});
