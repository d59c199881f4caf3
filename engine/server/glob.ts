/**
 * Globs over names (`*` any run, `?` one character, everything else literal), matched in time
 * bounded by name length × pattern length: the pattern is compiled to a small automaton whose set of
 * live positions advances one character at a time, so nothing is ever retried. A regular
 * expression built from the pattern would backtrack: `*a*a…*b` against a long run of `a` takes
 * exponentially many steps and freezes the event loop (the Monitor filter's former bug).
 */

/** Longest pattern accepted (tsem.proto SubscribeRequest.process_patterns). */
export const MAX_GLOB_CHARS = 256;

export interface GlobMatcher {
  (name: string): boolean;
  readonly pattern: string;
}

/** Counts the automaton's steps, for tests that prove the bound. */
export interface StepCounter {
  steps: number;
}

export function compileGlob(pattern: string, counter?: StepCounter): GlobMatcher {
  if (pattern.length > MAX_GLOB_CHARS)
    throw new RangeError(`glob of ${pattern.length} characters; at most ${MAX_GLOB_CHARS}`);
  // Runs of `*` are one `*`: fewer positions, same language.
  const p = pattern.replace(/\*+/g, '*');
  const m = p.length;
  let live = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  /** Adds position j and, past each `*`, the positions it may skip to (no character consumed). */
  const enter = (set: Uint8Array, from: number) => {
    let j = from;
    set[j] = 1;
    while (j < m && p[j] === '*') set[++j] = 1;
  };
  const match = (name: string): boolean => {
    live.fill(0);
    enter(live, 0);
    for (let i = 0; i < name.length; i++) {
      const c = name[i];
      next.fill(0);
      let any = false;
      for (let j = 0; j < m; j++) {
        if (!live[j]) continue;
        const pc = p[j];
        if (pc === '*') {
          enter(next, j); // the star eats c and stays
          any = true;
        } else if (pc === '?' || pc === c) {
          enter(next, j + 1);
          any = true;
        }
      }
      if (counter) counter.steps += m + 1;
      if (!any) return false;
      [live, next] = [next, live];
    }
    return live[m] === 1;
  };
  return Object.assign(match, { pattern });
}
