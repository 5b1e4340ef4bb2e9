import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultDashboard } from '@grafana/schema';
import { fromRoot } from '@demo/tools';
import { dashboardSchemaProblems } from '../harness/grafana-schema';
import { DASHBOARD_FILES } from '../harness/queries';
import { pinned } from '../harness/versions';

// The provisioned dashboards, checked with Grafana's own types (@grafana/schema, the version
// of the Grafana that compose pins) instead of by eye.

const schemaVersion = (JSON.parse(fs.readFileSync(require.resolve('@grafana/schema/package.json'), 'utf8')) as { version: string }).version;

test('@grafana/schema is the release of the Grafana that compose runs', () => {
  assert.equal(schemaVersion, pinned('GRAFANA_VERSION'));
});

test("every dashboard type-checks against @grafana/schema: the dashboard model, each panel type's options and field config", () => {
  const files = DASHBOARD_FILES();
  assert.ok(files.length > 0, 'grafana/dashboards/ has dashboards');
  const problems = files.flatMap(dashboardSchemaProblems);
  assert.deepEqual(problems, []);
});

test('every dashboard is written in the schema version Grafana 13.2 writes, so Grafana migrates nothing on load', () => {
  for (const file of DASHBOARD_FILES()) {
    const dashboard = JSON.parse(fs.readFileSync(file, 'utf8')) as { schemaVersion: number };
    assert.equal(dashboard.schemaVersion, defaultDashboard.schemaVersion, path.relative(fromRoot(), file));
  }
});

test('the check finds an option in its pre-13.2 place: a table footer in the panel options (13.2 reads it from the field config)', () => {
  const dashboard = JSON.parse(fs.readFileSync(fromRoot('grafana', 'dashboards', 'otel-demo-services.json'), 'utf8')) as {
    panels: { id: number; type: string; options?: Record<string, unknown> }[];
  };
  const table = dashboard.panels.find((panel) => panel.type === 'table');
  assert.ok(table, 'the dashboard has a table panel');
  table.options = { ...table.options, footer: { show: false, reducer: ['sum'], fields: '' } };
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-')), 'old-table.json');
  fs.writeFileSync(file, JSON.stringify(dashboard));

  const problems = dashboardSchemaProblems(file);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0]!, new RegExp(`old-table\\.json panel ${table.id} ".*" \\(table\\) options: .*'"footer"' does not exist`));
});

test('the check finds a wrong value and an unknown panel type, naming the panel', () => {
  const dashboard = {
    schemaVersion: defaultDashboard.schemaVersion,
    panels: [
      { id: 1, type: 'timeseries', title: 'wrong legend', options: { legend: { displayMode: 'sideways' } } },
      { id: 2, type: 'graph', title: 'the old graph panel', options: {} },
    ],
  };
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-')), 'wrong.json');
  fs.writeFileSync(file, JSON.stringify(dashboard));

  const problems = dashboardSchemaProblems(file);
  assert.equal(problems.length, 2, problems.join('\n'));
  assert.ok(
    problems.some((problem) => /panel 1 "wrong legend" \(timeseries\) options: Type '"sideways"' is not assignable/.test(problem)),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((problem) =>
      /panel 2 "the old graph panel" \(graph\): @grafana\/schema has no types for panel type "graph"/.test(problem),
    ),
    problems.join('\n'),
  );
});
