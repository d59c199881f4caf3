/**
 * IMA inside the engine, end to end over real sockets: file events sent through Ingest are
 * measured per namespace from real files, GetImaLog serves lists that the engine/ima verifier
 * replays to the served PCR 10, and (as root, with evmctl) a signed file appraises as pass, then
 * after a change fails: an alert on the Monitor stream, and a denial in an enforce namespace.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import { parseAsciiList } from '../../engine/ima/measurement-list-ascii.js';
import { parseBinaryList } from '../../engine/ima/measurement-list-binary.js';
import { verifyList } from '../../engine/ima/pcr-replay.js';
import type { TemplateEntry } from '../../engine/ima/template-entry.js';
import type { BatchResult__Output } from '../../proto/gen/tsem/v1/BatchResult.js';
import type { Event } from '../../proto/gen/tsem/v1/Event.js';
import type { ImaLog__Output } from '../../proto/gen/tsem/v1/ImaLog.js';
import { fileCell, sourceEvent } from '../helpers/events.js';
import { call, type Clients, clients, ingest, subscribe, toWire } from '../helpers/grpc.js';
import { rootSkipReason } from '../helpers/repo.js';

const EXEC = '32800';
const READ = '32768';
const POLICY = [
  'measure func=BPRM_CHECK mask=MAY_EXEC',
  'measure func=FILE_CHECK mask=^MAY_READ uid=0',
  'appraise func=BPRM_CHECK appraise_type=imasig',
].join('\n');

const dir = mkdtempSync(join(tmpdir(), 'tsem-ima-e2e-'));
const files = join(dir, 'files');
let engine: RunningEngine;
let c: Clients;
let admin: Clients;

function hasEvmctl(): boolean {
  try {
    execFileSync('evmctl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest();

/** A file_open of `path` as it is now on disk (its digest computed here, as a source would). */
function openEvent(ns: string, path: string, flags: string, pid: number): Event {
  return toWire(
    ns,
    sourceEvent(pid, 'file_open', { file: fileCell(path, sha256(path).toString('hex'), flags) })
  );
}

const verdicts = (results: BatchResult__Output[]) => results.flatMap((r) => r.verdicts);

async function imaLog(
  ns: string,
  format: 'ascii' | 'binary',
  bank: string
): Promise<{ served: ImaLog__Output; entries: TemplateEntry[] }> {
  const served = await call<ImaLog__Output>(c, 'GetImaLog', { name: ns, format, bank });
  const size = bank === 'sha1' ? 20 : 32;
  const entries =
    format === 'ascii'
      ? parseAsciiList(served.log.toString('utf8'), size)
      : parseBinaryList(served.log, size).entries;
  // The served figures must be what the engine/ima verifier replays from the served bytes.
  const v = verifyList(entries, bank, [bank]);
  assert.equal(v.mismatches.length, 0, `${ns} ${format} ${bank}: template digests`);
  assert.equal(v.templateDigestOk, entries.length);
  assert.equal(Number(served.entries), entries.length);
  assert.equal(served.pcr10, v.pcrs.get(bank, 10).toString('hex'));
  return { served, entries };
}

before(async () => {
  mkdirSync(files);
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'ima.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'ima.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  engine = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: join(dir, 'data'),
    log: () => undefined,
    ima: {
      policy: POLICY,
      policySource: 'test policy',
      keyFiles: [join(dir, 'ima.pub')],
      localFiles: true,
    },
  });
  c = clients(engine.address);
  admin = clients(engine.address, engine.adminToken);
});

after(async () => {
  c.close();
  admin.close();
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('real files are measured once per namespace; GetImaLog serves lists that replay to its pcr10', async () => {
  const paths = ['one', 'two', 'three'].map((n) => join(files, n));
  paths.forEach((p, i) => writeFileSync(p, `contents of file ${i}\n`));
  const alpha = [...paths, paths[0]!, paths[1]!].map((p, i) => openEvent('alpha', p, READ, 10 + i));
  const beta = [paths[0]!, paths[0]!].map((p, i) => openEvent('beta', p, READ, 20 + i));
  const results = await ingest(c, [alpha, beta]);
  assert.equal(verdicts(results).length, 7);
  assert.ok(
    verdicts(results).every((v) => v.action === 'ACTION_ALLOW' && !v.error),
    JSON.stringify(verdicts(results).map((v) => v.error))
  );

  for (const bank of ['sha1', 'sha256']) {
    const a = await imaLog('alpha', 'ascii', bank);
    assert.deepEqual(
      a.entries.map((e) => e.fields[1]!.toString('utf8')),
      paths.map((p) => `${p}\0`),
      'each file once, in order'
    );
    assert.deepEqual(
      a.entries.map((e) => e.fields[0]),
      paths.map((p) => Buffer.concat([Buffer.from('sha256:\0'), sha256(p)]))
    );
    const binary = await imaLog('alpha', 'binary', bank);
    assert.equal(binary.served.pcr10, a.served.pcr10, 'both formats carry the same list');
  }
  const b = await imaLog('beta', 'ascii', 'sha256');
  assert.deepEqual(
    b.entries.map((e) => [e.templateName, e.fields[1]!.toString('utf8')]),
    [['ima-ng', `${paths[0]}\0`]]
  );
  // The same file and contents in two namespaces: the same ima-ng entry in each.
  const a = await imaLog('alpha', 'ascii', 'sha256');
  assert.deepEqual(a.entries[0]!.templateData, b.entries[0]!.templateData);

  appendFileSync(paths[2]!, 'more\n');
  await ingest(c, [[openEvent('alpha', paths[2]!, READ, 30)]]);
  const changed = await imaLog('alpha', 'ascii', 'sha256');
  assert.equal(changed.entries.length, 4, 'a changed file is measured again');
  assert.deepEqual(changed.entries[3]!.fields[0]!.subarray('sha256:\0'.length), sha256(paths[2]!));
});

test('GetImaLog names a bad bank and an unknown namespace', async () => {
  await assert.rejects(
    call(c, 'GetImaLog', { name: 'alpha', format: 'ascii', bank: 'sha384' }),
    /bank: expected one of sha1, sha256, got 'sha384'/
  );
  await assert.rejects(
    call(c, 'GetImaLog', { name: 'nobody', format: 'ascii', bank: 'sha1' }),
    /nobody/
  );
});

const skip =
  rootSkipReason() ?? (hasEvmctl() ? undefined : 'evmctl (ima-evm-utils) is not installed');

test(
  'a signed file appraises; after a change: an alert naming the cause, and a denial under enforce',
  { skip },
  async (t) => {
    const tool = join(files, 'tool');
    writeFileSync(tool, '#!/bin/sh\necho signed\n');
    execFileSync('evmctl', ['ima_sign', '--key', join(dir, 'ima.pem'), '-a', 'sha256', tool], {
      stdio: 'ignore',
    });
    const watch = subscribe(c, { namespaces: ['prod'] });
    t.after(() => watch.cancel());
    await new Promise((r) => setTimeout(r, 100)); // let the subscription register

    // Learn both contents first, so that under enforce the model itself allows them (on contour)
    // and any denial is IMA's.
    const signed = openEvent('prod', tool, EXEC, 40);
    const learnSigned = verdicts(await ingest(c, [[signed]]))[0]!;
    assert.equal(learnSigned.action, 'ACTION_ALLOW');
    appendFileSync(tool, 'echo tampered\n');
    const tampered = openEvent('prod', tool, EXEC, 41);
    const learnTampered = verdicts(await ingest(c, [[tampered]]))[0]!;
    assert.equal(learnTampered.action, 'ACTION_ALLOW', 'learn mode reports but never denies');

    await watch.waitFor((m) =>
      m.some((x) => x.event?.alert && x.event.ima_json.includes('invalid-signature'))
    );
    const alert = watch.messages.find((x) => x.event?.alert)!.event!;
    const records = JSON.parse(alert.ima_json) as Record<string, string>[];
    const prod = records.find((r) => r['namespace'] === 'prod' && r['op'] === 'appraise_data')!;
    assert.deepEqual(
      [prod['status'], prod['cause'], prod['filename'], prod['func']],
      ['fail', 'invalid-signature', tool, 'BPRM_CHECK']
    );
    const firstNotice = watch.messages.find((x) => x.event)!.event!;
    assert.equal(firstNotice.alert, false, 'the signed file passed');
    assert.ok(
      (JSON.parse(firstNotice.ima_json) as Record<string, string>[]).some(
        (r) => r['op'] === 'appraise_data' && r['status'] === 'pass'
      )
    );

    await call(admin, 'SetMode', { name: 'prod', mode: 'MODE_ENFORCE' });
    const [again, denied] = verdicts(await ingest(c, [[signed, tampered]]));
    assert.deepEqual([again!.kind, again!.action], ['VERDICT_KIND_ON_CONTOUR', 'ACTION_ALLOW']);
    assert.deepEqual([denied!.kind, denied!.action], ['VERDICT_KIND_ON_CONTOUR', 'ACTION_DENY']);
  }
);
