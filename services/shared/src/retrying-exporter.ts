// Retries a failed OTLP export while the collector restarts.
//
// The OTLP gRPC exporters of this SDK version (0.301.0) try each batch once: their transport
// has no retry (only the HTTP one has), so every batch that a span or log processor hands
// over while the collector is down would be dropped. Wrapped in this, a batch is tried again
// with a growing pause until it goes through or `giveUpAfterMs` has passed. The batch
// processors export one batch at a time and keep queueing meanwhile (OTEL_BSP_MAX_QUEUE_SIZE,
// OTEL_BLRP_MAX_QUEUE_SIZE), so nothing is lost while the collector is back within that time.
//
// All of this runs on timers, after the requests that made the spans have been answered: a
// request never waits for it.

/** The shape of ExportResult from @opentelemetry/core: code 0 is success. */
export interface ExportResult {
  code: number;
  error?: Error;
}
const SUCCESS = 0;

/** The export side shared by SpanExporter and LogRecordExporter. */
export interface BatchExporter<Item> {
  export(items: Item[], resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

export interface RetryOptions {
  /** Stop retrying a batch this long after its first attempt (keep it under the processor's export timeout). */
  giveUpAfterMs: number;
  firstPauseMs?: number;
  longestPauseMs?: number;
}

// gRPC codes worth another try, as the OTLP specification lists them: the collector is
// away (UNAVAILABLE), slow (DEADLINE_EXCEEDED), or refusing for now (RESOURCE_EXHAUSTED,
// which its memory limiter and a full queue answer with).
const RETRYABLE_GRPC_CODES = new Set([1, 4, 8, 10, 11, 14, 15]);

// Over http/protobuf (OTEL_EXPORTER_OTLP_PROTOCOL), the exporter's own transport retries these
// five times within one attempt's deadline, then reports the last one: the HTTP statuses the
// OTLP specification calls retryable, and the network errors of a collector that is away.
const RETRYABLE_HTTP_STATUSES = new Set([429, 502, 503, 504]);
const RETRYABLE_NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

export function isRetryable(error: Error | undefined): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return RETRYABLE_NETWORK_ERRORS.has(code);
  return typeof code === 'number' && (RETRYABLE_GRPC_CODES.has(code) || RETRYABLE_HTTP_STATUSES.has(code));
}

export class RetryingExporter<Item> implements BatchExporter<Item> {
  private stopping = false;
  /** Batches waiting for their next attempt: on shutdown each gets one last try at once. */
  private readonly waiting = new Map<NodeJS.Timeout, () => void>();

  constructor(
    private readonly inner: BatchExporter<Item>,
    private readonly options: RetryOptions,
  ) {}

  export(items: Item[], resultCallback: (result: ExportResult) => void): void {
    const giveUpAt = Date.now() + this.options.giveUpAfterMs;
    let pauseMs = this.options.firstPauseMs ?? 250;
    const attempt = () =>
      this.inner.export(items, (result) => {
        const retry = result.code !== SUCCESS && !this.stopping && isRetryable(result.error) && Date.now() + pauseMs < giveUpAt;
        if (!retry) return resultCallback(result);
        const timer = setTimeout(() => {
          this.waiting.delete(timer);
          attempt();
        }, pauseMs);
        timer.unref();
        this.waiting.set(timer, attempt);
        pauseMs = Math.min(pauseMs * 2, this.options.longestPauseMs ?? 2000);
      });
    attempt();
  }

  async forceFlush(): Promise<void> {
    await this.inner.forceFlush?.();
  }

  /**
   * From now on each batch gets one try, and the ones waiting get theirs at once: called when
   * the process is shutting down, before the final flush, which must not wait out a pause.
   */
  stopRetrying(): void {
    this.stopping = true;
    for (const [timer, attempt] of this.waiting) {
      clearTimeout(timer);
      attempt();
    }
    this.waiting.clear();
  }

  async shutdown(): Promise<void> {
    this.stopRetrying();
    await this.inner.forceFlush?.(); // those last tries, before the connection closes
    await this.inner.shutdown();
  }
}
