/**
 * Assigns a process to a modeling namespace by a rule the user picks:
 * - `host`: every process in one namespace (named `name`, default "host");
 * - `linux-ns`: by Linux namespace ids from /proc/PID/ns/{mnt,pid,user}, e.g. "mnt:4026531841";
 *   with several kinds the ids join with "," ("mnt:4026531841,pid:4026531836");
 * - `cgroup`: by container id, the last 64-hex-digit component of the process's cgroup path
 *   (docker, containerd, podman, cri-o); processes outside containers go to their cgroup path,
 *   and to `fallback` (default "host") when that is "/".
 * A process that has exited resolves to `unknownName` (default "unknown").
 */
import { readFileSync, readlinkSync } from 'node:fs';

export type LinuxNsKind = 'mnt' | 'pid' | 'user';

export type NamespaceRule =
  | { readonly kind: 'host'; readonly name?: string }
  | {
      readonly kind: 'linux-ns';
      readonly namespaces?: readonly LinuxNsKind[];
      readonly unknownName?: string;
    }
  | { readonly kind: 'cgroup'; readonly fallback?: string; readonly unknownName?: string };

export type NamespaceMapper = (pid: number) => string;

const CONTAINER_ID = /([0-9a-f]{64})(?:\.scope)?$/;

/** The cgroup path of the unified hierarchy ("0::/path"), else the first v1 hierarchy's path. */
export function cgroupPath(procCgroup: string): string | undefined {
  const lines = procCgroup.split('\n').filter((l) => l.length > 0);
  const unified = lines.find((l) => l.startsWith('0::'));
  const line = unified ?? lines[0];
  if (line === undefined) return undefined;
  const i = line.indexOf(':', line.indexOf(':') + 1);
  return i < 0 ? undefined : line.slice(i + 1);
}

/** The container id in a cgroup path: a 64-hex component, with a runtime prefix or .scope suffix. */
export function containerId(path: string): string | undefined {
  for (const part of path.split('/').reverse()) {
    const m = CONTAINER_ID.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

/** "mnt:[4026531841]" (the /proc/PID/ns link) → "mnt:4026531841". */
export function nsLinkId(link: string): string | undefined {
  const m = /^(\w+):\[(\d+)\]$/.exec(link);
  return m ? `${m[1]}:${m[2]}` : undefined;
}

/**
 * Builds the mapper; throws RangeError for an empty namespace kind list (a caller mistake). A live
 * source passes its `host` name: names the rule makes up (not ones the user gave) then end in
 * `@HOST`, since `host`, `mnt:4026531841` or a cgroup path are the same on every machine and two
 * hosts' events must not share a model by accident.
 */
export function createNamespaceMapper(rule: NamespaceRule, host?: string): NamespaceMapper {
  const at = host === undefined || host === '' ? '' : `@${host}`;
  switch (rule.kind) {
    case 'host': {
      const name = rule.name ?? `host${at}`;
      return () => name;
    }
    case 'linux-ns': {
      const kinds = rule.namespaces ?? ['mnt'];
      if (kinds.length === 0)
        throw new RangeError('linux-ns namespace rule needs at least one of mnt, pid, user');
      const unknown = rule.unknownName ?? 'unknown';
      return (pid) => {
        try {
          return `${kinds
            .map((k) => nsLinkId(readlinkSync(`/proc/${pid}/ns/${k}`)) ?? unknown)
            .join(',')}${at}`;
        } catch {
          return `${unknown}${at}`;
        }
      };
    }
    case 'cgroup': {
      const fallback = rule.fallback ?? `host${at}`;
      const unknown = rule.unknownName ?? `unknown${at}`;
      return (pid) => {
        let text: string;
        try {
          text = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
        } catch {
          return unknown;
        }
        const path = cgroupPath(text);
        if (path === undefined || path === '/') return fallback;
        return containerId(path) ?? `${path}${at}`;
      };
    }
  }
}

/** Parses the CLI form: `host`, `host:NAME`, `linux-ns`, `linux-ns:mnt+pid`, `cgroup`. */
export function parseNamespaceRule(text: string): NamespaceRule | undefined {
  const [kind, arg] = text.split(':', 2) as [string, string | undefined];
  if (kind === 'host') return { kind, name: arg || undefined };
  if (kind === 'cgroup' && arg === undefined) return { kind };
  if (kind === 'linux-ns') {
    const kinds = (arg ?? 'mnt').split('+');
    if (!kinds.every((k): k is LinuxNsKind => k === 'mnt' || k === 'pid' || k === 'user'))
      return undefined;
    return { kind, namespaces: kinds };
  }
  return undefined;
}
