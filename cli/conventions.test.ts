/** The CLI conventions every command keeps (README "Command line", "Exit status"). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../test/helpers/cli.js';
import { repoRoot } from '../test/helpers/repo.js';
import { escapeControl } from './output.js';

const CODES = ['0', '1', '2', '65', '69', '70', '74', '77'];

async function commandNames(): Promise<string[]> {
  const h = await runCli('--help');
  return [...h.out.matchAll(/^ {2}([a-z][a-z -]*?[a-z])  /gm)].map((m) => m[1]!);
}

test('the exit status table is in tsem --help and in the README', async () => {
  const h = await runCli('--help');
  for (const c of CODES) assert.match(h.out, new RegExp(`^ {2}${c} +\\S`, 'm'));
  const readme = readFileSync(join(repoRoot(), './README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Exit status'));
  for (const c of CODES) assert.match(section, new RegExp(`^\\| ${c} +\\|`, 'm'));
});

test('every command names the exit statuses in its --help', async () => {
  const names = await commandNames();
  assert.ok(names.length > 20, names.join(','));
  for (const name of names) {
    const r = await runCli(...name.split(' '), '--help');
    assert.equal(r.code, 0, name);
    assert.match(
      r.out,
      /^exit status: 0 ok and nothing found, 1 found something, 2 usage, 65/m,
      name
    );
  }
});

test('commands that talk to the engine take --server; commands that print records take --json', async () => {
  const names = await commandNames();
  const help = new Map<string, string>();
  for (const name of names) help.set(name, (await runCli(...name.split(' '), '--help')).out);
  const remote = names.filter((n) => /--token TOKEN/.test(help.get(n)!));
  assert.ok(remote.length >= 12, remote.join(','));
  for (const n of remote) assert.match(help.get(n)!, /--server ADDR/, n);
  const records = [
    'ns create',
    'ns list',
    'ns mode',
    'ns show',
    'ns points',
    'ns trajectory',
    'ns forensics',
    'ns convergence',
    'ns findings',
    'ns explain',
    'ns accept',
    'model show',
    'model prune',
    'model diff',
    'replay',
    'watch',
    'export',
    'ima verify-log',
    'ima appraise',
    'ima keylime-policy verify',
    'tpm pcrread',
  ];
  for (const n of records) assert.match(help.get(n) ?? `missing ${n}`, /--json/, n);
  // Modes are spelled learn|audit|sealed|enforce (seal accepted, never advertised alone).
  for (const [n, h] of help) assert.doesNotMatch(h, /\|seal\||\|seal\b(?!ed)/, n);
});

test('export takes --server, and --to as its alias; two different addresses are a usage error', async () => {
  const r = await runCli(
    'export',
    '--source',
    'sim',
    '--scenario',
    'shell',
    '--server',
    '127.0.0.1:1',
    '--to',
    '127.0.0.1:2'
  );
  assert.equal(r.code, 2);
  assert.match(r.err, /--to is an alias of --server/);
});

test('human output escapes control characters', () => {
  assert.equal(
    escapeControl('/tmp/a\nstate 00\x1b[31m\u2028'),
    '/tmp/a\\nstate 00\\x1b[31m\\u{2028}'
  );
  assert.equal(escapeControl('plain /usr/bin/cat'), 'plain /usr/bin/cat');
});

test('an unknown command or option is 2', async () => {
  assert.equal((await runCli('frobnicate')).code, 2);
  assert.equal((await runCli('ns', 'show', 'x', '--bogus')).code, 2);
});
