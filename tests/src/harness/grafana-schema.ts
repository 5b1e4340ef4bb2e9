// Type-checks a Grafana dashboard JSON file against @grafana/schema, the TypeScript types
// Grafana generates from its own CUE schemas (the dashboard model and every core panel's
// options and field config). The JSON is written into a TypeScript source as object
// literals with `satisfies`, so the compiler reports unknown keys (an option in a place the
// panel no longer reads) as well as wrong types, and the source is compiled in memory.
//
// Each panel's `options` and `fieldConfig.defaults.custom` are checked against that panel
// type's own types, every key optional: Grafana fills what a file leaves out with defaults.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { fromRoot } from '@demo/tools';

const SCHEMA_PACKAGE = '@grafana/schema';

interface PanelJson {
  id?: number;
  type: string;
  title?: string;
  options?: unknown;
  fieldConfig?: { defaults?: { custom?: unknown } };
  panels?: PanelJson[];
}

/** The module of a panel type's generated types, e.g. table -> .../table/panelcfg/x/TablePanelCfg_types.gen */
function panelModules(): Map<string, { module: string; hasFieldConfig: boolean }> {
  const packageDir = path.dirname(require.resolve(`${SCHEMA_PACKAGE}/package.json`));
  const exported = Object.keys(
    (JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }).exports,
  );
  const modules = new Map<string, { module: string; hasFieldConfig: boolean }>();
  for (const key of exported) {
    const match = /^\.\/dist\/esm\/raw\/composable\/([a-z0-9]+)\/panelcfg\/x\/\w+_types\.gen$/.exec(key);
    if (!match) continue;
    const declarations = fs.readFileSync(
      path.join(packageDir, 'dist', 'types', 'raw', 'composable', match[1]!, 'panelcfg', 'x', 'types.gen.d.ts'),
      'utf8',
    );
    modules.set(match[1]!, {
      module: `${SCHEMA_PACKAGE}${key.slice(1)}`,
      hasFieldConfig: /export interface FieldConfig\b/.test(declarations),
    });
  }
  return modules;
}

/** A panel type as the schema's folders name it: state-timeline -> statetimeline, nodeGraph -> nodegraph. */
const schemaName = (panelType: string) => panelType.toLowerCase().replace(/[^a-z0-9]/g, '');

// The schema's types use TypeScript enums ('list' is LegendDisplayMode.List), while JSON has
// their values: Json<T> is T with every string enum replaced by the union of its values.
// Defaults<T> also makes every key optional at every depth, as Grafana fills what a panel's
// options leave out from the plugin's defaults, deeply.
const JSON_TYPES = `
type Json<T> = T extends string ? \`\${T}\` : T extends readonly (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
type Defaults<T> = T extends string ? \`\${T}\` : T extends readonly (infer U)[] ? Defaults<U>[] : T extends object ? { [K in keyof T]?: Defaults<T[K]> } : T;
`;

interface Check {
  label: string;
  start: number;
  end: number;
}

/** The in-memory TypeScript source for one dashboard, and which part of it checks what. */
function checkSource(dashboard: { panels?: PanelJson[] }): { text: string; checks: Check[]; problems: string[] } {
  const modules = panelModules();
  const imports = new Map<string, string>();
  const checks: Check[] = [];
  const problems: string[] = [];
  let body = '';
  const add = (label: string, statement: string) => {
    checks.push({ label, start: body.length, end: body.length + statement.length });
    body += `${statement}\n`;
  };

  add('the dashboard', `export const dashboard = ${JSON.stringify(dashboard, null, 2)} satisfies Json<Dashboard>;`);
  const panels = (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  panels.forEach((panel, index) => {
    if (panel.type === 'row') return;
    const name = `panel ${panel.id} "${panel.title}" (${panel.type})`;
    const schema = modules.get(schemaName(panel.type));
    if (!schema) {
      problems.push(`${name}: @grafana/schema has no types for panel type "${panel.type}"`);
      return;
    }
    const alias = `panel_${schemaName(panel.type)}`;
    imports.set(alias, schema.module);
    if (panel.options !== undefined)
      add(`${name} options`, `export const options${index} = ${JSON.stringify(panel.options)} satisfies Defaults<${alias}.Options>;`);
    const custom = panel.fieldConfig?.defaults?.custom;
    if (custom !== undefined && schema.hasFieldConfig) {
      add(
        `${name} fieldConfig.defaults.custom`,
        `export const custom${index} = ${JSON.stringify(custom)} satisfies Defaults<${alias}.FieldConfig>;`,
      );
    }
  });

  const header =
    [
      `import type { Dashboard } from '${SCHEMA_PACKAGE}';`,
      ...[...imports].map(([alias, module]) => `import type * as ${alias} from '${module}';`),
      JSON_TYPES,
    ].join('\n') + '\n';
  for (const check of checks) {
    check.start += header.length;
    check.end += header.length;
  }
  return { text: header + body, checks, problems };
}

/**
 * What the TypeScript compiler finds wrong with a dashboard file, one line per problem,
 * naming the file, the panel and the compiler's message. Empty when it type-checks.
 */
export function dashboardSchemaProblems(file: string): string[] {
  const dashboard = JSON.parse(fs.readFileSync(file, 'utf8')) as { panels?: PanelJson[] };
  const { text, checks, problems } = checkSource(dashboard);
  // The source lives, in memory only, next to tests/package.json, so module resolution finds
  // @grafana/schema in the workspace's node_modules.
  const virtualFile = fromRoot('tests', '.grafana-schema-check.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError) =>
    name === virtualFile ? ts.createSourceFile(name, text, language) : getSourceFile(name, language, onError);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === virtualFile || fileExists(name);
  const program = ts.createProgram([virtualFile], options, host);
  const source = program.getSourceFile(virtualFile)!;

  const relative = path.relative(fromRoot(), file);
  return [
    ...problems.map((problem) => `${relative} ${problem}`),
    ...ts.getPreEmitDiagnostics(program, source).map((diagnostic) => {
      const at = diagnostic.start ?? 0;
      const check = checks.find(({ start, end }) => at >= start && at < end);
      const snippet = text.slice(at, at + 60).split('\n')[0];
      return `${relative} ${check?.label ?? 'imports'}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')} (at ${snippet})`;
    }),
  ];
}
