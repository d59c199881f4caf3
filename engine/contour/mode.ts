/**
 * A namespace's modes (docs/tsem-model.md §3): learn: new points join the map; audit: the dry run
 * of sealing (unknown points become findings); sealed: new points are forensics and the task
 * untrusted; enforce: sealed and the action is denied. `seal` is accepted as an input alias.
 */
export const MODES = ['learn', 'audit', 'sealed', 'enforce'] as const;
export type Mode = (typeof MODES)[number];

export function isMode(s: string): s is Mode {
  return (MODES as readonly string[]).includes(s);
}

/** A mode as a user may type it (`seal` is sealed), or undefined. */
export function parseMode(s: string): Mode | undefined {
  if (s === 'seal') return 'sealed';
  return isMode(s) ? s : undefined;
}

/** sealed and enforce: the map is closed; unknown points are forensics. */
export function isSealedMode(mode: Mode): boolean {
  return mode === 'sealed' || mode === 'enforce';
}
