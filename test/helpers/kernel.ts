/**
 * Kernel state for root-only tests: a private tmpfs (fanotify marks and disk-full tests stay on
 * it), and the kernel's audit rules as the tests see them. Whoever runs these holds the shared
 * lock (`flock /tmp/tsem-suite.lock`): audit and fanotify state is the host's.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditControl } from '../../exporter/audit/audit-control.js';
import type { ListedRule } from '../../exporter/audit/audit-rules.js';
import { auditUnavailableReason } from '../../exporter/audit/audit-source.js';
import { fanotifyUnavailableReason } from '../../exporter/fanotify/fanotify-source.js';
import { loadNativeAddon } from '../../native/addon.js';
import { rootSkipReason } from './repo.js';

export interface Tmpfs {
  readonly dir: string;
  /** Why the test cannot run here, when it cannot. */
  readonly skip?: string;
  unmount(): void;
}

/** A tmpfs of `size` (mount -o size=…) on a fresh directory; unmount() removes both. */
export function mountTmpfs(size = '16m'): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-tmpfs-'));
  const unmount = () => {
    try {
      execFileSync('umount', [dir], { stdio: 'pipe' });
    } catch {
      // not mounted
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const skip = rootSkipReason();
  if (skip) return { dir, skip, unmount };
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tsem-test', dir], {
      stdio: 'pipe',
    });
    return { dir, unmount };
  } catch (err) {
    return {
      dir,
      skip: `cannot mount a tmpfs here: ${(err as Error).message.split('\n')[0]}`,
      unmount,
    };
  }
}

/**
 * A bind mount of a fresh directory onto itself: a mount of the test's own on the real filesystem
 * (files keep their filesystem and content digests, which a tmpfs zeroes), so that even a mount
 * mark holds only the opens made through it, never the root mount's. unmount() removes both.
 */
export function bindMount(): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-bind-'));
  const unmount = () => {
    try {
      execFileSync('umount', [dir], { stdio: 'pipe' });
    } catch {
      // not mounted
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const skip = rootSkipReason();
  if (skip) return { dir, skip, unmount };
  try {
    execFileSync('mount', ['--bind', dir, dir], { stdio: 'pipe' });
    return { dir, unmount };
  } catch (err) {
    return {
      dir,
      skip: `cannot bind-mount here: ${(err as Error).message.split('\n')[0]}`,
      unmount,
    };
  }
}

/** Why audit tests cannot run here (not root, no kernel audit), or undefined. */
export async function auditSkipReason(): Promise<string | undefined> {
  const root = rootSkipReason();
  if (root) return root;
  const why = await auditUnavailableReason();
  return why && `kernel audit unavailable here: ${why}`;
}

/** Why fanotify tests cannot run here, or undefined. */
export function fanotifySkipReason(enforce = false): string | undefined {
  const why = rootSkipReason() ?? fanotifyUnavailableReason(enforce);
  return why && `fanotify unavailable here: ${why}`;
}

/** Every audit rule the kernel holds now (AUDIT_LIST_RULES). */
export async function listAuditRules(): Promise<ListedRule[]> {
  const addon = loadNativeAddon();
  // The reader thread calls back only after the socket exists, by then ctl does too.
  const handle = addon.auditOpen(false, (batch) => {
    for (const m of batch) ctl.accept(m);
  });
  const ctl = new AuditControl(addon, handle);
  try {
    return await ctl.listRules();
  } finally {
    ctl.close();
    addon.auditClose(handle);
  }
}
