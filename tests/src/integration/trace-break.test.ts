import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import {
  fromRoot,
  WEB_UI_PUBLIC,
  freePorts,
  nginxProcess,
  reportOrders,
  startChain,
  type Chain,
  type ManagedProcess,
  type Mode,
} from '@demo/tools';
import { startHarness, type Harness } from '../harness/harness';
import { launchChromium } from '../harness/browser';

// Issue 18, natively: in each of the five modes an order placed in Chromium, its traces found
// through the page's Tempo search (the OTLP receiver answering as Tempo does) and drawn, the
// verdict's data-broken-at, and the terminal's line from the same verdict code. All modes run
// one after another on ONE data directory, as `npm run local` twice with data/local kept, so
// the last test compares orders of several modes in one orders.db.

let h: Harness;
let chain: Chain;
let nginx: ManagedProcess | undefined;
let browser: Browser;
let page: Page;
let webPort: number;
/** Order id per mode, for the comparison at the end. */
const placed = new Map<Mode, number>();
const terminal: string[] = [];
let stopReport: () => void;

/** Restarts the chain (same ports, same SQLite files) and the page's nginx in another mode. */
async function switchTo(mode: Mode): Promise<void> {
  await nginx?.stop();
  await chain.stop();
  chain = await startChain({ ...chain.options, mode });
  nginx = nginxProcess(path.join(h.dataDir, `nginx-${mode}`), {
    WEB_UI_PORT: String(webPort),
    WEB_UI_ROOT: WEB_UI_PUBLIC,
    ORDERS_URL: chain.ordersUrl,
    TEMPO_URL: h.sink!.url,
    COLLECTOR_OTLP_HTTP_URL: `http://127.0.0.1:${h.collectorPorts!.http}`,
    GRAFANA_URL: 'http://localhost:3000',
    DEMO_MODE: mode,
  });
  await nginx.start();
  await page.goto(`http://127.0.0.1:${webPort}/`);
  await page.getByText(`Mode: ${mode}`).waitFor();
}

/** Places an order on the page and waits until the page has settled on its verdict. */
async function placeOrderAndWait(mode: Mode): Promise<{ orderId: number; traceIds: string[]; brokenAt: string | null; verdict: string }> {
  await page.getByRole('button', { name: 'Create Order & Trigger Workflow' }).click();
  await page.locator('#result-summary', { hasText: 'confirmed' }).waitFor();
  const answered = Date.now();
  const orderId = Number(/#(\d+)/.exec(await page.locator('#result-summary').innerText())![1]);
  placed.set(mode, orderId);
  // The receiver has no search lag: the page settles once nothing new arrived for 6.5 s.
  await page.locator('#verdict[data-state="final"]').waitFor({ timeout: 45_000 });
  console.log(`# ${mode}: the page settled on its verdict ${((Date.now() - answered) / 1000).toFixed(1)} s after the order's answer`);
  const traceIds = await page
    .locator('#waterfall [data-trace-id]')
    .evaluateAll((sections) => sections.map((s) => (s as HTMLElement).dataset.traceId!));
  return {
    orderId,
    traceIds,
    brokenAt: await page.getAttribute('#verdict', 'data-broken-at'),
    verdict: await page.locator('#verdict').innerText(),
  };
}

/** The services drawn in one trace section, from its span labels ("pricing-envoy: ingress pricing"). */
async function servicesIn(traceId: string): Promise<string[]> {
  const labels = await page.locator(`[data-trace-id="${traceId}"] .span-label`).allInnerTexts();
  return [...new Set(labels.map((label) => label.split(':')[0]!))];
}

before(async () => {
  h = await startHarness({ mode: 'sdk', withCollector: true });
  chain = h.chain;
  webPort = (await freePorts(['web'] as const)).web;
  // The native runner's report, on the same receiver: what `npm run local` prints.
  const report = reportOrders(h.sink!, (line) => terminal.push(line));
  stopReport = () => report.stop();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
});

after(async () => {
  stopReport?.();
  await browser?.close();
  await nginx?.stop();
  // The harness stops the chain it started; a later one is stopped here.
  if (chain !== h?.chain) await chain?.stop();
  await h?.stop();
});

test('sdk: one trace, nothing broken', async () => {
  await switchTo('sdk');
  const order = await placeOrderAndWait('sdk');
  assert.equal(order.traceIds.length, 1, order.verdict);
  assert.equal(order.brokenAt, '');
  assert.match(order.verdict, /^1 trace, nothing broken\.$/);
  assert.deepEqual(await servicesIn(order.traceIds[0]!), ['web-ui', 'orders', 'inventory', 'pricing', 'notifications']);
  assert.match(await page.locator('#waterfall [data-trace-id] h3').innerText(), /^trace 1 of 1 · starts at web-ui/);
});

test('none: two traces, broken at pricing, which left no spans', async () => {
  await switchTo('none');
  const order = await placeOrderAndWait('none');
  assert.equal(order.traceIds.length, 2, order.verdict);
  assert.equal(order.brokenAt, 'pricing');
  assert.deepEqual(await servicesIn(order.traceIds[0]!), ['web-ui', 'orders', 'inventory']);
  assert.deepEqual(await servicesIn(order.traceIds[1]!), ['notifications']);
  assert.match(
    order.verdict,
    /broken at pricing: trace 1 ends at inventory: .*; trace 2 starts at notifications: .* with no parent\. pricing forwarded no traceparent/,
  );
});

test('envoy: two traces, pricing-envoy in both, broken at pricing; the page labels the halves and the terminal says the same', async () => {
  await switchTo('envoy');
  const order = await placeOrderAndWait('envoy');
  assert.equal(order.traceIds.length, 2, order.verdict);
  assert.equal(order.brokenAt, 'pricing');
  const [first, second] = [await servicesIn(order.traceIds[0]!), await servicesIn(order.traceIds[1]!)];
  assert.deepEqual(first, ['web-ui', 'orders', 'inventory', 'pricing-envoy']);
  assert.deepEqual(second, ['pricing-envoy', 'notifications']);
  const headings = await page.locator('#waterfall [data-trace-id] h3').allInnerTexts();
  assert.match(headings[0]!, /^trace 1 of 2 · starts at web-ui/);
  assert.match(headings[1]!, /^trace 2 of 2 · starts at pricing-envoy \(egress\)/);
  assert.match(order.verdict, /trace 1 ends at pricing-envoy: .*with no child.*trace 2 starts at pricing-envoy: .*with no parent/);
  // The same search in Grafana: Explore on the TraceQL query for this order.
  const search = (await page.getAttribute('#grafana-order-link', 'href'))!;
  const pane = Object.values(
    JSON.parse(decodeURIComponent(search.split('panes=')[1]!)) as Record<string, { queries: { queryType: string; query: string }[] }>,
  )[0]!;
  assert.deepEqual([pane.queries[0]!.queryType, pane.queries[0]!.query], ['traceql', `{ span.app.order.id = ${order.orderId} }`]);
  // One time axis: the second half's first bar starts to the right of the first half's.
  const left = async (traceId: string) =>
    page
      .locator(`[data-trace-id="${traceId}"] .span-bar`)
      .first()
      .evaluate((bar) => parseFloat((bar as HTMLElement).style.marginLeft));
  assert.ok((await left(order.traceIds[1]!)) > (await left(order.traceIds[0]!)));

  const expected = `order ${order.orderId}: 2 traces [web-ui → orders → inventory → pricing-envoy] | [pricing-envoy → notifications] broken at pricing`;
  const deadline = Date.now() + 20_000;
  while (!terminal.includes(expected) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
  assert.ok(terminal.includes(expected), `expected "${expected}" in ${JSON.stringify(terminal)}`);
  fs.mkdirSync(fromRoot('test-results'), { recursive: true });
  await page.screenshot({ path: fromRoot('test-results', 'web-ui-envoy.png'), fullPage: true });
});

test('envoy-propagation: one trace through both Envoy spans, nothing broken', async () => {
  await switchTo('envoy-propagation');
  const order = await placeOrderAndWait('envoy-propagation');
  assert.equal(order.traceIds.length, 1, order.verdict);
  assert.equal(order.brokenAt, '');
  assert.deepEqual(await servicesIn(order.traceIds[0]!), ['web-ui', 'orders', 'inventory', 'pricing-envoy', 'notifications']);
});

test('off: the page says tracing is off and draws nothing', async () => {
  await switchTo('off');
  await page.getByRole('button', { name: 'Create Order & Trigger Workflow' }).click();
  await page.locator('#result-summary', { hasText: 'confirmed' }).waitFor();
  placed.set('off', Number(/#(\d+)/.exec(await page.locator('#result-summary').innerText())![1]));
  await page.locator('#verdict', { hasText: 'Tracing is off in this mode' }).waitFor();
  assert.equal(await page.locator('#waterfall [data-trace-id]').count(), 0);
  assert.equal(await page.getAttribute('#verdict', 'data-broken-at'), null);
});

test('the comparison: orders of every mode in one orders.db, each with its own mode, trace count and break; a click draws its traces', async () => {
  const rows = page.locator('#recent tbody tr');
  const expected: [Mode, string, string][] = [
    ['sdk', '1', 'not broken'],
    ['none', '2', 'pricing'],
    ['envoy', '2', 'pricing'],
    ['envoy-propagation', '1', 'not broken'],
  ];
  for (const [mode, traces, brokenAt] of expected) {
    const row = page.locator(`#recent tbody tr[data-order-id="${placed.get(mode)}"]`);
    await row.locator('td.trace-count', { hasText: traces }).waitFor({ timeout: 20_000 });
    assert.deepEqual(
      await row.locator('td').evaluateAll((cells) => [cells[1]!.textContent, cells[6]!.textContent, cells[7]!.textContent]),
      [mode, traces, brokenAt],
      mode,
    );
  }
  assert.ok((await rows.count()) >= 5);
  assert.equal(
    await page
      .locator(`#recent tbody tr[data-order-id="${placed.get('off')}"] td`)
      .nth(1)
      .innerText(),
    'off',
  );
  assert.deepEqual(await h.db('orders').prepare('SELECT mode FROM orders WHERE id = ?').pluck().get(placed.get('envoy')), 'envoy');

  // Clicking a row placed under another mode than the running one ("off") draws its traces.
  for (const [mode, traces, brokenAt] of [
    ['envoy', 2, 'pricing'],
    ['envoy-propagation', 1, ''],
  ] as const) {
    await page.locator(`#recent tbody tr[data-order-id="${placed.get(mode)}"]`).click();
    await page.locator('#result-summary', { hasText: `Order #${placed.get(mode)}, placed in mode ${mode}` }).waitFor();
    assert.ok(page.url().endsWith(`?order=${placed.get(mode)}`));
    await page.locator('#verdict[data-state="final"]').waitFor({ timeout: 45_000 });
    assert.equal(await page.locator('#waterfall [data-trace-id]').count(), traces, mode);
    assert.equal(await page.getAttribute('#verdict', 'data-broken-at'), brokenAt, mode);
  }
});

test('deep links: /?order=<envoy order> draws it; a junk id and a missing order give a clear message, never a broken page', async () => {
  await page.goto(`http://127.0.0.1:${webPort}/?order=${placed.get('envoy')}`);
  await page.locator('#verdict[data-state="final"]').waitFor({ timeout: 45_000 });
  assert.equal(await page.getAttribute('#verdict', 'data-broken-at'), 'pricing');
  assert.equal(await page.locator('#waterfall [data-trace-id]').count(), 2);

  await page.goto(`http://127.0.0.1:${webPort}/?order=junk`);
  await page.locator('#result-summary', { hasText: '"junk" is not an order number' }).waitFor();
  await page.goto(`http://127.0.0.1:${webPort}/?order=999999`);
  await page.locator('#result-summary', { hasText: 'Order #999999 does not exist' }).waitFor();
  // The rest of the page still works.
  await page.locator('#recent tbody tr').first().waitFor();
});
