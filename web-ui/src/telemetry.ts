// The web UI as a traced service: its page load, the click on "Create Order & Trigger
// Workflow" and the fetch it makes become spans of service "web-ui", and the fetch carries
// `traceparent`, so orders' server span is the fetch span's child: one trace from the click
// to notifications. Bundled by esbuild into public/telemetry.js (npm run build -w web-ui),
// loaded before the page's app.js; if it is missing or the export fails, the page works the same.
//
// Spans go to the page's own origin, /otlp/v1/traces, which nginx hands to the collector's
// OTLP/HTTP receiver: no CORS, and no collector port opened to the browser.

import { propagation, trace, context } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, StackContextManager, TracerProvider } from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { DocumentLoadInstrumentation } from '@opentelemetry/instrumentation-document-load';
import { FetchInstrumentation } from '@opentelemetry/instrumentation-fetch';
import { UserInteractionInstrumentation } from '@opentelemetry/instrumentation-user-interaction';

const exporter = new OTLPTraceExporter({ url: new URL('/otlp/v1/traces', location.href).href });
const provider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'web-ui' }),
  // Short batches: the learner looks for the trace seconds after the click.
  spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 500 })],
});

trace.setGlobalTracerProvider(provider);
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
// No zone.js: the click span is the active context while the listener runs synchronously,
// and the page calls fetch before its first await (src/page/api.ts), so the fetch span becomes its child.
context.setGlobalContextManager(new StackContextManager().enable());

registerInstrumentations({
  instrumentations: [
    new DocumentLoadInstrumentation(),
    // Only clicks: the order button's listener is a click listener (src/page/main.ts).
    new UserInteractionInstrumentation({ eventNames: ['click'] }),
    new FetchInstrumentation({
      // The exporter's own posts are not part of any order.
      ignoreUrls: [/\/otlp\//],
      // Same origin only (the default): traceparent goes to /api, never elsewhere.
    }),
  ],
});

// Spans still in the batch when the learner leaves the page.
addEventListener('pagehide', () => void provider.forceFlush());
