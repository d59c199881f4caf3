/**
 * A namespace's signed files appraise against its own keys only (docs/ima.md §9.4), end to end
 * as root: real files signed by `tsem ima sign` with two keys, two namespaces each given one key
 * over `tsem ima key add`, exec events through Ingest, appraisal results on the Monitor stream.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import type { Event } from '../../proto/gen/tsem/v1/Event.js';
import { runCli, tokenFile } from '../helpers/cli.js';
import { fileCell, sourceEvent } from '../helpers/events.js';
import { call, type Clients, clients, ingest, subscribe, toWire } from '../helpers/grpc.js';
import { rootSkipReason } from '../helpers/repo.js';

const skip = rootSkipReason();
const EXEC = '32800';
const NS_POLICY = 'appraise func=BPRM_CHECK appraise_type=imasig\n';
const dir = mkdtempSync(join(tmpdir(), 'tsem-ima-keyring-'));
const files = join(dir, 'files');
let engine: RunningEngine | undefined;
let admin: Clients;
let pid = 500;

function exec(ns: string, path: string): Event {
  const digest = createHash('sha256').update(readFileSync(path)).digest('hex');
  return toWire(ns, sourceEvent(pid++, 'file_open', { file: fileCell(path, digest, EXEC) }));
}
const cli = (...args: string[]) =>
  runCli(...args, '--server', engine!.address, '--token-file', tokenFile(engine!.adminToken));

before(async () => {
  if (skip) return;
  mkdirSync(files);
  for (const k of ['a', 'b']) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(join(dir, `${k}.pem`), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(dir, `${k}.pub`), publicKey.export({ type: 'spki', format: 'pem' }));
  }
  engine = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: join(dir, 'data'),
    log: () => undefined,
    // The host only measures: appraisal is each namespace's own business, with its own keys.
    ima: { policy: 'measure func=BPRM_CHECK\n', policySource: 'test', localFiles: true },
  });
  admin = clients(engine.address, engine.adminToken);
  writeFileSync(join(dir, 'ns.policy'), NS_POLICY);
  for (const k of ['a', 'b']) {
    await call(admin, 'CreateNamespace', { name: k });
    assert.equal(
      (await cli('ima', 'policy', 'set', '--namespace', k, join(dir, 'ns.policy'))).code,
      0
    );
    assert.equal((await cli('ima', 'key', 'add', '--namespace', k, join(dir, `${k}.pub`))).code, 0);
  }
});
after(async () => {
  admin?.close();
  await engine?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The IMA appraisal records of namespace `ns` for `path`, from the Monitor stream. */
async function appraisals(ns: string, path: string): Promise<string[]> {
  const watch = subscribe(admin, { namespaces: [ns] });
  try {
    await new Promise((r) => setTimeout(r, 100)); // let the subscription register
    await ingest(admin, [[exec(ns, path)]]);
    await watch.waitFor((m) => m.some((x) => x.event?.ima_json));
    const notice = watch.messages.find((x) => x.event?.ima_json)!.event!;
    return (JSON.parse(notice.ima_json) as Record<string, string>[])
      .filter((r) => r['op'] === 'appraise_data' && r['namespace'] === ns)
      .map((r) => (r['status'] === 'fail' ? `fail ${r['cause']}` : r['status']!));
  } finally {
    watch.cancel();
  }
}

test(
  'a file signed with a namespace key passes there, and fails in the namespace that lacks the key',
  { skip },
  async () => {
    const tool = join(files, 'tool-a');
    writeFileSync(tool, '#!/bin/sh\necho a\n');
    const signed = await runCli('ima', 'sign', '--key', join(dir, 'a.pem'), tool);
    assert.equal(signed.code, 0, signed.err);
    assert.deepEqual(await appraisals('a', tool), ['pass']);
    assert.deepEqual(await appraisals('b', tool), ['fail invalid-signature']);
    // The key removed from a: the cached pass goes with it; the same file now fails there too.
    const keyid = /keyid ([0-9a-f]{8})/.exec(signed.out)![1]!;
    assert.equal((await cli('ima', 'key', 'remove', '--namespace', 'a', keyid)).code, 0);
    assert.deepEqual(await appraisals('a', tool), ['fail invalid-signature']);
  }
);
