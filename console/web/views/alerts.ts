/**
 * Live alerts and incidents as they arrive, filtered (by the server) by namespace, severity and
 * process; the incidents already in the alert log are listed first. An incident opens its events.
 */
import { type App, errorText, section } from '../app.js';
import { enc } from '../api.js';
import { badge, eventText, h, perFrame, replace, shortHex, table, time } from '../dom.js';
import type { LiveFilters } from '../live.js';
import type { IncidentSummary, LiveAlert, NamespaceSummary, Severity } from '../types.js';

const SEVERITIES: readonly ('' | Severity)[] = ['', 'low', 'medium', 'high'];

function filterForm(
  app: App,
  namespaces: readonly NamespaceSummary[],
  apply: (f: LiveFilters) => void
) {
  const f = app.live.filters;
  const ns = h(
    'select',
    { id: 'filter-namespace', name: 'namespace' },
    h('option', { value: '' }, 'every namespace'),
    ...namespaces.map((n) => {
      const o = h('option', { value: n.name }, n.name);
      o.selected = n.name === f.namespace;
      return o;
    })
  );
  const sev = h(
    'select',
    { id: 'filter-severity', name: 'severity' },
    ...SEVERITIES.map((s) => {
      const o = h('option', { value: s }, s === '' ? 'any severity' : `${s} and above`);
      o.selected = s === f.severity;
      return o;
    })
  );
  const proc = h('input', {
    id: 'filter-process',
    name: 'process',
    type: 'text',
    placeholder: 'process (glob: nginx*, ?sh)',
    value: f.process,
  });
  return h(
    'form',
    {
      class: 'filters',
      onSubmit: (ev) => {
        ev.preventDefault();
        apply({
          namespace: ns.value,
          severity: sev.value as '' | Severity,
          process: proc.value.trim(),
        });
      },
    },
    ns,
    sev,
    proc,
    h('button', { type: 'submit', id: 'filter-apply' }, 'Apply')
  );
}

function alertRow(a: LiveAlert) {
  return {
    data: { process: a.process, ns: a.namespace },
    cells: [
      time(a.timeMs),
      badge(a.severity),
      a.namespace,
      h('span', { class: 'process' }, a.process),
      a.pid,
      a.type,
      `${a.kind}${a.action === 'deny' ? ', denied' : ''}`,
      a.ima.length > 0
        ? `IMA: ${a.ima.map((r) => `${r['cause'] ?? ''} ${r['filename'] ?? ''}`).join('; ')}`
        : '',
      h(
        'details',
        {},
        h('summary', {}, a.coefficient ? shortHex(a.coefficient) : 'event'),
        h('pre', { class: 'event' }, eventText(a.event))
      ),
    ],
  };
}

function incidentRows(list: readonly IncidentSummary[]) {
  return list.map((i) => ({
    data: { incident: i.id },
    onClick: () => (location.hash = `#/incidents/${enc(i.id)}`),
    cells: [
      badge(i.severity),
      badge(i.status),
      h('a', { href: `#/incidents/${enc(i.id)}` }, i.title),
      i.namespace,
      h('span', { class: 'process' }, `${i.root.process} (${i.root.task})`),
      `${i.counts.events} / ${i.counts.alerts} / ${i.counts.denied}`,
      time(i.openedMs),
      time(i.lastSeenMs),
    ],
  }));
}

export function alertsView(app: App, main: HTMLElement): () => void {
  const filters = h('div', { id: 'filters' });
  const incidentsBox = h('div', { id: 'incidents' });
  const alertsBox = h('div', { id: 'alerts' });
  replace(
    main,
    section('Filters', filters),
    section('Incidents', incidentsBox),
    section('Live alerts', h('p', { class: 'hint' }, 'Newest first, as they arrive.'), alertsBox)
  );
  let stored: IncidentSummary[] = [];
  const drawIncidents = () => {
    const live = [...app.live.incidents.values()].map((r) => r.incident);
    const ids = new Set(live.map((i) => i.id));
    const merged = [...live.reverse(), ...stored.filter((i) => !ids.has(i.id))];
    replace(
      incidentsBox,
      table(
        [
          'Severity',
          'Status',
          'Incident',
          'Namespace',
          'Root task',
          'Events / alerts / denied',
          'Opened',
          'Last seen',
        ],
        incidentRows(merged.slice(0, 200)),
        'No incident.'
      )
    );
  };
  const drawAlerts = () =>
    replace(
      alertsBox,
      table(
        [
          'Time',
          'Severity',
          'Namespace',
          'Process',
          'Pid',
          'Event',
          'Verdict',
          'IMA',
          'Coefficient',
        ],
        app.live.alerts.slice(0, 200).map(alertRow),
        'No alert since this page opened.'
      )
    );
  const loadStored = () => {
    const f = app.live.filters;
    const q = new URLSearchParams({ limit: '100' });
    if (f.namespace) q.set('namespace', f.namespace);
    if (f.severity) q.set('severity', f.severity);
    app.api
      .get<{ incidents: IncidentSummary[] }>(`/incidents?${q.toString()}`)
      .then((r) => {
        stored = r.incidents;
        drawIncidents();
      })
      .catch((err: unknown) => replace(incidentsBox, h('p', { class: 'error' }, errorText(err))));
  };
  app.api
    .get<{ namespaces: NamespaceSummary[] }>('/namespaces')
    .then((r) =>
      replace(
        filters,
        filterForm(app, r.namespaces, (f) => {
          app.live.refilter(f);
          loadStored();
        })
      )
    )
    .catch((err: unknown) => app.error(err));
  loadStored();
  drawAlerts();
  const offs = [
    app.live.on('alert', perFrame(drawAlerts)),
    app.live.on('incident', perFrame(drawIncidents)),
  ];
  return () => offs.forEach((off) => off());
}
