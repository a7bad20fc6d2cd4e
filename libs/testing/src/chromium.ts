/**
 * Debian's Chromium (PORTICO_CHROMIUM, default /usr/bin/chromium; `.ci/run` installs it) started
 * headless by playwright-core, for the console's browser tests and its bench. It runs as root on
 * CI (no sandbox) and makes no connection of its own: this machine's network is closed, and
 * Chromium's background connections would otherwise be refused many at a time.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export function launchChromium(): Promise<Browser> {
  const executablePath = process.env.PORTICO_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath))
    throw new Error(
      `no Chromium at ${executablePath}: install Debian's chromium (apt-get install chromium) or set PORTICO_CHROMIUM`,
    );
  return chromium.launch({
    executablePath,
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
