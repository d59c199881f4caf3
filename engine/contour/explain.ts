/**
 * Why a coefficient is off the contour: the trained points nearest to its event. Nearest means
 * the same event type first, then the same process, then the fewest differing COE and CELL
 * fields; the fields that differ are named with both values. Pure and bounded: candidates are
 * offered one by one (streamed from the store) and only the best `k` are kept.
 */
import { descriptionFields, type EventDescription } from '../event/describe.js';

export interface FieldDifference {
  /** `type`, `process`, `task_id`, `p_task_id`, `coe.NAME` or `cell.A.B…` (describe.ts). */
  readonly field: string;
  /** The explained event's value; undefined when it has no such field. */
  readonly value?: string;
  /** The trained point's value; undefined when it has no such field. */
  readonly nearest?: string;
}

export interface Neighbor {
  readonly hex: string;
  readonly description: EventDescription;
  readonly sameType: boolean;
  readonly sameProcess: boolean;
  /** COE and CELL fields that differ (the ranking's third key). */
  readonly differing: number;
  /** Every differing field, task ids included, in description order. */
  readonly differences: readonly FieldDifference[];
}

export const DEFAULT_NEAREST = 3;
export const MAX_NEAREST = 32;

function compareFields(
  target: ReadonlyMap<string, string>,
  other: ReadonlyMap<string, string>
): { differences: FieldDifference[]; differing: number } {
  const differences: FieldDifference[] = [];
  let differing = 0;
  const seen = new Set<string>();
  for (const [field, value] of target) {
    seen.add(field);
    const nearest = other.get(field);
    if (nearest === value) continue;
    differences.push({ field, value, nearest });
    if (field.startsWith('coe.') || field.startsWith('cell.')) differing++;
  }
  for (const [field, nearest] of other) {
    if (seen.has(field)) continue;
    differences.push({ field, nearest });
    if (field.startsWith('coe.') || field.startsWith('cell.')) differing++;
  }
  return { differences, differing };
}

/** Ranking key: smaller is nearer. The coefficient breaks ties so results are stable. */
function rank(n: Neighbor): [number, number, number, string] {
  return [n.sameType ? 0 : 1, n.sameProcess ? 0 : 1, n.differing, n.hex];
}

function nearer(a: Neighbor, b: Neighbor): boolean {
  const [x, y] = [rank(a), rank(b)];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]!;
  return false;
}

export class NearestPoints {
  private readonly fields: ReadonlyMap<string, string>;
  private readonly best: Neighbor[] = [];
  private offered = 0;

  constructor(
    private readonly target: EventDescription,
    private readonly targetHex: string,
    private readonly k = DEFAULT_NEAREST
  ) {
    this.fields = descriptionFields(target);
  }

  /** Candidates compared so far. */
  get compared(): number {
    return this.offered;
  }

  offer(hex: string, d: EventDescription): void {
    if (hex === this.targetHex) return;
    this.offered++;
    const sameType = d.type === this.target.type;
    const sameProcess = d.process === this.target.process;
    // Cheap reject before the field comparison once the list is full.
    const worst = this.best.length >= this.k ? this.best[this.best.length - 1]! : undefined;
    if (worst && (sameType ? 0 : 1) > (worst.sameType ? 0 : 1)) return;
    const { differences, differing } = compareFields(this.fields, descriptionFields(d));
    const n: Neighbor = { hex, description: d, sameType, sameProcess, differing, differences };
    if (worst && !nearer(n, worst)) return;
    let i = this.best.length;
    while (i > 0 && nearer(n, this.best[i - 1]!)) i--;
    this.best.splice(i, 0, n);
    if (this.best.length > this.k) this.best.pop();
  }

  result(): readonly Neighbor[] {
    return this.best;
  }
}
