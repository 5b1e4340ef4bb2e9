import type { PriceBreakdown } from '@demo/shared';

/** The price of an order, computed in whole cents and shown in dollars. */
export function priceOrder(unitPriceCents: number, quantity: number, discountPercent: number): PriceBreakdown & { totalCents: number } {
  const subtotalCents = unitPriceCents * quantity;
  const discountCents = Math.round((subtotalCents * discountPercent) / 100);
  const totalCents = subtotalCents - discountCents;
  return {
    unit_price: unitPriceCents / 100,
    quantity,
    subtotal: subtotalCents / 100,
    discount_percent: discountPercent,
    discount: discountCents / 100,
    total: totalCents / 100,
    currency: 'USD',
    totalCents,
  };
}
