/**
 * The console's entry point: signs in (or resumes the session), draws the shell, keeps one live
 * connection, and routes `#/…` to views: namespaces, one namespace, alerts, one incident.
 */
import { Api } from './api.js';
import { type App, errorText, type View } from './app.js';
import { badge, h, replace } from './dom.js';
import { LiveFeed } from './live.js';
import type { Whoami } from './types.js';
import { alertsView } from './views/alerts.js';
import { incidentView } from './views/incident.js';
import { renderLogin } from './views/login.js';
import { namespacesView } from './views/namespaces.js';
import { namespaceView } from './views/namespace.js';

const ROUTES: readonly [RegExp, View][] = [
  [/^#\/ns\/([^/]+)(?:\/([a-z]+))?$/, namespaceView],
  [/^#\/alerts$/, alertsView],
  [/^#\/incidents\/([^/]+)$/, incidentView],
  [/^#?\/?$/, namespacesView],
];

function start(root: HTMLElement, api: Api, me: Whoami): void {
  const live = new LiveFeed();
  const main = h('main', { id: 'main' });
  const messages = h('div', { id: 'messages', role: 'status' });
  const status = h('span', { id: 'live-status' });
  const drawStatus = () => {
    const dropped =
      live.droppedAlerts + live.droppedIncidents > 0
        ? h(
            'span',
            {
              id: 'dropped',
              class: 'dropped',
              title: 'the server dropped these for this tab: it could not keep up',
            },
            `dropped ${live.droppedAlerts} alert(s), ${live.droppedIncidents} incident change(s)`
          )
        : null;
    replace(status, badge(live.state === 'live' ? 'live' : 'off', live.state), ' ', dropped);
    status.dataset['state'] = live.state;
  };
  live.on('state', drawStatus);
  // A refused live connection: if the session is over, back to the sign-in.
  live.onLost = () =>
    void api.session().then((still) => {
      if (!still) api.onSignedOut();
    });
  const say = (cls: string, message: string) => {
    const m = h('p', { class: cls }, message);
    messages.appendChild(m);
    setTimeout(() => m.remove(), 8000);
  };
  let dispose: () => void = () => undefined;
  const app: App = {
    api,
    live,
    me,
    error: (err) => say('error', errorText(err)),
    notice: (message) => say('notice', message),
  };
  const signOut = () => {
    live.close();
    dispose();
    onHashChange = () => undefined;
    // The next person to sign in starts from the overview, not from where this one was.
    history.replaceState(null, '', '#/');
    void api.signOut().then(() => boot(root, api));
  };
  api.onSignedOut = () => {
    live.close();
    dispose();
    onHashChange = () => undefined;
    boot(root, api);
  };
  replace(
    root,
    h(
      'header',
      {},
      h('a', { class: 'brand', href: '#/' }, 'tsem'),
      h(
        'nav',
        {},
        h('a', { href: '#/' }, 'Namespaces'),
        h('a', { href: '#/alerts', id: 'nav-alerts' }, 'Alerts')
      ),
      status,
      h(
        'span',
        { class: 'who' },
        h('span', { id: 'identity' }, me.identity),
        ' ',
        badge(me.admin ? 'admin' : 'viewer', me.admin ? 'admin' : 'viewer'),
        ' ',
        h('button', { type: 'button', id: 'sign-out', onClick: signOut }, 'Sign out')
      )
    ),
    messages,
    main
  );
  drawStatus();
  const route = () => {
    dispose();
    const hash = location.hash || '#/';
    for (const [re, view] of ROUTES) {
      const m = re.exec(hash);
      if (!m) continue;
      const params = m.slice(1).map((p) => (p === undefined ? '' : decodeURIComponent(p)));
      dispose = view(app, main, params);
      return;
    }
    replace(main, h('p', {}, 'No such page.'));
    dispose = () => undefined;
  };
  onHashChange = route;
  live.connect();
  route();
}

/** The current shell's router (a new sign-in draws a new shell). */
let onHashChange: () => void = () => undefined;
window.addEventListener('hashchange', () => onHashChange());

function boot(root: HTMLElement, api: Api): void {
  api
    .session()
    .then((me) => {
      if (me) return start(root, api, me);
      renderLogin(root, api, (w) => start(root, api, w));
    })
    .catch((err: unknown) =>
      replace(
        root,
        h('p', { class: 'error' }, `The console cannot reach the engine: ${errorText(err)}`)
      )
    );
}

const root = document.getElementById('app');
if (root) boot(root, new Api());
