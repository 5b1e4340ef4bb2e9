// Every setting comes from the environment, with the defaults the seed demo used, so the
// same build runs in Docker Compose, natively and in tests. A bad value stops the service
// at start with a message naming the variable, instead of surfacing later as odd behaviour.

export class ConfigError extends Error {}

export function envString(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

export function envInt(name: string, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

export function envBool(name: string, fallback: boolean): boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

/** Settings every service shares: where it listens and where its SQLite file lives. */
export interface ServerConfig {
  host: string;
  port: number;
  dbPath: string;
}

export function serverConfig(defaults: { port: number; dbPath: string }): ServerConfig {
  return {
    host: envString('HOST', '0.0.0.0'),
    port: envInt('PORT', defaults.port, { min: 0, max: 65535 }),
    dbPath: envString('DB_PATH', defaults.dbPath),
  };
}
