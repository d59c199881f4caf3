/**
 * What a quote's PCRs must say about the engine (docs/attestation.md §4), checked by replaying:
 * the aggregate is the hash of PCRs 0-7 (tsem-model.md §2.7), PCR 10 is the host IMA log extended
 * entry by entry (ima.md §1.6), PCR 11 the root namespace's points extended in first-seen order
 * (tsem-model.md §2.6). A log or point list may run ahead of the quote, so the replay stops at the
 * first prefix that gives the quoted value, as Keylime does for PCR 10 (ima.md §7.2). Pure.
 */
import { EngineError } from '../../common/errors.js';
import { hashBytes } from '../ima/hash-algo.js';
import { verifyList } from '../ima/pcr-replay.js';
import { extendValue, type TemplateEntry } from '../ima/template-entry.js';
import { AGGREGATE_PCRS, aggregateOf } from '../tpm/aggregate.js';
import { hashByName } from '../tpm/constants.js';
import type { QuoteEvidence } from '../tpm/quote-verify.js';
import type { Finding } from './finding.js';

const IMA_PCR = 10;

function quoted(q: QuoteEvidence, pcr: number): Buffer | undefined {
  const v = q.pcrs[String(pcr)];
  return v === undefined ? undefined : Buffer.from(v, 'hex');
}

/**
 * The smallest n such that extending `values[0..n)` from zeros gives `target` in `bank`, or -1.
 * `extend(v)` maps an item to the digest the PCR was extended with.
 */
export function matchingPrefix<T>(
  items: readonly T[],
  bank: string,
  target: Buffer,
  extend: (item: T) => Buffer | undefined
): number {
  const size = hashByName(bank)!.size;
  let pcr: Buffer = Buffer.alloc(size);
  if (pcr.equals(target)) return 0;
  for (let i = 0; i < items.length; i++) {
    const v = extend(items[i]!);
    if (v === undefined) continue;
    pcr = hashBytes(bank, pcr, v);
    if (pcr.equals(target)) return i + 1;
  }
  return -1;
}

/** The report's aggregate must be H(PCR 0 ‖ … ‖ PCR 7) of its quote, in the namespace's digest. */
export function checkAggregate(
  q: QuoteEvidence,
  digest: string,
  aggregate: string
): Finding | undefined {
  const pcrs = AGGREGATE_PCRS.map((i) => quoted(q, i));
  if (pcrs.some((p) => p === undefined))
    return { id: 'pcr.aggregate', reason: 'the quote does not cover PCRs 0-7' };
  const want = aggregateOf(pcrs as Buffer[], digest).toString('hex');
  return want === aggregate
    ? undefined
    : {
        id: 'pcr.aggregate',
        reason: `the report's aggregate ${aggregate} is not H(PCR 0..7) of the quote (${want}): the boot state changed since the engine started, or the aggregate is not this TPM's`,
      };
}

/** PCR 10 against the host IMA log: every template digest, then the replay (ima.md §1.6). */
export function checkHostLog(
  q: QuoteEvidence,
  entries: readonly TemplateEntry[],
  logBank: string,
  source: string
): Finding[] {
  const findings: Finding[] = [];
  for (const m of verifyList(entries, logBank, [logBank]).mismatches) {
    const name = entries[m.record - 1]!.fields[1]?.toString('utf8').replace(/\0$/, '');
    findings.push({
      id: 'ima_log.entry',
      reason: `${source} entry ${m.record}${name ? ` (${name})` : ''}: template digest ${m.logged} is not ${logBank} of its data (${m.computed}): the entry was changed`,
    });
  }
  const target = quoted(q, IMA_PCR);
  const h = hashByName(q.bank);
  if (!target || !h) {
    findings.push({ id: 'pcr.10', reason: 'the quote does not cover PCR 10' });
    return findings;
  }
  const n = matchingPrefix(entries, q.bank, target, (e) =>
    e.pcr === IMA_PCR ? extendValue(e, h.name, h.size) : undefined
  );
  if (n < 0)
    findings.push({
      id: 'pcr.10',
      reason: `PCR 10 of the quote (${target.toString('hex')}) is no prefix of ${source} (${entries.length} entries) replayed: an entry was changed, removed or reordered, or the log is another's`,
    });
  return findings;
}

/**
 * PCR 11 against the root namespace's points in first-seen order, each copied into the bank's
 * digest size (tsem-model.md §2.6). With `exact`, the replay must use exactly that many points.
 */
export function checkRootPoints(
  q: QuoteEvidence,
  points: readonly Buffer[],
  source: string,
  pcr: number,
  exact?: number
): Finding | undefined {
  const target = quoted(q, pcr);
  const h = hashByName(q.bank);
  if (!target || !h) return { id: `pcr.${pcr}`, reason: `the quote does not cover PCR ${pcr}` };
  const n = matchingPrefix(points, q.bank, target, (c) => {
    const v = Buffer.alloc(h.size);
    c.copy(v, 0, 0, Math.min(c.length, h.size));
    return v;
  });
  if (n >= 0 && (exact === undefined || n === exact)) return undefined;
  return {
    id: `pcr.${pcr}`,
    reason:
      n < 0
        ? `PCR ${pcr} of the quote (${target.toString('hex')}) is no prefix of the ${points.length} points of ${source} extended in order: a point was changed, removed or reordered`
        : `PCR ${pcr} of the quote covers ${n} points of ${source}, the report states ${exact}`,
  };
}

/** Quoted PCRs against the verifier's reference values (golden boot measurements), each named. */
export function checkReferencePcrs(
  q: QuoteEvidence,
  reference: ReadonlyMap<number, string>,
  source: string
): Finding[] {
  const out: Finding[] = [];
  for (const [pcr, want] of [...reference].sort(([a], [b]) => a - b)) {
    const got = q.pcrs[String(pcr)];
    if (got === undefined)
      out.push({
        id: `pcr.${pcr}`,
        reason: `the quote does not cover PCR ${pcr} (${source} has it)`,
      });
    else if (got !== want.toLowerCase())
      out.push({
        id: `pcr.${pcr}`,
        reason: `PCR ${pcr} of the quote is ${got}, the reference value in ${source} is ${want.toLowerCase()}`,
      });
  }
  return out;
}

/**
 * Reference PCR values: a JSON object of index to hex (as a report's quote lists them), or the
 * `BANK INDEX HEX` lines `tsem tpm pcrread` prints (lines of another bank than `bank` are skipped).
 */
export function parseReferencePcrs(
  text: string,
  bank: string,
  source: string
): Map<number, string> {
  const out = new Map<number, string>();
  const put = (i: string, v: unknown, where: string) => {
    if (
      !/^\d{1,2}$/.test(i) ||
      Number(i) > 23 ||
      typeof v !== 'string' ||
      !/^(?:[0-9a-fA-F]{2})+$/.test(v)
    )
      throw new EngineError(
        'TSEM_PARSE',
        `${source}: ${where}: expected a PCR index 0-23 and a hex value`
      );
    out.set(Number(i), v.toLowerCase());
  };
  const t = text.trim();
  if (t.startsWith('{')) {
    let obj: unknown;
    try {
      obj = JSON.parse(t);
    } catch (err) {
      throw new EngineError('TSEM_PARSE', `${source}: not JSON (${(err as Error).message})`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
      throw new EngineError(
        'TSEM_PARSE',
        `${source}: expected an object of PCR index to hex value`
      );
    for (const [k, v] of Object.entries(obj)) put(k, v, `field '${k}'`);
    return out;
  }
  t.split('\n').forEach((line, n) => {
    const w = line.trim().split(/\s+/);
    if (w.length === 1 && w[0] === '') return;
    if (w.length === 3) {
      if (w[0] === bank) put(w[1]!, w[2], `line ${n + 1}`);
    } else if (w.length === 2) put(w[0]!, w[1], `line ${n + 1}`);
    else
      throw new EngineError(
        'TSEM_PARSE',
        `${source}: line ${n + 1}: expected 'BANK INDEX HEX' or 'INDEX HEX'`
      );
  });
  return out;
}
