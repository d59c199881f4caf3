import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseArgs } from './args.js';
import { overlay, readConfig } from './config-file.js';
import { runCli } from '../test/helpers/cli.js';
import { SERVE_SPEC, serveOptions } from './commands/serve.js';
import { dataDirCandidates, defaultDataDir } from '../engine/store/data-dir.js';
import { mkdirSync } from 'node:fs';
import { resolveToken } from './client.js';

const dir = mkdtempSync(join(tmpdir(), 'tsem-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, obj: unknown): string {
  const f = join(dir, name);
  writeFileSync(f, typeof obj === 'string' ? obj : JSON.stringify(obj));
  return f;
}

test('a configuration file gives the same EngineOptions as the same command-line options', () => {
  const cli = [
    '--listen',
    '127.0.0.1:7000',
    '--data',
    '/srv/tsem',
    '--http',
    '127.0.0.1:7001',
    '--source',
    'sim',
    '--scenario',
    'shell',
    '--rate',
    '50',
    '--ima',
    '--ima-key',
    'a.pem',
    '--ima-key',
    'b.pem',
    '--alert',
    'webhook:https://hooks.example/x;format=ocsf',
    '--alert',
    'file:/var/log/tsem/alerts.jsonl',
    '--incident-quiet',
    '120',
    '--incident-burst',
    '0',
    '--log-level',
    'warn',
    '--no-auto-create',
  ];
  const f = file('same.json', {
    listen: '127.0.0.1:7000',
    data: '/srv/tsem',
    http: '127.0.0.1:7001',
    source: 'sim',
    scenario: 'shell',
    rate: 50,
    ima: true,
    'ima-key': ['a.pem', 'b.pem'],
    alert: [
      { type: 'webhook', url: 'https://hooks.example/x', format: 'ocsf' },
      'file:/var/log/tsem/alerts.jsonl',
    ],
    'incident-quiet': 120,
    'incident-burst': 0,
    'log-level': 'warn',
    'no-auto-create': true,
  });
  const fromFlags = serveOptions(parseArgs(SERVE_SPEC, cli));
  const fromFile = serveOptions(overlay(readConfig(SERVE_SPEC, f), parseArgs(SERVE_SPEC, [])));
  assert.deepEqual(fromFile, fromFlags);
  assert.equal(fromFile.alerts?.quietMs, 120_000);
  assert.equal(fromFile.alerts?.outputs?.[0]?.type, 'webhook');
  // the command line wins over the file
  const over = serveOptions(
    overlay(readConfig(SERVE_SPEC, f), parseArgs(SERVE_SPEC, ['--listen', '127.0.0.1:9']))
  );
  assert.equal(over.listen, '127.0.0.1:9');
});

test('every serve option is a configuration key, and nothing else is', () => {
  for (const o of SERVE_SPEC.options) {
    if (o.name === 'config') continue;
    const v = o.kind === 'flag' ? true : o.kind === 'list' ? [] : (o.choices?.[0] ?? 'x');
    assert.doesNotThrow(
      () => readConfig(SERVE_SPEC, file(`k-${o.name}.json`, { [o.name]: v })),
      o.name
    );
  }
});

test('a bad configuration file: serve exits 65 naming the file and the key', async () => {
  const cases: [unknown, RegExp][] = [
    ['{"listen": ', /expected a JSON object/],
    [[], /expected a JSON object of option names/],
    [{ lisen: 'x' }, /unknown key "lisen"/],
    [{ ima: 'yes' }, /"ima": expected true or false/],
    [{ source: 'kernel' }, /"source": expected one of none\|sim\|fanotify\|audit/],
    [{ rate: { n: 1 } }, /"rate": expected a string or a number/],
    [{ 'incident-quiet': 'soon' }, /--incident-quiet expects a whole number/],
    [
      { alert: [{ type: 'webhook', url: 'ftp://x' }] },
      /--alert\[0\]\.url: expected an http or https URL/,
    ],
    [{ config: 'other.json' }, /unknown key "config"/],
  ];
  for (const [i, [content, re]] of cases.entries()) {
    const f = file(`bad-${i}.json`, content);
    const r = await runCli('serve', '--config', f);
    assert.equal(r.code, 65, `${JSON.stringify(content)}: ${r.err}`);
    assert.match(r.err, re);
    assert.ok(r.err.includes(f), `names the file: ${r.err}`);
  }
  const missing = await runCli('serve', '--config', join(dir, 'nope.json'));
  assert.equal(missing.code, 65);
  assert.match(missing.err, /cannot read the configuration file .*nope\.json: ENOENT/);
});

test('data directory: root defaults to /var/lib/tsem; the CLI still finds a token in the old place', () => {
  const env = { HOME: '/root' };
  assert.equal(defaultDataDir(env, 0), '/var/lib/tsem');
  assert.equal(defaultDataDir(env, 1000), '/root/.local/share/tsem');
  assert.equal(defaultDataDir({ ...env, TSEM_DATA_DIR: '/d' }, 0), '/d');
  assert.deepEqual(dataDirCandidates(env, 0), ['/var/lib/tsem', '/root/.local/share/tsem']);
  assert.deepEqual(dataDirCandidates(env, 1000), ['/root/.local/share/tsem']);
  assert.deepEqual(dataDirCandidates({ ...env, TSEM_DATA_DIR: '/d' }, 0), ['/d']);
});

test('the CLI reads the admin token from the per-user place when the default has none', async () => {
  const home = join(dir, 'home');
  mkdirSync(join(home, '.local', 'share', 'tsem'), { recursive: true });
  writeFileSync(join(home, '.local', 'share', 'tsem', 'admin.token'), 'old-place-token\n');
  // The server that wrote it recorded its address there: the token goes only to that address.
  writeFileSync(
    join(home, '.local', 'share', 'tsem', 'server.json'),
    JSON.stringify({ address: '127.0.0.1:50551', tls: false })
  );
  const args = parseArgs(
    { name: 't', summary: '', usage: '', positionals: [0, 0], options: [] },
    []
  );
  const got = await resolveToken(args, '127.0.0.1:50551', false, { HOME: home });
  assert.equal(got.token, 'old-place-token');
});
