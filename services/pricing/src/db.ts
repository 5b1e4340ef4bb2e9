import { Database } from '@demo/shared/sqlite';

// pricing.db: unit prices in cents (no floating-point money), the quantity-discount rule,
// and one quote per priced order.

const SCHEMA = `
CREATE TABLE IF NOT EXISTS prices (
  product_name      TEXT PRIMARY KEY,
  unit_price_cents  INTEGER NOT NULL CHECK (unit_price_cents > 0)
);
CREATE TABLE IF NOT EXISTS discount_rules (
  min_quantity      INTEGER PRIMARY KEY CHECK (min_quantity > 0),
  percent           INTEGER NOT NULL CHECK (percent BETWEEN 0 AND 100)
);
CREATE TABLE IF NOT EXISTS quotes (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id          INTEGER NOT NULL,
  product_name      TEXT    NOT NULL,
  quantity          INTEGER NOT NULL,
  total_cents       INTEGER NOT NULL,
  created_at        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
INSERT OR IGNORE INTO prices (product_name, unit_price_cents) VALUES ('Laptop', 129999), ('Mouse', 2499), ('Keyboard', 7999);
INSERT OR IGNORE INTO discount_rules (min_quantity, percent) VALUES (5, 5), (10, 10);
`;

export function openPricingDb(file: string) {
  const db = Database.open(file, SCHEMA);
  const price = db.prepare<{ unit_price_cents: number }>('SELECT unit_price_cents FROM prices WHERE product_name = :name');
  const discount = db.prepare<{ percent: number }>(
    'SELECT percent FROM discount_rules WHERE min_quantity <= :quantity ORDER BY min_quantity DESC LIMIT 1',
  );
  const quote = db.prepare(
    'INSERT INTO quotes (order_id, product_name, quantity, total_cents) VALUES (:orderId, :name, :quantity, :totalCents)',
  );

  return {
    db,
    unitPriceCents: (name: string) => price.get({ name })?.unit_price_cents,
    discountPercent: (quantity: number) => discount.get({ quantity })?.percent ?? 0,
    saveQuote: (orderId: number, name: string, quantity: number, totalCents: number) => {
      quote.run({ orderId, name, quantity, totalCents });
    },
  };
}

export type PricingDb = ReturnType<typeof openPricingDb>;
