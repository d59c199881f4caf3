/**
 * Builds the FileEvent an ImaNamespace evaluates, from a real file: inode facts, filesystem
 * magic (statfs), `security.ima`, and a digest function over the file's bytes.
 */
import { readFile, statfs } from 'node:fs/promises';
import { resolve } from 'node:path';
import { hashBytes } from '../hash-algo.js';
import type { FileEvent } from '../ima-namespace.js';
import type { Credentials } from '../policy-match.js';
import type { PolicyFunc } from '../policy-rule.js';
import { inodeFacts } from './file-facts.js';
import { readImaXattr } from './read-xattr.js';

/** The calling process's credentials (no capabilities modelled beyond root). */
export function processCredentials(): Credentials {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const euid = process.geteuid?.() ?? uid;
  const egid = process.getegid?.() ?? gid;
  return { uid, euid, gid, egid, capSetuid: euid === 0, capSetgid: euid === 0 };
}

/**
 * Event for `path` under hook `func` with access `mask`. The file is read once into memory and
 * hashed on demand per algorithm (fine for the CLI and tests; the engine passes its own digests).
 */
export async function fileEventFor(
  path: string,
  func: PolicyFunc,
  mask: number,
  cred = processCredentials()
): Promise<FileEvent> {
  const abs = resolve(path);
  const [facts, fs, xattr, content] = await Promise.all([
    inodeFacts(abs),
    statfs(abs),
    readImaXattr(abs),
    readFile(abs),
  ]);
  const digests = new Map<string, Buffer>();
  return {
    path: abs,
    func,
    mask,
    cred,
    ino: facts.ino,
    dev: facts.dev,
    version: facts.version,
    size: facts.size,
    fsmagic: Number(fs.type),
    fowner: facts.uid,
    fgroup: facts.gid,
    ...(xattr ? { xattr } : {}),
    digest: (algo) => {
      let d = digests.get(algo);
      if (!d) digests.set(algo, (d = hashBytes(algo, content)));
      return d;
    },
  };
}
