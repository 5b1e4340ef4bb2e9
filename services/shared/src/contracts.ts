// The JSON each service sends down the chain and gets back. Reading this file top to bottom
// is reading the workflow: orders -> inventory -> pricing -> notifications, with the
// answers nesting back up.

import type { OrderLine } from './validate';

/** orders -> POST /inventory/check */
export type StockCheckRequest = OrderLine;

/** inventory's answer: reserved and priced, or not enough stock (a normal outcome, not an error). */
export type StockCheckResponse =
  | { available: true; product_name: string; reserved: number; remaining_stock: number; pricing: PriceResponse }
  | { available: false; product_name: string; requested: number; in_stock: number };

/** inventory -> POST /pricing/calculate */
export type PriceRequest = OrderLine;

export interface PriceBreakdown {
  unit_price: number;
  quantity: number;
  subtotal: number;
  discount_percent: number;
  discount: number;
  total: number;
  currency: string;
}

/** pricing's answer: the price, and how the notification went (it never fails the order). */
export interface PriceResponse {
  price: PriceBreakdown;
  notification: NotificationOutcome;
}

/** pricing -> POST /notifications */
export interface NotificationRequest extends OrderLine {
  total: number;
  currency: string;
}

export interface NotificationResponse {
  notification_id: number;
  status: 'sent';
  channel: string;
  message: string;
}

/** A notification that could not be sent is reported, not fatal: the order is still confirmed. */
export type NotificationOutcome = NotificationResponse | { status: 'skipped'; reason: string };
