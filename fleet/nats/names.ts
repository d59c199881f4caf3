/**
 * The fleet's names in NATS: one stream of events (a subject per host and namespace), one stream
 * of outputs (a subject per namespace), and the key-value buckets and object store the pool keeps
 * its leases, members and namespace snapshots in (docs/fleet.md §2).
 *
 * Namespace and host names may hold characters a subject token or a KV key cannot ('.', ':', '@'),
 * so each is encoded reversibly: letters, digits, '_' and '-' stay, anything else becomes `=XX`
 * (UTF-8 bytes in hex), which both a subject token and a KV key accept.
 */
import { EngineError } from '../../common/errors.js';

export const EVENTS_STREAM = 'TSEM_EVENTS';
export const OUTPUTS_STREAM = 'TSEM_OUTPUTS';
export const EVENTS_PREFIX = 'tsem.ev';
export const OUTPUTS_PREFIX = 'tsem.out';
export const LEASES_BUCKET = 'tsem-leases';
export const MEMBERS_BUCKET = 'tsem-members';
export const SNAPSHOTS_BUCKET = 'tsem-snapshots';
/** Labelled models, the fleet's one store of them (docs/fleet.md §5). */
export const LABELS_BUCKET = 'tsem-labels';
/** Each local engine's namespace models, shared for promotion (docs/fleet.md §7). */
export const HOST_MODELS_BUCKET = 'tsem-host-models';
/** Snapshots and labelled models too large for one message (docs/fleet.md §4). */
export const SNAPSHOT_OBJECTS = 'tsem-snapshot-objects';

const PLAIN = /^[A-Za-z0-9_-]$/;

/** A name as one subject token / KV key part. */
export function encodeToken(name: string): string {
  if (name === '') throw new RangeError('an empty name has no token');
  let out = '';
  for (const ch of name) {
    if (PLAIN.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `=${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** The inverse of encodeToken; throws TSEM_INVALID_ARGUMENT on a token it did not make. */
export function decodeToken(token: string): string {
  if (!/^(?:[A-Za-z0-9_-]|=[0-9a-f]{2})+$/.test(token))
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      `subject token '${token}' is not an encoded name (letters, digits, _ - and =XX escapes)`
    );
  const bytes: number[] = [];
  for (let i = 0; i < token.length;) {
    if (token[i] === '=') {
      bytes.push(Number.parseInt(token.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      bytes.push(token.charCodeAt(i));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Where a host publishes a namespace's events. */
export const eventSubject = (host: string, ns: string) =>
  `${EVENTS_PREFIX}.${encodeToken(host)}.${encodeToken(ns)}`;

/** Every host's events of one namespace (a consumer's single filter subject: NATS 2.9). */
export const namespaceEvents = (ns: string) => `${EVENTS_PREFIX}.*.${encodeToken(ns)}`;

/** Everything one host may publish (its credential's permission). */
export const hostEvents = (host: string) => `${EVENTS_PREFIX}.${encodeToken(host)}.>`;

/**
 * Who published an output: the pool (its engines hold the fleet's engine credential), or one host's
 * own engine (`serve --nats --no-pool`, a host credential scoped to its origin token). `=pool` is
 * no encoded name (encodeToken writes `=` only before two hex digits), so no host can be it.
 */
export const POOL_ORIGIN = '=pool';
export const hostOrigin = (host: string) => encodeToken(host);

/** A namespace's notices (verdicts) from one origin: `tsem.out.NS.v.ORIGIN`. */
export const outputSubject = (ns: string, origin = POOL_ORIGIN) =>
  `${OUTPUTS_PREFIX}.${encodeToken(ns)}.v.${origin}`;
/** One namespace's notices from every origin; every namespace's. */
export const namespaceNotices = (ns: string) => `${OUTPUTS_PREFIX}.${encodeToken(ns)}.v.*`;
export const ALL_NOTICES = `${OUTPUTS_PREFIX}.*.v.*`;

/** A namespace's incident records (alert-log records) from one origin: `tsem.out.NS.i.ORIGIN`. */
export const incidentSubject = (ns: string, origin = POOL_ORIGIN) =>
  `${OUTPUTS_PREFIX}.${encodeToken(ns)}.i.${origin}`;
export const namespaceIncidents = (ns: string) => `${OUTPUTS_PREFIX}.${encodeToken(ns)}.i.*`;
export const ALL_INCIDENTS = `${OUTPUTS_PREFIX}.*.i.*`;

/** The host an output subject's origin names, undefined for the pool (or another shape). */
export function outputHost(subject: string): string | undefined {
  const origin = subject.split('.')[4];
  if (origin === undefined || origin === POOL_ORIGIN) return undefined;
  try {
    return decodeToken(origin);
  } catch {
    return undefined;
  }
}

/** A host's namespace models (points shared by `serve --nats --no-pool`): key `HOST.NS`. */
export const hostModelKey = (host: string, ns: string) => `${encodeToken(host)}.${encodeToken(ns)}`;

/** Host and namespace of an event subject; undefined for a subject of another shape. */
export function parseEventSubject(subject: string): { host: string; ns: string } | undefined {
  const parts = subject.split('.');
  if (parts.length !== 4 || `${parts[0]}.${parts[1]}` !== EVENTS_PREFIX) return undefined;
  try {
    return { host: decodeToken(parts[2]!), ns: decodeToken(parts[3]!) };
  } catch {
    return undefined;
  }
}

/** A host's reply subjects (its credential subscribes to these only). */
export const hostInbox = (host: string) => `_INBOX_tsem_host.${encodeToken(host)}`;
/** A watcher's reply subjects. */
export const WATCH_INBOX = '_INBOX_tsem_watch';

/** Message headers of the events stream: the exporter's kind, its session, and the number of the
 * message's first event in that session's events of the namespace (1-based). */
export const EXPORTER_HEADER = 'Tsem-Exporter';
export const SESSION_HEADER = 'Tsem-Session';
export const FIRST_SEQ_HEADER = 'Tsem-First-Seq';
