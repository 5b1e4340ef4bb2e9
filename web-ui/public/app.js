// The demo page: place an order through /api (nginx proxies it to orders), show what came
// back, link the trace into Grafana, and, when Tempo answers through /tempo, draw every
// trace of the order as a tree on one time axis, with one line that says where the chain
// broke (the verdict comes from trace-verdict.js, the same code as the native runner's
// terminal line). Its words come from messages.js (M), in English or Japanese. No framework,
// nothing from a CDN.

const $ = (id) => document.getElementById(id);
let config = { mode: 'unknown', grafanaUrl: 'http://localhost:3000' };
/** The fault the last order asked for ("pricing:slow"), so its preview can point at it. */
let lastFault = '';

/**
 * Grafana Explore with Tempo (Explore URL schema version 1), on a TraceQL query: a trace id
 * opens that trace, `{ span.app.order.id = 3 }` lists every trace of order 3.
 */
function grafanaTraceUrl(query) {
  const panes = {
    trc: {
      datasource: 'tempo',
      queries: [{ refId: 'A', datasource: { type: 'tempo', uid: 'tempo' }, queryType: 'traceql', query }],
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
  $('mode').textContent = M.modeLine(config.mode, M.modeHints[config.mode] ?? '');
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
  const rows = [
    [M.rows.order, `#${order.order_id}`],
    [M.rows.mode, order.mode ?? 'unknown'],
    [M.rows.status, M.status(order.status)],
  ];
  const stock = order.inventory_check;
  if (stock)
    rows.push([
      M.rows.stock,
      stock.available ? M.rows.reserved(stock.reserved, stock.remaining_stock) : M.rows.notEnough(stock.in_stock, stock.requested),
    ]);
  if (order.price) {
    const discount = order.price.discount_percent ? M.rows.discount(order.price.discount_percent) : '';
    rows.push([M.rows.price, `${order.price.quantity} × ${money(order.price.unit_price)} = ${money(order.price.total)}${discount}`]);
  }
  if (order.notification)
    rows.push([
      M.rows.notification,
      order.notification.status === 'sent' ? M.rows.sentBy(order.notification.channel) : M.rows.skipped(order.notification.reason),
    ]);
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
  $('trace-id').textContent = hasTrace ? traceId : M.notTraced;
  $('copy-trace').hidden = !hasTrace;
  $('grafana-link').hidden = !hasTrace;
  if (hasTrace) $('grafana-link').href = grafanaTraceUrl(TraceVerdict.normalizeTraceId(traceId));
  drawing++; // stops the drawing of the previous order
  $('grafana-order-link').hidden = true;
  $('waterfall').replaceChildren();
  $('waterfall-note').textContent = '';
  setVerdict('', undefined);
  showUnseen([]);
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
    const answer = await response
      .json()
      .catch(() => ({ error: 'bad_response', message: `the server answered ${response.status} without JSON` }));
    if (response.status === 201) {
      const ok = answer.status === 'confirmed';
      showResult(
        ok ? 'success' : 'warning',
        ok ? M.confirmed(answer.order_id) : M.orderOutcome(answer.order_id, M.status(answer.status)),
        describe(answer),
        answer.trace_id,
      );
      history.replaceState(null, '', `?order=${answer.order_id}`);
      void showOrderTraces(answer);
    } else if (answer.error === 'injected_fault') {
      showResult('failure', M.injectedFault(answer.service), [[M.rows.whatHappened, answer.message]], undefined);
    } else if (answer.error === 'dependency_failed') {
      const rows = [
        [M.rows.failedDependency, answer.dependency],
        [M.rows.whatHappened, answer.message],
      ];
      if (answer.order_id) rows.unshift([M.rows.order, M.rows.storedAsFailed(answer.order_id)]);
      showResult('failure', M.dependencyFailed(answer.dependency), rows, answer.trace_id);
      if (answer.order_id) void showOrderTraces(answer);
    } else if (answer.field && showFieldError(answer.field, answer.message)) {
      $('result').hidden = true;
    } else {
      showResult('failure', M.refused(answer.message ?? response.status), [], undefined);
    }
  } catch (error) {
    showResult('failure', M.unreachableOrders(error.message), [], undefined);
  } finally {
    button.disabled = false;
    void loadRecent();
  }
}

// ---- Recent orders: each with its mode, its trace count and where it broke ----------------

/** Verdicts that no late span or lagging search can change any more, so the table asks Tempo once. */
const settledSummaries = new Map();
// How often a row still waiting for Tempo's search asks again.
const ROW_POLL_MS = 5_000;

async function loadRecent() {
  const tbody = $('recent').querySelector('tbody');
  let orders;
  try {
    ({ orders } = await (await fetch('/api/orders?limit=10')).json());
  } catch {
    tbody.replaceChildren();
    return;
  }
  tbody.replaceChildren(...orders.map(recentRow));
  for (const order of orders) void fillTraceColumns(order, tbody.querySelector(`tr[data-order-id="${order.order_id}"]`));
}

function recentRow(order) {
  const row = document.createElement('tr');
  row.dataset.orderId = String(order.order_id);
  row.title = M.drawThisOrder;
  row.addEventListener('click', () => void selectOrder(order));
  const open = document.createElement('button');
  open.type = 'button';
  open.className = 'link';
  open.textContent = `#${order.order_id}`;
  const cells = [open, order.mode ?? 'unknown', order.product_name, String(order.quantity), order.status, money(order.total), '…', '…'];
  for (const content of cells) {
    const td = document.createElement('td');
    td.append(content);
    row.append(td);
  }
  row.cells[6].className = 'trace-count';
  row.cells[7].className = 'broken-at';
  const trace = document.createElement('td');
  if (order.trace_id) {
    const link = document.createElement('a');
    link.href = grafanaTraceUrl(TraceVerdict.normalizeTraceId(order.trace_id));
    link.target = '_blank';
    link.rel = 'noopener';
    link.textContent = order.trace_id.slice(0, 8);
    link.addEventListener('click', (event) => event.stopPropagation());
    trace.append(link);
  }
  row.append(trace);
  return row;
}

/**
 * The row's trace count and break, once Tempo's search has had its say. Until then the row
 * says it is waiting (never "not broken": a second trace may not be searchable yet), and asks
 * again every few seconds while it is on the page.
 */
async function fillTraceColumns(order, row) {
  if (!row) return;
  if (tracingIsOff(order)) {
    showSummaryInRow(row, { count: 0, brokenAt: '' });
    return;
  }
  for (;;) {
    const known = settledSummaries.get(order.order_id);
    if (known) {
      showSummaryInRow(row, known);
      return;
    }
    const found = await fetchOrderTraces(order);
    if (!row.isConnected) return; // the table was redrawn
    if (!found.ok) {
      row.cells[6].textContent = row.cells[7].textContent = '?';
      row.cells[7].title = found.message;
      return;
    }
    const verdict = TraceVerdict.judgeOrder(found.spans);
    const summary = { count: verdict.traces.length, brokenAt: verdict.brokenAt };
    const age = Date.now() - Date.parse(order.updated_at);
    if (isSettled(order, found, age)) {
      settledSummaries.set(order.order_id, summary);
      showSummaryInRow(row, summary);
      return;
    }
    if (age >= WAIT_BOUND_MS) {
      // Old enough that nothing more will come: what Tempo holds is all there is.
      showSummaryInRow(row, summary, found.searchFoundOrder || summary.count === 0 ? '' : M.notFoundBySearch);
      return;
    }
    showWaitingInRow(row);
    await new Promise((resolve) => setTimeout(resolve, ROW_POLL_MS));
    if (!row.isConnected) return;
  }
}

function showSummaryInRow(row, summary, suffix = '') {
  row.cells[6].textContent = String(summary.count);
  row.cells[7].textContent = (summary.count === 0 ? '—' : summary.brokenAt || M.notBroken) + suffix;
  row.cells[7].removeAttribute('title');
  row.classList.remove('waiting');
}

function showWaitingInRow(row) {
  row.cells[6].textContent = '…';
  row.cells[7].textContent = M.waitingForTempo;
  row.cells[7].title = M.waitingTitle;
  row.classList.add('waiting');
}

/** Shows a stored order (a row of the table, or /?order=<id>) and draws its traces. */
async function selectOrder(order) {
  history.replaceState(null, '', `?order=${order.order_id}`);
  lastFault = '';
  const kind = order.status === 'confirmed' ? 'success' : order.status === 'failed' ? 'failure' : 'warning';
  showResult(kind, M.storedOrder(order.order_id, order.mode ?? 'unknown', M.status(order.status)), describe(order), order.trace_id);
  void showOrderTraces(order);
}

/** /?order=<id>: a link to one order's traces. */
async function openDeepLink() {
  const wanted = new URLSearchParams(location.search).get('order');
  if (wanted === null) return;
  if (!/^[1-9]\d{0,15}$/.test(wanted)) {
    showResult('failure', M.notAnOrderNumber(wanted), [], undefined);
    return;
  }
  try {
    const response = await fetch(`/api/orders/${wanted}`);
    if (response.status === 404) {
      showResult('failure', M.noSuchOrder(wanted), [], undefined);
      return;
    }
    if (!response.ok) throw new Error(`orders answered ${response.status}`);
    await selectOrder(await response.json());
  } catch (error) {
    showResult('failure', M.cannotLoadOrder(wanted, error.message), [], undefined);
  }
}

// ---- The order's traces, from Tempo ------------------------------------------------------

// Tempo 3.0's search finds a trace only once its live store has cut it to a block (5 s after
// the trace's last span, checked every 5 s) and the query frontend ends every search at
// now - 30 s (query_end_cutoff); trace-by-id finds it at once. Envoy flushes its spans every
// 5 s, the SDKs after 1 s. So an order's last trace is searchable about 30-40 s after the
// order: the page waits for the search to find the order's own trace, and gives up at 60 s.
const WAIT_BOUND_MS = 60_000;
// Settled when nothing new has arrived for longer than Envoy's 5 s flush interval.
const QUIET_MS = 6_500;
const POLL_MS = 1_500;
// Every trace of an order starts within seconds of it: the search looks from 5 min before
// the order to 10 min after (Tempo refuses ranges over 168 h, so not "until now").
const SEARCH_BEFORE_S = 300;
const SEARCH_AFTER_S = 600;
/** Bumped by every new drawing, so an older one stops. */
let drawing = 0;

const traceQuery = (orderId) => `{ span.app.order.id = ${Number(orderId)} }`;

/** An order placed where no service traces ("off"): there is nothing to look for. */
function tracingIsOff(order) {
  return (order.mode ?? config.mode) === 'off';
}

/**
 * Every trace of the order: Tempo's search for its app.order.id, plus the trace id orders
 * answered with (trace-by-id works at once; search lags), each fetched by id once.
 * searchFoundOrder says whether the search has caught up with the order: it found the
 * order's own trace, so a trace of the order that started no earlier is searchable too.
 */
async function fetchOrderTraces(order) {
  const ownTrace = order.trace_id ? TraceVerdict.normalizeTraceId(order.trace_id) : undefined;
  const ids = new Set(ownTrace ? [ownTrace] : []);
  const placedAt = Math.floor((order.created_at ? Date.parse(order.created_at) : Date.now()) / 1000);
  const params = new URLSearchParams({
    q: traceQuery(order.order_id),
    start: String(placedAt - SEARCH_BEFORE_S),
    end: String(placedAt + SEARCH_AFTER_S),
    limit: '20',
  });
  let unreachable = false;
  let searchFoundOrder = false;
  try {
    const response = await fetch(`/tempo/api/search?${params}`);
    if (response.status === 400) return { ok: false, message: M.tempoRefused(await response.text()) };
    if (response.ok) {
      for (const trace of (await response.json()).traces ?? []) {
        const id = TraceVerdict.normalizeTraceId(trace.traceID);
        ids.add(id);
        if (id === ownTrace) searchFoundOrder = true;
      }
      // An order without a trace id of its own: the search is all there is.
      if (!ownTrace) searchFoundOrder = true;
    } else unreachable = true;
  } catch {
    unreachable = true;
  }
  const answers = [];
  for (const id of ids) {
    try {
      const response = await fetch(`/tempo/api/v2/traces/${id}`);
      // Tempo 3 answers an id it does not hold with 200 and an empty trace ({"trace":{}}),
      // older versions with 404: either way, not ingested yet.
      if (response.ok) answers.push(await response.json());
      else if (response.status !== 404) unreachable = true;
    } catch {
      unreachable = true;
    }
  }
  if (unreachable && answers.length === 0) return { ok: false, unreachable: true, message: M.tempoUnreachable };
  const starts = answers.map(TraceVerdict.earliestStartNs).filter((start) => start !== undefined);
  const origin = starts.reduce((min, start) => (start < min ? start : min), starts[0] ?? 0n);
  const spans = answers.flatMap((answer) => TraceVerdict.spansFromTempoTrace(answer, origin));
  return { ok: true, spans, searchFoundOrder };
}

/** Whether notifications should have spans: then an order without them is not whole yet. */
function expectsNotifications(order) {
  return order.notification?.status === 'sent';
}

/**
 * Whether what Tempo holds for the order is all it will hold: the search has found the
 * order's own trace, notifications (when it was called) has spans, and nothing new has come
 * for QUIET_MS.
 */
function isSettled(order, found, quietForMs) {
  const reachedNotifications = found.spans.some((span) => TraceVerdict.chainService(span.service) === 'notifications');
  const whole = found.spans.length > 0 && (reachedNotifications || !expectsNotifications(order));
  return found.searchFoundOrder && whole && quietForMs >= QUIET_MS;
}

async function showOrderTraces(order) {
  const mine = ++drawing;
  const note = $('waterfall-note');
  // The order's own mode first: an order placed under another compose file keeps its traces.
  if (tracingIsOff(order)) {
    setVerdict(M.tracingOff, undefined);
    return;
  }
  setVerdict(M.lookingInTempo, undefined, 'waiting');
  note.textContent = M.searchingTempo(traceQuery(order.order_id));
  const search = $('grafana-order-link');
  search.href = grafanaTraceUrl(traceQuery(order.order_id));
  search.textContent = M.everyTraceInGrafana(order.order_id, traceQuery(order.order_id));
  search.hidden = false;
  const started = Date.now();
  let lastKey = '';
  let lastChange = started;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (mine !== drawing) return; // a newer order replaced this one
    const found = await fetchOrderTraces(order);
    if (mine !== drawing) return;
    const waited = Date.now() - started;
    if (!found.ok) {
      if (!found.unreachable || waited > 3 * POLL_MS) {
        $('waterfall').replaceChildren();
        setVerdict('', undefined, 'final');
        note.textContent = found.unreachable ? M.previewUnavailable : found.message;
        return;
      }
      continue;
    }
    const verdict = TraceVerdict.judgeOrder(found.spans);
    const key = `${found.searchFoundOrder}|${verdict.traces.map((trace) => `${trace.traceId}:${trace.rows.length}`).join(',')}`;
    if (key !== lastKey) {
      lastKey = key;
      lastChange = Date.now();
      const hits = drawTraces(verdict, lastFault);
      // Counted from the verdict's trees, where each span is once (judgeOrder drops repeats).
      const drawn = verdict.traces.flatMap((trace) => trace.rows.map((row) => row.span));
      const services = new Set(drawn.map((span) => span.service)).size;
      note.textContent = `${M.drawnNote(drawn.length, services, M.traces(verdict.traces.length))}${faultNote(lastFault, hits)}`;
    }
    const summary = { count: verdict.traces.length, brokenAt: verdict.brokenAt };
    if (isSettled(order, found, Date.now() - lastChange)) {
      setVerdict(M.verdict(verdict), verdict.brokenAt, 'final');
      showUnseen(verdict.noDatabaseSpans);
      settledSummaries.set(order.order_id, summary);
      const row = $('recent').querySelector(`tr[data-order-id="${order.order_id}"]`);
      if (row) showSummaryInRow(row, summary);
      return;
    }
    if (waited >= WAIT_BOUND_MS) {
      const missing = found.spans.length === 0 ? M.missingAll : !found.searchFoundOrder ? M.missingSearch : M.missingNotifications;
      // Not "nothing broken": the page could not see all of the order.
      const text = verdict.brokenAt ? M.verdict(verdict) : M.found(M.traces(verdict.traces.length));
      setVerdict(M.gaveUp(text, missing, WAIT_BOUND_MS / 1000), verdict.brokenAt, 'final');
      return;
    }
    const waitingFor = found.searchFoundOrder ? M.lateSpans : M.laggingSearch;
    setVerdict(M.waitingFor(M.traces(verdict.traces.length), waitingFor, Math.round(waited / 1000)), undefined, 'waiting');
  }
}

/** One line per service the order's spans show only from outside: no database span of its own. */
function showUnseen(services) {
  const list = $('unseen');
  list.replaceChildren(
    ...services.map((service) => {
      const item = document.createElement('li');
      item.textContent = M.noDatabaseSpans(service);
      item.dataset.service = service;
      return item;
    }),
  );
  list.hidden = services.length === 0;
}

/** The one line that names the break; data-broken-at is for tests and users' own scripts. */
function setVerdict(text, brokenAt, state) {
  const verdict = $('verdict');
  verdict.textContent = text;
  verdict.hidden = text === '';
  if (brokenAt === undefined) verdict.removeAttribute('data-broken-at');
  else verdict.dataset.brokenAt = brokenAt;
  if (state) verdict.dataset.state = state;
  else verdict.removeAttribute('data-state');
}

/**
 * Whether a span is where the fault hit: the delay or error the faulted service injected, or
 * the slow statement it ran. (Its request span carries demo.fault too, shown on hover.)
 */
function isFaultHit(span, fault) {
  if (!fault) return false;
  const [service, kind] = fault.split(':');
  if (span.service !== service) return false;
  if (kind === 'slow-query') return String(span.attributes['db.query.text'] ?? '').startsWith('WITH RECURSIVE scan');
  return span.name === 'injected delay' || span.name === 'injected error';
}

function faultNote(fault, hits) {
  if (!fault) return '';
  const [service] = fault.split(':');
  if (hits.length === 0) {
    return M.faultLeftNoSpan(fault, service);
  }
  const widest = hits.reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a));
  return M.faultHit(fault, widest.service, widest.name, (widest.end - widest.start).toFixed(0));
}

/** Each trace as a tree (indented by parent), all on one time axis; returns the fault's spans. */
function drawTraces(verdict, fault) {
  const hits = [];
  const total = Math.max(1e-3, ...verdict.traces.map((trace) => trace.end));
  const sections = verdict.traces.map((trace, index) => {
    const section = document.createElement('section');
    section.className = 'trace-tree';
    section.dataset.traceId = trace.traceId;
    const heading = document.createElement('h3');
    heading.textContent = M.traceHeading(index + 1, verdict.traces.length, trace.label);
    const id = document.createElement('a');
    id.href = grafanaTraceUrl(trace.traceId);
    id.target = '_blank';
    id.rel = 'noopener';
    id.className = 'trace-link';
    id.textContent = trace.traceId;
    heading.append(' ', id);
    section.append(heading);
    for (const { span, depth } of trace.rows) {
      const row = document.createElement('div');
      const hit = isFaultHit(span, fault);
      if (hit) hits.push(span);
      row.className = `span-row${hit ? ' fault-hit' : ''}`;
      const label = document.createElement('span');
      label.className = 'span-label';
      label.style.paddingLeft = `${depth * 0.9}rem`;
      label.textContent = `${span.service}: ${span.name}`;
      const track = document.createElement('span');
      track.className = 'span-track';
      const bar = document.createElement('span');
      bar.className = `span-bar${span.error ? ' error' : ''}`;
      bar.style.marginLeft = `${(100 * span.start) / total}%`;
      bar.style.width = `${Math.max(0.3, (100 * (span.end - span.start)) / total)}%`;
      const spanFault = span.attributes['demo.fault'];
      bar.title = `${(span.end - span.start).toFixed(2)} ms${spanFault ? `, demo.fault=${spanFault}` : ''}`;
      track.append(bar);
      row.append(label, track);
      section.append(row);
    }
    return section;
  });
  $('waterfall').replaceChildren(...sections);
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
    $('copy-trace').textContent = M.copied;
  } catch {
    window.getSelection().selectAllChildren($('trace-id'));
    $('copy-trace').textContent = M.selected;
  }
  setTimeout(() => ($('copy-trace').textContent = M.copy), 2000);
});
void loadConfig().then(openDeepLink);
void loadRecent();
