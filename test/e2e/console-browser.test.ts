/**
 * The web console in a real headless Chromium (Debian's, driven by playwright-core), every
 * non-loopback request blocked: sign in with a token, watch a namespace train (the chart gains
 * points, then settles), seal it in enforce mode through the confirmation, run an attack from the
 * simulator and see the alert and its incident arrive without a reload; a process named like
 * markup stays text; no CSP violation; a viewer has no mode button and the API refuses it.
 * Screenshots go to the folder printed at the start (TSEM_SCREENSHOTS chooses it).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromiumSkipReason, launchChromium } from '../helpers/chromium.js';
import { call, type ConsoleEngine, signIn, startConsoleEngine } from '../helpers/console-engine.js';

const skip = chromiumSkipReason();
const XSS = '<img src=x onerror="window.__xss=1">';

/** How many entries web's IMA list has (sha256 bank), as the engine serves it. */
function e2eImaEntries(c: ConsoleEngine): number {
  return c.engine.ima!.logs.log('web', 'ascii', 'sha256').entries;
}

/** Polls from Node (a string predicate would be eval in the page, which its CSP refuses). */
async function until(cond: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('web console in Chromium', { skip }, () => {
  let c: ConsoleEngine;
  let b: Browser;
  const shots =
    process.env['TSEM_SCREENSHOTS'] ?? mkdtempSync(join(tmpdir(), 'tsem-console-screenshots-'));
  const shot = async (name: string) => {
    await b.page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  };
  /** The alerts of a scenario, all at once. */
  before(async () => {
    mkdirSync(shots, { recursive: true });
    process.stdout.write(`# console screenshots: ${shots}\n`);
    c = await startConsoleEngine({ console: { tickMs: 200 }, engine: { ima: {}, agent: {} } });
    await c.engine.registry.create({ id: 'web' });
    await c.engine.registry.create({ id: 'other' });
    await c.feed('other', 'nginx', 1, 1);
    b = await launchChromium();
    // Violations are reported to the page; the recorder is injected by the driver (through the
    // DevTools protocol, which CSP does not govern), not by the page. Browser code is written as
    // strings here: this file is compiled for Node, without the DOM library.
    await b.context.addInitScript({
      content: `window.__csp = [];
        document.addEventListener('securitypolicyviolation', (e) =>
          window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`,
    });
  });
  after(async () => {
    await b?.close();
    await c?.close();
  });

  test('an admin signs in, watches web train and settle, seals it, and sees the attack live', async () => {
    const { page } = b;
    const res = await page.goto(`${c.base}/console/`);
    assert.ok(res);
    const csp = res.headers()['content-security-policy'] ?? '';
    assert.match(csp, /default-src 'none'; script-src 'self'; style-src 'self'/);
    assert.match(csp, /require-trusted-types-for 'script'/);
    await page.fill('#token', c.adminToken);
    await shot('01-sign-in');
    await page.click('#sign-in');
    await page.waitForSelector('#namespaces tr[data-ns="web"]');
    assert.ok(!page.url().includes(c.adminToken), 'the token is never in a URL');
    const cookie = (await b.context.cookies()).find((k) => k.name === 'tsem_console');
    assert.ok(cookie);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(await page.evaluate('document.cookie'), '', 'scripts cannot read the session');

    await page.click('#namespaces tr[data-ns="web"] a');
    await page.waitForSelector('#ns-facts .facts');
    await c.feed('web', 'nginx', 1, 4);
    await page.waitForSelector('.chart:not([data-points="0"])');
    const mark = await page.evaluate('window.__mark = Math.random()');
    const first = Number(await page.getAttribute('.chart', 'data-points'));
    const seen = new Set([first]);
    for (let seed = 2; seed <= 7; seed++) {
      await c.feed('web', 'nginx', seed, 4);
      // The page shows the engine's count of events, then the chart the windows up to it.
      const events = String(c.engine.registry.require('web').eventCount);
      await until(async () => (await page.textContent('#ns-events')) === events);
      await until(
        async () =>
          Number(await page.getAttribute('.chart', 'data-points')) ===
          c.engine.registry.require('web').convergence.figures().length
      );
      seen.add(Number(await page.getAttribute('.chart', 'data-points')));
      if (seed === 3) await shot('02-training');
    }
    assert.ok(
      seen.size >= 4,
      `the chart gained points as training went on: ${[...seen].join(', ')}`
    );
    await page.waitForSelector('.chart[data-settled="yes"]');
    assert.match((await page.textContent('.chart-caption')) ?? '', /settled/);
    await shot('03-settled');

    await page.click('#change-mode');
    await page.selectOption('#mode-select', 'enforce');
    assert.match((await page.textContent('#mode-consequence')) ?? '', /Enforce denies/);
    assert.match((await page.textContent('#mode-confirm')) ?? '', /Switch web to enforce/);
    await shot('04-confirm-enforce');
    await page.click('#mode-confirm');
    await page.waitForSelector('#ns-facts .badge-enforce');
    assert.equal(c.engine.registry.require('web').mode, 'enforce');

    await page.click('#nav-alerts');
    await page.waitForSelector('#alerts');
    await page.waitForSelector('#live-status[data-state="live"]');
    await c.feed('web', 'reverse-shell', 3, 1);
    await page.waitForSelector('#alerts tbody tr[data-ns="web"]');
    assert.match((await page.textContent('#alerts tbody')) ?? '', /off-contour, denied/);
    await page.waitForSelector('#incidents tbody tr');
    assert.equal(
      await page.evaluate('window.__mark'),
      mark,
      'no reload: the alert arrived on the open page'
    );
    await shot('05-alerts');
    await page.click('#incidents tbody tr a');
    await page.waitForSelector('#incident-events tbody tr');
    assert.match((await page.textContent('#incident-title')) ?? '', /denied .* in namespace web/);
    await shot('06-incident');
  });

  test("web's IMA measurement list, and an attestation report verified in the page", async () => {
    const { page } = b;
    await page.click('a[href="#/ns/web"]');
    await page.click('nav.tabs a:has-text("IMA")');
    await page.waitForSelector('.tab-body[data-tab="ima"] table tbody tr');
    const entries = e2eImaEntries(c);
    assert.match(
      (await page.textContent('.tab-body[data-tab="ima"]')) ?? '',
      new RegExp(`of ${entries}`)
    );
    assert.match((await page.textContent('#ima-policy')) ?? '', /measure func=/);
    await shot('08-ima');
    await page.click('nav.tabs a:has-text("Attestation")');
    await page.click('#attest-now');
    await page.waitForSelector('#attest-result .badge-ok');
    assert.doesNotMatch((await page.textContent('#attest-result')) ?? '', /differs/);
    await shot('09-attestation');
  });

  test('a process named like markup is shown as text and runs nothing', async () => {
    const { page } = b;
    await page.click('#nav-alerts');
    await page.waitForSelector('#live-status[data-state="live"]');
    await c.feed('web', 'reverse-shell', 4, 1, XSS);
    const row = page.locator('#alerts tbody tr .process', { hasText: XSS }).first();
    await row.waitFor();
    assert.equal(await row.textContent(), XSS);
    await page.waitForSelector(`#incidents a:has-text("${XSS.slice(0, 12)}")`);
    await page.waitForTimeout(300);
    assert.equal(await page.locator('main img').count(), 0, 'no element was made from it');
    assert.equal(await page.evaluate('typeof window.__xss'), 'undefined');
    await shot('07-markup-as-text');
  });

  test('an admin reviews findings: the engine explains one, and they are accepted', async () => {
    const { page } = b;
    const admin = await signIn(c.base, c.adminToken);
    await call(c.base, '/console/api/namespaces/other/mode', {
      body: { mode: 'audit' },
      cookie: admin.cookie,
      csrf: admin.csrf,
    });
    await c.feed('other', 'shadow-read', 5, 1);
    await page.click('a[href="#/"]');
    await page.click('#namespaces tr[data-ns="other"] a');
    await page.click('nav.tabs a:has-text("Findings")');
    await page.waitForSelector('tr[data-finding] button.explain');
    await page.click('tr[data-finding] button.explain');
    await page.waitForSelector('#explanation .neighbor table tbody tr');
    assert.match((await page.textContent('#explanation')) ?? '', /nearest trained points/);
    await shot('10-explain');
    page.once('dialog', (d) => void d.accept());
    await page.click('#accept-all');
    await page.waitForSelector('text=Nothing to review');
    assert.equal(c.engine.registry.require('other').findingCount, 0);
  });

  test('a viewer sees only its namespace, has no mode button, and the API refuses it', async () => {
    const { page } = b;
    await page.click('#sign-out');
    await page.waitForSelector('#token');
    await page.fill('#token', c.viewerToken);
    await page.click('#sign-in');
    await page.waitForSelector('#namespaces tr[data-ns="web"]');
    assert.equal(await page.locator('#namespaces tr[data-ns="other"]').count(), 0);
    await page.click('#namespaces tr[data-ns="web"] a');
    await page.waitForSelector('#ns-facts .facts');
    assert.equal(await page.locator('#change-mode').count(), 0, 'no mode button for a viewer');
    await page.click('nav.tabs a:has-text("Findings")');
    await page.waitForSelector('tr[data-finding] button.explain');
    assert.equal(await page.locator('button.accept, #accept-all').count(), 0, 'no accept button');
    await shot('11-viewer');
    // What a viewer's page could send by hand: the API refuses it.
    const refused = await page.evaluate<{ status: number; body: string }>(`(async () => {
      const me = await (await fetch('/console/api/session')).json();
      const r = await fetch('/console/api/namespaces/web/mode', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf },
        body: JSON.stringify({ mode: 'learn' }),
      });
      return { status: r.status, body: await r.text() };
    })()`);
    assert.equal(refused.status, 403);
    assert.match(refused.body, /lacks the 'admin' role/);
    assert.equal(c.engine.registry.require('web').mode, 'enforce');
  });

  test('no CSP violation, no page error, nothing but loopback requested', async () => {
    const violations = await b.page.evaluate('window.__csp');
    assert.deepEqual(violations, []);
    assert.deepEqual(
      b.errors.filter((e) => /Content.Security.Policy|Trusted Type|page error/i.test(e)),
      []
    );
    assert.deepEqual(b.blocked, [], 'the console asks nothing of the internet');
  });
});
