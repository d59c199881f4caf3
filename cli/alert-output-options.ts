/** `--alert SPEC` (repeatable), shared by `serve` and `alerts relay` (docs/operations.md). */
import { type OptionSpec, type ParsedArgs, UsageError } from './args.js';
import { errorMessage } from '../common/errors.js';
import { type OutputSpec, parseOutput } from '../engine/alert/output-spec.js';

export const ALERT_OPTION: OptionSpec = {
  name: 'alert',
  kind: 'list',
  arg: 'SPEC',
  help: 'alert output (repeatable): file:PATH, syslog:unix:PATH, syslog:tcp:HOST:PORT or webhook:URL, then ;format=native|ocsf|ecs and other ;key=value',
};

/** Every --alert, parsed; names must differ (each output keeps its own cursor). */
export function alertOutputs(args: ParsedArgs): OutputSpec[] {
  const outputs = (args.lists.get('alert') ?? []).map((raw, i) => {
    const where = `--alert[${i}]`;
    let spec: unknown = raw;
    if (raw.startsWith('{')) {
      try {
        spec = JSON.parse(raw);
      } catch {
        throw new UsageError(
          `${where}: expected TYPE:TARGET;key=value or a JSON object, got '${raw}'`
        );
      }
    }
    try {
      return parseOutput(spec, where);
    } catch (err) {
      throw new UsageError(errorMessage(err));
    }
  });
  const names = new Set<string>();
  for (const o of outputs) {
    if (names.has(o.name))
      throw new UsageError(`--alert: two outputs named '${o.name}': give one a ;name=…`);
    names.add(o.name);
  }
  return outputs;
}
