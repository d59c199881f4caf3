/** `tsem run`'s options, checked before anything is created (a bad one leaves nothing behind). */
import { existsSync, readFileSync } from 'node:fs';
import { checkNamespaceName } from '../../engine/ns/registry.js';
import type { Mode } from '../../proto/gen/tsem/v1/Mode.js';
import { intOption, type OptionSpec, type ParsedArgs, UsageError } from '../args.js';
import { CONNECTION_OPTIONS } from '../client.js';
import { MODE_USAGE, modeFromWord } from '../commands/ns.js';
import { type Confinement, parseUnshare, UNSHARE_KINDS, type UnshareKind } from './launch-plan.js';
import { RunError } from './run-error.js';

export const RUN_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'namespace',
    kind: 'string',
    arg: 'NS',
    help: 'the modeling namespace (reused or created)',
  },
  {
    name: 'label',
    kind: 'string',
    arg: 'LABEL',
    help: "the workload's label: names the namespace, which starts from the label's stored model",
  },
  { name: 'model', kind: 'string', arg: 'FILE', help: 'model file to load into the namespace' },
  {
    name: 'model-signature',
    kind: 'string',
    arg: 'FILE',
    help: "the model's detached signature (default MODEL.sig when it exists)",
  },
  {
    name: 'mode',
    kind: 'string',
    arg: 'MODE',
    // Checked by modeFromWord (seal accepted as input, sealed the one spelling shown).
    help: `namespace mode: ${MODE_USAGE} (default: a new namespace is sealed with a model, else learn)`,
  },
  { name: 'digest', kind: 'string', arg: 'NAME', help: 'hash of a new namespace without a model' },
  {
    name: 'unshare',
    kind: 'list',
    arg: 'LIST',
    help: `new Linux namespaces for the workload: comma list of ${UNSHARE_KINDS.join(', ')}`,
  },
  {
    name: 'cgroup',
    kind: 'string',
    arg: 'PATH',
    help: 'run in this existing cgroup v2 cgroup (e.g. /system.slice/web.service)',
  },
  { name: 'unit', kind: 'string', arg: 'UNIT', help: "run in a systemd unit's cgroup" },
  { name: 'no-new-privs', kind: 'flag', help: 'exec grants no privileges (setuid, file caps)' },
  {
    name: 'landlock',
    kind: 'flag',
    help: "confine in the kernel by the namespace's sealed model compiled to a Landlock ruleset (implies --no-new-privs; docs/landlock.md)",
  },
  {
    name: 'no-save',
    kind: 'flag',
    help: "a learn-mode run does not store its model as the label's",
  },
  {
    name: 'settle-ms',
    kind: 'string',
    arg: 'N',
    help: 'after the workload, wait until its events were quiet this long (default 250)',
  },
  { name: 'json', kind: 'flag', help: 'the summary as one JSON object (on stderr)' },
  { name: 'quiet', kind: 'flag', help: 'no summary' },
  ...CONNECTION_OPTIONS,
];

export interface RunOptions {
  readonly namespace?: string;
  readonly label?: string;
  /** The model file's text. */
  readonly model?: string;
  readonly modelFile?: string;
  /** Its detached signature's text. */
  readonly modelSignature?: string;
  readonly mode?: Mode;
  readonly digest?: string;
  readonly cgroup?: string;
  readonly unit?: string;
  readonly unshare: readonly UnshareKind[];
  readonly confinement: Confinement;
  readonly saveLabel: boolean;
  readonly settleMs: number;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly command: readonly string[];
}

function checkName(what: string, name: string): void {
  try {
    checkNamespaceName(name);
  } catch (err) {
    throw new UsageError(`--${what}: ${(err as Error).message.replace(/^namespace name/, 'name')}`);
  }
}

export function parseRunOptions(args: ParsedArgs): RunOptions {
  const v = (k: string) => args.values.get(k);
  const namespace = v('namespace');
  const label = v('label');
  if (args.positionals.length === 0)
    throw new UsageError(
      'expected the command to run after --: tsem run [options] -- COMMAND [ARG...]'
    );
  if (namespace !== undefined && label !== undefined)
    throw new UsageError(
      '--namespace and --label exclude each other (a label names its namespace)'
    );
  if (namespace === undefined && label === undefined)
    throw new UsageError('expected --namespace NS or --label LABEL');
  if (namespace !== undefined) checkName('namespace', namespace);
  if (label !== undefined) checkName('label', label);
  if (v('cgroup') !== undefined && v('unit') !== undefined)
    throw new UsageError('--cgroup and --unit exclude each other');
  if (label === undefined && args.flags.has('no-save'))
    throw new UsageError('--no-save applies to --label runs only');
  const unshare = parseUnshare(args.lists.get('unshare') ?? []);
  if (typeof unshare === 'string') throw new UsageError(unshare);
  const modelFile = v('model');
  const read = (path: string, what: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new RunError(
        `cannot read ${what} '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`
      );
    }
  };
  if (modelFile === undefined && v('model-signature') !== undefined)
    throw new UsageError('--model-signature goes with --model FILE');
  const model = modelFile === undefined ? undefined : read(modelFile, 'model file');
  const sigFile =
    v('model-signature') ?? (modelFile === undefined ? undefined : `${modelFile}.sig`);
  const modelSignature =
    sigFile !== undefined && (v('model-signature') !== undefined || existsSync(sigFile))
      ? read(sigFile, 'model signature')
      : undefined;
  const mode = v('mode');
  if (args.flags.has('landlock') && (mode === 'learn' || mode === 'audit'))
    throw new UsageError(
      `--landlock confines by a sealed model; --mode ${mode} has none to compile (train, seal, then run with --landlock)`
    );
  return {
    namespace,
    label,
    model,
    modelFile,
    modelSignature,
    mode: mode === undefined ? undefined : modeFromWord(mode, '--mode'),
    digest: v('digest'),
    cgroup: v('cgroup'),
    unit: v('unit'),
    unshare,
    confinement: {
      noNewPrivs: args.flags.has('no-new-privs'),
      landlock: args.flags.has('landlock'),
    },
    saveLabel: label !== undefined && !args.flags.has('no-save'),
    settleMs: intOption(v('settle-ms'), '--settle-ms', 250),
    json: args.flags.has('json'),
    quiet: args.flags.has('quiet'),
    command: args.positionals,
  };
}
