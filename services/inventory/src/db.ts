import { Database } from '@demo/shared/sqlite';

// inventory.db: stock per product, and one reservation row per order that took stock.
// Stock is taken with a single conditional UPDATE inside a transaction, so two concurrent
// orders can never both take the last units: the CHECK makes negative stock impossible too.

const SCHEMA = `
CREATE TABLE IF NOT EXISTS products (
  name   TEXT PRIMARY KEY,
  stock  INTEGER NOT NULL CHECK (stock >= 0)
);
CREATE TABLE IF NOT EXISTS reservations (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id      INTEGER NOT NULL,
  product_name  TEXT    NOT NULL REFERENCES products(name),
  quantity      INTEGER NOT NULL CHECK (quantity > 0),
  status        TEXT    NOT NULL CHECK (status IN ('reserved', 'released')),
  created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
INSERT OR IGNORE INTO products (name, stock) VALUES ('Laptop', 25), ('Mouse', 200), ('Keyboard', 100);
`;

export interface ProductRow {
  name: string;
  stock: number;
}

export type Reservation =
  | { reserved: true; reservationId: number; remainingStock: number }
  | { reserved: false; inStock: number }
  | { reserved: false; unknownProduct: true };

export function openInventoryDb(file: string) {
  const db = Database.open(file, SCHEMA);
  const product = db.prepare<ProductRow>('SELECT name, stock FROM products WHERE name = :name');
  const products = db.prepare<ProductRow>('SELECT name, stock FROM products ORDER BY name');
  const take = db.prepare('UPDATE products SET stock = stock - :quantity WHERE name = :name AND stock >= :quantity');
  const give = db.prepare('UPDATE products SET stock = stock + :quantity WHERE name = :name');
  const reserve = db.prepare(
    "INSERT INTO reservations (order_id, product_name, quantity, status) VALUES (:orderId, :name, :quantity, 'reserved')",
  );
  const release = db.prepare("UPDATE reservations SET status = 'released' WHERE id = :id AND status = 'reserved'");
  const reservation = db.prepare<{ product_name: string; quantity: number }>(
    'SELECT product_name, quantity FROM reservations WHERE id = :id',
  );
  const heldByOrder = db.prepare<{ id: number }>("SELECT id FROM reservations WHERE order_id = :orderId AND status = 'reserved'");

  /** Marks one reservation released and gives its stock back; false if it was not held. */
  const releaseOne = (id: number): boolean => {
    if (release.run({ id }).changes === 0) return false;
    const row = reservation.get({ id });
    if (row) give.run({ name: row.product_name, quantity: row.quantity });
    return true;
  };

  return {
    db,
    products: () => products.all(),
    reserve(orderId: number, name: string, quantity: number): Reservation {
      return db.transaction(() => {
        const current = product.get({ name });
        if (!current) return { reserved: false, unknownProduct: true };
        if (take.run({ name, quantity }).changes === 0) return { reserved: false, inStock: current.stock };
        const reservationId = Number(reserve.run({ orderId, name, quantity }).lastInsertRowid);
        return { reserved: true, reservationId, remainingStock: current.stock - quantity };
      });
    },
    /** Gives the stock back when the order cannot go on (pricing failed). Safe to call twice. */
    release(reservationId: number): void {
      db.transaction(() => releaseOne(reservationId));
    },
    /** Orders' compensation: the order failed after (maybe) reserving; give back what it holds. */
    releaseOrder(orderId: number): number {
      return db.transaction(() => heldByOrder.all({ orderId }).filter((held) => releaseOne(held.id)).length);
    },
    restock(name: string, quantity: number): ProductRow | undefined {
      return db.transaction(() => {
        give.run({ name, quantity });
        return product.get({ name });
      });
    },
  };
}

export type InventoryDb = ReturnType<typeof openInventoryDb>;
