// The demo page: place an order through /api (nginx proxies it to orders), show what came
// back, link the trace into Grafana, and, when Tempo answers through /tempo, draw the
// trace's spans right here. No framework, no build step, nothing from a CDN.

const MODE_HINTS = {
  sdk: 'one trace: orders -> inventory -> pricing -> notifications, with SQLite spans',
  envoy: "two traces: the first ends at Envoy's ingress span; the second starts at Envoy's egress span and holds notifications",
  'envoy-propagation': 'one trace: inventory -> Envoy ingress -> Envoy egress -> notifications (pricing copies the trace headers)',
  ebpf: "one trace: pricing's spans come from the eBPF agent, which also carries the trace context (experimental)",
  none: 'broken at pricing: pricing leaves no spans and notifications starts a new trace',
};

const $ = (id) => document.getElementById(id);
let config = { mode: 'unknown', grafanaUrl: 'http://localhost:3000' };
/** The fault the last order asked for ("pricing:slow"), so its preview can point at it. */
let lastFault = '';

/** Grafana Explore with Tempo, opened directly on one trace (Explore URL schema version 1). */
function grafanaTraceUrl(traceId) {
  const panes = {
    trc: {
      datasource: 'tempo',
      queries: [{ refId: 'A', datasource: { type: 'tempo', uid: 'tempo' }, queryType: 'traceql', query: traceId }],
      range: { from: 'now-1h', to: 'now' },
    },
  };
  return `${config.grafanaUrl}/explore?schemaVersion=1&orgId=1&panes=${encodeURIComponent(JSON.stringify(panes))}`;
}

async function loadConfig() {
  try {
    config = { ...config, ...(await (await fetch('/config.json')).json()) };
  } catch {
    // keep the defaults
  }
  const hint = MODE_HINTS[config.mode] ?? '';
  $('mode').textContent = `Mode: ${config.mode}${hint ? ` — expect ${hint}` : ''}`;
}

function clearErrors() {
  for (const element of document.querySelectorAll('.field-error')) element.textContent = '';
  for (const element of document.querySelectorAll('[aria-invalid]')) element.removeAttribute('aria-invalid');
}

function showFieldError(field, message) {
  const input = $(field);
  const target = $(`${field}-error`);
  if (!input || !target) return false;
  input.setAttribute('aria-invalid', 'true');
  target.textContent = message;
  input.focus();
  return true;
}

function money(value, currency = 'USD') {
  return typeof value === 'number' ? value.toLocaleString('en-US', { style: 'currency', currency }) : '—';
}

function describe(order) {
  const rows = [['Order', `#${order.order_id}`], ['Status', order.status]];
  const stock = order.inventory_check;
  if (stock) rows.push(['Stock check', stock.available ? `reserved ${stock.reserved}, ${stock.remaining_stock} left` : `not enough: ${stock.in_stock} in stock, ${stock.requested} requested`]);
  if (order.price) {
    const discount = order.price.discount_percent ? ` (${order.price.discount_percent}% off)` : '';
    rows.push(['Price', `${order.price.quantity} × ${money(order.price.unit_price)} = ${money(order.price.total)}${discount}`]);
  }
  if (order.notification) rows.push(['Notification', order.notification.status === 'sent' ? `sent by ${order.notification.channel}` : `skipped: ${order.notification.reason}`]);
  return rows;
}

function showResult(kind, summary, rows, traceId) {
  $('result').hidden = false;
  $('result').className = `card ${kind}`;
  $('result-summary').textContent = summary;
  const details = $('result-details');
  details.replaceChildren();
  for (const [term, value] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value;
    details.append(dt, dd);
  }
  const hasTrace = typeof traceId === 'string' && traceId.length === 32;
  $('trace-id').textContent = hasTrace ? traceId : 'none (this request was not traced)';
  $('copy-trace').hidden = !hasTrace;
  $('grafana-link').hidden = !hasTrace;
  if (hasTrace) $('grafana-link').href = grafanaTraceUrl(traceId);
  $('waterfall').replaceChildren();
  $('waterfall-note').textContent = '';
  if (hasTrace) void drawWaterfall(traceId);
}

async function placeOrder(event) {
  event.preventDefault();
  clearErrors();
  const button = $('submit');
  button.disabled = true;
  const body = {
    user_id: Number($('user_id').value),
    product_name: $('product_name').value,
    quantity: Number($('quantity').value),
  };
  lastFault = $('fault').value;
  const headers = { 'content-type': 'application/json' };
  if (lastFault) headers.baggage = `demo.fault=${lastFault}`;
  try {
    const response = await fetch('/api/orders', { method: 'POST', headers, body: JSON.stringify(body) });
    const answer = await response.json().catch(() => ({ error: 'bad_response', message: `the server answered ${response.status} without JSON` }));
    if (response.status === 201) {
      const ok = answer.status === 'confirmed';
      showResult(ok ? 'success' : 'warning', ok ? `Order #${answer.order_id} confirmed.` : `Order #${answer.order_id}: ${answer.status.replace('_', ' ')}.`, describe(answer), answer.trace_id);
    } else if (answer.error === 'injected_fault') {
      showResult('failure', `The order failed: ${answer.service} failed on purpose.`, [['What happened', answer.message]], undefined);
    } else if (answer.error === 'dependency_failed') {
      const rows = [['Failed dependency', answer.dependency], ['What happened', answer.message]];
      if (answer.order_id) rows.unshift(['Order', `#${answer.order_id} (stored as failed)`]);
      showResult('failure', `The order failed: ${answer.dependency} is not working. Its trace shows where.`, rows, answer.trace_id);
    } else if (answer.field && showFieldError(answer.field, answer.message)) {
      $('result').hidden = true;
    } else {
      showResult('failure', `Request refused: ${answer.message ?? response.status}`, [], undefined);
    }
  } catch (error) {
    showResult('failure', `Could not reach the orders service: ${error.message}`, [], undefined);
  } finally {
    button.disabled = false;
    void loadRecent();
  }
}

async function loadRecent() {
  const tbody = $('recent').querySelector('tbody');
  try {
    const { orders } = await (await fetch('/api/orders?limit=10')).json();
    tbody.replaceChildren(
      ...orders.map((order) => {
        const row = document.createElement('tr');
        const cells = [`#${order.order_id}`, order.product_name, String(order.quantity), order.status, money(order.total)];
        for (const text of cells) {
          const td = document.createElement('td');
          td.textContent = text;
          row.append(td);
        }
        const trace = document.createElement('td');
        if (order.trace_id) {
          const link = document.createElement('a');
          link.href = grafanaTraceUrl(order.trace_id);
          link.target = '_blank';
          link.rel = 'noopener';
          link.textContent = order.trace_id.slice(0, 8);
          trace.append(link);
        }
        row.append(trace);
        return row;
      }),
    );
  } catch {
    tbody.replaceChildren();
  }
}

/** Spans from Tempo's trace-by-id answer (OTLP JSON, in either of Tempo's two shapes). */
function spansOf(answer) {
  const batches = answer?.trace?.resourceSpans ?? answer?.resourceSpans ?? answer?.batches ?? [];
  const spans = [];
  for (const batch of batches) {
    const service = batch.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue ?? '?';
    for (const scope of batch.scopeSpans ?? batch.instrumentationLibrarySpans ?? []) {
      for (const span of scope.spans ?? []) {
        // Nanoseconds since 1970 do not fit a double exactly: keep them as BigInt until
        // they are made relative to the trace's start.
        const attribute = (key) => span.attributes?.find((a) => a.key === key)?.value?.stringValue;
        spans.push({
          service,
          name: span.name,
          start: BigInt(span.startTimeUnixNano),
          end: BigInt(span.endTimeUnixNano),
          error: span.status?.code === 2 || span.status?.code === 'STATUS_CODE_ERROR',
          fault: attribute('demo.fault'),
          query: attribute('db.query.text'),
        });
      }
    }
  }
  if (spans.length === 0) return spans;
  const origin = spans.reduce((min, span) => (span.start < min ? span.start : min), spans[0].start);
  return spans
    .map((span) => ({ ...span, start: Number(span.start - origin), end: Number(span.end - origin) }))
    .sort((a, b) => a.start - b.start);
}

/** A small waterfall of the trace, if Tempo is reachable through nginx; retried while spans arrive. */
async function drawWaterfall(traceId) {
  const note = $('waterfall-note');
  note.textContent = 'Fetching the trace from Tempo…';
  for (let attempt = 0; attempt < 6; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    if ($('trace-id').textContent !== traceId) return; // a newer order replaced this one
    let spans;
    try {
      const response = await fetch(`/tempo/api/v2/traces/${traceId}`);
      if (response.status === 404) continue; // not ingested yet
      if (!response.ok) break;
      spans = spansOf(await response.json());
    } catch {
      break;
    }
    if (spans.length === 0) continue;
    const hits = render(spans, lastFault);
    note.textContent = `${spans.length} spans from ${new Set(spans.map((s) => s.service)).size} services. Missing services are where the trace broke.${faultNote(lastFault, hits)}`;
    return;
  }
  note.textContent = 'Trace preview unavailable: Tempo is not reachable from this page (it is in docker compose). Open the trace in Grafana instead.';
}

/**
 * Whether a span is where the fault hit: the delay or error the faulted service injected, or
 * the slow statement it ran. (Its request span carries demo.fault too, shown on hover.)
 */
function isFaultHit(span, fault) {
  if (!fault) return false;
  const [service, kind] = fault.split(':');
  if (span.service !== service) return false;
  if (kind === 'slow-query') return span.query?.startsWith('WITH RECURSIVE scan') ?? false;
  return span.name === 'injected delay' || span.name === 'injected error';
}

function faultNote(fault, hits) {
  if (!fault) return '';
  const [service] = fault.split(':');
  if (hits.length === 0) {
    return ` The fault ${fault} left no span: ${service} never received it (the baggage was lost on the way, where the trace breaks) or it has no SDK of its own.`;
  }
  const widest = hits.reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
  return ` Highlighted: where ${fault} hit (${widest.service}: ${widest.name}, ${((widest.end - widest.start) / 1e6).toFixed(0)} ms).`;
}

/** Draws the waterfall; returns the spans where the fault hit, which are highlighted. */
function render(spans, fault) {
  const hits = [];
  const start = 0; // spansOf made every time relative to the trace's first span
  const total = Math.max(...spans.map((s) => s.end)) || 1;
  const rows = spans.map((span) => {
    const row = document.createElement('div');
    const hit = isFaultHit(span, fault);
    if (hit) hits.push(span);
    row.className = `span-row${hit ? ' fault-hit' : ''}`;
    const label = document.createElement('span');
    label.className = 'span-label';
    label.textContent = `${span.service}: ${span.name}`;
    const track = document.createElement('span');
    track.className = 'span-track';
    const bar = document.createElement('span');
    bar.className = `span-bar${span.error ? ' error' : ''}`;
    bar.style.marginLeft = `${(100 * (span.start - start)) / total}%`;
    bar.style.width = `${Math.max(0.5, (100 * (span.end - span.start)) / total)}%`;
    bar.title = `${((span.end - span.start) / 1e6).toFixed(2)} ms${span.fault ? `, demo.fault=${span.fault}` : ''}`;
    track.append(bar);
    row.append(label, track);
    return row;
  });
  $('waterfall').replaceChildren(...rows);
  return hits;
}

// A click listener, not a submit listener: the click is what the browser's tracing
// (telemetry.js) records as the root span of the order's trace. Enter in a field clicks the
// form's button too (implicit submission), so it goes the same way.
$('submit').addEventListener('click', placeOrder);
$('order-form').addEventListener('submit', (event) => event.preventDefault());
$('copy-trace').addEventListener('click', async () => {
  const traceId = $('trace-id').textContent;
  try {
    await navigator.clipboard.writeText(traceId);
    $('copy-trace').textContent = 'Copied';
  } catch {
    window.getSelection().selectAllChildren($('trace-id'));
    $('copy-trace').textContent = 'Selected: press Ctrl+C';
  }
  setTimeout(() => ($('copy-trace').textContent = 'Copy'), 2000);
});
void loadConfig();
void loadRecent();
