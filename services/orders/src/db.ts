import { Database } from '@demo/shared/sqlite';

// orders.db holds one row per order. The row is written as "pending" before inventory is
// called, so an order whose workflow was cut short is still visible, and it gets its final
// status (confirmed, out_of_stock or failed) before the client hears 201.
//
// stock_release_pending marks a failed order for which inventory may still hold reserved
// stock (it timed out or crashed mid-request): orders keeps asking inventory to release it
// until inventory confirms, so a failure never leaks stock.
//
// mode is the instrumentation mode the deployment ran in when the order was placed (sdk,
// envoy, ...), so orders placed under two compose files, one after the other on the same
// volume, can be compared side by side. Orders from before the column existed have none.

const SCHEMA = `
CREATE TABLE IF NOT EXISTS orders (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id         INTEGER NOT NULL,
  product_name    TEXT    NOT NULL,
  quantity        INTEGER NOT NULL CHECK (quantity > 0),
  status          TEXT    NOT NULL CHECK (status IN ('pending', 'confirmed', 'out_of_stock', 'failed')),
  total           REAL,
  failure_reason  TEXT,
  details         TEXT,
  trace_id        TEXT,
  mode            TEXT,
  stock_release_pending INTEGER NOT NULL DEFAULT 0,
  created_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
`;

export type OrderStatus = 'pending' | 'confirmed' | 'out_of_stock' | 'failed';

export interface OrderRow {
  id: number;
  user_id: number;
  product_name: string;
  quantity: number;
  status: OrderStatus;
  total: number | null;
  failure_reason: string | null;
  details: string | null;
  trace_id: string | null;
  mode: string | null;
  created_at: string;
  updated_at: string;
}

export interface NewOrder {
  userId: number;
  productName: string;
  quantity: number;
  traceId: string | null;
  mode: string | null;
}

export interface OrderOutcome {
  status: Exclude<OrderStatus, 'pending'>;
  total: number | null;
  failureReason: string | null;
  details: unknown;
}

export function openOrdersDb(file: string) {
  const db = Database.open(file, SCHEMA);
  // Databases created by an earlier version of this demo (a kept compose volume) lack the column.
  db.addColumnIfMissing('orders', 'stock_release_pending', 'INTEGER NOT NULL DEFAULT 0');
  // The same for the mode; their existing rows keep a NULL mode: nobody recorded it.
  db.addColumnIfMissing('orders', 'mode', 'TEXT');
  const insert = db.prepare(
    "INSERT INTO orders (user_id, product_name, quantity, status, trace_id, mode) VALUES (:userId, :productName, :quantity, 'pending', :traceId, :mode)",
  );
  const finish = db.prepare(
    `UPDATE orders SET status = :status, total = :total, failure_reason = :failureReason, details = :details,
       updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = :id`,
  );
  const remove = db.prepare('DELETE FROM orders WHERE id = :id');
  const byId = db.prepare<OrderRow>('SELECT * FROM orders WHERE id = :id');
  const latest = db.prepare<OrderRow>('SELECT * FROM orders ORDER BY id DESC LIMIT :limit');
  const markReleasePending = db.prepare('UPDATE orders SET stock_release_pending = 1 WHERE id = :id');
  const releaseDone = db.prepare('UPDATE orders SET stock_release_pending = 0 WHERE id = :id');
  const pendingReleases = db.prepare<{ id: number }>('SELECT id FROM orders WHERE stock_release_pending = 1 ORDER BY id LIMIT :limit');
  const failInterrupted = db.prepare(
    `UPDATE orders SET status = 'failed', stock_release_pending = 1,
       failure_reason = 'orders stopped while this order was in flight; it was never confirmed to the client',
       updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE status = 'pending'`,
  );

  return {
    db,
    insertPending(order: NewOrder): number {
      return Number(insert.run({ ...order }).lastInsertRowid);
    },
    finish(id: number, outcome: OrderOutcome): void {
      finish.run({
        id,
        status: outcome.status,
        total: outcome.total,
        failureReason: outcome.failureReason,
        details: JSON.stringify(outcome.details),
      });
    },
    /** Only for orders that turn out to be invalid (unknown product): they were never accepted. */
    remove(id: number): void {
      remove.run({ id });
    },
    get(id: number): OrderRow | undefined {
      return byId.get({ id });
    },
    latest(limit: number): OrderRow[] {
      return latest.all({ limit });
    },
    markReleasePending(id: number): void {
      markReleasePending.run({ id });
    },
    releaseDone(id: number): void {
      releaseDone.run({ id });
    },
    pendingReleases(limit: number): number[] {
      return pendingReleases.all({ limit }).map((row) => row.id);
    },
    /** At start: orders left pending by a crash were never answered 201, so they failed. */
    failInterrupted(): number {
      return failInterrupted.run().changes;
    },
  };
}

export type OrdersDb = ReturnType<typeof openOrdersDb>;
