/**
 * Files the IMA stage is configured from: the shipped built-in policies (policies/ima/ in the
 * package) and the policy and key files an operator names (`--ima-policy`, `--ima-key`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineError } from '../../../common/errors.js';
import type { KeySource } from '../create-ima-stage.js';

/** Built-in policies shipped in policies/ima/ (ima.md §3.5). */
export const SHIPPED_POLICIES = ['tcb', 'appraise_tcb', 'secure_boot'] as const;
export type ShippedPolicy = (typeof SHIPPED_POLICIES)[number];

/** policies/ima/ of this package, found by walking up from this module (source or dist-*). */
function policiesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'policies', 'ima');
    if (existsSync(join(candidate, 'tcb'))) return candidate;
    const up = resolve(dir, '..');
    if (up === dir)
      throw new EngineError(
        'TSEM_UNAVAILABLE',
        'the shipped IMA policies (policies/ima/) are not installed with this package'
      );
    dir = up;
  }
}

/** Text of a shipped policy. */
export function shippedPolicy(name: ShippedPolicy = 'tcb'): { text: string; source: string } {
  return {
    text: readFileSync(join(policiesDir(), name), 'utf8'),
    source: `built-in ${name} policy`,
  };
}

function readNamed(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      `cannot read the IMA ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`
    );
  }
}

/** Reads an operator's policy file (or none: the default) and key files for createImaStage. */
export function readImaStageFiles(
  policyFile: string | undefined,
  keyFiles: readonly string[]
): { policy?: string; policySource?: string; keys: KeySource[] } {
  const keys = keyFiles.map((f) => ({ data: readNamed(f, 'key file'), source: f }));
  if (policyFile === undefined) return { keys };
  return {
    policy: readNamed(policyFile, 'policy file').toString('utf8'),
    policySource: policyFile,
    keys,
  };
}
