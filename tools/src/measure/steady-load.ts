// Open-loop load for `npm run outage`: one POST /orders every 1/rate seconds, whatever the
// previous ones are doing, so a slow or stuck order shows up as latency instead of lowering
// the rate. Every order is kept: when it started, how long it took, its status and the
// trace id from its 201 answer (the key to finding its spans and log records later).

export interface SentOrder {
  /** Date.now() when the request was sent. */
  startedAt: number;
  latencyMs: number;
  /** HTTP status, or 0 when no answer came (connection error, 15 s timeout). */
  status: number;
  traceId: string | undefined;
}

export const LOAD_ORDER = { user_id: 1001, product_name: 'Mouse', quantity: 1 };

export class SteadyLoad {
  readonly orders: SentOrder[] = [];
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ordersUrl: string,
    private readonly ratePerSec: number,
  ) {}

  start(): void {
    const intervalMs = 1000 / this.ratePerSec;
    let next = performance.now();
    const tick = () => {
      if (this.stopped) return;
      // Catch up after a late timer, so the rate holds even when the event loop is busy.
      while (next <= performance.now()) {
        this.sendOne();
        next += intervalMs;
      }
      this.timer = setTimeout(tick, Math.max(0, next - performance.now()));
    };
    tick();
  }

  /** Stops sending and waits for the orders still on their way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all(this.inFlight);
  }

  private sendOne(): void {
    const startedAt = Date.now();
    const began = performance.now();
    const sent = fetch(`${this.ordersUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(LOAD_ORDER),
      signal: AbortSignal.timeout(15_000),
    })
      .then(async (response) => {
        const body = (await response.json().catch(() => ({}))) as { trace_id?: string };
        return { status: response.status, traceId: body.trace_id };
      })
      .catch(() => ({ status: 0, traceId: undefined }))
      .then(({ status, traceId }) => {
        this.orders.push({ startedAt, latencyMs: performance.now() - began, status, traceId });
      });
    this.inFlight.add(sent);
    void sent.finally(() => this.inFlight.delete(sent));
  }
}
