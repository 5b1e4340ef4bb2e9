// Small helpers for building the page with the DOM alone (no framework).

/** The element with this id, of the type index.html gives it; a missing one is a bug in index.html. */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`index.html has no <${type.name}> with id "${id}"`);
  return element;
}

/** An element with its class and text, for the few places that build one. */
export function element<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text = ''): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  if (className) created.className = className;
  if (text) created.textContent = text;
  return created;
}

/** A link that opens in a new tab, as every Grafana link of the page does. */
export function outLink(href: string, text: string, className = ''): HTMLAnchorElement {
  const link = element('a', className, text);
  link.href = href;
  link.target = '_blank';
  link.rel = 'noopener';
  return link;
}

export function money(value: number | undefined, currency = 'USD'): string {
  return typeof value === 'number' ? value.toLocaleString('en-US', { style: 'currency', currency }) : '—';
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
