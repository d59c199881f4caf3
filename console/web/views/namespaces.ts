/** Every namespace the caller may see, with its mode and figures, kept current by the live feed. */
import { type App, errorText, section } from '../app.js';
import { enc } from '../api.js';
import { badge, h, replace, table } from '../dom.js';
import type { NamespaceSummary } from '../types.js';

export function namespacesView(app: App, main: HTMLElement): () => void {
  const body = h('div', { id: 'namespaces' });
  replace(main, section('Namespaces', body));
  const draw = (list: readonly NamespaceSummary[]) =>
    replace(
      body,
      table(
        [
          'Namespace',
          'Mode',
          'Events',
          'Points',
          'Forensics',
          'Findings',
          'Untrusted tasks',
          'Training',
        ],
        list.map((n) => ({
          data: { ns: n.name },
          onClick: () => (location.hash = `#/ns/${enc(n.name)}`),
          cells: [
            h('a', { href: `#/ns/${enc(n.name)}` }, n.name),
            badge(n.mode),
            n.events,
            n.points,
            n.forensics,
            n.findings,
            n.untrustedTasks,
            n.settled ? badge('settled', 'settled') : n.mode === 'learn' ? 'learning' : '',
          ],
        })),
        'No namespace yet: events create them (or tsem ns create).'
      )
    );
  app.api
    .get<{ namespaces: NamespaceSummary[] }>('/namespaces')
    .then((r) => draw(r.namespaces))
    .catch((err: unknown) => replace(body, h('p', { class: 'error' }, errorText(err))));
  return app.live.on('namespaces', () => draw(app.live.namespaces));
}
