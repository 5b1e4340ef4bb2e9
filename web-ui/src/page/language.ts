// The page's language, English or Japanese, and the static words of index.html put in it.

import { en, ja, type Messages } from './messages';

const LANGUAGE_KEY = 'otel-demo-language';

/** The switch's choice if any, else the browser's first preference of the two. */
function pageLanguage(): 'en' | 'ja' {
  try {
    const chosen = localStorage.getItem(LANGUAGE_KEY);
    if (chosen === 'en' || chosen === 'ja') return chosen;
  } catch {
    // storage blocked: fall back to the browser's preference
  }
  const preferred = navigator.languages.find((tag) => /^(en|ja)\b/i.test(tag));
  return preferred?.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

export const LANGUAGE = pageLanguage();
/** The words of the page's language. */
export const M: Messages = LANGUAGE === 'ja' ? ja : en;

type FaultKind = keyof Messages['faultOption'];
const isFaultKind = (kind: string | undefined): kind is FaultKind => kind !== undefined && Object.hasOwn(M.faultOption, kind);

/** Puts index.html's words in the page's language (data-text, data-label, the table and the fault menu), and wires the switch. */
export function applyLanguage(): void {
  document.documentElement.lang = LANGUAGE;
  document.title = M.title;
  // index.html names its words by key (data-text="placeOrder"); a key with no plain string
  // keeps the English that index.html holds.
  const words = new Map(Object.entries(M).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  for (const element of document.querySelectorAll<HTMLElement>('[data-text]')) {
    const word = words.get(element.dataset.text ?? '');
    if (word !== undefined) element.textContent = word;
  }
  for (const element of document.querySelectorAll<HTMLElement>('[data-label]')) {
    const word = words.get(element.dataset.label ?? '');
    if (word !== undefined) element.setAttribute('aria-label', word);
  }
  document.querySelectorAll('#recent thead th').forEach((cell, index) => (cell.textContent = M.columns[index] ?? ''));
  for (const group of document.querySelectorAll<HTMLOptGroupElement>('#fault optgroup')) {
    const kind = group.dataset.kind;
    if (isFaultKind(kind)) group.label = M.faultGroups[kind];
  }
  for (const option of document.querySelectorAll<HTMLOptionElement>('#fault option')) {
    const [service = '', kind] = option.value.split(':');
    option.textContent = !option.value ? M.faultNone : isFaultKind(kind) ? M.faultOption[kind](service) : option.value;
  }
  const toggle = document.getElementById('language');
  if (!toggle) return;
  toggle.textContent = M.switchTo;
  toggle.setAttribute('aria-label', M.switchLabel);
  toggle.lang = LANGUAGE === 'ja' ? 'en' : 'ja';
  toggle.addEventListener('click', () => {
    try {
      localStorage.setItem(LANGUAGE_KEY, LANGUAGE === 'ja' ? 'en' : 'ja');
    } catch {
      return; // storage blocked: the choice could not be kept, so a reload would change nothing
    }
    // The order on screen is in the URL (?order=N), so a reload shows it again in the other language.
    location.reload();
  });
}
