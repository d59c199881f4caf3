/** A namespace's report body: what the agent is about to sign (see report.ts). */
import type { NamespaceModel } from '../ns/namespace-model.js';
import { REPORT_VERSION, type ReportBody } from './report.js';

export function reportBodyOf(ns: NamespaceModel, nonce: Buffer, agentKey: Uint8Array): ReportBody {
  const cfg = ns.config;
  return {
    version: REPORT_VERSION,
    namespace: ns.id,
    digest: ns.alg.name,
    aggregate: cfg.aggregate.toString('hex'),
    base: cfg.base.toString('hex'),
    measurement: ns.measurement.toString('hex'),
    state: ns.state().toString('hex'),
    points: ns.validPointCount(),
    forensics: ns.forensicPointCount(),
    mode: ns.mode,
    nonce: nonce.toString('hex'),
    agentKey: Buffer.from(agentKey).toString('base64'),
  };
}
