// The collector's own metrics (its internal telemetry, Prometheus text on the
// internalMetrics port): what it refused, failed to queue or failed to send, and how full its
// exporters' queues are. prometheus/alert-rules.yml's CollectorLosingTelemetry reads the same
// counters, by the same names (without _total).

export interface CollectorLossCounters {
  refused_spans: number;
  refused_log_records: number;
  enqueue_failed_spans: number;
  enqueue_failed_log_records: number;
  send_failed_spans: number;
  send_failed_log_records: number;
}

/** Every sample of the collector's own metrics, as [series, value]; `series` is `name{labels}` or `name`. */
async function scrape(internalMetricsPort: number, timeoutMs: number): Promise<[string, number][]> {
  const response = await fetch(`http://127.0.0.1:${internalMetricsPort}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  return (await response.text())
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => [line.slice(0, line.lastIndexOf(' ')), Number(line.slice(line.lastIndexOf(' ') + 1))]);
}

const isMetric = (series: string, name: string) => series === name || series.startsWith(`${name}{`);

/** The collector's counters of refused and dropped data, summed over its receivers and exporters. */
export async function collectorLossCounters(internalMetricsPort: number): Promise<CollectorLossCounters> {
  const samples = await scrape(internalMetricsPort, 5000);
  const sum = (name: string) => samples.filter(([series]) => isMetric(series, name)).reduce((total, [, value]) => total + value, 0);
  return {
    refused_spans: sum('otelcol_receiver_refused_spans'),
    refused_log_records: sum('otelcol_receiver_refused_log_records'),
    enqueue_failed_spans: sum('otelcol_exporter_enqueue_failed_spans'),
    enqueue_failed_log_records: sum('otelcol_exporter_enqueue_failed_log_records'),
    send_failed_spans: sum('otelcol_exporter_send_failed_spans'),
    send_failed_log_records: sum('otelcol_exporter_send_failed_log_records'),
  };
}

/** How full the Tempo and Loki exporters' sending queues are right now. */
export async function exporterQueueSizes(internalMetricsPort: number): Promise<{ spans: number; log_records: number }> {
  const samples = await scrape(internalMetricsPort, 2000);
  const size = (exporter: string) =>
    samples.find(([series]) => isMetric(series, 'otelcol_exporter_queue_size') && series.includes(`exporter="${exporter}"`))?.[1] ?? 0;
  return { spans: size('otlp_http/tempo'), log_records: size('otlp_http/loki') };
}
