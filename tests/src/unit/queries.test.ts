import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  allProjectQueries,
  classifyInlineCode,
  dashboardQueries,
  describeParseFailures,
  DASHBOARD_FILES,
  markdownQueries,
  provisioningQueries,
  ruleQueries,
  substituteVariables,
  type Query,
} from '../harness/queries';
import { pinned } from '../harness/versions';
import { fromRoot } from '@demo/tools';
import { parser as traceQlParser } from '@grafana/lezer-traceql';

// Every query the project ships, parsed with the grammars of Prometheus and Grafana (see
// tests/src/harness/queries.ts for where they are found and how variables are replaced).

/** The version of an installed package (not every package exports its package.json). */
function installedVersion(name: string): string {
  const dir = (require.resolve.paths(name) ?? []).find((candidate) => fs.existsSync(path.join(candidate, name, 'package.json')));
  assert.ok(dir, `${name} is installed`);
  return (JSON.parse(fs.readFileSync(path.join(dir, name, 'package.json'), 'utf8')) as { version: string }).version;
}

test('the PromQL grammar is the one of the Prometheus that compose runs (lezer-promql 0.314.x = Prometheus 3.14.x)', () => {
  const [major, minor] = pinned('PROMETHEUS_VERSION').split('.').map(Number);
  assert.match(installedVersion('@prometheus-io/lezer-promql'), new RegExp(`^0\\.${major! * 100 + minor!}\\.\\d+$`));
});

test('every PromQL, LogQL and TraceQL query in the dashboards, provisioning, alert rules, README and docs parses', () => {
  const queries = allProjectQueries();
  const count = (language: Query['language']) => queries.filter((query) => query.language === language).length;
  console.log(
    `queries parsed: ${count('promql')} PromQL, ${count('logql')} LogQL, ${count('traceql')} TraceQL in ${new Set(queries.map((query) => query.file)).size} files`,
  );
  assert.deepEqual(describeParseFailures(queries), []);
});

test('the queries are found where they live: every panel query, both link types of the Tempo data source, every rule', () => {
  const dashboard = DASHBOARD_FILES().flatMap(dashboardQueries);
  const json = JSON.parse(fs.readFileSync(fromRoot('grafana', 'dashboards', 'otel-demo-services.json'), 'utf8')) as {
    panels: { targets?: unknown[] }[];
  };
  const panelTargets = json.panels.reduce((sum, panel) => sum + (panel.targets?.length ?? 0), 0);
  // The service-map query of the node graph panel has no query text; every other target does.
  assert.equal(dashboard.length, panelTargets - 1);
  assert.deepEqual([...new Set(dashboard.map((query) => query.language))].sort(), ['logql', 'promql', 'traceql']);

  const provisioning = provisioningQueries(fromRoot('grafana', 'provisioning', 'datasources', 'datasources.yaml'));
  assert.deepEqual(
    provisioning.map((query) => query.language),
    ['logql', 'promql', 'promql', 'promql'],
  );
  // Grafana's $${__tags} (escaped in the provisioning file) becomes the span's mapped tags.
  assert.match(provisioning[0]!.expression, /^\{service_name="orders"\} \| trace_id="[0-9a-f]{32}"$/);

  const rules = ruleQueries(fromRoot('prometheus', 'alert-rules.yml'));
  assert.deepEqual(
    rules.map((query) => query.where),
    ['rule ServiceErrorRatioHigh', 'rule ServiceLatencyP95High', 'rule CollectorLosingTelemetry'],
  );
});

test('a broken query fails the check, naming the file, the place and the expression', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'queries-'));
  const file = path.join(dir, 'guide.md');
  fs.writeFileSync(
    file,
    [
      'Two queries in a block, the second one continued on an indented line:',
      '```promql',
      '# fine',
      'sum by (service_name) (rate(traces_span_metrics_calls_total[$__rate_interval]))',
      'sum by (service_name) (rate(traces_span_metrics_calls_total[1m])',
      '  / 2',
      '```',
      'Logs: `{service_name="orders" | trace_id="abc"`, traces: `{resource.service.name="orders" && }`,',
      'and a path that is no query: `grafana/dashboards/{a,b}.json`, nor is JSON: `{"status":"ok"}`.',
    ].join('\n'),
  );
  const queries = markdownQueries(file, {});
  assert.deepEqual(
    queries.map((query) => [query.language, query.where]),
    [
      ['promql', 'line 4'],
      ['promql', 'line 5'],
      ['logql', 'line 8'],
      ['traceql', 'line 8'],
    ],
  );
  const failures = describeParseFailures(queries);
  assert.equal(failures.length, 3, failures.join('\n'));
  const relative = path.relative(fromRoot(), file);
  assert.ok(failures[0]!.startsWith(`${relative} line 5: promql does not parse`), failures[0]);
  assert.ok(failures[0]!.includes('(rate(traces_span_metrics_calls_total[1m])\\n  / 2'), failures[0]);
  assert.ok(
    failures[1]!.startsWith(`${relative} line 8: logql does not parse`) && failures[1]!.includes('{service_name=\\"orders\\" | trace_id'),
    failures[1],
  );
  assert.ok(failures[2]!.startsWith(`${relative} line 8: traceql does not parse`), failures[2]);
});

test("Grafana's template variables are replaced as Grafana replaces them; an unknown one is reported", () => {
  const variables = { service: '.+' };
  assert.equal(
    substituteVariables('rate(x{a=~"$service", b=~"${service}", c=~"${service:regex}", d=~"[[service]]"}[$__rate_interval])', variables)
      .expression,
    'rate(x{a=~".+", b=~".+", c=~".+", d=~".+"}[20s])',
  );
  assert.equal(substituteVariables('topk(10, rate(x[$__range]))', variables).expression, 'topk(10, rate(x[1800s]))');
  assert.deepEqual(substituteVariables('rate(x{job="$job"}[$__interval])', variables).unknown, ['$job']);

  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'queries-')), 'vars.md');
  fs.writeFileSync(file, 'Per job: `sum by (job) (rate(x{job="$job"}[1m]))`\n');
  assert.match(describeParseFailures(markdownQueries(file, variables))[0]!, /vars\.md line 1: unknown template variable \$job/);
});

test('inline code counts as a query only when it has the shape of one', () => {
  assert.equal(classifyInlineCode('{service_name="orders"} | trace_id="<id>"'), 'logql');
  assert.equal(classifyInlineCode('{service_name=~"$service"}'), 'logql');
  assert.equal(classifyInlineCode('{resource.service.name="orders" && kind=server}'), 'traceql');
  assert.equal(classifyInlineCode('{ .http.status_code >= 500 }'), 'traceql');
  assert.equal(classifyInlineCode('ServiceErrorRatioHigh{service_name="notifications"}'), 'promql');
  assert.equal(classifyInlineCode('rate(orders_service_requests_total[1m])'), 'promql');
  for (const code of [
    '{"status":"ok","service":"orders"}',
    'traces_span_metrics_calls_total',
    'docker compose up -d',
    'common.storage.filesystem.{chunks,rules}_directory',
    '${__value.raw}',
  ]) {
    assert.equal(classifyInlineCode(code), undefined, code);
  }
});

// The query the web UI sends Tempo's search for an order's traces (web-ui/src/page/order-traces.ts).
const PAGE_QUERY = '{ span.app.order.id = 3 }';

/** The node names of a TraceQL parse, "⚠" where the grammar found an error. */
function traceQlNodes(query: string): string[] {
  const names: string[] = [];
  traceQlParser.parse(query).iterate({ enter: (node) => void names.push(node.type.isError ? '⚠' : node.name) });
  return names;
}

test("the page's query is a TraceQL spanset filter on the span attribute app.order.id, by Tempo's grammar", () => {
  const page = fs.readFileSync(fromRoot('web-ui', 'src', 'page', 'order-traces.ts'), 'utf8');
  assert.ok(page.includes('`{ span.app.order.id = ${Number(orderId)} }`'), 'the page builds the query checked here');
  const nodes = traceQlNodes(PAGE_QUERY);
  assert.ok(!nodes.includes('⚠'), nodes.join(' '));
  // span-scoped attribute app.order.id, compared with = to the integer 3
  for (const node of ['SpansetFilter', 'AttributeField', 'Span', 'Identifier', 'FieldOp', 'Integer'])
    assert.ok(nodes.includes(node), `${node} in ${nodes.join(' ')}`);
  // the grammar is not a rubber stamp: a filter without a value is an error
  assert.ok(traceQlNodes('{ span.app.order.id = }').includes('⚠'));
});
