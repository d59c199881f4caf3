/** A namespace's IMA measurement list and appraisal failures; attestation by the modeling agent. */
import { type App, errorText, section } from '../app.js';
import { enc } from '../api.js';
import { badge, facts, h, perFrame, replace, shortHex, table, time } from '../dom.js';
import type { AttestationStatus, AttestResult, ImaView } from '../types.js';

export function imaTab(app: App, ns: string, body: HTMLElement): () => void {
  const live = h('div', { id: 'ima-live' });
  const drawLive = () => {
    const fails = app.live.alerts.filter((a) => a.namespace === ns && a.ima.length > 0);
    replace(
      live,
      fails.length === 0
        ? null
        : section(
            'IMA failures since this page opened',
            table(
              ['Time', 'File', 'Cause', 'Status', 'Process'],
              fails.flatMap((a) =>
                a.ima.map((r) => ({
                  cells: [
                    new Date(a.timeMs).toLocaleTimeString(),
                    h('code', {}, r['filename'] ?? ''),
                    r['cause'] ?? '',
                    r['integrity'] ?? r['status'] ?? '',
                    a.process,
                  ],
                }))
              )
            )
          )
    );
  };
  const show = (offset: number) =>
    app.api
      .get<ImaView>(`/namespaces/${enc(ns)}/ima?offset=${offset}&limit=200`)
      .then((v) => {
        const failures = section(
          'Appraisal failures (from incidents)',
          table(
            ['File', 'Cause', 'Status', 'Enforced', 'Incident'],
            v.failures.map((f) => ({
              cells: [
                h('code', {}, f.filename),
                f.cause,
                f.status,
                String(f.enforced),
                f.incident ? h('a', { href: `#/incidents/${enc(f.incident)}` }, 'incident') : '',
              ],
            })),
            'No appraisal failure recorded.'
          )
        );
        if (!v.enabled) {
          replace(
            body,
            section('IMA', h('p', {}, 'IMA is off on this engine (tsem serve --ima turns it on).')),
            failures,
            live
          );
          return;
        }
        const policy = v.policy
          ? section(
              'Policy and appraisal keys',
              facts([
                [
                  'Policy',
                  `${v.policy.rules} rule(s), ${v.policy.source}${v.policy.by ? ` (set by ${v.policy.by} ${time(v.policy.at)})` : ''}`,
                ],
                [
                  'Keys',
                  v.keyring?.own
                    ? `${v.keyring.keys.length} of its own`
                    : "the server's (no key of its own)",
                ],
              ]),
              h('pre', { class: 'event', id: 'ima-policy' }, v.policy.text),
              table(
                ['Key id', 'Kind', 'Source', 'SHA-256 of the key'],
                (v.keyring?.keys ?? []).map((k) => ({
                  cells: [
                    h('code', {}, k.keyid),
                    `${k.kind}${k.curve ? ` ${k.curve}` : ''}${k.bits ? ` ${k.bits}` : ''}`,
                    k.source,
                    shortHex(k.fingerprint, 16),
                  ],
                })),
                'No appraisal key.'
              )
            )
          : null;
        const entries = v.entries ?? [];
        const start = v.offset ?? 0;
        replace(
          body,
          section(
            'Measurement list',
            facts([
              ['Entries', v.total ?? 0],
              [`PCR 10 (${v.bank})`, h('code', { class: 'hex wrap' }, v.pcr10 ?? '')],
            ]),
            h(
              'p',
              { class: 'pager' },
              `${entries.length === 0 ? 0 : start + 1}–${start + entries.length} of ${v.total ?? 0} `,
              start > 0
                ? h(
                    'button',
                    { type: 'button', onClick: () => void show(Math.max(0, start - 200)) },
                    'Previous'
                  )
                : null,
              start + entries.length < (v.total ?? 0)
                ? h('button', { type: 'button', onClick: () => void show(start + 200) }, 'Next')
                : null
            ),
            table(
              ['PCR', 'Template hash', 'Template', 'File data'],
              entries.map((e) => ({
                cells: [
                  e.pcr,
                  shortHex(e.templateHash, 16),
                  e.template,
                  h('code', { class: 'wrap' }, e.data),
                ],
              })),
              'No measurement yet.'
            )
          ),
          failures,
          policy,
          live
        );
      })
      .catch((err: unknown) => replace(body, h('p', { class: 'error' }, errorText(err))));
  void show(0);
  drawLive();
  return app.live.on('alert', perFrame(drawLive));
}

export function attestationTab(app: App, ns: string, body: HTMLElement): void {
  const result = h('div', { id: 'attest-result' });
  app.api
    .get<AttestationStatus>('/attestation')
    .then((s) => {
      if (!s.agent) {
        replace(
          body,
          section(
            'Attestation',
            h('p', {}, 'The trusted modeling agent is not running (tsem serve --attest starts it).')
          )
        );
        return;
      }
      const run = h(
        'button',
        {
          type: 'button',
          id: 'attest-now',
          onClick: () => {
            run.setAttribute('disabled', '');
            app.api
              .post<AttestResult>(`/namespaces/${enc(ns)}/attest`)
              .then((r) => drawResult(result, r))
              .catch((err: unknown) => replace(result, h('p', { class: 'error' }, errorText(err))))
              .finally(() => run.removeAttribute('disabled'));
          },
        },
        'Request a signed report'
      );
      replace(
        body,
        section(
          'Attestation',
          facts([
            ['Agent', badge('live', 'running')],
            ['Agent key (Ed25519)', h('code', { class: 'hex wrap' }, s.publicKey ?? '')],
          ]),
          h(
            'p',
            {},
            'A report over this namespace, signed by the agent with a fresh nonce, checked here.'
          ),
          run,
          result
        )
      );
    })
    .catch((err: unknown) => replace(body, h('p', { class: 'error' }, errorText(err))));
}

function drawResult(el: HTMLElement, r: AttestResult): void {
  if (!r.agent) return replace(el, h('p', {}, 'The agent is not running.'));
  const rows = ['measurement', 'state', 'points', 'forensics', 'mode'].map((k) => {
    const a = String(r.report?.[k] ?? '');
    const b = String(r.engine?.[k] ?? '');
    return {
      cells: [
        k,
        h('code', { class: 'hex wrap' }, a),
        h('code', { class: 'hex wrap' }, b),
        a === b ? 'same' : 'differs',
      ],
    };
  });
  replace(
    el,
    h(
      'p',
      {},
      r.ok ? badge('ok', 'verified') : badge('high', 'failed'),
      ` nonce ${r.nonce ?? ''}; TPM quote: ${r.quote ? 'present' : 'none (no TPM)'}`
    ),
    ...(r.findings ?? []).map((f) => h('p', { class: 'error' }, `${f.id}: ${f.reason}`)),
    table(['Field', 'Report', 'Engine now', ''], rows)
  );
}
