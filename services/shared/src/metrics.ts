import { createNoopMeter, metrics, type Counter, type Meter } from '@opentelemetry/api';
import { ownTelemetryStarted } from './own-telemetry';

// Each service counts the requests it handles under the name the seed's PromQL examples use
// (orders_service_requests_total, ...): the Prometheus exporter turns the OpenTelemetry
// counter "orders_service_requests" into "orders_service_requests_total". Without this
// project's SDK these are no-ops (own-telemetry.ts).

export interface RequestCounter {
  record(method: string, route: string, statusCode: number): void;
}

export function createRequestCounter(service: string): RequestCounter {
  const counter: Counter = meter(service).createCounter(`${service}_service_requests`, {
    description: `HTTP requests handled by the ${service} service`,
    unit: '{request}',
  });
  return {
    record(method, route, statusCode) {
      if (route === '/health') return;
      counter.add(1, { 'http.request.method': method, 'http.route': route, 'http.response.status_code': statusCode });
    },
  };
}

export function meter(service: string): Meter {
  return ownTelemetryStarted() ? metrics.getMeter(service) : createNoopMeter();
}
