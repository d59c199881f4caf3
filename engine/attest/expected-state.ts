/**
 * What a report should say, recomputed by the verifier: loading a model file, or replaying a
 * trajectory, from the report's aggregate and base (tsem-model.md §2.6, §4.2).
 */
import { parseModelFile } from '../contour/model-file.js';
import { createDigest } from '../measure/digest.js';
import type { Dialect } from '../measure/mapper.js';
import { NamespaceModel, createNamespaceConfig } from '../ns/namespace-model.js';
import { replayLines, splitLines } from '../ns/replay.js';
import type { ReportBody } from './report.js';

export interface ExpectedState {
  /** Names the source in findings, e.g. `model app.model`. */
  readonly source: string;
  readonly aggregate?: string;
  readonly measurement: string;
  readonly state: string;
  readonly points: number;
  readonly forensics: number;
}

function namespaceFor(report: ReportBody, dialect?: Dialect): NamespaceModel {
  const alg = createDigest(report.digest);
  return new NamespaceModel(
    createNamespaceConfig({
      id: report.namespace,
      digest: alg.name,
      aggregate: Buffer.from(report.aggregate, 'hex'),
      base: Buffer.from(report.base, 'hex'),
      dialect,
    })
  );
}

function summary(ns: NamespaceModel, source: string, aggregate?: Buffer): ExpectedState {
  return {
    source,
    aggregate: aggregate?.toString('hex'),
    measurement: ns.measurement.toString('hex'),
    state: ns.state().toString('hex'),
    points: ns.validPointCount(),
    forensics: ns.forensicPointCount(),
  };
}

/** A model loaded into a fresh namespace: states extended in file order (§2.6). */
export function expectedFromModel(
  modelText: string,
  report: ReportBody,
  source = 'model'
): ExpectedState {
  const ns = namespaceFor(report);
  const model = parseModelFile(modelText, ns.alg, source);
  ns.loadModel({ ...model, base: undefined });
  return summary(ns, source, model.aggregate);
}

/** A trajectory (TSEM JSON lines) replayed in learn mode. */
export function expectedFromTrajectory(
  data: Buffer,
  report: ReportBody,
  source = 'trajectory',
  dialect?: Dialect
): ExpectedState {
  const ns = namespaceFor(report, dialect);
  // Verification recomputes exactly: a line it cannot read fails it rather than being skipped.
  replayLines(ns, splitLines(data), { source, strict: true });
  return summary(ns, source);
}
