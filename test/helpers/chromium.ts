import { existsSync } from 'node:fs';

/** Debian's chromium; CI installs it (.ci/run), and the browser tests skip where it could not. */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const haveChromium = existsSync(CHROMIUM);

export function warnWithoutChromium(suite: string) {
  if (!haveChromium) console.warn(`${suite}: skipped, no ${CHROMIUM} (install it: apt-get install -y chromium)`);
}
