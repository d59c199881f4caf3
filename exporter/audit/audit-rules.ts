/**
 * Audit rules that say whose they are. A rule outlives the process that added it (kill -9 leaves
 * it, and each one audits every process on the host), so every rule carries its owner's identity
 * in its key, as a second key after the user's (auditctl separates keys with \x01):
 * `<key>\x01tsem-owner=<pid>.<start time>`. A starting source lists the kernel's rules and deletes
 * those whose owner is gone, including rules of earlier releases (key `tsem…` and a `pid!=N` field
 * naming their owner). A source that raised the kernel's backlog limit says so in a third key,
 * `tsem-backlog=<found>.<set>`, so that the start that removes its orphaned rule also puts the
 * limit back. Pure: parses and builds buffers; the caller talks to the kernel.
 */
import type { ProcessIdentity } from '../host/procfs.js';

const AUDIT_BITMASK_SIZE = 64;
export const AUDIT_MAX_FIELDS = 64;
/** include/uapi/linux/audit.h: the longest key the kernel keeps. */
export const AUDIT_MAX_KEY_LEN = 256;
const AUDIT_PID = 0;
const AUDIT_FILTERKEY = 210;
const AUDIT_NOT_EQUAL = 0x30000000;
/** Fields whose value is a string in buf (kernel audit_krule_to_data): LSM labels, watch, dir, exe, key. */
const STRING_FIELDS = new Set([13, 14, 15, 16, 17, 19, 20, 21, 22, 23, 105, 107, 112, 210]);
const KEY_SEPARATOR = '\x01';
const OWNER_RE = /^tsem-owner=(\d+)\.(\d+)$/;
const BACKLOG_RE = /^tsem-backlog=(\d+)\.(\d+)$/;

/** A backlog limit a source raised: the value it found and the one it set. */
export interface RaisedBacklog {
  readonly from: number;
  readonly to: number;
}

/**
 * The rule's key with its owner appended (`<key>\x01tsem-owner=<pid>.<start>`), and the backlog
 * limit it raised (`\x01tsem-backlog=<from>.<to>`) when it did.
 */
export function ownedKey(
  key: string,
  owner: Pick<ProcessIdentity, 'pid' | 'start'>,
  backlog?: RaisedBacklog
): string {
  const full =
    `${key}${KEY_SEPARATOR}tsem-owner=${owner.pid}.${owner.start}` +
    (backlog ? `${KEY_SEPARATOR}tsem-backlog=${backlog.from}.${backlog.to}` : '');
  if (Buffer.byteLength(full) > AUDIT_MAX_KEY_LEN)
    throw new RangeError(
      `audit key '${key}' is too long (the kernel keeps ${AUDIT_MAX_KEY_LEN} bytes with the owner)`
    );
  return full;
}

export interface RuleField {
  readonly field: number;
  readonly op: number;
  /** The number, or the string's length for string fields. */
  readonly value: number;
  readonly text?: string;
}

export interface ListedRule {
  /** The rule exactly as listed: sent back with AUDIT_DEL_RULE it deletes this rule. */
  readonly data: Buffer;
  readonly fields: readonly RuleField[];
  /** Every key of the rule (the kernel keeps them \x01-separated in one field). */
  readonly keys: readonly string[];
}

/** struct audit_rule_data as AUDIT_LIST_RULES sends it; undefined when malformed. */
export function parseRuleData(data: Buffer): ListedRule | undefined {
  const fixed = 12 + 4 * AUDIT_BITMASK_SIZE + 3 * 4 * AUDIT_MAX_FIELDS + 4;
  if (data.length < fixed) return undefined;
  const count = data.readUInt32LE(8);
  if (count > AUDIT_MAX_FIELDS) return undefined;
  const fieldsAt = 12 + 4 * AUDIT_BITMASK_SIZE;
  const valuesAt = fieldsAt + 4 * AUDIT_MAX_FIELDS;
  const flagsAt = valuesAt + 4 * AUDIT_MAX_FIELDS;
  const buflen = data.readUInt32LE(fixed - 4);
  if (fixed + buflen > data.length) return undefined;
  const fields: RuleField[] = [];
  let at = fixed;
  for (let i = 0; i < count; i++) {
    const field = data.readUInt32LE(fieldsAt + 4 * i);
    const value = data.readUInt32LE(valuesAt + 4 * i);
    const op = data.readUInt32LE(flagsAt + 4 * i);
    if (STRING_FIELDS.has(field)) {
      if (at + value > fixed + buflen) return undefined;
      fields.push({ field, op, value, text: data.toString('utf8', at, at + value) });
      at += value;
    } else fields.push({ field, op, value });
  }
  const keys = fields
    .filter((f) => f.field === AUDIT_FILTERKEY && f.text !== undefined)
    .flatMap((f) => f.text!.split(KEY_SEPARATOR));
  return { data: Buffer.from(data.subarray(0, fixed + buflen)), fields, keys };
}

/** Whose rule this is: the tsem owner in its key, or (earlier releases) the pid its `tsem…` rule excluded. */
export function ruleOwner(rule: ListedRule): { pid: number; start?: string } | undefined {
  for (const k of rule.keys) {
    const m = OWNER_RE.exec(k);
    if (m) return { pid: Number(m[1]), start: m[2] };
  }
  if (!rule.keys.some((k) => k.startsWith('tsem'))) return undefined;
  const excluded = rule.fields.find((f) => f.field === AUDIT_PID && f.op === AUDIT_NOT_EQUAL);
  return excluded ? { pid: excluded.value } : undefined;
}

/**
 * Whether the rule's owner is gone: no live process with that pid, or (when the owner's start
 * time is known) the pid now names another process. Rules of other programs are never stale.
 */
export function isOrphaned(
  rule: ListedRule,
  identity: (pid: number) => Pick<ProcessIdentity, 'start'> | undefined
): boolean {
  const owner = ruleOwner(rule);
  if (!owner) return false;
  const live = identity(owner.pid);
  if (!live) return true;
  return owner.start !== undefined && live.start !== owner.start;
}

/** The backlog limit the rule's owner raised (to put back once the owner is gone), if any. */
export function raisedBacklogOf(rule: ListedRule): RaisedBacklog | undefined {
  for (const k of rule.keys) {
    const m = BACKLOG_RE.exec(k);
    if (m) return { from: Number(m[1]), to: Number(m[2]) };
  }
  return undefined;
}
