/**
 * Learning convergence: new points per window of N events, so a policy author can see when
 * training has settled. Bounded: adjacent windows are coalesced when the history is full.
 */

export interface ConvergenceWindow {
  /** Events processed when the window closed (cumulative). */
  readonly eventsEnd: number;
  readonly events: number;
  readonly newPoints: number;
}

export const DEFAULT_WINDOW_EVENTS = 1000;
const MAX_WINDOWS = 512;

export class Convergence {
  private windows: ConvergenceWindow[] = [];
  private events = 0;
  private newPoints = 0;
  private total = 0;

  constructor(readonly windowEvents = DEFAULT_WINDOW_EVENTS) {}

  record(isNewPoint: boolean): void {
    this.events++;
    this.total++;
    if (isNewPoint) this.newPoints++;
    if (this.events >= this.windowEvents) this.close();
  }

  private close(): void {
    this.windows.push({ eventsEnd: this.total, events: this.events, newPoints: this.newPoints });
    this.events = 0;
    this.newPoints = 0;
    if (this.windows.length > MAX_WINDOWS) {
      const merged: ConvergenceWindow[] = [];
      for (let i = 0; i < this.windows.length; i += 2) {
        const a = this.windows[i]!;
        const b = this.windows[i + 1];
        merged.push(
          b
            ? {
                eventsEnd: b.eventsEnd,
                events: a.events + b.events,
                newPoints: a.newPoints + b.newPoints,
              }
            : a
        );
      }
      this.windows = merged;
    }
  }

  /** Closed windows plus the open one (if it has events). */
  figures(): ConvergenceWindow[] {
    const open =
      this.events > 0
        ? [{ eventsEnd: this.total, events: this.events, newPoints: this.newPoints }]
        : [];
    return [...this.windows, ...open];
  }

  /** Settled: the last `n` closed windows added no point. */
  settled(n = 3): boolean {
    return this.windows.length >= n && this.windows.slice(-n).every((w) => w.newPoints === 0);
  }

  snapshot(): { windows: ConvergenceWindow[]; events: number; newPoints: number; total: number } {
    return {
      windows: [...this.windows],
      events: this.events,
      newPoints: this.newPoints,
      total: this.total,
    };
  }

  static restore(
    s: ReturnType<Convergence['snapshot']>,
    windowEvents = DEFAULT_WINDOW_EVENTS
  ): Convergence {
    const c = new Convergence(windowEvents);
    c.windows = [...s.windows];
    c.events = s.events;
    c.newPoints = s.newPoints;
    c.total = s.total;
    return c;
  }
}
