import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, headless; never a downloaded browser. `.ci/run` installs it when missing. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export const TOKEN = 'front-desk-token-0123456789abcdef';
export const ADMIN_YAML = `admin:\n  tokens:\n    - { name: front-desk, token: "${TOKEN}" }\n`;
