/**
 * Measurement-list verification speed (entries/s) on a generated 100,000-entry binary list,
 * beside `evmctl ima_measurement` on the same list in the same run. Both verify every template
 * digest and replay PCR 10 in the sha1 and sha256 banks.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildEntry } from '../engine/ima/entry-builder.js';
import { hashBytes } from '../engine/ima/hash-algo.js';
import { parseBinaryList } from '../engine/ima/measurement-list-binary.js';
import { MeasurementLog } from '../engine/ima/measurement-log.js';
import { verifyList } from '../engine/ima/pcr-replay.js';
import { writeEvmctlPcrFile } from '../engine/ima/tcg-event-log.js';

const ENTRIES = 100_000;
const BANKS = ['sha1', 'sha256'];

function generate(): MeasurementLog {
  const log = new MeasurementLog(BANKS, 'sha256', false);
  for (let i = 0; i < ENTRIES; i++) {
    const path = `/usr/lib/x86_64-linux-gnu/bench/file-${i}.so`;
    log.add(buildEntry(10, 'ima-ng', { algo: 'sha256', digest: hashBytes('sha256', Buffer.from(path)), name: path }));
  }
  return log;
}

export async function runImaBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-ima-bench-'));
  try {
    const log = generate();
    const list = join(dir, 'binary_runtime_measurements');
    writeFileSync(list, log.toBinary('sha1'));
    const pcrArgs: string[] = [];
    for (const bank of BANKS) {
      const f = join(dir, `pcrs-${bank}`);
      writeFileSync(f, writeEvmctlPcrFile(new Map([[10, log.aggregate(bank)]]), bank === 'sha1' ? 20 : 32));
      pcrArgs.push('--pcrs', `${bank},${f}`);
    }
    const t0 = performance.now();
    const parsed = parseBinaryList(readFileSync(list));
    const v = verifyList(parsed.entries, 'sha1', BANKS);
    const oursMs = performance.now() - t0;
    const ok = v.mismatches.length === 0 && v.pcrs.get('sha256', 10).equals(log.aggregate('sha256'));
    const ours = ENTRIES / (oursMs / 1000);
    console.log(`ima verify-log: ${ENTRIES} entries in ${oursMs.toFixed(0)} ms = ${Math.round(ours)} entries/s (${ok ? 'PCR 10 matches' : 'MISMATCH'})`);
    const t1 = performance.now();
    const r = spawnSync('evmctl', ['ima_measurement', ...pcrArgs, list], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const evmMs = performance.now() - t1;
    if (r.error || r.status !== 0) {
      console.log(`evmctl ima_measurement: unavailable or failed (${r.error?.message ?? r.stderr.trim().split('\n').pop()})`);
      return;
    }
    const evm = ENTRIES / (evmMs / 1000);
    console.log(`evmctl ima_measurement: ${ENTRIES} entries in ${evmMs.toFixed(0)} ms = ${Math.round(evm)} entries/s`);
    console.log(`ratio ours/evmctl: ${(ours / evm).toFixed(2)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
