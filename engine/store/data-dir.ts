/** Where the engine keeps its data by default (the store's directory and the admin token). */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where a root daemon keeps its data (systemd's StateDirectory=tsem). */
export const ROOT_DATA_DIR = '/var/lib/tsem';

/** The per-user data directory: $XDG_DATA_HOME/tsem, else ~/.local/share/tsem. */
export function userDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env['XDG_DATA_HOME'] ?? join(env['HOME'] ?? homedir(), '.local', 'share'), 'tsem');
}

/**
 * Default data directory: $TSEM_DATA_DIR, else /var/lib/tsem for root, else the per-user one.
 * `uid` is a test seam.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  uid: number = process.getuid?.() ?? -1
): string {
  if (env['TSEM_DATA_DIR']) return env['TSEM_DATA_DIR'];
  return uid === 0 ? ROOT_DATA_DIR : userDataDir(env);
}

/**
 * Where a client looks for the server's admin token, in order: the default data directory, then
 * (for root) the per-user one that root daemons used before /var/lib/tsem became their default.
 */
export function dataDirCandidates(
  env: NodeJS.ProcessEnv = process.env,
  uid: number = process.getuid?.() ?? -1
): string[] {
  const first = defaultDataDir(env, uid);
  const legacy = userDataDir(env);
  return first === legacy || env['TSEM_DATA_DIR'] ? [first] : [first, legacy];
}
