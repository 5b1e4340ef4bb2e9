// Every PromQL, LogQL and TraceQL expression the project ships, found where it lives (the
// dashboards, the data source provisioning, the alert rules and their tests, the README and
// docs/), with Grafana's template variables replaced the way Grafana replaces them, then
// parsed with the upstream grammars:
//   PromQL   @prometheus-io/lezer-promql   (versioned with Prometheus: 0.314.0 = 3.14.0)
//   LogQL    @grafana/lezer-logql          (Grafana's Loki query editor)
//   TraceQL  @grafana/lezer-traceql        (Grafana's Tempo query editor)
// Lezer parsers never throw: they recover and mark what they skipped with error nodes, so a
// query is broken when its tree holds an error node.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as traceqlParser } from '@grafana/lezer-traceql';
import { fromRoot, repoRoot } from '@demo/tools';

export type QueryLanguage = 'promql' | 'logql' | 'traceql';

export interface Query {
  language: QueryLanguage;
  /** As written in the file. */
  source: string;
  /** What the data source receives: template variables replaced. */
  expression: string;
  /** Repository-relative file, and where in it (a panel, a rule, a line). */
  file: string;
  where: string;
  /** Template variables this check does not know (the query would reach the data source with a `$` in it). */
  unknownVariables: string[];
}

// What is used of a Lezer parser. (Each grammar package brings @lezer/lr's types through its
// own CommonJS or ESM door, which TypeScript counts as different types.)
interface Grammar {
  parse(input: string): { iterate(visit: { enter(node: { type: { isError: boolean }; from: number }): void }): void };
}

const PARSERS: Record<QueryLanguage, Grammar> = { promql: promqlParser, logql: logqlParser, traceql: traceqlParser };

/** The offsets where the grammar had to skip input; empty when the expression parses. */
export function parseErrors(language: QueryLanguage, expression: string): number[] {
  const offsets: number[] = [];
  PARSERS[language].parse(expression).iterate({
    enter(node) {
      if (node.type.isError) offsets.push(node.from);
    },
  });
  return offsets;
}

/** One line per query that does not parse, naming its file, place and expression. */
export function describeParseFailures(queries: Query[]): string[] {
  return queries.flatMap((query) => {
    if (query.unknownVariables.length > 0) {
      return [
        `${query.file} ${query.where}: unknown template variable ${query.unknownVariables.join(', ')} in ${JSON.stringify(query.source)}`,
      ];
    }
    const offsets = parseErrors(query.language, query.expression);
    if (offsets.length === 0) return [];
    const at = offsets[0]!;
    const shown = query.expression === query.source ? '' : ` (as sent: ${JSON.stringify(query.expression)})`;
    return [
      `${query.file} ${query.where}: ${query.language} does not parse at offset ${at} ("${query.expression.slice(at, at + 20)}"): ${JSON.stringify(query.source)}${shown}`,
    ];
  });
}

// ---------------------------------------------------------------- template variables ---

// Stand-ins for what Grafana puts in place of its global variables: a 5 s scrape interval
// (the data source's timeInterval), the dashboard's default 30 min range.
const GRAFANA_GLOBALS: Record<string, string> = {
  __interval: '5s',
  __interval_ms: '5000',
  __rate_interval: '20s',
  __rate_interval_ms: '20000',
  __range: '1800s',
  __range_s: '1800',
  __range_ms: '1800000',
  __auto: '5s',
  '__trace.traceId': '4bf92f3577b34da6a3ce929d0e0e4736',
  '__span.spanId': '00f067aa0ba902b7',
  '__value.raw': '4bf92f3577b34da6a3ce929d0e0e4736',
};

/**
 * Replaces $name, ${name}, ${name:format} and [[name]] with the given values; returns the
 * variables that are neither given nor one of Grafana's globals.
 */
export function substituteVariables(text: string, variables: Record<string, string>): { expression: string; unknown: string[] } {
  const values = { ...GRAFANA_GLOBALS, ...variables };
  const unknown: string[] = [];
  const replace = (whole: string, name: string) => {
    const value = values[name];
    if (value === undefined) unknown.push(whole);
    return value ?? whole;
  };
  const expression = text
    .replace(/\$\{([\w.]+)(?::[\w]+)?\}/g, replace)
    .replace(/\[\[([\w.]+)(?::[\w]+)?\]\]/g, replace)
    .replace(/\$([A-Za-z_]\w*)/g, replace);
  return { expression, unknown };
}

function query(language: QueryLanguage, source: string, variables: Record<string, string>, file: string, where: string): Query {
  const { expression, unknown } = substituteVariables(source, variables);
  return { language, source, expression, file, where, unknownVariables: unknown };
}

const relative = (file: string) => path.relative(repoRoot, file);

// ---------------------------------------------------------------------- dashboards ---

interface DashboardVariable {
  name: string;
  allValue?: string;
  includeAll?: boolean;
  query?: string;
  current?: { value?: string | string[] };
}

/**
 * The value a dashboard variable has when the dashboard opens: "All" (its allValue) when it
 * offers All, else its current value or the first of a custom variable's list.
 */
function dashboardVariables(dashboard: { templating?: { list?: DashboardVariable[] } }): Record<string, string> {
  const values: Record<string, string> = {};
  for (const variable of dashboard.templating?.list ?? []) {
    const current = variable.current?.value;
    const first = Array.isArray(current) ? current[0] : current;
    if (variable.includeAll && variable.allValue) values[variable.name] = variable.allValue;
    else if (first && first !== '$__all') values[variable.name] = first;
    else values[variable.name] = (variable.query ?? '').split(',')[0]!.trim();
  }
  return values;
}

interface DashboardPanel {
  id?: number;
  title?: string;
  datasource?: { type?: string };
  targets?: { refId?: string; datasource?: { type?: string }; expr?: string; query?: string; queryType?: string }[];
  panels?: DashboardPanel[];
}

/** The variables of a dashboard file, to read the docs' dashboard queries the same way. */
export function variablesOfDashboards(files: string[]): Record<string, string> {
  return Object.assign({}, ...files.map((file) => dashboardVariables(JSON.parse(fs.readFileSync(file, 'utf8')))));
}

export function dashboardQueries(file: string): Query[] {
  const dashboard = JSON.parse(fs.readFileSync(file, 'utf8')) as { templating?: { list?: DashboardVariable[] }; panels?: DashboardPanel[] };
  const variables = dashboardVariables(dashboard);
  const panels = (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  const queries: Query[] = [];
  for (const panel of panels) {
    for (const target of panel.targets ?? []) {
      const type = target.datasource?.type ?? panel.datasource?.type;
      const where = `panel ${panel.id} "${panel.title}" query ${target.refId}`;
      if (type === 'prometheus' && target.expr !== undefined) queries.push(query('promql', target.expr, variables, relative(file), where));
      else if (type === 'loki' && target.expr !== undefined) queries.push(query('logql', target.expr, variables, relative(file), where));
      else if (type === 'tempo' && target.queryType === 'traceql' && target.query !== undefined) {
        queries.push(query('traceql', target.query, variables, relative(file), where));
      }
    }
  }
  return queries;
}

// -------------------------------------------------------- data source provisioning ---

interface ProvisionedDataSource {
  name: string;
  jsonData?: {
    tracesToLogsV2?: { tags?: { key: string; value?: string }[]; customQuery?: boolean; query?: string };
    tracesToMetrics?: { tags?: { key: string; value?: string }[]; queries?: { name: string; query: string }[] };
  };
}

/** What Grafana puts in place of $__tags: the span's tags, renamed as configured. */
function tagsOf(tags: { key: string; value?: string }[] = []): string {
  return tags.map((tag) => `${tag.value || tag.key}="orders"`).join(', ');
}

/**
 * The queries in Tempo's trace-to-logs (LogQL) and trace-to-metrics (PromQL) links. The
 * provisioning file escapes a literal `$` as `$$` (Grafana expands environment variables
 * there), so the query Grafana stores is the one with `$$` turned back into `$`.
 */
export function provisioningQueries(file: string): Query[] {
  const config = YAML.parse(fs.readFileSync(file, 'utf8')) as { datasources?: ProvisionedDataSource[] };
  const unescape = (text: string) => text.replace(/\$\$/g, '$');
  const queries: Query[] = [];
  for (const source of config.datasources ?? []) {
    const toLogs = source.jsonData?.tracesToLogsV2;
    if (toLogs?.customQuery && toLogs.query) {
      queries.push(
        query('logql', unescape(toLogs.query), { __tags: tagsOf(toLogs.tags) }, relative(file), `${source.name} tracesToLogsV2.query`),
      );
    }
    const toMetrics = source.jsonData?.tracesToMetrics;
    for (const link of toMetrics?.queries ?? []) {
      queries.push(
        query(
          'promql',
          unescape(link.query),
          { __tags: tagsOf(toMetrics?.tags) },
          relative(file),
          `${source.name} tracesToMetrics "${link.name}"`,
        ),
      );
    }
  }
  return queries;
}

// ---------------------------------------------------------------- alert rules ---

/** The rules' expressions, and the selectors and expressions of their promtool tests. */
export function ruleQueries(file: string): Query[] {
  const content = YAML.parse(fs.readFileSync(file, 'utf8')) as {
    groups?: { rules?: { alert?: string; record?: string; expr: string }[] }[];
    tests?: { name: string; input_series?: { series: string }[]; promql_expr_test?: { expr: string }[] }[];
  };
  const queries: Query[] = [];
  for (const rule of (content.groups ?? []).flatMap((group) => group.rules ?? [])) {
    queries.push(query('promql', rule.expr.trim(), {}, relative(file), `rule ${rule.alert ?? rule.record}`));
  }
  for (const unit of content.tests ?? []) {
    for (const input of unit.input_series ?? [])
      queries.push(query('promql', input.series, {}, relative(file), `test "${unit.name}" input series`));
    for (const check of unit.promql_expr_test ?? [])
      queries.push(query('promql', check.expr, {}, relative(file), `test "${unit.name}" promql_expr_test`));
  }
  return queries;
}

// ------------------------------------------------------------------ Markdown ---

/**
 * A fenced block tagged promql, logql or traceql holds one expression per unindented line;
 * an indented line continues the expression above it, and `#` lines are comments.
 */
function fencedQueries(
  language: QueryLanguage,
  lines: string[],
  firstLine: number,
  variables: Record<string, string>,
  file: string,
): Query[] {
  const expressions: { line: number; text: string }[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '' || line.trim().startsWith('#')) return;
    const last = expressions.at(-1);
    if (/^\s/.test(line) && last && last.line + last.text.split('\n').length === firstLine + index) last.text += `\n${line}`;
    else expressions.push({ line: firstLine + index, text: line });
  });
  return expressions.map(({ line, text }) => query(language, text.trim(), variables, file, `line ${line}`));
}

// Inline code is a query when it has a query's shape; everything else in backticks (paths,
// commands, JSON, config keys, bare metric names) is left alone.
const JSON_LIKE = /^\{\s*"/;
// The start of a stream selector is enough: a selector that lost its closing brace must be
// checked, not skipped.
const STREAM_SELECTOR = /^\{\s*[A-Za-z_]\w*\s*(=~|!~|!=|=)\s*"/;
const SPANSET =
  /^\{(\s*\}|[^}]*(\b(resource|span|event|link|instrumentation|trace)\.|(^|[\s{(])\.[A-Za-z]|&&|\|\||\b(kind|status|name|duration|rootServiceName|rootName|traceDuration)\s*(=|!=|>|<)))/;
const PROMQL_FUNCTION =
  /\b(rate|irate|increase|delta|histogram_quantile|sum|avg|min|max|count|topk|bottomk|absent|quantile_over_time|avg_over_time|max_over_time|sum_over_time)\s*(\(|by\b|without\b)/;
const METRIC_SELECTOR = /^[A-Za-z_:][\w:]*\{[^}]*\}/;

export function classifyInlineCode(code: string): QueryLanguage | undefined {
  if (JSON_LIKE.test(code)) return undefined;
  if (SPANSET.test(code)) return 'traceql';
  if (STREAM_SELECTOR.test(code)) return 'logql';
  if (METRIC_SELECTOR.test(code) || PROMQL_FUNCTION.test(code)) return 'promql';
  return undefined;
}

export function markdownQueries(file: string, variables: Record<string, string>): Query[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const queries: Query[] = [];
  let fence: { language: string; start: number; body: string[] } | undefined;
  lines.forEach((line, index) => {
    const opening = /^\s*```(\w*)/.exec(line);
    if (fence) {
      if (/^\s*```\s*$/.test(line)) {
        if (fence.language === 'promql' || fence.language === 'logql' || fence.language === 'traceql') {
          queries.push(...fencedQueries(fence.language, fence.body, fence.start + 1, variables, relative(file)));
        }
        fence = undefined;
      } else fence.body.push(line);
      return;
    }
    if (opening) {
      fence = { language: opening[1]!, start: index + 1, body: [] };
      return;
    }
    // Inline code; in a table cell a literal | is written \|.
    for (const match of line.matchAll(/`([^`]+)`/g)) {
      const code = match[1]!.replace(/\\\|/g, '|').trim();
      const language = classifyInlineCode(code);
      if (language) queries.push(query(language, code, variables, relative(file), `line ${index + 1}`));
    }
  });
  return queries;
}

// ------------------------------------------------------------------ everything ---

export const DASHBOARD_FILES = () => listFiles(fromRoot('grafana', 'dashboards'), '.json');

/** README.md, README.ja.md and docs/**\/*.md, whichever exist. */
export function documentationFiles(): string[] {
  const readmes = ['README.md', 'README.ja.md'].map((name) => fromRoot(name)).filter((file) => fs.existsSync(file));
  return [...readmes, ...listFiles(fromRoot('docs'), '.md')];
}

function listFiles(dir: string, extension: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith(extension))
    .map((name) => path.join(dir, name))
    .sort();
}

export function allProjectQueries(): Query[] {
  const dashboards = DASHBOARD_FILES();
  const provisioning = listFiles(fromRoot('grafana', 'provisioning', 'datasources'), '.yaml');
  const rules = [fromRoot('prometheus', 'alert-rules.yml'), fromRoot('prometheus', 'alert-rules.test.yml')];
  const docVariables = variablesOfDashboards(dashboards);
  return [
    ...dashboards.flatMap(dashboardQueries),
    ...provisioning.flatMap(provisioningQueries),
    ...rules.flatMap(ruleQueries),
    ...documentationFiles().flatMap((file) => markdownQueries(file, docVariables)),
  ];
}
