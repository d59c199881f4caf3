/** The admin bearer token kept in the data directory (mode 0600), created on first start. */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ADMIN_TOKEN_FILE = 'admin.token';
/** Where the server that wrote the token listens: clients send the token only there. */
export const SERVER_FILE = 'server.json';

export interface ServerRecord {
  readonly address: string;
  readonly tls: boolean;
}

/** Records the listening address beside the admin token (so clients know whose token it is). */
export function writeServerRecord(dataDir: string, rec: ServerRecord): void {
  writeFileSync(join(dataDir, SERVER_FILE), `${JSON.stringify(rec)}\n`, { mode: 0o600 });
}

export function readServerRecord(dataDir: string): ServerRecord | undefined {
  try {
    const v = JSON.parse(readFileSync(join(dataDir, SERVER_FILE), 'utf8')) as Partial<ServerRecord>;
    return typeof v.address === 'string' && typeof v.tls === 'boolean'
      ? { address: v.address, tls: v.tls }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the admin token, creating it (0600) on first start. */
export function loadAdminToken(dataDir: string): string {
  const file = join(dataDir, ADMIN_TOKEN_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, token + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}

/** An address only this machine reaches: host:port on loopback (127.0.0.0/8, localhost, [::1])
 * or a unix socket (`unix:PATH`). */
export function isLoopback(listen: string): boolean {
  return /^(127\.\d+\.\d+\.\d+:\d+$|localhost:\d+$|\[::1\]:\d+$|unix:)/.test(listen);
}
