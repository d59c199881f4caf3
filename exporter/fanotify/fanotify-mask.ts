/** fanotify event bits (linux/fanotify.h) and the marks each mode installs. */
export const FAN_OPEN = 0x20;
export const FAN_CLOSE_WRITE = 0x08;
export const FAN_OPEN_EXEC = 0x1000;
export const FAN_OPEN_PERM = 0x10000;
export const FAN_OPEN_EXEC_PERM = 0x40000;
/** For directory (inode) marks: report events on the directory's children too. */
export const FAN_EVENT_ON_CHILD = 0x08000000;

/** Observe mode: open, exec and close-write notifications. Enforce mode replaces the open/exec
 * notifications with their permission events (both would report every open twice). */
export function markMask(enforce: boolean): number {
  return enforce
    ? FAN_OPEN_PERM | FAN_OPEN_EXEC_PERM | FAN_CLOSE_WRITE
    : FAN_OPEN | FAN_OPEN_EXEC | FAN_CLOSE_WRITE;
}

export function isExecMask(mask: number): boolean {
  return (mask & (FAN_OPEN_EXEC | FAN_OPEN_EXEC_PERM)) !== 0;
}

export function isOpenMask(mask: number): boolean {
  return (mask & (FAN_OPEN | FAN_OPEN_EXEC | FAN_OPEN_PERM | FAN_OPEN_EXEC_PERM)) !== 0;
}
