/**
 * A model file's Landlock ruleset: its points with their descriptions (the `# tsem: point` lines),
 * compiled (engine/landlock/compile.ts) and fitted to an ABI version (the kernel's, or --abi).
 */
import { EngineError } from '../../common/errors.js';
import type { ModelFile } from '../../engine/contour/model-file.js';
import { compileLandlock, type CompiledRuleset } from '../../engine/landlock/compile.js';
import { fitToAbi, type FittedRuleset } from '../../engine/landlock/fit.js';
import { KNOWN_ABI } from '../../engine/landlock/rights.js';
import { probeLandlock } from '../../native/landlock.js';

export function compileModel(model: ModelFile, source: string): CompiledRuleset {
  const r = compileLandlock(
    model.states.map((s) => {
      const hex = s.toString('hex');
      return { hex, description: model.notes?.get(hex)?.description };
    })
  );
  if (typeof r === 'string') throw new EngineError('TSEM_MODEL_FILE', `${source}: ${r}`);
  return r;
}

export interface AbiChoice {
  readonly abi: number;
  /** What the kernel said, for people: "this kernel: 7", or why it has none. */
  readonly kernel: string;
  readonly kernelAbi?: number;
}

/** The ABI to fit to: --abi when given, else the running kernel's; none when it has no Landlock. */
export function chooseAbi(given: number | undefined): AbiChoice {
  const probe = probeLandlock();
  const kernel = probe.ok ? `this kernel: ABI ${probe.abi}` : `this kernel: ${probe.reason}`;
  if (given !== undefined)
    return { abi: given, kernel, ...(probe.ok ? { kernelAbi: probe.abi } : {}) };
  return probe.ok
    ? { abi: probe.abi, kernel, kernelAbi: probe.abi }
    : { abi: KNOWN_ABI, kernel: `${kernel}; shown for ABI ${KNOWN_ABI}` };
}

export function fitModel(model: ModelFile, source: string, abi: number): FittedRuleset {
  return fitToAbi(compileModel(model, source), abi);
}
