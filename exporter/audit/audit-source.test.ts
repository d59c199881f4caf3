import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { test } from 'node:test';
import type { JsonCell } from '../../proto/kernel-json.js';
import { rootSkipReason } from '../../test/helpers/repo.js';
import type { SourcedEvent } from '../source.js';
import { AuditSource, auditUnavailableReason, readAuditStatus } from './audit-source.js';

const unavailable = rootSkipReason() === undefined ? await auditUnavailableReason() : undefined;
const skip = rootSkipReason() ?? (unavailable && `kernel audit unavailable here: ${unavailable}`);

test(
  'audit source observes a child execve and its connect to a loopback listener',
  { skip },
  async () => {
    const server = createServer((s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    // Narrow rule: only our children, only the syscalls this test needs.
    const src = new AuditSource({
      ppid: process.pid,
      syscalls: ['execve', 'connect'],
      key: 'tsem-test',
    });
    await src.start();
    const seen: SourcedEvent[] = [];
    const consuming = (async () => {
      for await (const e of src) seen.push(e);
    })();
    const child = spawn('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`], { stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0);
    const mine = (type: string) =>
      seen.find((e) => e.event.event.type === type && e.event.event.pid === String(child.pid));
    for (let i = 0; i < 100 && !(mine('bprm_committed_creds') && mine('socket_connect')); i++)
      await new Promise((r) => setTimeout(r, 20));
    const stats = src.stats();
    await src.stop();
    await consuming;
    server.close();
    const exec = mine('bprm_committed_creds');
    assert.ok(
      exec,
      `no exec event of pid ${child.pid}; saw ${seen.map((e) => e.event.event.type).join(', ')}`
    );
    assert.equal(exec.event.event.ppid, String(process.pid));
    const path = (
      ((exec.event['bprm_committed_creds'] as JsonCell)['file'] as JsonCell)['path'] as JsonCell
    )['pathname'] as string;
    assert.match(path, /\/bash$/);
    const conn = mine('socket_connect');
    assert.ok(conn, 'no socket_connect event');
    assert.deepEqual((conn.event['socket_connect'] as JsonCell)['addr'], {
      af_inet: { port: String(port), address: '127.0.0.1' },
    });
    assert.equal(((conn.event['socket_connect'] as JsonCell)['sock'] as JsonCell)['family'], '2');
    assert.equal(conn.event.COE.uid, '0');
    // Lost-record accounting is reported, not hidden.
    assert.equal(typeof stats['lost'], 'number');
    assert.ok(stats['backlogLimit']! > 0);
  }
);

test(
  'the kernel backlog limit is raised while the source runs, and put back on stop',
  { skip },
  async () => {
    const before = (await readAuditStatus()).backlogLimit;
    if (before === 0) return; // no limit at all: nothing to raise
    const want = before + 1000;
    const src = new AuditSource({
      ppid: process.pid,
      syscalls: ['execve'],
      key: 'tsem-test',
      backlogLimit: want,
    });
    await src.start();
    try {
      assert.equal((await readAuditStatus()).backlogLimit, want);
    } finally {
      await src.stop();
    }
    assert.equal((await readAuditStatus()).backlogLimit, before, 'no kernel state outlives it');
    // A limit already as high as wanted is left alone, and nothing is put back.
    const low = new AuditSource({
      ppid: process.pid,
      syscalls: ['execve'],
      key: 'tsem-test',
      backlogLimit: 1,
    });
    await low.start();
    assert.equal((await readAuditStatus()).backlogLimit, before);
    await low.stop();
    assert.equal((await readAuditStatus()).backlogLimit, before);
  }
);
