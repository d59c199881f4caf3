/**
 * The store key (store-mac.ts): 32 random bytes, hex, in a file only its owner may read, kept
 * apart from the data directory so a copy or backup of the data alone cannot be re-sealed after an
 * edit. Default place: /etc/tsem/store.key for root, else $XDG_CONFIG_HOME/tsem/store.key
 * (~/.config/tsem/store.key). Created on first start.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { EngineError } from '../../common/errors.js';

export function defaultStoreKeyPath(env: NodeJS.ProcessEnv = process.env): string {
  if (process.getuid?.() === 0) return '/etc/tsem/store.key';
  return join(env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), 'tsem', 'store.key');
}

function inside(dir: string, file: string): boolean {
  const r = relative(resolve(dir), resolve(file));
  return r === '' || (!r.startsWith('..') && !r.startsWith('/'));
}

/** Reads the key, creating it (0600, folder 0700) when missing; refuses one others can read or
 * one inside the data directory. */
export function loadStoreKey(file: string, dataDir: string): Buffer {
  if (inside(dataDir, file))
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      `the store key ${file} is inside the data directory ${dataDir}: keep it apart, or a copy of the data carries its own key`
    );
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  const st = statSync(file);
  if ((st.mode & 0o077) !== 0 || (process.getuid && st.uid !== process.getuid()))
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      `the store key ${file} must be owned by this user and readable by it alone (chmod 600)`
    );
  const hex = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(hex))
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      `the store key ${file}: expected 64 lowercase hex characters`
    );
  return Buffer.from(hex, 'hex');
}
