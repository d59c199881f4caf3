/**
 * The Attest RPC's signer: the trusted modeling agent signs the report, with a TPM quote of PCRs
 * 0-7, 10 and 11 when a TPM is configured. Before signing, the agent is brought up to date with
 * the namespace; after, the signed body is compared with the engine's own figures, so a report
 * never states something other than what the engine holds.
 */
import { reportBodyOf } from '../../engine/attest/report-body.js';
import type { ReportBody } from '../../engine/attest/report.js';
import { EngineError } from '../../common/errors.js';
import type { NamespaceModel } from '../../engine/ns/namespace-model.js';
import type { AgentContext, Attester } from '../../engine/trust/agent-port.js';
import type { QuoteSlot } from '../../engine/trust/tpm-serial.js';
import type { ModelingAgent } from './agent-client.js';
import type { AgentMirror } from './agent-mirror.js';

/** The fields the agent states about the namespace (nonce and key are checked by the verifier). */
const COMPARED = [
  'namespace',
  'digest',
  'aggregate',
  'base',
  'measurement',
  'state',
  'points',
  'forensics',
  'mode',
] as const satisfies readonly (keyof ReportBody)[];

export interface AgentAttesterParts {
  readonly agent: ModelingAgent;
  readonly mirror: AgentMirror;
  readonly reserveQuote?: AgentContext['reserveQuote'];
  readonly modelPcr?: AgentContext['modelPcr'];
}

export function createAgentAttester(p: AgentAttesterParts): Attester {
  return {
    async report(ns: NamespaceModel, nonce: Buffer): Promise<string> {
      const refused = p.modelPcr?.failure ?? p.mirror.brokenReason(ns.id);
      if (refused) throw notAttestable(ns.id, refused);
      // Everything up to agent.report() posts synchronously: the agent snapshots the body after
      // exactly the operations queued so far, the engine figures are taken at the same point, and
      // the reserved TPM turn comes after exactly the extends noted so far.
      const caughtUp = p.mirror.catchUp(ns);
      const extended = p.modelPcr?.flush();
      const engine = reportBodyOf(ns, nonce, p.agent.publicKey);
      const slot: QuoteSlot | undefined = p.reserveQuote?.();
      try {
        const signed = p.agent.report(
          ns.id,
          nonce,
          slot && ((qualifyingData) => slot.quote(qualifyingData))
        );
        signed.catch(() => undefined); // handled below; not an unhandled rejection meanwhile
        await Promise.all([caughtUp, extended]);
        // Extends never reject (failures are remembered), the mirror likewise: check both now.
        const broken = p.modelPcr?.failure ?? p.mirror.brokenReason(ns.id);
        if (broken) {
          slot?.release(); // the agent's quote request then fails at once instead of using the TPM
          await signed.catch(() => undefined);
          throw notAttestable(ns.id, broken);
        }
        const report = await signed;
        const differs = COMPARED.filter((k) => report[k] !== engine[k]);
        if (differs.length > 0) {
          const what = differs
            .map((k) => `${k} ${String(report[k])} (engine ${String(engine[k])})`)
            .join(', ');
          throw notAttestable(ns.id, `the agent's ${what}`);
        }
        return JSON.stringify(report);
      } finally {
        slot?.release();
      }
    },
  };
}

function notAttestable(ns: string, reason: string): EngineError {
  return new EngineError('TSEM_UNAVAILABLE', `namespace '${ns}' cannot be attested: ${reason}`);
}
