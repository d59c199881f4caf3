/**
 * The executables the scenarios run, with the shared libraries the dynamic loader maps for each
 * (Debian 12 amd64, merged /usr). A `libs` of undefined marks a static binary: no loader events.
 */
import type { CoeJson } from '../../proto/kernel-json.js';

export interface Program {
  readonly path: string;
  /** `current->comm` after exec (at most 15 characters). */
  readonly comm: string;
  readonly libs?: readonly string[];
}

const LIB = '/usr/lib/x86_64-linux-gnu/';
const lib = (...names: string[]) => names.map((n) => LIB + n);

export const PROGRAMS = {
  nginx: {
    path: '/usr/sbin/nginx',
    comm: 'nginx',
    libs: lib(
      'libcrypt.so.1',
      'libpcre2-8.so.0',
      'libssl.so.3',
      'libcrypto.so.3',
      'libz.so.1',
      'libc.so.6'
    ),
  },
  cron: {
    path: '/usr/sbin/cron',
    comm: 'cron',
    libs: lib('libselinux.so.1', 'libpam.so.0', 'libc.so.6'),
  },
  // /bin/sh is dash on Debian; the exec'd file is the symlink's target.
  sh: { path: '/usr/bin/dash', comm: 'sh', libs: lib('libc.so.6') },
  bash: { path: '/usr/bin/bash', comm: 'bash', libs: lib('libtinfo.so.6', 'libc.so.6') },
  tar: {
    path: '/usr/bin/tar',
    comm: 'tar',
    libs: lib('libacl.so.1', 'libselinux.so.1', 'libc.so.6'),
  },
  gzip: { path: '/usr/bin/gzip', comm: 'gzip', libs: lib('libc.so.6') },
  ls: {
    path: '/usr/bin/ls',
    comm: 'ls',
    libs: lib('libselinux.so.1', 'libc.so.6', 'libpcre2-8.so.0'),
  },
  cat: { path: '/usr/bin/cat', comm: 'cat', libs: lib('libc.so.6') },
  grep: { path: '/usr/bin/grep', comm: 'grep', libs: lib('libpcre2-8.so.0', 'libc.so.6') },
  vi: {
    path: '/usr/bin/vim.basic',
    comm: 'vi',
    libs: lib('libm.so.6', 'libtinfo.so.6', 'libselinux.so.1', 'libacl.so.1', 'libc.so.6'),
  },
  insmod: {
    path: '/usr/bin/kmod',
    comm: 'insmod',
    libs: lib('libzstd.so.1', 'liblzma.so.5', 'libcrypto.so.3', 'libc.so.6'),
  },
  xmrig: { path: '/tmp/.xmr/xmrig', comm: 'xmrig' },
  inject: { path: '/tmp/.x/inject', comm: 'inject' },
} as const satisfies Record<string, Program>;

/** The loader opens this before any library. */
export const LD_SO_CACHE = '/etc/ld.so.cache';

const coe = (uid: number, gid: number, capeff: string): CoeJson => {
  const u = `${uid}`;
  const g = `${gid}`;
  return { uid: u, euid: u, suid: u, gid: g, egid: g, sgid: g, fsuid: u, fsgid: g, capeff };
};

/** §1.3 COEs: root has every capability of a 6.x kernel (CAP_LAST_CAP 40); users have none. */
export const COES = {
  root: coe(0, 0, '0x1ffffffffff'),
  wwwData: coe(33, 33, '0x0'),
} as const;
