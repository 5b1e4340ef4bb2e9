// What the page asks of the stack, all on its own origin (nginx): /config.json, orders' API
// under /api, and the Grafana links it builds. Tempo is asked in order-traces.ts.

/** /config.json, which nginx fills in from the environment (web-ui/nginx/default.conf.template). */
export interface PageConfig {
  mode: string;
  grafanaUrl: string;
}

export const config: PageConfig = { mode: 'unknown', grafanaUrl: 'http://localhost:3000' };

export async function loadConfig(): Promise<PageConfig> {
  try {
    Object.assign(config, (await (await fetch('/config.json')).json()) as Partial<PageConfig>);
  } catch {
    // keep the defaults
  }
  return config;
}

/** An order as orders answers it: POST /orders (201) and GET /orders/<id> (services/orders). */
export interface Order {
  order_id: number;
  mode?: string;
  status: 'pending' | 'confirmed' | 'out_of_stock' | 'failed';
  product_name: string;
  quantity: number;
  total?: number;
  trace_id?: string;
  created_at?: string;
  updated_at: string;
  inventory_check?:
    { available: true; reserved: number; remaining_stock: number } | { available: false; requested: number; in_stock: number };
  price?: { quantity: number; unit_price: number; total: number; discount_percent: number };
  notification?: { status: 'sent'; channel: string } | { status: 'skipped'; reason: string };
}

/** orders' error body (services/shared/src/errors.ts): `field` names a bad input, `dependency` a failed service. */
export interface ErrorBody {
  error: string;
  message?: string;
  field?: string;
  service?: string;
  dependency?: string;
  order_id?: number;
  trace_id?: string;
}

/** What POST /orders came to: a placed order (201, in any status), or an error body. */
export type PlaceOutcome = { placed: true; order: Order } | { placed: false; status: number; body: ErrorBody };

/** POST /orders; `fault` ("pricing:slow") travels as W3C baggage, and only that service acts on it. */
export function placeOrder(line: { user_id: number; product_name: string; quantity: number }, fault: string): Promise<PlaceOutcome> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (fault) headers.baggage = `demo.fault=${fault}`;
  // The fetch starts here, before any await: the click span is still the active context, so
  // the page's tracing makes this fetch its child (telemetry.ts).
  return fetch('/api/orders', { method: 'POST', headers, body: JSON.stringify(line) }).then(async (response) => {
    const body = (await response.json().catch(() => ({
      error: 'bad_response',
      message: `the server answered ${response.status} without JSON`,
    }))) as unknown;
    return response.status === 201
      ? { placed: true, order: body as Order }
      : { placed: false, status: response.status, body: body as ErrorBody };
  });
}

/** GET /orders/<id>: the order, or undefined when orders has none with that id. */
export async function fetchOrder(id: string): Promise<Order | undefined> {
  const response = await fetch(`/api/orders/${id}`);
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`orders answered ${response.status}`);
  return (await response.json()) as Order;
}

export async function fetchRecentOrders(): Promise<Order[]> {
  const { orders } = (await (await fetch('/api/orders?limit=10')).json()) as { orders: Order[] };
  return orders;
}

/**
 * Grafana Explore with Tempo (Explore URL schema version 1), on a TraceQL query: a trace id
 * opens that trace, `{ span.app.order.id = 3 }` lists every trace of order 3.
 */
export function grafanaTraceUrl(query: string): string {
  const panes = {
    trc: {
      datasource: 'tempo',
      queries: [{ refId: 'A', datasource: { type: 'tempo', uid: 'tempo' }, queryType: 'traceql', query }],
      range: { from: 'now-1h', to: 'now' },
    },
  };
  return `${config.grafanaUrl}/explore?schemaVersion=1&orgId=1&panes=${encodeURIComponent(JSON.stringify(panes))}`;
}
