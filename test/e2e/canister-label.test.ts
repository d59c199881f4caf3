/**
 * A model bound to a workload's label, not to an id (root: fanotify on a tmpfs the test mounts,
 * cgroups): a command trained in learn mode stores its model under its label; with the namespace
 * gone, a sealed re-run starts from the label's model and finds zero forensics; a variant that
 * opens one extra file finds exactly that point. The canister's namespace is anchored with the
 * TPM aggregate (swtpm, when installed) and attested by the modeling agent.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import { openTpm } from '../../engine/tpm/open-tpm.js';
import { canisterSkipReason, mountTmpfs, runSummaryOf, tsem } from '../helpers/canister.js';
import { startSwtpm, swtpmSkipReason, type Swtpm } from '../helpers/swtpm.js';
import { heldLine } from '../helpers/events.js';

const skip = canisterSkipReason();
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();

test(
  'learn under a label, then sealed from the stored model: zero forensics; one extra file: exactly one',
  { skip },
  async () => {
    const fs = mountTmpfs();
    const dir = mkdtempSync(join(tmpdir(), 'tsem-canister-label-'));
    let engine: RunningEngine | undefined;
    let sw: Swtpm | undefined;
    try {
      const tool = fs.program('/bin/cat', 'tool');
      const known = join(fs.dir, 'known.txt');
      const extra = join(fs.dir, 'extra.txt');
      writeFileSync(known, 'known\n');
      writeFileSync(extra, 'extra\n');
      if (!swtpmSkipReason()) {
        sw = await startSwtpm();
        const tpm = await openTpm(sw.spec);
        await tpm.pcrExtend(0, [{ bank: 'sha256', digest: sha256(Buffer.from('firmware')) }]);
        await tpm.close();
      }
      const pubkey = join(dir, 'agent.pub');
      engine = await startEngine({
        listen: '127.0.0.1:0',
        dataDir: join(dir, 'data'),
        log: () => undefined,
        ...(sw ? { tpm: sw.spec } : {}),
        agent: { publicKeyOut: pubkey },
        sources: [{ kind: 'fanotify', watch: [fs.dir], enforce: true, decisionTimeoutMs: 10_000 }],
      });
      const conn = ['--server', engine.address, '--data', join(dir, 'data')];
      const run = (mode: string, ...files: string[]) =>
        tsem([
          'run',
          ...conn,
          '--label',
          'svc',
          '--mode',
          mode,
          '--json',
          '--',
          'sh',
          '-c',
          `${tool} ${files.join(' ')} >/dev/null`,
        ]);

      const learn = await run('learn', known);
      assert.equal(learn.code, 0, learn.stderr);
      const learned = runSummaryOf(learn);
      assert.equal(learned['created'], true);
      assert.equal(learned['label_saved_points'], 2, 'the exec of tool and the open of known.txt');
      const labels = await tsem(['label', 'list', ...conn, '--json']);
      assert.match(labels.stdout, /"label":"svc".*"points":2/);

      // The namespace goes; the label's model stays with the engine.
      assert.equal((await tsem(['ns', 'delete', 'svc', ...conn])).code, 0);
      assert.equal(engine.registry.get('svc'), undefined);

      const sealed = await run('sealed', known);
      assert.equal(sealed.code, 0, sealed.stderr);
      const s = runSummaryOf(sealed);
      assert.deepEqual(
        [s['created'], s['model_source'], s['mode'], s['forensics']],
        [true, 'label', 'sealed', 0]
      );
      const ns = engine.registry.require('svc');
      assert.deepEqual([ns.forensics().length, ns.untrustedTaskCount()], [0, 0]);

      const variant = await run('sealed', known, extra);
      assert.equal(variant.code, 0, 'sealed records, it does not deny');
      assert.equal(runSummaryOf(variant)['forensics'], 1);
      assert.equal(ns.forensics().length, 1);
      const forensic = JSON.parse(heldLine(ns.forensics().at(0)!)) as {
        file_open?: { file: { path: { pathname: string } } };
      };
      assert.equal(forensic.file_open?.file.path.pathname, extra, 'exactly the extra file');

      // Anchored like any namespace: the aggregate first; and attested by the agent.
      const aggregate = engine.aggregate('sha256').toString('hex');
      assert.equal(ns.config.aggregate.toString('hex'), aggregate);
      if (sw) assert.notEqual(aggregate, '00'.repeat(32), 'a real TPM aggregate');
      const nonce = randomBytes(16).toString('hex');
      const reportFile = join(dir, 'report.json');
      const attest = await tsem([
        'attest',
        ...conn,
        '--namespace',
        'svc',
        '--nonce',
        nonce,
        '-o',
        reportFile,
      ]);
      assert.equal(attest.code, 0, attest.stderr);
      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Record<string, unknown>;
      assert.deepEqual(
        [report['namespace'], report['aggregate'], report['measurement'], report['forensics']],
        ['svc', aggregate, ns.measurement.toString('hex'), 1]
      );
      const verify = await tsem([
        'attest',
        'verify',
        reportFile,
        '--pubkey',
        pubkey,
        '--nonce',
        nonce,
      ]);
      assert.equal(verify.code, 0, verify.stderr);
    } finally {
      await engine?.stop();
      await sw?.stop();
      fs.unmount();
      rmSync(dir, { recursive: true, force: true });
    }
  }
);

test(
  "signed models required (TSEM's model lock): a label's namespace starts only from a signed model",
  { skip },
  async () => {
    const fs = mountTmpfs();
    const dir = mkdtempSync(join(tmpdir(), 'tsem-canister-lock-'));
    let engine: RunningEngine | undefined;
    try {
      const tool = fs.program('/bin/cat', 'tool');
      const known = join(fs.dir, 'known.txt');
      writeFileSync(known, 'known\n');
      const key = join(dir, 'models.key');
      assert.equal((await tsem(['model', 'keygen', '-o', key])).code, 0);
      engine = await startEngine({
        listen: '127.0.0.1:0',
        dataDir: join(dir, 'data'),
        log: () => undefined,
        modelKeyFiles: [`${key}.pub`],
        requireSignedModels: true,
        sources: [{ kind: 'fanotify', watch: [fs.dir], enforce: true, decisionTimeoutMs: 10_000 }],
      });
      const conn = ['--server', engine.address, '--data', join(dir, 'data')];
      const run = (...more: string[]) =>
        tsem(['run', ...conn, '--label', 'locked', ...more, '--', tool, known]);

      // Learning loads no model: allowed, and the label's model is stored (unsigned).
      assert.equal((await run('--mode', 'learn')).code, 0);
      assert.equal((await tsem(['ns', 'delete', 'locked', ...conn])).code, 0);
      const refused = await run('--mode', 'sealed');
      assert.equal(refused.code, 125);
      assert.match(
        refused.stderr,
        /label locked's stored model cannot start namespace locked: .*signed models only/
      );
      assert.equal(engine.registry.get('locked'), undefined, 'nothing made');

      // Signed by the operator and stored again, with its signature: it starts the namespace.
      const model = join(dir, 'locked.model');
      assert.equal((await tsem(['label', 'export', 'locked', ...conn, '-o', model])).code, 0);
      assert.equal((await tsem(['model', 'sign', model, '--key', key])).code, 0);
      const saved = await tsem(['label', 'save', 'locked', ...conn, '--model', model]);
      assert.match(saved.stdout, /stored 2 points .*signed/);
      const sealed = await run('--mode', 'sealed', '--json');
      assert.equal(sealed.code, 0, sealed.stderr);
      assert.deepEqual(
        [runSummaryOf(sealed)['model_source'], runSummaryOf(sealed)['forensics']],
        ['label', 0]
      );

      // A model given on the command line is held to the same rule; a bad signature never passes.
      const unsigned = join(dir, 'unsigned.model');
      writeFileSync(unsigned, readFileSync(model));
      const r = await tsem([
        'run',
        ...conn,
        '--namespace',
        'other',
        '--model',
        unsigned,
        '--',
        tool,
        known,
      ]);
      assert.equal(r.code, 125);
      assert.match(r.stderr, /loads signed models only/);
      writeFileSync(
        `${unsigned}.sig`,
        readFileSync(`${model}.sig`, 'utf8').replace(/^(.{10})./, '$1A')
      );
      const bad = await tsem([
        'run',
        ...conn,
        '--namespace',
        'other',
        '--model',
        unsigned,
        '--',
        tool,
        known,
      ]);
      assert.equal(bad.code, 125);
      assert.match(bad.stderr, /signature is bad|not a valid|signature/);
      assert.equal(engine.registry.get('other'), undefined);

      // Saving under a label checks a given signature too: a bad one is refused, the stored
      // (signed) model stays.
      const badSave = await tsem(['label', 'save', 'locked', ...conn, '--model', unsigned]);
      assert.notEqual(badSave.code, 0);
      assert.match(badSave.stderr, /signature/);
      const listed = await tsem(['label', 'list', ...conn, '--json']);
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, /"signed":\s*true/);
    } finally {
      await engine?.stop();
      fs.unmount();
      rmSync(dir, { recursive: true, force: true });
    }
  }
);
