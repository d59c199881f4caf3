/**
 * The web console over plain HTTP, as a browser (or an attacker's page) would reach it: headers and
 * caching, the token-for-cookie exchange, CSRF and same-origin checks, namespace limits and roles
 * on every API, and the live view (hub alerts with in-band drop counts, alert-log incidents).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  call,
  type ConsoleEngine,
  openSse,
  signIn,
  startConsoleEngine,
} from '../helpers/console-engine.js';
import { repoRoot } from '../helpers/repo.js';

let c: ConsoleEngine;
before(async () => {
  c = await startConsoleEngine({ console: { liveQueue: 4, tickMs: 100 } });
  await c.engine.registry.create({ id: 'web' });
  await c.engine.registry.create({ id: 'other' });
  await c.feed('web', 'nginx', 1, 3);
  await c.feed('other', 'nginx', 1, 3);
});
after(() => c.close());

test('the page: strict CSP and security headers, revalidated; assets hashed and immutable', async () => {
  const root = await call(c.base, '/');
  assert.equal(root.status, 302);
  assert.equal(root.headers.location, '/console/');
  const page = await call(c.base, '/console/');
  assert.equal(page.status, 200);
  const csp = String(page.headers['content-security-policy']);
  for (const d of [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
  ])
    assert.ok(csp.includes(d), `CSP has ${d}: ${csp}`);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*|https?:/);
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  assert.equal(page.headers['x-frame-options'], 'DENY');
  assert.equal(page.headers['referrer-policy'], 'no-referrer');
  assert.equal(page.headers['cache-control'], 'no-cache');
  assert.doesNotMatch(
    page.text,
    /<script>|<style>|\sstyle=|\son[a-z]+=/i,
    'no inline script or style'
  );
  const again = await call(c.base, '/console/', {
    headers: { 'if-none-match': String(page.headers.etag) },
  });
  assert.equal(again.status, 304);

  const version = c.engine.console!.assetVersion!;
  const main = /src="(assets\/([0-9a-f]{16})\/main\.js)"/.exec(page.text);
  assert.ok(main, page.text);
  assert.equal(main[2], version);
  const js = await call(c.base, `/console/${main[1]}`);
  assert.equal(js.status, 200);
  assert.match(String(js.headers['content-type']), /^text\/javascript/);
  assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
  const old = await call(c.base, '/console/assets/0000000000000000/main.js');
  assert.equal(old.headers['cache-control'], 'no-cache', 'another version is never cached');
  assert.equal((await call(c.base, `/console/assets/${version}/../../package.json`)).status, 404);
  assert.equal((await call(c.base, `/console/assets/${version}/nope.js`)).status, 404);
  assert.equal((await call(c.base, '/console/api/namespaces')).status, 401);
});

test('sign-in: a token in the POST body becomes an HttpOnly, SameSite=Strict cookie; never from a URL', async () => {
  const s = await signIn(c.base, c.adminToken);
  assert.match(
    s.setCookie,
    /^tsem_console=[A-Za-z0-9_-]{43}; Path=\/console; HttpOnly; SameSite=Strict$/
  );
  assert.ok(!s.setCookie.includes(c.adminToken));
  assert.equal(s.whoami['identity'], 'admin');
  assert.equal(s.whoami['admin'], true);
  const me = await call(c.base, '/console/api/session', { cookie: s.cookie });
  assert.equal(me.status, 200);
  assert.equal(me.headers['cache-control'], 'no-store');
  // A token in a URL is not a credential here (URLs end up in logs).
  for (const q of [`?token=${c.adminToken}`, `?access_token=${c.adminToken}`])
    assert.equal((await call(c.base, `/console/api/namespaces${q}`)).status, 401);
  assert.equal(
    (
      await call(c.base, '/console/api/namespaces', {
        headers: { authorization: `Bearer ${c.adminToken}` },
      })
    ).status,
    401,
    'the console API rides the session cookie only'
  );
  const bad = await call(c.base, '/console/api/session', { body: { token: 'not-a-token' } });
  assert.equal(bad.status, 401);
  assert.equal(bad.headers['set-cookie'], undefined);
  const form = await call(c.base, '/console/api/session', {
    body: { token: c.adminToken },
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(form.status, 415, 'a cross-site form cannot post JSON');
  const out = await call(c.base, '/console/api/session/logout', {
    body: {},
    cookie: s.cookie,
    csrf: s.csrf,
  });
  assert.equal(out.status, 200);
  const gone = await call(c.base, '/console/api/session', { cookie: s.cookie });
  assert.deepEqual(gone.json(), { signedIn: false }, 'signed out');
  assert.equal((await call(c.base, '/console/api/namespaces', { cookie: s.cookie })).status, 401);
  assert.ok(
    !c.logs.some((l) => l.includes(c.adminToken) || l.includes(c.viewerToken)),
    'no token in the logs'
  );
});

test('mutations need this origin and the session CSRF token', async () => {
  const s = await signIn(c.base, c.adminToken);
  const path = '/console/api/namespaces/other/mode';
  const cross = await call(c.base, path, {
    body: { mode: 'audit' },
    cookie: s.cookie,
    csrf: s.csrf,
    origin: 'http://evil.example',
  });
  assert.equal(cross.status, 403);
  assert.match(cross.text, /cross-origin/);
  const noCsrf = await call(c.base, path, { body: { mode: 'audit' }, cookie: s.cookie });
  assert.equal(noCsrf.status, 403);
  assert.match(noCsrf.text, /x-csrf-token/);
  const other = await signIn(c.base, c.adminToken);
  const wrong = await call(c.base, path, {
    body: { mode: 'audit' },
    cookie: s.cookie,
    csrf: other.csrf,
  });
  assert.equal(wrong.status, 403, "another session's CSRF token");
  assert.equal(c.engine.registry.require('other').mode, 'learn', 'nothing changed');
  const crossLogin = await call(c.base, '/console/api/session', {
    body: { token: c.adminToken },
    origin: 'http://evil.example',
  });
  assert.equal(crossLogin.status, 403, 'no sign-in from another site either');
});

test('a viewer sees only its namespaces, and can change nothing', async () => {
  const v = await signIn(c.base, c.viewerToken);
  assert.equal(v.whoami['admin'], false);
  assert.deepEqual(v.whoami['namespaces'], ['web']);
  const list = await call(c.base, '/console/api/namespaces', { cookie: v.cookie });
  assert.deepEqual(
    list.json<{ namespaces: { name: string }[] }>().namespaces.map((n) => n.name),
    ['web']
  );
  for (const p of ['other', 'other/convergence', 'other/tasks', 'other/forensics', 'other/ima'])
    assert.equal(
      (await call(c.base, `/console/api/namespaces/${p}`, { cookie: v.cookie })).status,
      403,
      p
    );
  assert.equal(
    (await call(c.base, '/console/api/namespaces/web', { cookie: v.cookie })).status,
    200
  );
  const mode = await call(c.base, '/console/api/namespaces/web/mode', {
    body: { mode: 'enforce' },
    cookie: v.cookie,
    csrf: v.csrf,
  });
  assert.equal(mode.status, 403);
  assert.match(mode.text, /lacks the 'admin' role/);
  const release = await call(c.base, '/console/api/namespaces/web/tasks/release', {
    body: { task: 'pid:1' },
    cookie: v.cookie,
    csrf: v.csrf,
  });
  assert.equal(release.status, 403);
  assert.equal(c.engine.registry.require('web').mode, 'learn');
  const live = await call(c.base, '/console/api/live?namespace=other', { cookie: v.cookie });
  assert.equal(live.status, 403);
  const incidents = await call(c.base, '/console/api/incidents?namespace=other', {
    cookie: v.cookie,
  });
  assert.equal(incidents.status, 403);
});

test('an admin switches modes; bad modes are refused by name; the change is logged', async () => {
  const s = await signIn(c.base, c.adminToken);
  const bad = await call(c.base, '/console/api/namespaces/other/mode', {
    body: { mode: 'lock' },
    cookie: s.cookie,
    csrf: s.csrf,
  });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /expected learn, audit, sealed or enforce, got 'lock'/);
  const r = await call(c.base, '/console/api/namespaces/other/mode', {
    body: { mode: 'seal' },
    cookie: s.cookie,
    csrf: s.csrf,
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json()['mode'], 'sealed');
  assert.equal(c.engine.registry.require('other').mode, 'sealed');
  assert.ok(
    c.logs.some(
      (l) => /admin action: set mode/.test(l) && /via.*console/.test(l) && /caller.*admin/.test(l)
    )
  );
  const missing = await call(c.base, '/console/api/namespaces/nope/mode', {
    body: { mode: 'audit' },
    cookie: s.cookie,
    csrf: s.csrf,
  });
  assert.equal(missing.status, 404);
});

test('live view: alerts from the hub with drops counted in-band, incidents from the log, namespace figures; a limited viewer sees only its own', async () => {
  const admin = await signIn(c.base, c.adminToken);
  const viewer = await signIn(c.base, c.viewerToken);
  const all = await openSse(c.base, '/console/api/live', admin.cookie);
  assert.equal(all.status, 200);
  const mine = await openSse(c.base, '/console/api/live', viewer.cookie);
  const proc = await openSse(c.base, '/console/api/live?process=nomatch*', admin.cookie);
  await all.waitFor((e) => e.event === 'hello');
  await mine.waitFor((e) => e.event === 'hello');
  const figures = await mine.waitFor((e) => e.event === 'namespaces');
  assert.deepEqual(
    (JSON.parse(figures.data) as { name: string }[]).map((n) => n.name),
    ['web']
  );
  // 'other' is sealed: the attack's events are alerts, all in one batch, so the queue of 4 overflows.
  await c.feed('other', 'reverse-shell', 3, 1);
  const alert = await all.waitFor((e) => e.event === 'alert');
  const a = JSON.parse(alert.data) as Record<string, unknown>;
  assert.equal(a['namespace'], 'other');
  assert.equal(a['kind'], 'off-contour');
  assert.equal(a['severity'], 'medium');
  const dropped = await all.waitFor((e) => e.event === 'dropped');
  assert.ok(Number((JSON.parse(dropped.data) as { alerts: number }).alerts) > 0, dropped.data);
  const inc = await all.waitFor((e) => e.event === 'incident');
  assert.match(inc.id ?? '', /^\d+$/, 'incidents carry their log sequence (resumable)');
  const incident = (JSON.parse(inc.data) as { incident: { id: string; namespace: string } })
    .incident;
  assert.equal(incident.namespace, 'other');
  // The stored incident opens with its events.
  const detail = await call(c.base, `/console/api/incidents/${incident.id}`, {
    cookie: admin.cookie,
  });
  assert.equal(detail.status, 200);
  assert.ok(detail.json<{ samples: unknown[] }>().samples.length > 0);
  assert.equal(
    (await call(c.base, `/console/api/incidents/${incident.id}`, { cookie: viewer.cookie })).status,
    404,
    "another namespace's incident does not exist for a limited viewer"
  );
  // A reconnect resumes the incident log after the last id seen.
  const resumed = await openSse(
    c.base,
    '/console/api/live',
    admin.cookie,
    String(Number(inc.id) - 1)
  );
  const again = await resumed.waitFor((e) => e.event === 'incident');
  assert.equal(again.id, inc.id);
  resumed.close();
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(
    !mine.events.some((e) => e.event === 'alert' || e.event === 'incident'),
    'nothing of other'
  );
  assert.ok(!proc.events.some((e) => e.event === 'alert'), 'the process filter applies');
  for (const s of [all, mine, proc]) s.close();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(c.engine.console!.live.size, 0, 'closed views free their subscribers');
});

test('signing out ends the live views of that session; an expired session ends its own', async () => {
  const s = await signIn(c.base, c.adminToken);
  const other = await signIn(c.base, c.adminToken);
  const mine = await openSse(c.base, '/console/api/live', s.cookie);
  const theirs = await openSse(c.base, '/console/api/live', other.cookie);
  await mine.waitFor((e) => e.event === 'hello');
  await call(c.base, '/console/api/session/logout', { body: {}, cookie: s.cookie, csrf: s.csrf });
  await mine.ended;
  assert.equal(theirs.events.length > 0 && c.engine.console!.live.size >= 1, true);
  theirs.close();

  const e = await startConsoleEngine({ console: { sessions: { maxAgeMs: 400 }, heartbeatMs: 50 } });
  try {
    const t = await signIn(e.base, e.adminToken);
    const live = await openSse(e.base, '/console/api/live', t.cookie);
    const started = Date.now();
    await live.ended;
    assert.ok(Date.now() - started < 5000);
    assert.equal((await call(e.base, '/console/api/namespaces', { cookie: t.cookie })).status, 401);
  } finally {
    await e.close();
  }
});

test('live views are bounded per session', async () => {
  const s = await signIn(c.base, c.adminToken);
  const open = [];
  for (let i = 0; i < 4; i++) open.push(await openSse(c.base, '/console/api/live', s.cookie));
  const fifth = await call(c.base, '/console/api/live', { cookie: s.cookie });
  assert.equal(fifth.status, 429);
  for (const o of open) o.close();
});

test("live views count against the identity's subscription limit, shared with Monitor", async () => {
  const e = await startConsoleEngine({ engine: { limits: { maxSubscribersPerIdentity: 2 } } });
  try {
    const s = await signIn(e.base, e.adminToken);
    const a = await openSse(e.base, '/console/api/live', s.cookie);
    const b = await openSse(e.base, '/console/api/live', s.cookie);
    const third = await call(e.base, '/console/api/live', { cookie: s.cookie });
    assert.equal(third.status, 429);
    assert.match(third.text, /resource exhausted: identity 'admin' has 2 subscriptions open/);
    a.close();
    await new Promise((r) => setTimeout(r, 100));
    const again = await openSse(e.base, '/console/api/live', s.cookie);
    assert.equal(again.status, 200, 'a closed view gives its slot back');
    for (const x of [b, again]) x.close();
  } finally {
    await e.close();
  }
});

test('the vendored uPlot is the pinned npm package, byte for byte', () => {
  const root = repoRoot();
  for (const [vendored, original] of [
    ['uPlot.iife.min.js', 'dist/uPlot.iife.min.js'],
    ['uPlot.min.css', 'dist/uPlot.min.css'],
    ['uPlot.LICENSE.txt', 'LICENSE'],
  ] as const)
    assert.ok(
      readFileSync(join(root, 'console/static/vendor', vendored)).equals(
        readFileSync(join(root, 'node_modules/uplot', original))
      ),
      `${vendored}: run npm run vendor after changing the uplot version`
    );
});

test('sign-in is throttled after repeated failures; anonymity only through a loopback host name', async () => {
  const e = await startConsoleEngine({ authFile: false });
  try {
    const port = e.host.split(':')[1]!;
    const rebound = await call(e.base, '/console/api/session', {
      body: {},
      headers: { host: `attacker.example:${port}` },
      origin: `http://attacker.example:${port}`,
    });
    assert.equal(rebound.status, 401, 'a DNS name pointing at loopback gets no anonymous session');
    const local = await call(e.base, '/console/api/session', { body: {} });
    assert.equal(local.status, 200);
    assert.equal(local.json()['identity'], 'anonymous');
    assert.equal(local.json()['admin'], false);
    // The refused anonymous attempt was the first failure: nine more reach the limit of ten.
    for (let i = 0; i < 9; i++)
      assert.equal(
        (await call(e.base, '/console/api/session', { body: { token: `bad-${i}` } })).status,
        401
      );
    const blocked = await call(e.base, '/console/api/session', { body: { token: e.adminToken } });
    assert.equal(blocked.status, 429, 'even the right token waits out the window');
  } finally {
    await e.close();
  }
});

test('IMA: the measurement list a page at a time and the appraisal failures; attestation verified against the agent key', async () => {
  const e = await startConsoleEngine({
    engine: {
      ima: { policy: 'measure func=FILE_CHECK\nappraise func=FILE_CHECK\n', policySource: 'test' },
      agent: {},
    },
  });
  try {
    await e.engine.registry.create({ id: 'web' });
    await e.feed('web', 'nginx', 1, 2);
    const s = await signIn(e.base, e.adminToken);
    const page = await call(e.base, '/console/api/namespaces/web/ima?offset=1&limit=2', {
      cookie: s.cookie,
    });
    assert.equal(page.status, 200, page.text);
    const v = page.json<{
      enabled: boolean;
      total: number;
      pcr10: string;
      entries: { pcr: string; template: string; data: string }[];
      failures: { filename: string; cause: string; incident: string }[];
    }>();
    const log = e.engine.ima!.logs.log('web', 'ascii', 'sha256');
    assert.equal(v.total, log.entries);
    assert.equal(v.pcr10, log.pcr10);
    assert.equal(v.entries.length, 2);
    const second = log.log.toString('utf8').split('\n')[1]!.split(' ');
    assert.equal(v.entries[0]!.template, second[2]);
    assert.equal(v.entries[0]!.data, second.slice(3).join(' '));
    // Files without security.ima fail appraisal: each is in an incident of web.
    assert.ok(v.failures.length > 0);
    assert.ok(v.failures.every((f) => f.cause === 'missing-hash' && f.incident));
    const policy = (v as unknown as { policy: { text: string; rules: number } }).policy;
    assert.equal(policy.rules, 2, 'the namespace policy is shown');
    assert.match(policy.text, /appraise func=FILE_CHECK/);
    const att = await call(e.base, '/console/api/namespaces/web/attest', {
      body: {},
      cookie: s.cookie,
      csrf: s.csrf,
    });
    assert.equal(att.status, 200, att.text);
    const r = att.json<{
      ok: boolean;
      report: Record<string, unknown>;
      engine: Record<string, unknown>;
    }>();
    assert.equal(r.ok, true);
    assert.equal(r.report['measurement'], r.engine['measurement']);
    assert.equal(r.report['points'], r.engine['points']);
    const noCsrf = await call(e.base, '/console/api/namespaces/web/attest', {
      body: {},
      cookie: s.cookie,
    });
    assert.equal(noCsrf.status, 403, 'it makes the agent sign: a POST with the CSRF token');
  } finally {
    await e.close();
  }
});

test('the author loop: points and findings with their events, the explanation, accepting (admin only)', async () => {
  const admin = await signIn(c.base, c.adminToken);
  const viewer = await signIn(c.base, c.viewerToken);
  const setMode = (mode: string) =>
    call(c.base, '/console/api/namespaces/web/mode', {
      body: { mode },
      cookie: admin.cookie,
      csrf: admin.csrf,
    });
  assert.equal((await setMode('audit')).status, 200);
  await c.feed('web', 'reverse-shell', 3, 1);
  type Page = {
    total: number;
    findings: number;
    items: { hex: string; status: string; fields?: [string, string][] }[];
  };
  const points = await call(c.base, '/console/api/namespaces/web/points?limit=5', {
    cookie: viewer.cookie,
  });
  assert.equal(points.status, 200, points.text);
  const p = points.json<Page>();
  assert.equal(p.total, c.engine.registry.require('web').pointCount);
  assert.ok(
    p.items[0]!.fields!.some(([f]) => f === 'type'),
    'points carry their event'
  );
  const findings = (
    await call(c.base, '/console/api/namespaces/web/findings', { cookie: viewer.cookie })
  ).json<Page>();
  assert.ok(findings.findings > 0);
  const hex = findings.items[0]!.hex;
  const why = await call(c.base, `/console/api/namespaces/web/explain/${hex}`, {
    cookie: viewer.cookie,
  });
  assert.equal(why.status, 200, why.text);
  const e = why.json<{ nearest: { differences: { field: string }[] }[] }>();
  assert.ok(e.nearest.length > 0 && e.nearest[0]!.differences.length > 0, why.text);
  const refused = await call(c.base, '/console/api/namespaces/web/accept', {
    body: { all: true },
    cookie: viewer.cookie,
    csrf: viewer.csrf,
  });
  assert.equal(refused.status, 403);
  const before = c.engine.registry.require('web').pointCount;
  const ok = await call(c.base, '/console/api/namespaces/web/accept', {
    body: { coefficients: [hex] },
    cookie: admin.cookie,
    csrf: admin.csrf,
  });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(c.engine.registry.require('web').pointCount, before + 1);
  assert.ok(c.logs.some((l) => /admin action: accept points/.test(l)));
  assert.equal((await setMode('learn')).status, 200);
});
