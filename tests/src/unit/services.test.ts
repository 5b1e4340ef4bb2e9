import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { priceOrder } from '@demo/pricing/dist/price';
import { traceHeadersToForward } from '@demo/pricing/dist/propagation';
import { openInventoryDb } from '@demo/inventory/dist/db';
import { openOrdersDb } from '@demo/orders/dist/db';
import { checkNotificationRequest } from '@demo/notifications/dist/app';

const tempFile = (name: string) => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'unit-')), name);

test('pricing: no discount below 5 units, 5% from 5, 10% from 10', () => {
  assert.equal(priceOrder(129999, 2, 0).total, 2599.98);
  const five = priceOrder(7999, 5, 5);
  assert.deepEqual([five.subtotal, five.discount, five.total], [399.95, 20, 379.95]);
  const ten = priceOrder(2499, 10, 10);
  assert.deepEqual([ten.subtotal, ten.discount, ten.total, ten.totalCents], [249.9, 24.99, 224.91, 22491]);
});

test('pricing: discounts are rounded to whole cents', () => {
  const price = priceOrder(333, 7, 5); // 23.31 * 5% = 1.1655
  assert.equal(price.discount, 1.17);
  assert.equal(price.total, 22.14);
});

test('pricing: header copying copies the W3C headers only when switched on', () => {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  const incoming = {
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    tracestate: 'vendor=x',
    baggage: 'user=1001',
    'x-request-id': 'abc',
  };
  assert.deepEqual(traceHeadersToForward(incoming, false, logger), {});
  assert.equal(lines.length, 0);
  assert.deepEqual(traceHeadersToForward(incoming, true, logger), {
    traceparent: incoming.traceparent,
    tracestate: 'vendor=x',
    baggage: 'user=1001',
  });
  assert.match(lines[0]!, /Propagating header traceparent=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01/);
});

test('inventory: reservations take stock atomically and release gives it back once', () => {
  const inventory = openInventoryDb(tempFile('inventory.db'));
  const first = inventory.reserve(1, 'Laptop', 20);
  assert.ok(first.reserved && first.remainingStock === 5);
  assert.deepEqual(inventory.reserve(2, 'Laptop', 6), { reserved: false, inStock: 5 });
  assert.deepEqual(inventory.reserve(3, 'Tablet', 1), { reserved: false, unknownProduct: true });
  if (!first.reserved) return;
  inventory.release(first.reservationId);
  inventory.release(first.reservationId);
  assert.equal(inventory.products().find((p) => p.name === 'Laptop')?.stock, 25);
  assert.equal(inventory.restock('Laptop', 5)?.stock, 30);
  assert.equal(inventory.restock('Tablet', 5), undefined);
  inventory.db.close();
});

test('inventory: the seed data is written once, not on every start', () => {
  const file = tempFile('inventory.db');
  const first = openInventoryDb(file);
  first.reserve(1, 'Mouse', 10);
  first.db.close();
  const second = openInventoryDb(file);
  assert.equal(second.products().find((p) => p.name === 'Mouse')?.stock, 190);
  second.db.close();
});

test('orders: a pending order gets its final outcome', () => {
  const orders = openOrdersDb(tempFile('orders.db'));
  const id = orders.insertPending({ userId: 1, productName: 'Mouse', quantity: 1, traceId: 'a'.repeat(32), mode: 'sdk' });
  assert.equal(orders.get(id)?.status, 'pending');
  orders.finish(id, { status: 'confirmed', total: 24.99, failureReason: null, details: { price: { total: 24.99 } } });
  const row = orders.get(id);
  assert.deepEqual([row?.status, row?.total, JSON.parse(row?.details ?? 'null')], ['confirmed', 24.99, { price: { total: 24.99 } }]);
  assert.equal(orders.latest(10).length, 1);
  orders.remove(id);
  assert.equal(orders.get(id), undefined);
  orders.db.close();
});

test('notifications: total and currency are checked after the order fields', () => {
  const base = { order_id: 1, user_id: 1, product_name: 'Mouse', quantity: 1 };
  assert.ok(checkNotificationRequest({ ...base, total: 24.99, currency: 'USD' }).ok);
  const badTotal = checkNotificationRequest({ ...base, total: 'lots', currency: 'USD' });
  assert.ok(!badTotal.ok && badTotal.error.body.field === 'total');
  const badCurrency = checkNotificationRequest({ ...base, total: 1, currency: 'dollars' });
  assert.ok(!badCurrency.ok && badCurrency.error.body.field === 'currency');
});

test('orders.db from before the mode column: the migration keeps its rows and new orders record their mode', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'orders-migration-')), 'orders.db');
  const old = new Database(file);
  old.exec(`CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL, product_name TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'out_of_stock', 'failed')),
    total REAL, failure_reason TEXT, details TEXT, trace_id TEXT,
    stock_release_pending INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))`);
  old.prepare("INSERT INTO orders (user_id, product_name, quantity, status, total) VALUES (1, 'Mouse', 1, 'confirmed', 24.99)").run();
  old.close();

  const orders = openOrdersDb(file);
  const kept = orders.get(1)!;
  assert.deepEqual([kept.product_name, kept.status, kept.total, kept.mode], ['Mouse', 'confirmed', 24.99, null]);
  const id = orders.insertPending({ userId: 2, productName: 'Laptop', quantity: 1, traceId: null, mode: 'envoy' });
  assert.equal(orders.get(id)!.mode, 'envoy');
  orders.db.close();
  // Opening it again does not add the column twice.
  openOrdersDb(file).db.close();
});
