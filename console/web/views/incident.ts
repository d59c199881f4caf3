/** One incident: what opened it, its events (alerts and denials, first ones), IMA failures. */
import { type App, errorText, section } from '../app.js';
import { enc } from '../api.js';
import { badge, eventDetails, facts, h, replace, shortHex, table, time } from '../dom.js';
import type { EventSummary, IncidentDetail } from '../types.js';

function events(list: readonly EventSummary[], empty: string) {
  return table(
    ['Seq', 'Time', 'Process', 'Task', 'Event', 'Verdict', 'Coefficient', 'Event line'],
    list.map((e) => ({
      data: { seq: String(e.seq) },
      cells: [
        e.seq,
        time(e.timeMs),
        h('span', { class: 'process' }, e.process),
        e.task,
        e.type,
        `${e.kind}${e.action === 'deny' ? ', denied' : ''}`,
        e.coefficient ? shortHex(e.coefficient) : '',
        eventDetails(e.event),
      ],
    })),
    empty
  );
}

export function incidentView(app: App, main: HTMLElement, params: readonly string[]): () => void {
  const id = params[0] ?? '';
  replace(main, h('p', {}, 'Loading…'));
  app.api
    .get<IncidentDetail>(`/incidents/${enc(id)}`)
    .then((i) =>
      replace(
        main,
        h(
          'h1',
          {},
          'Incident ',
          badge(i.severity),
          ' ',
          h('span', { id: 'incident-title' }, i.title)
        ),
        section(
          'Summary',
          facts([
            ['Id', h('code', {}, i.id)],
            ['Namespace', h('a', { href: `#/ns/${enc(i.namespace)}` }, i.namespace)],
            [
              'Status',
              `${i.status}${i.closeReason ? ` (${i.closeReason}${i.releasedBy ? ` by ${i.releasedBy}` : ''})` : ''}`,
            ],
            ['Mode when opened', i.mode],
            ['Root task', h('span', { class: 'process' }, `${i.root.process} (${i.root.task})`)],
            ['Host / exporter', `${i.host} / ${i.exporter}`],
            ['Opened / last seen', `${time(i.openedMs)} / ${time(i.lastSeenMs)}`],
            [
              'Events',
              `${i.counts.events} events, ${i.counts.alerts} alerts, ${i.counts.denied} denied, ${i.counts.ima} IMA`,
            ],
            [
              'By type',
              Object.entries(i.types)
                .map(([t, n]) => `${t} ${n}`)
                .join(', '),
            ],
            [
              'Tasks',
              `${i.tasks.join(', ')}${i.taskCount > i.tasks.length ? ` and ${i.taskCount - i.tasks.length} more` : ''}`,
            ],
          ])
        ),
        section(
          'Events (the first alerts)',
          h('div', { id: 'incident-events' }, events(i.samples, 'No event.'))
        ),
        section('Denied actions', events(i.denials, 'Nothing denied.')),
        section(
          'IMA failures',
          table(
            ['Seq', 'File', 'Cause', 'Status', 'Enforced'],
            i.ima.map((f) => ({
              cells: [
                f.seq ?? '',
                h('code', {}, f.filename),
                f.cause,
                f.status,
                String(f.enforced),
              ],
            })),
            'None.'
          )
        )
      )
    )
    .catch((err: unknown) => replace(main, h('p', { class: 'error' }, errorText(err))));
  return () => undefined;
}
