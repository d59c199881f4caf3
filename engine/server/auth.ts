/**
 * Who may do what. Identities come from a bearer token (`authorization: Bearer …`, compared by
 * SHA-256 so the server never stores tokens) or a TLS client certificate's common name. Roles:
 * `admin` (Control mutations: create/delete namespaces, modes, model loads), `exporter` (Ingest),
 * `viewer` (Monitor and Control reads). Each identity may be limited to some namespaces.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { EngineError } from '../../common/errors.js';
import { quoteInput } from '../../common/escape.js';
import { parseStrictJson } from '../../common/strict-json.js';

export type Role = 'admin' | 'exporter' | 'viewer';

export interface Identity {
  readonly name: string;
  readonly roles: ReadonlySet<Role>;
  /** undefined = every namespace. */
  readonly namespaces?: ReadonlySet<string>;
  /** Hosts an exporter identity may speak for (ExporterHello.host, Event.host, LineBlock.host);
   * undefined = any. */
  readonly hosts?: ReadonlySet<string>;
}

export interface AuthConfig {
  /** SHA-256 (hex) of each token → identity. */
  readonly tokens: ReadonlyMap<string, Identity>;
  /** Client certificate common name → identity (mTLS). */
  readonly certs: ReadonlyMap<string, Identity>;
  /** Callers that present nothing; undefined = rejected. */
  readonly anonymous?: Identity;
}

export interface Credentials {
  readonly token?: string;
  readonly certCommonName?: string;
}

const ROLES: readonly Role[] = ['admin', 'exporter', 'viewer'];

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function authenticate(cfg: AuthConfig, creds: Credentials): Identity {
  if (creds.token !== undefined) {
    const d = Buffer.from(tokenDigest(creds.token), 'hex');
    for (const [k, id] of cfg.tokens) if (timingSafeEqual(Buffer.from(k, 'hex'), d)) return id;
    throw new EngineError('TSEM_UNAUTHENTICATED', 'the bearer token is not recognised');
  }
  if (creds.certCommonName !== undefined) {
    const id = cfg.certs.get(creds.certCommonName);
    if (id) return id;
  }
  if (cfg.anonymous) return cfg.anonymous;
  throw new EngineError(
    'TSEM_UNAUTHENTICATED',
    'authentication required: send "authorization: Bearer <token>" or a client certificate'
  );
}

export function authorize(id: Identity, role: Role, namespace?: string): void {
  if (!id.roles.has(role) && !id.roles.has('admin')) {
    throw new EngineError('TSEM_PERMISSION', `identity '${id.name}' lacks the '${role}' role`);
  }
  if (namespace !== undefined && !mayAccess(id, namespace)) {
    throw new EngineError(
      'TSEM_PERMISSION',
      `identity '${id.name}' may not access namespace '${namespace}'`
    );
  }
}

/** An exporter may claim only its own hosts: another host's events would taint that host's tasks. */
export function authorizeHost(id: Identity, host: string): void {
  if (id.hosts !== undefined && !id.hosts.has(host))
    throw new EngineError(
      'TSEM_PERMISSION',
      `identity '${id.name}' may not send events for host ${quoteInput(host)} (its hosts: ${[...id.hosts].join(', ')})`
    );
}

export function mayAccess(id: Identity, namespace: string): boolean {
  return id.namespaces === undefined || id.namespaces.has(namespace);
}

interface IdentityJson {
  name?: unknown;
  token_sha256?: unknown;
  cert_cn?: unknown;
  roles?: unknown;
  namespaces?: unknown;
  hosts?: unknown;
}

function stringList(v: unknown, where: string, what: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((n) => typeof n !== 'string'))
    throw new EngineError('TSEM_INVALID_ARGUMENT', `${where}: expected a list of ${what} (or "*")`);
  return v as string[];
}

function identityFrom(j: IdentityJson, where: string, ownHost?: string): Identity {
  const roles = j.roles;
  if (
    !Array.isArray(roles) ||
    roles.length === 0 ||
    roles.some((r) => !ROLES.includes(r as Role))
  ) {
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      `${where}.roles: expected a non-empty list of ${ROLES.join(', ')}`
    );
  }
  const list = stringList(j.namespaces, `${where}.namespaces`, 'namespace names');
  // An exporter speaks for its own host only: `hosts`, else its certificate name or its name.
  const hosts =
    stringList(j.hosts, `${where}.hosts`, 'host names') ?? (ownHost ? [ownHost] : undefined);
  return {
    name: typeof j.name === 'string' ? j.name : where,
    roles: new Set(roles as Role[]),
    namespaces: list === undefined || list.includes('*') ? undefined : new Set(list),
    hosts: hosts === undefined || hosts.includes('*') ? undefined : new Set(hosts),
  };
}

/**
 * Parses an auth file: {"identities": [{"name", "token_sha256" | "cert_cn", "roles", "namespaces",
 * "hosts"}], "anonymous": {"roles", "namespaces"} | null}. Deny by default: callers without
 * credentials get nothing unless "anonymous" grants it. Repeated keys are refused.
 */
export function parseAuthFile(text: string, source: string, base: AuthConfig): AuthConfig {
  let j: { identities?: unknown; anonymous?: unknown };
  try {
    j = parseStrictJson(text) as typeof j;
    if (typeof j !== 'object' || j === null || Array.isArray(j))
      throw new SyntaxError('expected an object');
  } catch (err) {
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      `${source}: expected JSON (${(err as Error).message})`
    );
  }
  if (!Array.isArray(j.identities))
    throw new EngineError('TSEM_INVALID_ARGUMENT', `${source}: expected an "identities" list`);
  const tokens = new Map(base.tokens);
  const certs = new Map(base.certs);
  j.identities.forEach((raw: IdentityJson, i: number) => {
    const where = `${source}: identities[${i}]`;
    if (typeof raw !== 'object' || raw === null)
      throw new EngineError('TSEM_INVALID_ARGUMENT', `${where}: expected an object`);
    const own =
      typeof raw.cert_cn === 'string'
        ? raw.cert_cn
        : typeof raw.name === 'string'
          ? raw.name
          : undefined;
    const id = identityFrom(raw, where, own);
    if (typeof raw.token_sha256 === 'string' && /^[0-9a-f]{64}$/.test(raw.token_sha256))
      tokens.set(raw.token_sha256, id);
    else if (typeof raw.cert_cn === 'string' && raw.cert_cn) certs.set(raw.cert_cn, id);
    else
      throw new EngineError(
        'TSEM_INVALID_ARGUMENT',
        `${where}: expected "token_sha256" (64 lowercase hex) or "cert_cn"`
      );
  });
  // Left out or null: anonymous callers get nothing (the file says who may do what, all of it).
  const anonymous =
    j.anonymous === undefined || j.anonymous === null
      ? undefined
      : identityFrom(
          { ...(j.anonymous as IdentityJson), name: 'anonymous' },
          `${source}: anonymous`
        );
  return { tokens, certs, anonymous };
}
