/**
 * The attestation chain of docs/attestation.md with swtpm manufactured with an EK certificate:
 * the AK is certified through the EK (credential activation) and the same in every report and
 * after a restart; `tsem attest verify` replays the host IMA log to the quoted PCR 10 and the root
 * namespace's points to PCR 11, and names what fails when one host log entry, one model point or
 * PCR 0 changes; `tsem attest watch` reports growth and alerts when a sealed namespace changes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import { formatPublicKey } from '../../engine/attest/keys.js';
import { parseReport } from '../../engine/attest/parse-report.js';
import { akNameOf } from '../../engine/attest/verify-report.js';
import { openTpm } from '../../engine/tpm/open-tpm.js';
import type { Event } from '../../proto/gen/tsem/v1/Event.js';
import { runCli, tokenFile } from '../helpers/cli.js';
import { fileCell, sourceEvent } from '../helpers/events.js';
import { call, type Clients, clients, ingest, toWire } from '../helpers/grpc.js';
import { repoRoot } from '../helpers/repo.js';
import { ocsfDetectionFindingProblems } from '../helpers/siem-schema.js';
import { ekCertSkipReason, startSwtpm, type Swtpm } from '../helpers/swtpm.js';

const skip = ekCertSkipReason();
const POLICY =
  'measure func=FILE_CHECK mask=^MAY_READ uid=0\nmeasure func=BPRM_CHECK mask=MAY_EXEC\n';
const dir = mkdtempSync(join(tmpdir(), 'tsem-attest-chain-'));
const f = (name: string) => join(dir, name);
let sw: Swtpm | undefined;
let engine: RunningEngine | undefined;
let admin: Clients;
const logs: string[] = [];
let pid = 1000;

const digest = (s: string) => createHash('sha256').update(s).digest('hex');
function open(ns: string, path: string, flags = '32768'): Event {
  return toWire(ns, sourceEvent(pid++, 'file_open', { file: fileCell(path, digest(path), flags) }));
}
async function feed(ns: string, paths: readonly string[]): Promise<void> {
  await ingest(admin, [paths.map((p) => open(ns, p))]);
}

async function start(): Promise<void> {
  engine = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: f('data'),
    log: (m) => logs.push(m),
    tpm: sw!.spec,
    agent: {},
    ima: { policy: POLICY, policySource: 'test', localFiles: false },
  });
  admin = clients(engine.address, engine.adminToken);
  writeFileSync(f('agent.pub'), formatPublicKey(engine.agentPublicKey!));
}
const conn = () => ['--server', engine!.address, '--token-file', tokenFile(engine!.adminToken)];
const cli = (...args: string[]) => runCli(...args, ...conn());

async function attest(name: string, out: string): Promise<string> {
  const nonce = randomBytes(16).toString('hex');
  const r = await cli('attest', '--namespace', name, '--nonce', nonce, '-o', out);
  assert.equal(r.code, 0, r.err);
  return nonce;
}
const verify = (report: string, nonce: string, ...extra: string[]) =>
  runCli(
    'attest',
    'verify',
    report,
    '--pubkey',
    f('agent.pub'),
    '--nonce',
    nonce,
    '--require-quote',
    ...extra
  );

before(async () => {
  if (skip) return;
  sw = await startSwtpm({ ekCert: true });
  await start();
  await call(admin, 'CreateNamespace', { name: 'root' });
  await call(admin, 'CreateNamespace', { name: 'web' });
  await feed('root', ['/sbin/init', '/etc/fstab', '/usr/lib/libc.so.6', '/etc/hosts']);
  await feed('web', ['/usr/sbin/nginx', '/etc/nginx/nginx.conf']);
});
after(async () => {
  admin?.close();
  await engine?.stop();
  await sw?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test(
  'the AK is certified through the EK certificate by credential activation',
  { skip },
  async () => {
    const plain = await cli('attest', 'ak');
    assert.equal(plain.code, 0, plain.err);
    assert.equal((JSON.parse(plain.out) as { certified: boolean }).certified, false);
    const r = await cli(
      'attest',
      'ak',
      '--ek-ca',
      sw!.caFiles[0]!,
      '--ek-ca',
      sw!.caFiles[1]!,
      '-o',
      f('ak.json')
    );
    assert.equal(r.code, 0, r.err);
    const pin = JSON.parse(readFileSync(f('ak.json'), 'utf8')) as {
      akName: string;
      akHandle: string;
      certified: boolean;
      ek: { issuer: string };
    };
    assert.deepEqual([pin.certified, pin.akHandle], [true, '0x81010010']);
    assert.match(pin.ek.issuer, /swtpm-localca/);
    assert.match(r.err, /certified: credential activation with the EK succeeded/);
    assert.ok(
      logs.some((l) => l.includes(`attestation key at 0x81010010 (created), name ${pin.akName}`))
    );
    // A CA that did not issue the EK certificate: nothing is certified.
    const other = await runCli(
      'attest',
      'ak',
      '--ek-ca',
      join(repoRoot(), 'test', 'vectors', 'ima', 'keylime', 'rsa2048pub.pem'),
      ...conn()
    );
    assert.equal(other.code, 65, other.err);
    const wrongCa = await cli('attest', 'ak', '--ek-ca', sw!.caFiles[0]!);
    assert.equal(wrongCa.code, 1);
    assert.match(wrongCa.err, /ek\.chain: the EK certificate .* is not issued by any CA given/);
  }
);

test(
  'verify replays PCR 10 from the host log and PCR 11 from the root points; each tampering is named',
  { skip },
  async () => {
    const nonce = await attest('root', f('r1.json'));
    assert.equal(
      (
        await cli(
          'model',
          'export',
          '--namespace',
          'root',
          '--include-forensics',
          '-o',
          f('root.model')
        )
      ).code,
      0
    );
    const log = await cli('ima', 'log', '--host', '-o', f('host.log'));
    assert.equal(log.code, 0, log.err);
    const ok = await verify(
      f('r1.json'),
      nonce,
      '--ak',
      f('ak.json'),
      '--model',
      f('root.model'),
      '--host-log',
      f('host.log')
    );
    assert.equal(ok.code, 0, ok.err);
    assert.match(
      ok.out,
      /\(TPM quote verified\); AK 000b[0-9a-f]{64}; PCR 10 replays the host log, PCR 11 replays the root points/
    );

    // One host log entry changed (its path, the logged digest kept): the entry and PCR 10 are named.
    const text = readFileSync(f('host.log'), 'utf8');
    assert.ok(text.includes('/etc/fstab'));
    writeFileSync(f('host-changed.log'), text.replace('/etc/fstab', '/etc/fstax'));
    const badLog = await verify(f('r1.json'), nonce, '--host-log', f('host-changed.log'));
    assert.equal(badLog.code, 1);
    assert.match(
      badLog.err,
      /ima_log\.entry: host log .*host-changed\.log entry 3 \(\/etc\/fstax\): template digest/
    );
    assert.match(
      badLog.err,
      /pcr\.10: PCR 10 of the quote \([0-9a-f]{64}\) is no prefix of host log/
    );

    // One model point changed: PCR 11 (and the recomputed state) no longer match.
    const model = readFileSync(f('root.model'), 'utf8');
    const line = model.split('\n').find((l) => l.startsWith('state '))!;
    const flipped = `state ${line.slice(6, -1)}${line.endsWith('0') ? '1' : '0'}`;
    writeFileSync(f('root-changed.model'), model.replace(line, flipped));
    const badModel = await verify(f('r1.json'), nonce, '--root-model', f('root-changed.model'));
    assert.equal(badModel.code, 1);
    assert.match(
      badModel.err,
      /pcr\.11: PCR 11 of the quote .* is no prefix of the 4 points of model .*root-changed\.model/
    );
    const both = await verify(f('r1.json'), nonce, '--model', f('root-changed.model'), '--json');
    const ids = both.out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id?: string }).id)
      .filter(Boolean);
    assert.deepEqual(ids, ['pcr.11', 'state.measurement', 'state.state']);

    // Another namespace's report covers the same PCRs; its own state comes from its own model.
    const webNonce = await attest('web', f('w1.json'));
    const web = await verify(
      f('w1.json'),
      webNonce,
      '--root-model',
      f('root.model'),
      '--host-log',
      f('host.log')
    );
    assert.equal(web.code, 0, web.err);

    // The same AK signs every report.
    await attest('root', f('r2.json'));
    const names = ['r1.json', 'r2.json', 'w1.json'].map((r) =>
      akNameOf(parseReport(readFileSync(f(r), 'utf8')).quote!.akPublic)
    );
    const pinned = (JSON.parse(readFileSync(f('ak.json'), 'utf8')) as { akName: string }).akName;
    assert.deepEqual(names, [pinned, pinned, pinned]);
    const otherAk = await verify(f('r1.json'), nonce, '--ak', `000b${'ab'.repeat(32)}`);
    assert.equal(otherAk.code, 1);
    assert.match(otherAk.err, /quote\.ak: the quote was signed by attestation key 000b/);
  }
);

/** Lines of a child process's stdout and stderr as they come. */
function lines(child: ReturnType<typeof spawn>) {
  const got: { out: string[]; err: string[] } = { out: [], err: [] };
  const waiters: (() => void)[] = [];
  const split = (key: 'out' | 'err') => {
    let rest = '';
    return (d: Buffer) => {
      rest += d.toString();
      const parts = rest.split('\n');
      rest = parts.pop()!;
      got[key].push(...parts);
      for (const w of waiters.splice(0)) w();
    };
  };
  child.stdout!.on('data', split('out'));
  child.stderr!.on('data', split('err'));
  const until = async (pred: () => boolean, what: string) => {
    const deadline = Date.now() + 20_000;
    while (!pred()) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`timed out waiting for ${what}: ${JSON.stringify(got)}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  };
  return { got, until };
}

test(
  'attest watch reports growth while learning and alerts when a sealed namespace changes',
  { skip },
  async () => {
    const child = spawn(
      process.execPath,
      [
        join(repoRoot(), 'bin', 'tsem.js'),
        'attest',
        'watch',
        '--json',
        '--interval',
        '0.3',
        '--ak',
        f('ak.json'),
        '--pubkey',
        f('agent.pub'),
        '--alert',
        `file:${f('alerts.jsonl')};format=ocsf`,
        ...conn(),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    );
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const { got, until } = lines(child);
      const records = () =>
        got.out.map((l) => JSON.parse(l) as { kind: string; namespace: string; type: string });
      const has = (ns: string, kind: string) =>
        records().some((r) => r.namespace === ns && r.kind === kind);
      await until(() => has('root', 'first') && has('web', 'first'), 'the first reports');
      await feed('web', ['/var/www/index.html', '/var/www/app.js']);
      await until(() => has('web', 'growth'), 'growth of web');
      assert.ok(!records().some((r) => r.type === 'alert'), JSON.stringify(records()));

      await call(admin, 'SetMode', { name: 'root', mode: 'MODE_SEALED' });
      await feed('root', ['/tmp/.x/reverse-shell']);
      await until(() => has('root', 'sealed-changed'), 'the sealed-changed alert');
      child.kill('SIGTERM');
      assert.equal(await exited, 1, got.err.join('\n'));
      const summary = JSON.parse(got.out.at(-1)!) as {
        type: string;
        alerts: number;
        polls: number;
      };
      assert.equal(summary.type, 'summary');
      assert.ok(summary.alerts >= 1 && summary.polls >= 3, JSON.stringify(summary));
      // The alert reached the operator output too, as an OCSF Detection Finding.
      const findings = readFileSync(f('alerts.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { finding_info: { title: string }; class_uid: number });
      const sealed = findings.find((x) =>
        x.finding_info.title.startsWith('attestation sealed-changed in root')
      );
      assert.ok(sealed, JSON.stringify(findings));
      assert.deepEqual(ocsfDetectionFindingProblems(sealed), []);
      // The growth of web was extended correctly: no measurement-broken anywhere.
      assert.ok(!has('web', 'measurement-broken') && !has('root', 'measurement-broken'));
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  }
);

test(
  'PCR 0 changed: verify names it against reference values; the engine will not attest namespaces of the old boot; the AK stays',
  { skip },
  async () => {
    // The reference boot state: PCRs 0-7 of a verified quote, as a verifier would keep them.
    const r1 = parseReport(readFileSync(f('r1.json'), 'utf8'));
    const golden = Object.fromEntries(
      Object.entries(r1.quote!.pcrs).filter(([i]) => Number(i) < 8)
    );
    writeFileSync(f('golden.json'), JSON.stringify(golden));
    // Evidence edited to show another PCR 0: the quote no longer covers it, and the aggregate not either.
    const edited = {
      ...r1,
      quote: { ...r1.quote!, pcrs: { ...r1.quote!.pcrs, '0': 'ab'.repeat(32) } },
    };
    writeFileSync(f('r1-edited.json'), JSON.stringify(edited));
    const e = await runCli(
      'attest',
      'verify',
      f('r1-edited.json'),
      '--pubkey',
      f('agent.pub'),
      '--no-freshness',
      '--pcrs',
      f('golden.json'),
      '--json'
    );
    const ids = e.out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id?: string }).id)
      .filter(Boolean);
    assert.deepEqual(ids, ['report.signature', 'quote.pcr_digest', 'pcr.0', 'pcr.aggregate']);

    // The platform reboots with other firmware: PCR 0 differs.
    admin.close();
    await engine!.stop();
    engine = undefined;
    const tpm = await openTpm(sw!.spec);
    try {
      await tpm.pcrExtend(0, [
        { bank: 'sha256', digest: createHash('sha256').update('new firmware').digest() },
      ]);
    } finally {
      await tpm.close();
    }
    await start();
    assert.ok(logs.some((l) => /attestation key at 0x81010010 \(kept\)/.test(l)));
    // The model of root was anchored in the old boot state: the agent refuses to vouch for it.
    const refused = await cli('attest', '--namespace', 'root', '--nonce', 'aa'.repeat(16));
    assert.equal(refused.code, 1);
    assert.match(
      refused.err,
      /cannot be attested: its aggregate is not the platform aggregate: the boot state \(PCRs 0-7\) changed/
    );
    // A namespace of the new boot is attested; against the reference, PCR 0 is named, and only it.
    await call(admin, 'CreateNamespace', { name: 'after' });
    const nonce = await attest('after', f('r3.json'));
    const r = await verify(f('r3.json'), nonce, '--ak', f('ak.json'), '--pcrs', f('golden.json'));
    assert.equal(r.code, 1);
    const lines = r.err.trim().split('\n');
    assert.equal(lines.length, 1, r.err);
    assert.match(
      lines[0]!,
      /: pcr\.0: PCR 0 of the quote is [0-9a-f]{64}, the reference value in .*golden\.json is [0-9a-f]{64}$/
    );
    // Without a reference, the new boot is consistent: the same AK signed it, the aggregate matches.
    assert.equal((await verify(f('r3.json'), nonce, '--ak', f('ak.json'))).code, 0);
  }
);
