/**
 * The policy author's tabs: every point with the event behind it, and the findings (audit) and
 * forensic points (sealed) to review: why each is unknown (the engine's explanation: the nearest
 * trained points and the fields that differ) and, for an admin, accepting them into the model.
 */
import { type App, errorText, section } from '../app.js';
import { enc } from '../api.js';
import { badge, type Child, h, replace, shortHex, table, time } from '../dom.js';
import type { Explanation, PointPage, PointRow } from '../types.js';

const PAGE = 100;

/** `type by process` and the CELL's first fields, then every field on opening. */
function describe(fields: PointRow['fields']): Child {
  if (!fields)
    return h('span', { class: 'hint' }, 'no description (loaded from a model without one)');
  const get = (k: string) => fields.find(([f]) => f === k)?.[1] ?? '';
  // Paths, names and addresses say most about an event: they come first.
  const telling = (f: string) => (/path|name|addr|port/.test(f) ? 0 : 1);
  const cell = fields
    .filter(([f]) => f.startsWith('cell.'))
    .sort(([a], [b]) => telling(a) - telling(b))
    .slice(0, 3);
  return h(
    'details',
    { class: 'event' },
    h(
      'summary',
      {},
      h(
        'code',
        {},
        `${get('type')} by ${get('process')}${cell.map(([f, v]) => ` ${f.slice(5)}=${v}`).join('')}`
      )
    ),
    h(
      'table',
      { class: 'fields' },
      h(
        'tbody',
        {},
        ...fields.map(([f, v]) =>
          h('tr', {}, h('th', {}, f), h('td', {}, h('code', { class: 'wrap' }, v)))
        )
      )
    )
  );
}

function pager(p: PointPage, show: (offset: number) => void): HTMLElement {
  return h(
    'p',
    { class: 'pager' },
    `${p.total === 0 ? 0 : p.offset + 1}–${p.offset + p.items.length} of ${p.total} `,
    p.offset > 0
      ? h(
          'button',
          { type: 'button', onClick: () => show(Math.max(0, p.offset - PAGE)) },
          'Previous'
        )
      : null,
    p.offset + p.items.length < p.total
      ? h('button', { type: 'button', onClick: () => show(p.offset + PAGE) }, 'Next')
      : null
  );
}

export function pointsTab(app: App, ns: string, body: HTMLElement): void {
  const show = (offset: number) =>
    void app.api
      .get<PointPage>(`/namespaces/${enc(ns)}/points?offset=${offset}&limit=${PAGE}`)
      .then((p) =>
        replace(
          body,
          section(
            'Points: the contour map, in first-seen order',
            pager(p, show),
            table(
              ['Coefficient', 'Status', 'Count', 'First seen', 'Event'],
              p.items.map((pt) => ({
                data: { point: pt.hex },
                cells: [
                  shortHex(pt.hex, 16),
                  badge(pt.status === 'valid' ? 'ok' : 'high', pt.status),
                  pt.count,
                  time(pt.firstMs),
                  describe(pt.fields),
                ],
              })),
              'No point yet.'
            )
          )
        )
      )
      .catch((err: unknown) => replace(body, h('p', { class: 'error' }, errorText(err))));
  show(0);
}

function explanation(e: Explanation): HTMLElement {
  return h(
    'div',
    { class: 'explanation' },
    h(
      'p',
      {},
      e.nearest.length === 0
        ? `No trained point to compare with (${e.compared} compared, ${e.undescribed} without a description).`
        : `The nearest trained points (${e.compared} compared): same event type first, then same process, then the fewest differing fields.`
    ),
    ...e.nearest.map((n, i) =>
      h(
        'div',
        { class: 'neighbor', data: { nearest: String(i) } },
        h(
          'p',
          {},
          `${i + 1}. `,
          shortHex(n.hex, 16),
          ` seen ${n.count} time(s); ${n.sameType ? 'same event type' : 'another event type'}, ${n.sameProcess ? 'same process' : 'another process'}, ${n.differing} COE/CELL field(s) differ`
        ),
        table(
          ['Field', 'This event', 'Trained point'],
          n.differences.map((d) => ({
            cells: [
              h('code', {}, d.field),
              h('code', { class: 'wrap' }, d.value ?? '(none)'),
              h('code', { class: 'wrap' }, d.nearest ?? '(none)'),
            ],
          })),
          'No field differs.'
        )
      )
    )
  );
}

export function findingsTab(app: App, ns: string, body: HTMLElement): void {
  const explainBox = h('div', { id: 'explanation' });
  const accept = (coefficients: string[], all: boolean) => {
    const what = all ? 'every finding and forensic point' : `${coefficients.length} point(s)`;
    if (
      !window.confirm(
        `Accept ${what} into the model of ${ns}? Events like these become on-contour: they will no longer be reported or denied.`
      )
    )
      return;
    app.api
      .post<{ outcomes: unknown[] }>(
        `/namespaces/${enc(ns)}/accept`,
        all ? { all: true } : { coefficients }
      )
      .then((r) => {
        app.notice(`${r.outcomes.length} point(s) accepted into ${ns}`);
        show(0);
      })
      .catch((err: unknown) => app.error(err));
  };
  const explain = (hex: string) => {
    replace(explainBox, h('p', {}, 'Explaining…'));
    app.api
      .get<Explanation>(`/namespaces/${enc(ns)}/explain/${enc(hex)}`)
      .then((e) => {
        replace(explainBox, section(`Why ${hex.slice(0, 16)}… is off the contour`, explanation(e)));
        explainBox.scrollIntoView();
      })
      .catch((err: unknown) => replace(explainBox, h('p', { class: 'error' }, errorText(err))));
  };
  const show = (offset: number) =>
    void app.api
      .get<PointPage>(`/namespaces/${enc(ns)}/findings?offset=${offset}&limit=${PAGE}`)
      .then((p) =>
        replace(
          body,
          explainBox,
          section(
            `Findings (${p.findings ?? 0}, audit mode) and forensic points (${p.forensic ?? 0}, sealed)`,
            app.me.admin && p.total > 0
              ? h(
                  'p',
                  {},
                  h(
                    'button',
                    {
                      type: 'button',
                      id: 'accept-all',
                      class: 'danger',
                      onClick: () => accept([], true),
                    },
                    'Accept all…'
                  )
                )
              : null,
            pager(p, show),
            table(
              ['Coefficient', 'Status', 'Count', 'Last seen', 'Event', ''],
              p.items.map((pt) => ({
                data: { finding: pt.hex },
                cells: [
                  shortHex(pt.hex, 16),
                  badge(pt.status === 'finding' ? 'low' : 'high', pt.status),
                  pt.count,
                  time(pt.lastMs),
                  describe(pt.fields),
                  h(
                    'span',
                    { class: 'buttons' },
                    h(
                      'button',
                      { type: 'button', class: 'explain', onClick: () => explain(pt.hex) },
                      'Explain'
                    ),
                    app.me.admin
                      ? h(
                          'button',
                          {
                            type: 'button',
                            class: 'accept',
                            onClick: () => accept([pt.hex], false),
                          },
                          'Accept…'
                        )
                      : null
                  ),
                ],
              })),
              'Nothing to review: no finding, no forensic point.'
            )
          )
        )
      )
      .catch((err: unknown) => replace(body, h('p', { class: 'error' }, errorText(err))));
  show(0);
}
