import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ManagedProcess } from './process';
import { fromRoot } from './paths';

// Debian's nginx serving the web UI with the project's template, as the official image does
// in compose: the template's ${VARIABLES} are filled in (envsubst semantics, only the names
// given), and the server block is wrapped in a minimal nginx.conf that runs unprivileged on
// loopback with every path under one temporary folder.

export const WEB_UI_TEMPLATE = fromRoot('web-ui', 'nginx', 'default.conf.template');
/** The page's own files, the only ones nginx serves. */
export const WEB_UI_PUBLIC = fromRoot('web-ui', 'public');

export interface WebUiVariables {
  WEB_UI_PORT: string;
  WEB_UI_ROOT: string;
  ORDERS_URL: string;
  TEMPO_URL: string;
  /** The collector's OTLP/HTTP receiver, e.g. http://127.0.0.1:4318: the browser's spans go there. */
  COLLECTOR_OTLP_HTTP_URL: string;
  GRAFANA_URL: string;
  DEMO_MODE: string;
}

/** envsubst for the given names only, so nginx's own $host, $uri ... stay untouched. */
export function renderTemplate(template: string, variables: Record<string, string>): string {
  return template.replace(/\$\{(\w+)\}/g, (match, name: string) => variables[name] ?? match);
}

/** Writes nginx.conf into dir and returns its path. */
export function writeNginxConfig(dir: string, variables: WebUiVariables): string {
  fs.mkdirSync(dir, { recursive: true });
  const server = path.join(dir, 'default.conf');
  fs.writeFileSync(server, renderTemplate(fs.readFileSync(WEB_UI_TEMPLATE, 'utf8'), { ...variables }));
  const file = path.join(dir, 'nginx.conf');
  const temp = (name: string) => `${name} ${path.join(dir, name)};`;
  fs.writeFileSync(
    file,
    [
      'daemon off;',
      // One process as the current user: no privilege switching, nothing outside dir.
      'master_process off;',
      `pid ${path.join(dir, 'nginx.pid')};`,
      `error_log ${path.join(dir, 'error.log')} warn;`,
      'events {}',
      'http {',
      '  include /etc/nginx/mime.types;',
      `  access_log ${path.join(dir, 'access.log')};`,
      ...['client_body_temp_path', 'proxy_temp_path', 'fastcgi_temp_path', 'uwsgi_temp_path', 'scgi_temp_path'].map(
        (name) => `  ${temp(name)}`,
      ),
      `  include ${server};`,
      '}',
      '',
    ].join('\n'),
  );
  return file;
}

/** nginx -t on the rendered configuration; throws with nginx's message when it is invalid. */
export function checkNginxConfig(file: string): string {
  const result = spawnSync('nginx', ['-t', '-c', file, '-p', path.dirname(file)], { encoding: 'utf8' });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new Error(`nginx -t failed:\n${output}`);
  return output;
}

export function nginxProcess(dir: string, variables: WebUiVariables): ManagedProcess {
  const file = writeNginxConfig(dir, variables);
  return new ManagedProcess({
    name: 'nginx',
    command: 'nginx',
    args: ['-c', file, '-p', dir],
    healthUrl: `http://127.0.0.1:${variables.WEB_UI_PORT}/config.json`,
  });
}
