/**
 * Debian's headless Chromium, driven by playwright-core (pinned), with a fresh profile and every
 * request that does not go to loopback blocked (and recorded): the console must work without the
 * internet, and this machine's network refuses Chromium's own background connections anyway.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env['TSEM_CHROMIUM'] ?? '/usr/bin/chromium';

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

/** Why the browser tests cannot run here, or undefined. */
export function chromiumSkipReason(): string | undefined {
  return existsSync(CHROMIUM)
    ? undefined
    : `needs Debian's chromium at ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`;
}

export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Requests to anything but loopback, blocked. */
  readonly blocked: string[];
  /** Console messages at error level, uncaught page errors. */
  readonly errors: string[];
  close(): Promise<void>;
}

const LOOPBACK = /^(https?|wss?):\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//;

export async function launchChromium(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'tsem-chromium-'));
  // launchPersistentContext is how playwright takes --user-data-dir: a fresh one per run.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 860 },
  });
  const blocked: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (LOOPBACK.test(url) || url.startsWith('data:')) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  return {
    context,
    page,
    blocked,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
