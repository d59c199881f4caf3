/**
 * Keylime runtime policy (ima.md §7.1) import/export and verification of a measurement list
 * against it (§7.2, keylime/ima/ima.py). Findings accumulate with dotted ids, keylime-style.
 */
import { RE2JS } from 're2js';
import { errorText } from '../../common/escape.js';
import { digestOfField } from './template-fields.js';
import { hashedBytes, type TemplateEntry } from './template-entry.js';
import { hashBytes } from './hash-algo.js';
import { createPublicKey } from 'node:crypto';
import { imaKeyOf, Keyring, loadKeys, type ImaKey } from './keys.js';
import { verifySignature } from './signature.js';

export interface RuntimePolicy {
  meta: { version: number; generator?: number; timestamp?: string };
  release?: number;
  digests: Record<string, string[]>;
  excludes: string[];
  keyrings: Record<string, string[]>;
  ima: { ignored_keyrings: string[]; log_hash_alg: string; dm_policy: unknown };
  'ima-buf': Record<string, string[]>;
  'verification-keys': string;
}

export class RuntimePolicyError extends Error {
  override readonly name = 'RuntimePolicyError';
  constructor(message: string) {
    super(errorText(message));
  }
}

const HEX_DIGEST = /^(?:[a-z0-9-]+:)?[0-9a-f]{40,128}$/;

function stringListMap(v: unknown, where: string): Record<string, string[]> {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new RuntimePolicyError(`${where}: expected an object of string lists`);
  for (const [k, list] of Object.entries(v)) {
    if (!Array.isArray(list) || list.some((d) => typeof d !== 'string' || !HEX_DIGEST.test(d))) {
      throw new RuntimePolicyError(`${where}["${k}"]: expected a list of hex digests`);
    }
  }
  return v as Record<string, string[]>;
}

/** Parses and validates a runtime-policy JSON document (RUNTIME_POLICY_SCHEMA, condensed). */
export function parseRuntimePolicy(text: string): RuntimePolicy {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new RuntimePolicyError(`runtime policy is not JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null)
    throw new RuntimePolicyError('runtime policy: expected a JSON object');
  const meta = raw.meta as RuntimePolicy['meta'] | undefined;
  if (!meta || typeof meta.version !== 'number')
    throw new RuntimePolicyError('runtime policy: expected meta.version');
  const excludes = (raw.excludes ?? []) as unknown;
  if (!Array.isArray(excludes) || excludes.some((e) => typeof e !== 'string'))
    throw new RuntimePolicyError('excludes: expected a list of regexes');
  for (const e of excludes as string[]) {
    try {
      RE2JS.compile(e);
    } catch (err) {
      throw new RuntimePolicyError(
        `excludes: '${e}' is not a regular expression RE2 accepts (${(err as Error).message}; backreferences and lookaround are not linear-time)`
      );
    }
  }
  const ima = (raw.ima ?? {}) as Partial<RuntimePolicy['ima']>;
  return {
    meta,
    ...(typeof raw.release === 'number' ? { release: raw.release } : {}),
    digests: stringListMap(raw.digests, 'digests'),
    excludes: excludes as string[],
    keyrings: stringListMap(raw.keyrings, 'keyrings'),
    ima: {
      ignored_keyrings: ima.ignored_keyrings ?? [],
      log_hash_alg: ima.log_hash_alg ?? 'sha1',
      dm_policy: ima.dm_policy ?? null,
    },
    'ima-buf': stringListMap(raw['ima-buf'], 'ima-buf'),
    'verification-keys':
      typeof raw['verification-keys'] === 'string' ? raw['verification-keys'] : '',
  };
}

/** Serialises a policy the way keylime writes it (key order of the schema). */
export function exportRuntimePolicy(p: RuntimePolicy): string {
  return JSON.stringify(p);
}

/** Builds an allowlist from a trusted list: every file digest under its path (generator 2). */
export function runtimePolicyFromList(entries: readonly TemplateEntry[]): RuntimePolicy {
  const digests: Record<string, string[]> = {};
  for (const e of entries) {
    if (e.violation || e.templateName === 'ima-buf') continue;
    const name = e.fields[1]!.toString('utf8').replace(/\0$/, '');
    const d =
      e.templateName === 'ima'
        ? e.fields[0]!.toString('hex')
        : digestOfField(e.fields[0]!)?.digest.toString('hex');
    if (!d) continue;
    const list = (digests[name] ??= []);
    if (!list.includes(d)) list.push(d);
  }
  return {
    meta: { version: 1, generator: 2 },
    release: 0,
    digests,
    excludes: [],
    keyrings: {},
    ima: { ignored_keyrings: [], log_hash_alg: 'sha1', dm_policy: null },
    'ima-buf': {},
    'verification-keys': '',
  };
}

export interface Finding {
  /** 1-based entry number. */
  readonly record: number;
  /** Dotted id, e.g. `ima.validation.ima-ng.not_in_allowlist`. */
  readonly id: string;
  readonly message: string;
}

function policyKeys(p: RuntimePolicy): ImaKey[] {
  if (!p['verification-keys']) return [];
  const parsed = JSON.parse(p['verification-keys']) as { pubkeys?: string[] };
  return (parsed.pubkeys ?? []).map((b64) =>
    imaKeyOf(
      createPublicKey({ key: Buffer.from(b64, 'base64'), format: 'der', type: 'spki' }),
      'verification-keys'
    )
  );
}

/** Verifies every entry (ima.md §7.2 step 3); violations are tolerated (ignore_tomtou_errors). */
export function verifyAgainstRuntimePolicy(
  entries: readonly TemplateEntry[],
  p: RuntimePolicy,
  extraKeys: readonly ImaKey[] = []
): Finding[] {
  const findings: Finding[] = [];
  // Python re.match is anchored at the start only. The excludes come from the policy's author:
  // RE2 matches them in linear time, where a backtracking engine could hang on a hostile one.
  const exclude = p.excludes.length
    ? RE2JS.compile(`^(?:${p.excludes.map((e) => `(?:${e})`).join('|')})`)
    : undefined;
  const keyring = new Keyring([...policyKeys(p), ...extraKeys]);
  const logAlg = p.ima.log_hash_alg;
  entries.forEach((e, i) => {
    const record = i + 1;
    const add = (id: string, message: string): void =>
      void findings.push({ record, id: `ima.validation.${e.templateName}.${id}`, message });
    if (e.pcr !== 10) return add('invalid_pcr', `entry is for PCR ${e.pcr}, expected 10`);
    if (e.violation) return;
    if (e.loggedDigest && !hashBytes(logAlg, hashedBytes(e)).equals(e.loggedDigest))
      return add('invalid_template_hash', 'template hash does not match the template data');
    const name = e.fields[1]!.toString('utf8').replace(/\0$/, '');
    const dig =
      e.templateName === 'ima'
        ? { algo: 'sha1', digest: e.fields[0]! }
        : digestOfField(e.fields[0]!);
    if (!dig) return add('malformed', 'digest field has no algorithm prefix');
    const hex = dig.digest.toString('hex');
    if (e.templateName === 'ima-buf') {
      const buf = e.fields[2]!;
      let keys: ImaKey[] = [];
      try {
        keys = loadKeys(buf, name);
      } catch {
        /* not a key: generic ima-buf check below */
      }
      if (
        keys.length &&
        !p.ima.ignored_keyrings.includes(name) &&
        !p.ima.ignored_keyrings.includes('*')
      ) {
        if (!(p.keyrings[name] ?? []).includes(hex))
          return add('key_not_in_keyring', `key ${hex} is not allowed in keyring ${name}`);
        keys.forEach((k) => keyring.add(k)); // key learning (keylime #717)
        return;
      }
      if (!(p['ima-buf'][name] ?? []).includes(hex))
        add('not_in_allowlist', `ima-buf ${name} digest ${hex} is not allowed`);
      return;
    }
    const sigAt = e.fieldIds.indexOf('sig');
    const sig = sigAt >= 0 ? e.fields[sigAt]! : undefined;
    if (exclude?.matcher(name).lookingAt()) return;
    if (sig && sig.length > 0 && keyring.size > 0) {
      const check = verifySignature(keyring, sig, dig.algo, dig.digest);
      if (!check.ok) add('invalid_signature', `${name}: ${check.detail}`);
      return;
    }
    const allowed = p.digests[name];
    if (!allowed) return add('not_in_allowlist', `${name} is not in the runtime policy`);
    if (!allowed.some((d) => d === hex || d.endsWith(`:${hex}`)))
      add('runtime_policy_hash', `${name}: digest ${hex} is not allowed`);
  });
  return findings;
}
