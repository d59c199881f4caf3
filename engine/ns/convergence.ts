/**
 * Learning convergence: new points per window, so a policy author can see when training has
 * settled and, if asked, have the namespace seal itself after N quiet windows. A window closes
 * after a number of events, or after a span of engine time (empty spans are quiet windows).
 * Bounded: adjacent windows are coalesced when the history is full. Pure: time is passed in.
 */

export interface ConvergenceWindow {
  /** Events processed when the window closed (cumulative). */
  readonly eventsEnd: number;
  readonly events: number;
  readonly newPoints: number;
  /** Engine time (ms since the epoch) the window opened and closed, when a clock was given. */
  readonly startMs?: number;
  readonly endMs?: number;
}

export interface ConvergenceSettings {
  /** Events per window (used unless windowMs is set). */
  readonly windowEvents: number;
  /** Engine time per window, in ms: windows by time instead of by events. */
  readonly windowMs?: number;
  /** Seal after this many quiet windows in a row while learning; 0 is off. */
  readonly autoSealAfter: number;
  /** The mode auto-sealing switches to. */
  readonly autoSealMode: 'sealed' | 'enforce';
}

export const DEFAULT_WINDOW_EVENTS = 1000;
export const DEFAULT_SETTINGS: ConvergenceSettings = {
  windowEvents: DEFAULT_WINDOW_EVENTS,
  autoSealAfter: 0,
  autoSealMode: 'sealed',
};
const MAX_WINDOWS = 512;
/** Quiet windows a single long gap between events may close at most (bounded work per event). */
const MAX_GAP_WINDOWS = 64;

export interface ConvergenceSnapshot {
  windows: ConvergenceWindow[];
  events: number;
  newPoints: number;
  total: number;
  startMs?: number;
  quietRun?: number;
  settings?: ConvergenceSettings;
}

export class Convergence {
  private windows: ConvergenceWindow[] = [];
  private events = 0;
  private newPoints = 0;
  private total = 0;
  private startMs: number | undefined;
  /** Closed windows in a row without a new point (the auto-seal count). */
  private quietRun = 0;

  constructor(private cfg: ConvergenceSettings = DEFAULT_SETTINGS) {}

  get settings(): ConvergenceSettings {
    return this.cfg;
  }
  get windowEvents(): number {
    return this.cfg.windowEvents;
  }
  /** Quiet windows in a row so far. */
  get quietWindows(): number {
    return this.quietRun;
  }

  /** New settings start a new window and a new quiet count. */
  configure(settings: ConvergenceSettings, now?: number): void {
    if (this.events > 0) this.close(now);
    this.cfg = settings;
    this.startMs = settings.windowMs && now !== undefined ? this.align(now) : undefined;
    this.quietRun = 0;
  }

  private align(now: number): number {
    const ms = this.cfg.windowMs!;
    return now - (now % ms);
  }

  record(isNewPoint: boolean, now?: number): void {
    const ms = this.cfg.windowMs;
    if (ms && now !== undefined) {
      if (this.startMs === undefined) this.startMs = this.align(now);
      if (now >= this.startMs + ms) {
        this.close(this.startMs + ms);
        const gaps = Math.min(Math.floor((now - this.startMs) / ms), MAX_GAP_WINDOWS);
        for (let i = 0; i < gaps; i++) this.close(this.startMs + ms); // empty spans are quiet
        this.startMs = this.align(now);
      }
    } else if (this.startMs === undefined) this.startMs = now;
    this.events++;
    this.total++;
    if (isNewPoint) this.newPoints++;
    if (!ms && this.events >= this.cfg.windowEvents) this.close(now);
  }

  private close(endMs: number | undefined): void {
    const w: ConvergenceWindow = {
      eventsEnd: this.total,
      events: this.events,
      newPoints: this.newPoints,
      ...(this.startMs !== undefined ? { startMs: this.startMs } : {}),
      ...(endMs !== undefined ? { endMs } : {}),
    };
    this.windows.push(w);
    this.quietRun = w.newPoints === 0 ? this.quietRun + 1 : 0;
    this.events = 0;
    this.newPoints = 0;
    this.startMs = this.cfg.windowMs ? endMs : undefined;
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
                ...(a.startMs !== undefined ? { startMs: a.startMs } : {}),
                ...(b.endMs !== undefined ? { endMs: b.endMs } : {}),
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
        ? [
            {
              eventsEnd: this.total,
              events: this.events,
              newPoints: this.newPoints,
              ...(this.startMs !== undefined ? { startMs: this.startMs } : {}),
            },
          ]
        : [];
    return [...this.windows, ...open];
  }

  /** Settled: the last `n` closed windows added no point (n: the auto-seal count when set, else 3). */
  settled(n = this.cfg.autoSealAfter || 3): boolean {
    return this.windows.length >= n && this.windows.slice(-n).every((w) => w.newPoints === 0);
  }

  /** Auto-sealing is on and enough quiet windows closed in a row. */
  autoSealDue(): boolean {
    return this.cfg.autoSealAfter > 0 && this.quietRun >= this.cfg.autoSealAfter;
  }

  snapshot(): ConvergenceSnapshot {
    return {
      windows: [...this.windows],
      events: this.events,
      newPoints: this.newPoints,
      total: this.total,
      ...(this.startMs !== undefined ? { startMs: this.startMs } : {}),
      quietRun: this.quietRun,
      settings: this.cfg,
    };
  }

  static restore(s: ConvergenceSnapshot): Convergence {
    const c = new Convergence(s.settings ?? DEFAULT_SETTINGS);
    c.windows = [...s.windows];
    c.events = s.events;
    c.newPoints = s.newPoints;
    c.total = s.total;
    c.startMs = s.startMs;
    c.quietRun = s.quietRun ?? 0;
    return c;
  }
}
