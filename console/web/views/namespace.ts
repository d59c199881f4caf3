/**
 * One namespace: its figures, the convergence chart (redrawn as events arrive), and tabs for its
 * untrusted tasks, trajectory and forensics, IMA and attestation. Admins switch modes and release
 * tasks; for everyone else those buttons do not exist.
 */
import { type App, errorText, section } from '../app.js';
import { enc } from '../api.js';
import { badge, type Child, eventDetails, facts, h, replace, shortHex, table } from '../dom.js';
import type { Convergence, EntryPage, NamespaceDetail, TaskRow } from '../types.js';
import { findingsTab, pointsTab } from './authoring.js';
import { ConvergenceChart } from './chart.js';
import { imaTab, attestationTab } from './ima.js';
import { openModeDialog } from './mode-dialog.js';

type Tab = (app: App, ns: string, body: HTMLElement) => (() => void) | void;

const TABS: readonly [string, string, Tab][] = [
  ['overview', 'Overview', overviewTab],
  ['points', 'Points', pointsTab],
  ['findings', 'Findings', findingsTab],
  ['tasks', 'Untrusted tasks', tasksTab],
  ['forensics', 'Forensics', (app, ns, body) => entriesTab(app, ns, body, 'forensics')],
  ['trajectory', 'Trajectory', (app, ns, body) => entriesTab(app, ns, body, 'trajectory')],
  ['ima', 'IMA', imaTab],
  ['attestation', 'Attestation', attestationTab],
];

export function namespaceView(app: App, main: HTMLElement, params: readonly string[]): () => void {
  const ns = params[0] ?? '';
  const tab = TABS.find(([id]) => id === params[1]) ?? TABS[0]!;
  const body = h('div', { class: 'tab-body', data: { tab: tab[0] } });
  replace(
    main,
    h(
      'div',
      { class: 'ns-head' },
      h('h1', {}, 'Namespace ', h('code', { id: 'ns-name' }, ns)),
      h(
        'nav',
        { class: 'tabs' },
        ...TABS.map(([id, label]) =>
          h(
            'a',
            { href: `#/ns/${enc(ns)}/${id}`, class: id === tab[0] ? 'active' : undefined },
            label
          )
        )
      )
    ),
    body
  );
  return tab[2](app, ns, body) ?? (() => undefined);
}

function overviewTab(app: App, ns: string, body: HTMLElement): () => void {
  const head = h('div', { id: 'ns-facts' });
  const chart = new ConvergenceChart();
  replace(body, section('State', head), section('Training convergence', chart.el));
  let lastEvents = -1;
  let busy = false;
  const drawFacts = (d: NamespaceDetail) => {
    const modeButton: Child = app.me.admin
      ? h(
          'button',
          {
            id: 'change-mode',
            type: 'button',
            onClick: () =>
              openModeDialog(ns, d.mode, async (mode) => {
                const r = await app.api.post<NamespaceDetail>(`/namespaces/${enc(ns)}/mode`, {
                  mode,
                });
                drawFacts(r);
                app.notice(`${ns} is now in ${r.mode} mode`);
              }),
          },
          'Change mode…'
        )
      : null;
    replace(
      head,
      h('p', { class: 'mode-line' }, 'Mode ', badge(d.mode), ' ', modeButton),
      facts([
        ['Digest', `${d.digest} (${d.dialect})`],
        ['Events', h('span', { id: 'ns-events' }, d.events)],
        ['Points', `${d.validPoints} valid, ${d.forensicPoints} forensic`],
        ['Findings', d.findings],
        ['Forensics', d.forensics],
        ['Untrusted tasks', d.untrustedTasks],
        ['Measurement', h('code', { class: 'hex wrap', id: 'measurement' }, d.measurement)],
        ['State', h('code', { class: 'hex wrap' }, d.state)],
        ['Aggregate', h('code', { class: 'hex wrap' }, d.aggregate)],
      ])
    );
  };
  let again = false;
  const refresh = () => {
    // One request at a time; a change seen meanwhile is fetched right after.
    if (busy) return void (again = true);
    busy = true;
    again = false;
    Promise.all([
      app.api.get<NamespaceDetail>(`/namespaces/${enc(ns)}`),
      app.api.get<Convergence>(`/namespaces/${enc(ns)}/convergence`),
    ])
      .then(([d, c]) => {
        lastEvents = d.events;
        drawFacts(d);
        chart.update(c);
      })
      .catch((err: unknown) => replace(head, h('p', { class: 'error' }, errorText(err))))
      .finally(() => {
        busy = false;
        if (again) refresh();
      });
  };
  refresh();
  const off = app.live.on('namespaces', () => {
    const mine = app.live.namespaces.find((n) => n.name === ns);
    if (mine && mine.events !== lastEvents) refresh();
    else if (mine && head.querySelector('.badge')?.textContent !== mine.mode) refresh();
  });
  return () => {
    off();
    chart.destroy();
  };
}

function tasksTab(app: App, ns: string, body: HTMLElement): void {
  const load = () =>
    app.api
      .get<{ tasks: TaskRow[] }>(`/namespaces/${enc(ns)}/tasks`)
      .then((r) =>
        replace(
          body,
          section(
            'Untrusted tasks',
            table(
              ['Task', 'Why', 'Event', 'Incident', ''],
              r.tasks.map((t) => ({
                data: { task: t.key },
                cells: [
                  h('code', {}, t.key),
                  t.cause
                    ? t.cause.inheritedFrom
                      ? `inherited from ${t.cause.inheritedFrom}`
                      : `${t.cause.type} (event ${t.cause.seq}) off-contour`
                    : '',
                  t.cause?.event ? eventDetails(t.cause.event) : '',
                  t.incident ? h('a', { href: `#/incidents/${enc(t.incident)}` }, 'incident') : '',
                  app.me.admin
                    ? h(
                        'button',
                        {
                          type: 'button',
                          class: 'release',
                          onClick: () => {
                            if (
                              !window.confirm(
                                `Make ${t.key} and the tasks that inherited its untrust trusted again?`
                              )
                            )
                              return;
                            app.api
                              .post(`/namespaces/${enc(ns)}/tasks/release`, { task: t.key })
                              .then(() => {
                                app.notice(`${t.key} released`);
                                return load();
                              })
                              .catch((err: unknown) => app.error(err));
                          },
                        },
                        'Release'
                      )
                    : '',
                ],
              })),
              'No untrusted task.'
            )
          )
        )
      )
      .catch((err: unknown) => replace(body, h('p', { class: 'error' }, errorText(err))));
  void load();
}

function entriesTab(
  app: App,
  ns: string,
  body: HTMLElement,
  which: 'forensics' | 'trajectory'
): void {
  const show = (offset: number) =>
    app.api
      .get<EntryPage>(`/namespaces/${enc(ns)}/${which}?offset=${offset}&limit=100`)
      .then((p) => {
        const pager = h(
          'p',
          { class: 'pager' },
          `${p.total === 0 ? 0 : p.offset + 1}–${p.offset + p.items.length} of ${p.total} `,
          p.offset > 0
            ? h(
                'button',
                { type: 'button', onClick: () => void show(Math.max(0, p.offset - 100)) },
                'Previous'
              )
            : null,
          p.offset + p.items.length < p.total
            ? h('button', { type: 'button', onClick: () => void show(p.offset + 100) }, 'Next')
            : null
        );
        replace(
          body,
          section(
            which === 'forensics'
              ? 'Forensics: events off the contour'
              : 'Trajectory: the events that made each point',
            pager,
            table(
              ['Coefficient', 'Count', 'Event'],
              p.items.map((e) => ({
                cells: [shortHex(e.coefficient, 16), e.count, eventDetails(e.event)],
              })),
              which === 'forensics' ? 'No forensics.' : 'No point yet.'
            )
          )
        );
      })
      .catch((err: unknown) => replace(body, h('p', { class: 'error' }, errorText(err))));
  void show(0);
}
