/**
 * The on/off-contour comparison (docs/tsem-model.md §2.6, §3.5): what one coefficient means for a
 * namespace in a mode, given what the contour map knows of it. Pure; the namespace applies it.
 */
import { isSealedMode, type Mode } from './mode.js';

export type ContourKind = 'learned' | 'on-contour' | 'would-be-off-contour' | 'off-contour';

export interface ContourDecision {
  readonly kind: ContourKind;
  /** What joins the map and extends the measurement: a valid point, a forensic one, or nothing. */
  readonly add?: 'valid' | 'forensic';
  /** Learn mode met a forensic point: it becomes valid in place (already in the measurement). */
  readonly promote?: boolean;
  /** Audit mode: an unknown point is recorded as a finding (the dry run of sealing). */
  readonly finding: boolean;
  /** The acting task becomes untrusted (sticky, inherited by its children). */
  readonly untrust: boolean;
  readonly deny: boolean;
}

const decision = (kind: ContourKind, rest: Partial<ContourDecision> = {}): ContourDecision =>
  Object.freeze({ kind, finding: false, untrust: false, deny: false, ...rest });

// Every decision there is, made once: the comparison runs for every event and allocates nothing.
const ON = decision('on-contour');
const KNOWN_FORENSIC = decision('off-contour', { untrust: true });
const KNOWN_FORENSIC_DENY = decision('off-contour', { untrust: true, deny: true });
const PROMOTE = decision('learned', { promote: true });
const WOULD_BE = decision('would-be-off-contour');
const FINDING = decision('would-be-off-contour', { finding: true });
const LEARNED = decision('learned', { add: 'valid' });
const NEW_FORENSIC = decision('off-contour', { add: 'forensic', untrust: true });
const NEW_FORENSIC_DENY = decision('off-contour', { add: 'forensic', untrust: true, deny: true });

/**
 * `known` is the map's point for the coefficient, if any. A valid point is on-contour in every
 * mode; a forensic point or an unknown one is off-contour once sealed, and denied under enforce.
 * Learning accepts what it sees, forensic points included: they become valid where they stand.
 */
export function compareToContour(
  known: { readonly valid: boolean } | undefined,
  mode: Mode
): ContourDecision {
  if (known?.valid) return ON;
  const sealed = isSealedMode(mode);
  const deny = mode === 'enforce';
  if (known) {
    if (sealed) return deny ? KNOWN_FORENSIC_DENY : KNOWN_FORENSIC;
    return mode === 'learn' ? PROMOTE : WOULD_BE;
  }
  if (mode === 'audit') return FINDING;
  if (!sealed) return LEARNED;
  return deny ? NEW_FORENSIC_DENY : NEW_FORENSIC;
}
