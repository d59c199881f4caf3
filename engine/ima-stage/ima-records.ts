/**
 * INTEGRITY_DATA-style records for Monitor subscribers (ima.md §4.3): the kernel's `op`, `cause`
 * and `res` vocabulary, plus `status` (`pass`, `fail` or `violation`: a `fail` record makes the
 * notice an alert), `filename`, the IMA `namespace` whose policy acted and the TSEM namespace the
 * access came from (`origin`). Values are strings, as the wire's `ima_json` carries them.
 */
import type { AppraiseResult } from '../ima/appraise.js';

export type ImaRecord = Record<string, string>;

// Records are built with Object.assign in their field order: `{ ...w, k }` is slow in Node 20
// (docs/performance.md §2).

interface Where {
  /** The IMA namespace (level) whose policy measured or appraised. */
  readonly namespace: string;
  /** The TSEM namespace the access happened in. */
  readonly origin: string;
  readonly filename: string;
  readonly func: string;
}

/** A new measurement-list entry (type 1804 INTEGRITY_PCR, op=add_template_measure cause=hash_added). */
export function measureRecord(w: Where, pcr: number, hash: string): ImaRecord {
  const head: ImaRecord = { type: '1804', op: 'measure', cause: 'hash_added', status: 'pass' };
  return Object.assign(head, w, {
    pcr: String(pcr),
    hash,
    res: '1',
  });
}

/**
 * An appraisal result (type 1800, op=appraise_data). Every status but PASS is a failure: the
 * kernel returns -EACCES for it under enforcement (ima.md §4.2 "Enforcement"), so it is `fail`.
 */
export function appraiseRecord(w: Where, r: AppraiseResult, enforced: boolean): ImaRecord {
  const pass = r.status === 'INTEGRITY_PASS';
  const rec: ImaRecord = {
    type: '1800',
    op: 'appraise_data',
    cause: r.cause ?? (pass ? 'pass' : 'unknown'),
    status: pass ? 'pass' : 'fail',
  };
  Object.assign(rec, w, { integrity: r.status });
  if (r.detail) rec['detail'] = r.detail;
  rec['enforced'] = String(enforced && !pass);
  rec['res'] = pass ? '1' : '0';
  return rec;
}

/**
 * A signed file opened for write: the kernel denies it with -EACCES and no audit cause of its
 * own (ima.md §4.2, "Signed files are immutable"); `signed-file-write` names it for subscribers.
 */
export function signedWriteRecord(w: Where, enforced: boolean): ImaRecord {
  const head: ImaRecord = {
    type: '1800',
    op: 'appraise_data',
    cause: 'signed-file-write',
    status: 'fail',
  };
  return Object.assign(head, w, {
    integrity: 'INTEGRITY_PASS',
    enforced: String(enforced),
    res: '0',
  });
}

/**
 * The file's digest could not be had in the algorithm IMA needs, or collecting it failed
 * (op=collect_data cause=failed, ima.md §4.3). Where the policy measures, a violation entry stands in for the measurement
 * (`violation`); where it appraises, appraisal fails as the kernel's collect failure does (`fail`).
 */
export function collectFailedRecord(
  w: Where,
  detail: string,
  appraised: boolean,
  enforced: boolean
): ImaRecord {
  const head: ImaRecord = {
    type: '1800',
    op: 'collect_data',
    cause: 'failed',
    status: appraised ? 'fail' : 'violation',
  };
  return Object.assign(head, w, { detail, enforced: String(enforced && appraised), res: '0' });
}
