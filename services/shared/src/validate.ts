import { invalidField, type HttpError } from './errors';

// Small hand-written validators: each returns the value or an HttpError that names the field,
// so a handler reads as a list of checks and a client learns exactly what to fix.

export type Checked<T> = { ok: true; value: T } | { ok: false; error: HttpError };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = (field: string, message: string): Checked<never> => ({ ok: false, error: invalidField(field, message) });

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function checkBodyIsObject(body: unknown): Checked<Record<string, unknown>> {
  return isPlainObject(body) ? ok(body) : fail('body', 'request body must be a JSON object');
}

export function checkInteger(body: Record<string, unknown>, field: string, min: number, max: number): Checked<number> {
  const value = body[field];
  if (value === undefined || value === null) return fail(field, `${field} is required`);
  if (typeof value !== 'number' || !Number.isInteger(value)) return fail(field, `${field} must be an integer`);
  if (value < min || value > max) return fail(field, `${field} must be between ${min} and ${max}`);
  return ok(value);
}

export function checkString(body: Record<string, unknown>, field: string, maxLength: number): Checked<string> {
  const value = body[field];
  if (value === undefined || value === null) return fail(field, `${field} is required`);
  if (typeof value !== 'string') return fail(field, `${field} must be a string`);
  const trimmed = value.trim();
  if (trimmed === '') return fail(field, `${field} must not be empty`);
  if (trimmed.length > maxLength) return fail(field, `${field} must be at most ${maxLength} characters`);
  return ok(trimmed);
}

/** A path parameter such as /orders/:id, which must be a positive integer. */
export function checkIdParam(raw: string | undefined, field: string): Checked<number> {
  const value = Number(raw);
  return raw !== undefined && /^\d{1,15}$/.test(raw) && value > 0 ? ok(value) : fail(field, `${field} must be a positive integer`);
}

export const MAX_QUANTITY = 1000;

/** What a customer orders: the fields POST /orders takes. */
export interface OrderItem {
  user_id: number;
  product_name: string;
  quantity: number;
}

/** What every service down the chain receives: the item plus the order it belongs to. */
export interface OrderLine extends OrderItem {
  order_id: number;
}

export function checkOrderItem(body: unknown): Checked<OrderItem> {
  const object = checkBodyIsObject(body);
  if (!object.ok) return object;
  const userId = checkInteger(object.value, 'user_id', 1, Number.MAX_SAFE_INTEGER);
  if (!userId.ok) return userId;
  const productName = checkString(object.value, 'product_name', 100);
  if (!productName.ok) return productName;
  const quantity = checkInteger(object.value, 'quantity', 1, MAX_QUANTITY);
  if (!quantity.ok) return quantity;
  return ok({ user_id: userId.value, product_name: productName.value, quantity: quantity.value });
}

export function checkOrderLine(body: unknown): Checked<OrderLine> {
  const object = checkBodyIsObject(body);
  if (!object.ok) return object;
  const orderId = checkInteger(object.value, 'order_id', 1, Number.MAX_SAFE_INTEGER);
  if (!orderId.ok) return orderId;
  const item = checkOrderItem(object.value);
  if (!item.ok) return item;
  return ok({ order_id: orderId.value, ...item.value });
}
