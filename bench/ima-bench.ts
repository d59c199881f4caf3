/**
 * Measurement-list verification speed (entries/s) on a generated 100,000-entry binary list,
 * beside `evmctl ima_measurement` on the same list in the same run. Both verify every template
 * digest and replay PCR 10 in the sha1 and sha256 banks. The generic path (TemplateEntry objects,
 * what ASCII lists go through) is timed too, for reference.
 */
import type { BenchReport } from './report.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildEntry } from '../engine/ima/entry-builder.js';
import { hashBytes } from '../engine/ima/hash-algo.js';
import { parseBinaryList } from '../engine/ima/measurement-list-binary.js';
import { MeasurementLog } from '../engine/ima/measurement-log.js';
import { verifyList, type ListVerification } from '../engine/ima/pcr-replay.js';
import { writeEvmctlPcrFile } from '../engine/ima/tcg-event-log.js';
import { verifyBinaryListFile } from '../engine/ima/io/verify-list-file.js';

const ENTRIES = 100_000;
const BANKS = ['sha1', 'sha256'];
// One thread: a worker taking over some banks' replay was tried and gained nothing here (2 vCPUs;
// worker start-up 40-100 ms, and each thread ran little faster than one thread doing all).
const STRATEGY =
  'verifyBinaryListFile (sync reads into a reused 256 KiB chunk, no per-record objects, latin1 digests, one thread)';

function generate(): MeasurementLog {
  const log = new MeasurementLog(BANKS, 'sha256', false);
  for (let i = 0; i < ENTRIES; i++) {
    const path = `/usr/lib/x86_64-linux-gnu/bench/file-${i}.so`;
    log.add(
      buildEntry(10, 'ima-ng', {
        algo: 'sha256',
        digest: hashBytes('sha256', Buffer.from(path)),
        name: path,
      })
    );
  }
  return log;
}

/**
 * Writes the list and evmctl's PCR files; returns the expected PCR 10 per bank. The generated
 * log goes out of scope here, so the timed runs do not pay for collecting a heap full of it.
 */
function writeFixture(dir: string, list: string, pcrArgs: string[]): Map<string, Buffer> {
  const log = generate();
  writeFileSync(list, log.toBinary('sha1'));
  const expected = new Map<string, Buffer>();
  for (const bank of BANKS) {
    const f = join(dir, `pcrs-${bank}`);
    expected.set(bank, log.aggregate(bank));
    writeFileSync(
      f,
      writeEvmctlPcrFile(new Map([[10, log.aggregate(bank)]]), bank === 'sha1' ? 20 : 32)
    );
    pcrArgs.push('--pcrs', `${bank},${f}`);
  }
  return expected;
}

export async function runImaBench(r: BenchReport): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-ima-bench-'));
  try {
    const list = join(dir, 'binary_runtime_measurements');
    const pcrArgs: string[] = [];
    const expected = writeFixture(dir, list, pcrArgs);
    const matches = (v: ListVerification): string =>
      v.templateDigestOk === ENTRIES &&
      BANKS.every((b) => v.pcrs.get(b, 10).equals(expected.get(b)!))
        ? 'PCR 10 matches'
        : 'MISMATCH';
    // The fast path runs first, cold: the generic run after it would otherwise warm shared code.
    const t0 = performance.now();
    const v = verifyBinaryListFile(list, 'sha1', BANKS);
    const oursMs = performance.now() - t0;
    const ours = ENTRIES / (oursMs / 1000);
    r.say(`strategy: ${STRATEGY}`);
    r.say(
      `ima verify-log: ${ENTRIES} entries in ${oursMs.toFixed(0)} ms = ${Math.round(ours)} entries/s (${matches(v)})`
    );
    const tg = performance.now();
    const generic = verifyList(parseBinaryList(readFileSync(list)).entries, 'sha1', BANKS);
    const genericMs = performance.now() - tg;
    r.say(
      `generic path (parseBinaryList + verifyList, for reference): ${genericMs.toFixed(0)} ms = ${Math.round(ENTRIES / (genericMs / 1000))} entries/s (${matches(generic)})`
    );
    const t1 = performance.now();
    const ev = spawnSync('evmctl', ['ima_measurement', ...pcrArgs, list], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    const evmMs = performance.now() - t1;
    if (ev.error || ev.status !== 0) {
      r.say(
        `evmctl ima_measurement: unavailable or failed (${ev.error?.message ?? ev.stderr.trim().split('\n').pop()})`
      );
      r.figures({ entries_per_s: Math.round(ours), evmctl_entries_per_s: null });
      return;
    }
    const evm = ENTRIES / (evmMs / 1000);
    r.say(
      `evmctl ima_measurement: ${ENTRIES} entries in ${evmMs.toFixed(0)} ms = ${Math.round(evm)} entries/s`
    );
    r.say(`ratio ours/evmctl: ${(ours / evm).toFixed(2)}`);
    r.figures({ entries_per_s: Math.round(ours), evmctl_entries_per_s: Math.round(evm) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
