/**
 * `tsem run --landlock` (docs/landlock.md §6): the kernel's Landlock ABI, checked before anything is
 * created, and the ruleset of the canister's namespace: its model exported from the engine (with the
 * point descriptions), compiled and fitted, said once, written for the launcher.
 */
import { parseModelFile } from '../../engine/contour/model-file.js';
import { readModelHeader } from '../../engine/contour/model-header.js';
import { launcherRulesetFile } from '../../engine/landlock/fit.js';
import { createDigest } from '../../engine/measure/digest.js';
import { probeLandlock } from '../../native/landlock.js';
import type { NamespaceInfo__Output } from '../../proto/gen/tsem/v1/NamespaceInfo.js';
import { callControl, type TsemClients } from '../client.js';
import { modeName } from '../commands/ns.js';
import { fitModel } from '../landlock/model-ruleset.js';
import { RunError } from './run-error.js';

/** The kernel's Landlock ABI version; a RunError (125) naming why there is none. */
export function requireLandlock(): number {
  const p = probeLandlock();
  if (!p.ok) throw new RunError(`--landlock: Landlock is not available: ${p.reason}`);
  return p.abi;
}

/** The launcher's ruleset for the namespace's model, fitted to `abi`; `say` tells what it holds. */
export async function landlockRuleset(
  c: TsemClients,
  ns: NamespaceInfo__Output | null,
  abi: number,
  say: (m: string) => void,
  quiet: boolean
): Promise<string> {
  const name = ns?.name ?? '';
  const mode = modeName(ns?.mode ?? '');
  if (mode !== 'sealed' && mode !== 'enforce')
    throw new RunError(
      `--landlock needs a sealed model, and namespace '${name}' is in ${mode} mode: train it, then seal it (tsem ns mode ${name} sealed)`
    );
  const { model: text } = await callControl(c, 'ExportModel', { name }).catch((err: unknown) => {
    throw new RunError(
      `--landlock: cannot export the model of '${name}': ${(err as Error).message}`
    );
  });
  const source = `the model of namespace '${name}'`;
  let fitted;
  try {
    const alg = createDigest(readModelHeader(text).digest ?? ns?.digest ?? 'sha256');
    fitted = fitModel(parseModelFile(text, alg, source), source, abi);
  } catch (err) {
    throw new RunError(`--landlock: ${(err as Error).message}`, 125);
  }
  const r = fitted.ruleset;
  if (!quiet)
    say(
      `landlock: ABI ${fitted.abi}: ${r.paths.length} path rules, ${r.ports.length} TCP port rules, scoped ${r.scoped.join(', ') || 'nothing'} (tsem model landlock shows why)`
    );
  for (const d of fitted.dropped) say(`landlock: ${d}`);
  return launcherRulesetFile(fitted);
}
