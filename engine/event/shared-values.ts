/**
 * Typed COE and CELL values the parse cache hands to many events. Code that derives something
 * from such a value (its CELL_ID, its COE_ID) may remember the result by object identity.
 */
const shared = new WeakSet<object>();

export function markShared(value: object): void {
  shared.add(value);
}

export function isShared(value: object): boolean {
  return shared.has(value);
}
