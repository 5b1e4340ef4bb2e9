// The OTLP exporters over HTTP with protobuf bodies (the collector's port 4318), for
// OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf. @opentelemetry/sdk-node loads them anyway.
export { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
export { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
export { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
