/**
 * Enum numbers read from tsem.proto itself, for the packed forms that carry numbers rather than
 * names (PackedVerdicts): the proto stays the one place the numbers are written.
 */
import type { EnumTypeDefinition } from '@grpc/proto-loader';
import type { Action } from './gen/tsem/v1/Action.js';
import type { VerdictKind } from './gen/tsem/v1/VerdictKind.js';
import { loadTsemProto } from './load.js';

type Names<T> = Extract<T, string>;

/** name → number and number → name of one enum of package tsem.v1. */
export interface EnumNumbers<N extends string> {
  number(name: N): number;
  name(n: number): N | undefined;
}

function enumNumbers<N extends string>(fullName: string): EnumNumbers<N> {
  const def = loadTsemProto().definition[fullName] as EnumTypeDefinition | undefined;
  const values = (def?.type as { value?: { name: string; number: number }[] } | undefined)?.value;
  if (!values) throw new TypeError(`tsem.proto has no enum ${fullName}`);
  const byName = new Map(values.map((v) => [v.name, v.number]));
  const byNumber = new Map(values.map((v) => [v.number, v.name as N]));
  return {
    number: (name) => {
      const n = byName.get(name);
      if (n === undefined) throw new TypeError(`${fullName} has no value ${name}`);
      return n;
    },
    name: (n) => byNumber.get(n),
  };
}

let verdictKinds: EnumNumbers<Names<VerdictKind>> | undefined;
let actions: EnumNumbers<Names<Action>> | undefined;

export function verdictKindNumbers(): EnumNumbers<Names<VerdictKind>> {
  return (verdictKinds ??= enumNumbers('tsem.v1.VerdictKind'));
}

export function actionNumbers(): EnumNumbers<Names<Action>> {
  return (actions ??= enumNumbers('tsem.v1.Action'));
}
