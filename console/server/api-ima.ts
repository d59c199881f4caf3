/**
 * IMA and attestation in the console: a namespace's measurement list (a page of it) and the
 * appraisal failures its incidents recorded; whether the trusted modeling agent runs, and a
 * fresh report over a namespace checked here against the agent's key and the caller's nonce.
 */
import { randomBytes } from 'node:crypto';
import { parseReport } from '../../engine/attest/parse-report.js';
import { verifyReport } from '../../engine/attest/verify-report.js';
import { mayAccess } from '../../engine/server/auth.js';
import { type ApiRoute, intParam } from './api-router.js';
import type { ConsoleDeps } from './console-deps.js';

/** Incidents searched for IMA failures, newest first. */
const INCIDENTS_SCANNED = 200;
const FAILURES_MAX = 500;

/** One ASCII list line: `PCR TEMPLATE-HASH TEMPLATE-NAME DATA…` (ima.md §5). */
function listEntry(line: string) {
  const [pcr = '', templateHash = '', template = '', ...data] = line.split(' ');
  return { pcr, templateHash, template, data: data.join(' ') };
}

export function imaRoutes(d: ConsoleDeps): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/namespaces/:ns/ima',
      role: 'viewer',
      handler: async ({ params, query, identity }) => {
        const name = params['ns']!;
        d.registry.require(name);
        const failures = [];
        const incidents = await d.alerts.incidents({
          namespace: name,
          visible: (ns) => mayAccess(identity, ns),
          limit: INCIDENTS_SCANNED,
          openOnly: false,
        });
        for (const inc of incidents)
          for (const f of inc.ima)
            if (failures.length < FAILURES_MAX) failures.push({ incident: inc.id, ...f });
        if (!d.ima) return { enabled: false, failures };
        const admin = d.imaAdmin;
        const bank = query.get('bank') === 'sha1' ? 'sha1' : 'sha256';
        const r = d.ima.log(name, 'ascii', bank);
        const lines = r.log
          .toString('utf8')
          .split('\n')
          .filter((l) => l !== '');
        const offset = intParam(query, 'offset', 0, Number.MAX_SAFE_INTEGER);
        const limit = intParam(query, 'limit', 200, 1000);
        return {
          enabled: true,
          bank,
          total: r.entries,
          pcr10: r.pcr10,
          offset,
          entries: lines.slice(offset, offset + limit).map(listEntry),
          failures,
          policy: admin?.policy(name),
          keyring: admin?.keyring(name),
        };
      },
    },
    {
      method: 'GET',
      path: '/attestation',
      role: 'viewer',
      handler: () => ({
        agent: d.attester !== undefined,
        publicKey: d.agentPublicKey ? Buffer.from(d.agentPublicKey).toString('base64') : undefined,
      }),
    },
    {
      // A POST: it makes the agent sign (and the TPM quote), so it carries the CSRF token.
      method: 'POST',
      path: '/namespaces/:ns/attest',
      role: 'viewer',
      handler: async ({ params }) => {
        const ns = d.registry.require(params['ns']!);
        if (!d.attester || !d.agentPublicKey) return { agent: false };
        const nonce = randomBytes(16);
        const report = parseReport(await d.attester.report(ns, nonce), 'agent report');
        const check = verifyReport(report, { publicKey: d.agentPublicKey, nonce });
        return {
          agent: true,
          nonce: nonce.toString('hex'),
          ok: check.ok,
          findings: check.findings,
          quote: report.quote !== undefined,
          report: {
            measurement: report.measurement,
            state: report.state,
            points: report.points,
            forensics: report.forensics,
            mode: report.mode,
            aggregate: report.aggregate,
          },
          engine: {
            measurement: ns.measurement.toString('hex'),
            state: ns.state().toString('hex'),
            points: ns.validPointCount(),
            forensics: ns.forensicPointCount(),
            mode: ns.mode,
          },
        };
      },
    },
  ];
}
