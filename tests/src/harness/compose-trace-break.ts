import assert from 'node:assert/strict';
import { mustRun } from './commands';
import { launchChromium } from './browser';

// Checks for the compose stack test (compose-stack.test.ts calls these): the page
// served by the web-ui image draws every trace of an order from the Tempo stand-in's search,
// and says where it broke; and the compose files share their volumes, so orders (and real
// Tempo's traces) carry over from one mode's compose file to the next.

import type { ComposeMode } from './compose-steps';

const EXPECTED: Record<ComposeMode, { traces: number; brokenAt: string; services: string[][] }> = {
  sdk: { traces: 1, brokenAt: '', services: [['web-ui', 'orders', 'inventory', 'pricing', 'notifications']] },
  envoy: {
    traces: 2,
    brokenAt: 'pricing',
    services: [
      ['web-ui', 'orders', 'inventory', 'pricing-envoy'],
      ['pricing-envoy', 'notifications'],
    ],
  },
  'envoy-propagation': { traces: 1, brokenAt: '', services: [['web-ui', 'orders', 'inventory', 'pricing-envoy', 'notifications']] },
};

/**
 * One order clicked in Chromium: its traces drawn, the verdict, and its row with its mode.
 * Tempo's search lag is played in `envoy`, whose second trace is the one the lag delays; the
 * other modes check the drawing with the stand-in's search answering at once (about 30 s
 * less each). The native page test plays the lag in sdk and envoy.
 */
export async function checkOrderTracesOnThePage(host: string, mode: ComposeMode): Promise<void> {
  const instantSearch = async (on: boolean) => {
    const answer = await fetch(`http://${host}:3200/stand-in/instant-search?on=${on}`, { method: 'POST' });
    assert.equal(answer.status, 204);
  };
  if (mode !== 'envoy') await instantSearch(true);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    await page.goto(`http://${host}/`);
    await page.getByRole('button', { name: 'Create Order & Trigger Workflow' }).click();
    await page.locator('#result-summary', { hasText: 'confirmed' }).waitFor({ timeout: 15_000 });
    const answered = Date.now();
    const orderId = /#(\d+)/.exec(await page.locator('#result-summary').innerText())![1]!;
    // The Tempo stand-in pads ids as tempo/tempo.yaml asks and, in envoy, answers with Tempo's
    // search lag (a trace is searchable about 30-40 s after it ends); Envoy flushes every 5 s here.
    await page
      .locator('#waterfall [data-trace-id]')
      .nth(EXPECTED[mode].traces - 1)
      .waitFor({ timeout: 90_000 });
    const lastTraceDrawn = Date.now();
    await page.locator('#verdict[data-state="final"]').waitFor({ timeout: 90_000 });
    console.log(
      `# ${mode}: the page drew its last trace ${((lastTraceDrawn - answered) / 1000).toFixed(1)} s after the order's answer, settled after ${((Date.now() - answered) / 1000).toFixed(1)} s`,
    );
    const expected = EXPECTED[mode];
    const verdict = await page.locator('#verdict').innerText();
    assert.equal(await page.getAttribute('#verdict', 'data-broken-at'), expected.brokenAt, verdict);
    const drawn = await page
      .locator('#waterfall [data-trace-id]')
      .evaluateAll((sections) =>
        sections.map((section) => [
          ...new Set([...section.querySelectorAll('.span-label')].map((label) => label.textContent.split(':')[0]!)),
        ]),
      );
    assert.deepEqual(drawn, expected.services, verdict);
    const row = page.locator(`#recent tbody tr[data-order-id="${orderId}"]`);
    await row.locator('td.trace-count', { hasText: String(expected.traces) }).waitFor({ timeout: 20_000 });
    assert.equal(await row.locator('td').nth(1).innerText(), mode);
  } finally {
    await browser.close();
    await instantSearch(false);
  }
}

/** The named volumes of a compose file as Docker names them (project name + key). */
function volumeNames(file: string): string[] {
  const config = JSON.parse(mustRun('docker', ['compose', '-f', file, 'config', '--format', 'json'])) as {
    volumes?: Record<string, { name: string }>;
  };
  return Object.values(config.volumes ?? {})
    .map((volume) => volume.name)
    .sort();
}

/**
 * `down` without -v, then another mode's compose file, finds the same volumes: every file
 * has `name: otel-demo`, so orders.db (and real Tempo's tempo-data) carry over between modes.
 */
export function checkVolumesCarryOver(files: string[]): void {
  const [first, ...others] = files.map((file) => [file, volumeNames(file)] as const);
  assert.ok(first![1].includes('otel-demo_orders-data') && first![1].includes('otel-demo_tempo-data'), JSON.stringify(first));
  for (const [file, names] of others) assert.deepEqual(names, first![1], `${file} has other volumes than ${first![0]}`);
}
