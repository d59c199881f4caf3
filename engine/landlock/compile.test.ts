import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type CellObject,
  compileLandlock,
  type CompiledRuleset,
  type DescribedPoint,
} from './compile.js';
import { fitToAbi, launcherRulesetFile } from './fit.js';

let n = 0;
function point(type: string, cell: Record<string, unknown>): DescribedPoint {
  n++;
  return {
    hex: n.toString(16).padStart(64, '0'),
    description: { type, cell: cell as CellObject },
  };
}
const file = (pathname: string, flags: number) => ({
  file: { flags: String(flags), path: { type: 'root', pathname }, inode: {}, digest: '00' },
});
const sock = (family: number, type: number, protocol: number, addr: Record<string, unknown>) => ({
  sock: { family: String(family), type: String(type), protocol: String(protocol), owner: '00' },
  addr,
});

function compiled(points: DescribedPoint[]): CompiledRuleset {
  const r = compileLandlock(points);
  assert.notEqual(typeof r, 'string', typeof r === 'string' ? r : '');
  return r as CompiledRuleset;
}

test('execute on the exact files executed (with read), read and write as opened, truncate with write', () => {
  const r = compiled([
    point('file_open', file('/usr/bin/cat', 32800)),
    point('bprm_committed_creds', file('/usr/bin/cat', 32800)),
    point('file_open', file('/etc/hostname', 32768)),
    point('file_open', file('/srv/out/log', 32769)),
    point('file_open', file('/srv/db', 32770)),
  ]);
  const byPath = new Map(r.paths.map((p) => [p.path, p]));
  assert.deepEqual(byPath.get('/usr/bin/cat')?.access, ['execute', 'read_file']);
  assert.equal(byPath.get('/usr/bin/cat')?.reasons.length, 2);
  assert.deepEqual(byPath.get('/etc/hostname')?.access, ['read_file']);
  assert.deepEqual(byPath.get('/srv/out/log')?.access, ['write_file', 'truncate']);
  assert.deepEqual(byPath.get('/srv/db')?.access, ['write_file', 'read_file', 'truncate']);
  // never a directory for execute: nothing names /usr/bin itself
  assert.equal(byPath.has('/usr/bin'), false);
  assert.ok(byPath.get('/dev')?.widened, 'devices allowed, and said why');
  assert.deepEqual(r.scoped, ['signal', 'abstract_unix_socket']);
});

test('per-process /proc paths widen to /proc and say so', () => {
  const r = compiled([point('file_open', file('/proc/4242/status', 32768))]);
  const proc = r.paths.find((p) => p.path === '/proc');
  assert.deepEqual(proc?.access, ['read_file']);
  assert.match(proc?.widened ?? '', /differ on every run/);
});

test('TCP ports become rules; UDP, unix and other events are listed, not dropped', () => {
  const r = compiled([
    point('socket_connect', sock(2, 1, 6, { af_inet: { port: '443', address: '10.0.0.1' } })),
    point('socket_bind', sock(10, 1, 0, { af_inet6: { port: '8080', address: '0'.repeat(32) } })),
    point('socket_connect', sock(2, 2, 17, { af_inet: { port: '53', address: '10.0.0.2' } })),
    point('socket_connect', sock(1, 1, 0, { af_unix: { address: '@bus' } })),
    point('mmap_file', { prot: '5', flags: '2' }),
    point('task_kill', { target: '00', sig: '15', cross_ns: '0' }),
  ]);
  assert.deepEqual(
    r.ports.map((p) => [p.port, p.access]),
    [
      [443, ['connect_tcp']],
      [8080, ['bind_tcp']],
    ]
  );
  const types = r.unexpressed.map((u) => `${u.type}:${u.points.length}`).sort();
  assert.deepEqual(types, ['mmap_file:1', 'socket_connect:1', 'socket_connect:1', 'task_kill:1']);
  assert.deepEqual(r.scoped, [], 'signals and abstract sockets seen: no scope');
  assert.ok(r.decisions.some((d) => d.what === 'scope signal'));
});

test('a model without descriptions cannot be compiled, and says so', () => {
  const r = compileLandlock([{ hex: 'ab'.repeat(32) }, point('file_open', file('/x', 32768))]);
  assert.equal(typeof r, 'string');
  assert.match(r as string, /1 of 2 points have no description/);
  assert.match(compileLandlock([]) as string, /no points/);
});

test('fitting to an older ABI drops what it lacks and names each drop', () => {
  const r = compiled([
    point('file_open', file('/srv/out', 32769)),
    point('socket_connect', sock(2, 1, 6, { af_inet: { port: '80', address: '1.2.3.4' } })),
  ]);
  const f7 = fitToAbi(r, 9);
  assert.equal(f7.abi, 7);
  assert.deepEqual(f7.dropped, []);
  assert.equal(f7.restrictFlags, 2);
  const f2 = fitToAbi(r, 2);
  assert.equal(f2.restrictFlags, 0);
  assert.equal(f2.ruleset.ports.length, 0);
  assert.deepEqual(f2.ruleset.scoped, []);
  assert.deepEqual(f2.ruleset.paths.find((p) => p.path === '/srv/out')?.access, ['write_file']);
  assert.equal(f2.dropped.length, 4, f2.dropped.join('\n'));
  assert.throws(() => fitToAbi(r, 0), /ABI version/);
});

test('the launcher file: masks in hex, paths as hex of their bytes', () => {
  const r = compiled([
    point('file_open', file('/usr/bin/cat', 32800)),
    point('file_open', file('/srv/a b\nc', 32769)),
    point('socket_connect', sock(2, 1, 6, { af_inet: { port: '80', address: '1.2.3.4' } })),
  ]);
  const text = launcherRulesetFile(fitToAbi(r, 7));
  const lines = text.trimEnd().split('\n');
  assert.deepEqual(lines.slice(0, 6), [
    'tsem-landlock 1',
    'abi 7',
    'fs 0x4007',
    'net 0x3',
    'scoped 0x3',
    'restrict 0x2',
  ]);
  assert.ok(lines.includes(`path 0x4002 ${Buffer.from('/srv/a b\nc').toString('hex')}`));
  assert.ok(lines.includes(`path 0x5 ${Buffer.from('/usr/bin/cat').toString('hex')}`));
  assert.ok(lines.includes('port 0x2 80'));
  assert.equal(text.split('\n').length, lines.length + 1, 'a newline in a path forms no line');
});
