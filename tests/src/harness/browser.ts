import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium, headless, for the page tests. As root in a container it needs
 * --no-sandbox; the other flags keep it off the network, which is closed on the test
 * machines (it would otherwise try Google's hosts at every start).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
