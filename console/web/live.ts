/**
 * One live connection per tab (server-sent events on the session cookie): alerts, incident
 * changes, namespace figures and the server's drop counts. Filters are applied by the server, so
 * changing them reconnects. What was received is kept, bounded, for the views to show.
 */
import type { LiveAlert, LiveIncident, NamespaceSummary, Severity } from './types.js';

export interface LiveFilters {
  namespace: string;
  severity: '' | Severity;
  process: string;
}

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'closed';

type Listener = () => void;

/** Alerts and incident changes kept in the page at most. */
export const KEEP = 500;

export class LiveFeed {
  filters: LiveFilters = { namespace: '', severity: '', process: '' };
  state: LiveState = 'closed';
  readonly alerts: LiveAlert[] = [];
  readonly incidents = new Map<string, LiveIncident>();
  namespaces: readonly NamespaceSummary[] = [];
  /** What the server dropped for this tab (its queue was full), since the page loaded. */
  droppedAlerts = 0;
  droppedIncidents = 0;
  /** The server refused the connection for good (the session ended, most likely). */
  onLost: () => void = () => undefined;
  private source: EventSource | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();

  on(what: 'alert' | 'incident' | 'namespaces' | 'state', l: Listener): () => void {
    const set = this.listeners.get(what) ?? new Set();
    this.listeners.set(what, set);
    set.add(l);
    return () => set.delete(l);
  }

  private emit(what: string): void {
    for (const l of this.listeners.get(what) ?? []) l();
  }

  private setState(s: LiveState): void {
    this.state = s;
    this.emit('state');
  }

  connect(filters: LiveFilters = this.filters): void {
    this.close();
    this.filters = { ...filters };
    const q = new URLSearchParams();
    if (filters.namespace) q.set('namespace', filters.namespace);
    if (filters.severity) q.set('severity', filters.severity);
    if (filters.process) q.set('process', filters.process);
    const qs = q.toString();
    const es = new EventSource(`/console/api/live${qs ? `?${qs}` : ''}`);
    this.source = es;
    this.setState('connecting');
    es.addEventListener('hello', () => this.setState('live'));
    es.addEventListener('error', () => {
      if (this.source !== es) return;
      const lost = es.readyState === EventSource.CLOSED;
      this.setState(lost ? 'closed' : 'reconnecting');
      if (lost) this.onLost();
    });
    es.addEventListener('alert', (ev) => {
      this.alerts.unshift(JSON.parse((ev as MessageEvent<string>).data) as LiveAlert);
      if (this.alerts.length > KEEP) this.alerts.length = KEEP;
      this.emit('alert');
    });
    es.addEventListener('incident', (ev) => {
      const r = JSON.parse((ev as MessageEvent<string>).data) as LiveIncident;
      this.incidents.delete(r.incident.id);
      this.incidents.set(r.incident.id, r);
      if (this.incidents.size > KEEP) this.incidents.delete(this.incidents.keys().next().value!);
      this.emit('incident');
    });
    es.addEventListener('namespaces', (ev) => {
      this.namespaces = JSON.parse((ev as MessageEvent<string>).data) as NamespaceSummary[];
      this.emit('namespaces');
    });
    es.addEventListener('dropped', (ev) => {
      const d = JSON.parse((ev as MessageEvent<string>).data) as {
        alerts?: number;
        incidents?: number;
      };
      this.droppedAlerts += d.alerts ?? 0;
      this.droppedIncidents += d.incidents ?? 0;
      this.emit('state');
    });
  }

  /** New filters: what was received under the old ones goes. */
  refilter(filters: LiveFilters): void {
    this.alerts.length = 0;
    this.incidents.clear();
    this.connect(filters);
    this.emit('alert');
    this.emit('incident');
  }

  close(): void {
    this.source?.close();
    this.source = undefined;
    this.setState('closed');
  }
}
