// What the load generator sends: mostly ordinary orders, some too large for the stock (a
// normal "out_of_stock" outcome) and some invalid ones (a 4xx), so every panel of the
// dashboard has something to show.

export type OrderKind = 'normal' | 'out_of_stock' | 'invalid';

export interface Mix {
  outOfStockShare: number;
  invalidShare: number;
}

const PRODUCTS = ['Laptop', 'Mouse', 'Keyboard'] as const;

export function pickKind(mix: Mix, random: () => number = Math.random): OrderKind {
  const roll = random();
  if (roll < mix.invalidShare) return 'invalid';
  if (roll < mix.invalidShare + mix.outOfStockShare) return 'out_of_stock';
  return 'normal';
}

export function orderBody(kind: OrderKind, random: () => number = Math.random): Record<string, unknown> {
  const product = PRODUCTS[Math.floor(random() * PRODUCTS.length)]!;
  const userId = 1000 + Math.floor(random() * 100);
  switch (kind) {
    case 'normal':
      return { user_id: userId, product_name: product, quantity: 1 + Math.floor(random() * 3) };
    case 'out_of_stock':
      return { user_id: userId, product_name: product, quantity: 1000 };
    case 'invalid':
      return random() < 0.5
        ? { user_id: userId, product_name: 'Tablet', quantity: 1 }
        : { user_id: userId, product_name: product, quantity: 0 };
  }
}

/**
 * Faults the load generator asks for (baggage demo.fault=...), one of each kind, so the
 * dashboard's error ratio and latency panels move and the alerts have something to see.
 */
export const LOAD_FAULTS = ['pricing:slow', 'notifications:error', 'inventory:slow-query', 'inventory:error'] as const;

/** A fault for this order, or null: `share` of the orders carry one. */
export function pickFault(share: number, random: () => number = Math.random): string | null {
  if (random() >= share) return null;
  return LOAD_FAULTS[Math.floor(random() * LOAD_FAULTS.length)]!;
}
