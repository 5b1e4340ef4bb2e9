import path from 'node:path';
import fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { trace, SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { ownTelemetryStarted } from './own-telemetry';

// better-sqlite3 has no OpenTelemetry instrumentation, so every statement gets a CLIENT span
// here, named and attributed by the stable database semantic conventions
// (db.system.name, db.query.text, db.operation.name, db.collection.name). Without this
// project's SDK (own-telemetry.ts) the same code runs untraced, as in pricing's other modes.

const tracer = trace.getTracer('demo-sqlite');

export type SqlParams = Record<string, unknown> | unknown[];

/** A prepared statement that reports each execution as a span. Prepare once, run many times. */
export class TracedStatement<Row = unknown> {
  private readonly spanName: string;
  private readonly attributes: Attributes;

  constructor(
    private readonly statement: BetterSqlite3.Statement,
    sql: string,
    namespace: string,
  ) {
    const { operation, collection } = describeSql(sql);
    this.spanName = collection ? `${operation} ${collection}` : operation;
    this.attributes = {
      'db.system.name': 'sqlite',
      'db.namespace': namespace,
      'db.query.text': sql.replace(/\s+/g, ' ').trim(),
      'db.operation.name': operation,
      ...(collection ? { 'db.collection.name': collection } : {}),
    };
  }

  run(params: SqlParams = []): BetterSqlite3.RunResult {
    return this.traced(() => this.statement.run(params));
  }

  get(params: SqlParams = []): Row | undefined {
    return this.traced(() => this.statement.get(params) as Row | undefined);
  }

  all(params: SqlParams = []): Row[] {
    return this.traced(() => this.statement.all(params) as Row[]);
  }

  private traced<T>(execute: () => T): T {
    // Only statements made while handling something (a request, a business step) are traced:
    // start-up work and metric callbacks would otherwise each become a one-span trace.
    if (!ownTelemetryStarted() || !trace.getActiveSpan()) return execute();
    const span = tracer.startSpan(this.spanName, { kind: SpanKind.CLIENT, attributes: this.attributes });
    try {
      return execute();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      span.setAttribute('error.type', (error as { code?: string }).code ?? (error as Error).name);
      throw error;
    } finally {
      span.end();
    }
  }
}

export class Database {
  private constructor(
    readonly raw: BetterSqlite3.Database,
    private readonly namespace: string,
  ) {}

  /**
   * Opens (and creates) the file with WAL, so readers never block the writer, and a busy
   * timeout, so a second process touching the file waits instead of failing with SQLITE_BUSY.
   * synchronous=NORMAL is SQLite's recommendation for WAL (better-sqlite3 leaves it at FULL):
   * a commit is in the WAL file before the statement returns, so it survives a crash of the
   * process (kill -9); only a power cut of the host could lose the last commits. FULL fsyncs
   * on every commit, blocking the event loop: an insert plus an update took 305 µs, not 18 µs.
   */
  static open(file: string, schema: string): Database {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const raw = new BetterSqlite3(file);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.pragma('busy_timeout = 5000');
    raw.pragma('foreign_keys = ON');
    raw.exec(schema);
    return new Database(raw, path.basename(file));
  }

  /** A minimal migration: keeps databases from older versions of the demo usable. */
  addColumnIfMissing(table: string, column: string, definition: string): void {
    const columns = this.raw.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
    if (!columns.some((existing) => existing.name === column)) this.raw.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
  }

  prepare<Row = unknown>(sql: string): TracedStatement<Row> {
    return new TracedStatement<Row>(this.raw.prepare(sql), sql, this.namespace);
  }

  /** Runs fn in one transaction (BEGIN IMMEDIATE, so two writers never interleave). */
  transaction<T>(fn: () => T): T {
    return this.raw.transaction(fn).immediate();
  }

  /**
   * The "slow-query" fault (faults.ts): a statement that walks a million generated rows, the
   * kind of full scan a missing index causes. better-sqlite3 is synchronous, so like a real
   * slow statement it also holds up every other request of this service (about 0.3 s here).
   */
  runSlowQuery(): void {
    this.slowQuery ??= this.prepare(
      'WITH RECURSIVE scan(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM scan WHERE n < 1000000) SELECT count(*) AS rows FROM scan',
    );
    this.slowQuery.get();
  }

  private slowQuery?: TracedStatement;

  isHealthy(): boolean {
    try {
      return this.raw.prepare('SELECT 1 AS ok').get() !== undefined;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.raw.open) this.raw.close();
  }
}

/** "SELECT stock FROM inventory WHERE ..." -> { operation: 'SELECT', collection: 'inventory' } */
export function describeSql(sql: string): { operation: string; collection?: string } {
  const operation = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? 'SQL';
  const collection = /\b(?:FROM|INTO|UPDATE)\s+["`]?(\w+)/i.exec(sql)?.[1];
  return collection ? { operation, collection } : { operation };
}
