import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CONNECT_INET } from './audit/audit-log-fixture.js';
import { createSource, type SourceKind } from './sources.js';

test('createSource rejects bad options naming the option', () => {
  assert.throws(() => createSource('fanotify', {}), /expected at least one --watch PATH/);
  assert.throws(() => createSource('audit-log', {}), /expected the auditd log FILE/);
  assert.throws(() => createSource('audit', { enforce: true }), /fanotify source only/);
  assert.throws(
    () => createSource('fanotify', { watch: ['/'], decisionTimeoutMs: -1 }),
    /positive integer/
  );
  assert.throws(
    () => createSource('fanotify', { watch: ['/'], namespace: 'galaxy' }),
    /namespace rule 'galaxy'/
  );
  assert.throws(
    () => createSource('audit', { syscalls: ['reboot' as never] }),
    /unknown syscalls reboot/
  );
  assert.throws(
    () => createSource('kafka' as SourceKind),
    /expected one of fanotify, audit, audit-log/
  );
});

test('createSource builds an audit-log source that yields namespaced events', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-sources-'));
  try {
    const file = join(dir, 'audit.log');
    writeFileSync(file, `${CONNECT_INET.join('\n')}\n`);
    const src = createSource('audit-log', { logFile: file, namespace: 'host:lab' });
    await src.start();
    const got: string[] = [];
    for await (const e of src) got.push(`${e.namespace} ${e.event.event.type}`);
    assert.deepEqual(got, ['lab socket_connect']);
    await src.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
