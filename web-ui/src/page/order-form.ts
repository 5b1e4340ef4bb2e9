// The order form: its button places the order, and the answer goes to the result card, a
// bad field to the field, a failed service to the card with its trace.

import { placeOrder } from './api';
import { byId } from './dom';
import { M } from './language';
import { describe, showOrderTraces, showResult } from './result';

function clearErrors(): void {
  for (const element of document.querySelectorAll('.field-error')) element.textContent = '';
  for (const element of document.querySelectorAll('[aria-invalid]')) element.removeAttribute('aria-invalid');
}

/** Puts orders' message under the field it names; false when the form has no such field. */
function showFieldError(field: string, message: string): boolean {
  const input = document.getElementById(field);
  const target = document.getElementById(`${field}-error`);
  if (!input || !target) return false;
  input.setAttribute('aria-invalid', 'true');
  target.textContent = message;
  input.focus();
  return true;
}

/**
 * Places the order the form describes. Called from the button's click listener, and the
 * fetch starts before the first await: the click span is the order trace's root (telemetry.ts).
 */
export async function submitOrder(): Promise<void> {
  clearErrors();
  const button = byId('submit', HTMLButtonElement);
  button.disabled = true;
  const fault = byId('fault', HTMLSelectElement).value;
  const answer = placeOrder(
    {
      user_id: Number(byId('user_id', HTMLInputElement).value),
      product_name: byId('product_name', HTMLSelectElement).value,
      quantity: Number(byId('quantity', HTMLInputElement).value),
    },
    fault,
  );
  try {
    const outcome = await answer;
    if (outcome.placed) {
      const order = outcome.order;
      const ok = order.status === 'confirmed';
      const summary = ok ? M.confirmed(order.order_id) : M.orderOutcome(order.order_id, M.status(order.status));
      showResult(ok ? 'success' : 'warning', summary, describe(order), order.trace_id);
      history.replaceState(null, '', `?order=${order.order_id}`);
      void showOrderTraces(order, fault);
      return;
    }
    const body = outcome.body;
    if (body.error === 'injected_fault') {
      showResult('failure', M.injectedFault(body.service ?? '?'), [[M.rows.whatHappened, body.message ?? '']], undefined);
    } else if (body.error === 'dependency_failed') {
      const rows: [string, string][] = [
        [M.rows.failedDependency, body.dependency ?? '?'],
        [M.rows.whatHappened, body.message ?? ''],
      ];
      if (body.order_id) rows.unshift([M.rows.order, M.rows.storedAsFailed(body.order_id)]);
      showResult('failure', M.dependencyFailed(body.dependency ?? '?'), rows, body.trace_id);
      // A failed order is stored with its trace: draw it like any other.
      if (body.order_id) void showOrderTraces({ order_id: body.order_id, trace_id: body.trace_id }, fault);
    } else if (body.field && showFieldError(body.field, body.message ?? '')) {
      byId('result', HTMLElement).hidden = true;
    } else {
      showResult('failure', M.refused(body.message ?? String(outcome.status)), [], undefined);
    }
  } catch (error) {
    showResult('failure', M.unreachableOrders((error as Error).message), [], undefined);
  } finally {
    button.disabled = false;
  }
}
