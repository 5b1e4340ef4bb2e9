// The OTLP exporters over gRPC (the collector's port 4317): the design's default.
export { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
export { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
export { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
