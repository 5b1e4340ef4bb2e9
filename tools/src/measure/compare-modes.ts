import { withTracedChain } from '../runner/with-chain';
import { collectorIsBuilt } from '../runner/collector';
import { envoyIsInstalled } from '../runner/envoy';
import { isMode, MODES, type Mode } from '../runner/modes';
import { observeOneOrder } from '../runner/observe';
import { toVerdictSpan } from '../runner/order-report';
import { judgeOrder, MODE_NAMES } from '@demo/trace-verdict';
import { printTable } from './table';

// npm run compare-modes [-- --json]
//
// Runs the chain natively in each mode, sends one order, and shows what the trace looks like:
// how many traces one order produced, how many spans each service contributed, and where
// the chain broke; then a second order with baggage demo.fault=notifications:error, to show
// that baggage (and with it the demo's faults) breaks exactly where the trace does. The
// seed's "compare envoy and envoy-propagation" as one command. The modes run in the ladder's
// order, from seeing nothing to seeing everything (ebpf needs the agent's kernel, not here).

// The ladder's modes that run natively (ebpf needs Docker; off traces nothing).
const COMPARED = MODE_NAMES.filter((mode): mode is Mode => isMode(mode) && mode !== 'off');

async function compareOne(mode: Mode) {
  return withTracedChain(mode, { envoyFastFlush: true }, async (chain, sink) => {
    const observed = await observeOneOrder(chain, sink);
    // Baggage travels like the trace context: does a fault aimed at the end of the chain get there?
    const faulted = await observeOneOrder(chain, sink, undefined, { baggage: 'demo.fault=notifications:error' });
    // The same verdict as the web UI's and npm run local's.
    const verdict = judgeOrder(observed.spans.map(toVerdictSpan));
    return {
      order_status: observed.status,
      traces: observed.traces.length,
      // The service that forwarded no trace context ('' when the order's traces are whole).
      broken_at: verdict.brokenAt,
      // Services that answered, seen only from outside: no span of their SQLite queries.
      no_database_spans: verdict.noDatabaseSpans,
      fault_reaches_notifications: faulted.body?.notification?.status === 'skipped',
      trace_list: observed.traces.map((trace) => ({ trace_id: trace.traceId, services: trace.services, spans: trace.spansPerService })),
    };
  });
}

function printResults(results: Record<string, Awaited<ReturnType<typeof compareOne>>>): void {
  const services = ['orders', 'inventory', 'pricing', 'pricing-envoy', 'notifications'];
  const header = [
    'mode',
    'traces',
    ...services.map((s) => `${s} spans`),
    'where the chain broke',
    'no SQLite spans from',
    'notifications:error fault arrives',
  ];
  const rows = Object.entries(results).map(([mode, result]) => {
    const perService = (service: string) =>
      result.trace_list
        .map((trace, i) => (trace.spans[service] ? `${trace.spans[service]}${result.traces > 1 ? ` (t${i + 1})` : ''}` : ''))
        .filter(Boolean)
        .join(' ') || '-';
    return [
      mode,
      String(result.traces),
      ...services.map(perService),
      result.broken_at ? `at ${result.broken_at}` : 'nowhere: one trace',
      result.no_database_spans.join(', ') || '-',
      result.fault_reaches_notifications ? 'yes' : 'no (baggage lost)',
    ];
  });
  printTable(header, rows);
  console.log('\n(tN) = the Nth trace of the order, in the order they started.');
}

async function main() {
  const json = process.argv.includes('--json');
  if (!collectorIsBuilt()) throw new Error('the collector is not built: run bash scripts/setup-collector.sh');
  const modes = COMPARED.filter((mode) => !MODES[mode].envoy || envoyIsInstalled());
  if (modes.length < COMPARED.length) console.error('Envoy is not installed (bash scripts/setup-envoy.sh): skipping the Envoy modes');
  const results: Record<string, Awaited<ReturnType<typeof compareOne>>> = {};
  for (const mode of modes) {
    if (!json) console.error(`running ${mode} ...`);
    results[mode] = await compareOne(mode);
  }
  if (json) console.log(JSON.stringify(results, null, 2));
  else printResults(results);
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
