/**
 * The store's high-water mark: per namespace, the event count and measurement of its last
 * acknowledged batch, kept in a small file beside the LevelDB files (`tsem-high-water.json`), out
 * of the batches it guards. A corrupted write-ahead log makes LevelDB drop acknowledged records
 * (and everything after them in their block) silently; the store then holds fewer events than the
 * mark, and the start refuses, naming the namespace. The mark is written after the batches it
 * covers, so it may lag the store (a crash before it is written) but never lead it.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../../common/errors.js';

export const HIGH_WATER_FILE = 'tsem-high-water.json';

export interface Mark {
  readonly events: number;
  readonly measurement: string;
}

/** What the store holds of a namespace, compared with its mark. */
export interface Held extends Mark {
  readonly id: string;
}

/** How long after a batch the mark is written (writes are coalesced). */
const WRITE_DELAY_MS = 50;

export class HighWater {
  private marks: Map<string, Mark>;
  private timer: NodeJS.Timeout | undefined;
  private warned = false;

  constructor(
    private readonly dir: string,
    private readonly sync: boolean,
    private readonly log: (m: string) => void
  ) {
    this.marks = HighWater.read(dir);
  }

  /** The marks on disk (none for a store that never had one). */
  static read(dir: string): Map<string, Mark> {
    let text: string;
    try {
      text = readFileSync(join(dir, HIGH_WATER_FILE), 'utf8');
    } catch {
      return new Map();
    }
    try {
      const obj = JSON.parse(text) as { namespaces?: Record<string, Mark> };
      const out = new Map<string, Mark>();
      for (const [id, m] of Object.entries(obj.namespaces ?? {})) {
        if (!Number.isSafeInteger(m.events) || typeof m.measurement !== 'string') throw new Error();
        out.set(id, { events: m.events, measurement: m.measurement });
      }
      return out;
    } catch {
      throw new EngineError(
        'TSEM_STORE',
        `${join(dir, HIGH_WATER_FILE)}: expected {"namespaces": {NS: {"events": N, "measurement": HEX}}}; the file is damaged (start with --salvage to rebuild it)`
      );
    }
  }

  /**
   * Namespaces the store holds less of than was acknowledged: fewer events than the mark, another
   * measurement at the same count, or none at all. One line each, naming the namespace.
   */
  compare(held: readonly Held[]): string[] {
    const byId = new Map(held.map((h) => [h.id, h]));
    const out: string[] = [];
    for (const [id, m] of this.marks) {
      const h = byId.get(id);
      if (!h) out.push(`namespace ${id}: missing, but ${m.events} events were acknowledged`);
      else if (h.events < m.events)
        out.push(
          `namespace ${id}: the store holds ${h.events} events, but ${m.events} were acknowledged (${m.events - h.events} lost)`
        );
      else if (h.events === m.events && h.measurement !== m.measurement)
        out.push(
          `namespace ${id}: the measurement at event ${m.events} is ${h.measurement}, but ${m.measurement} was acknowledged`
        );
    }
    return out;
  }

  /** After a write: these namespaces' batches are acknowledged as of these figures. */
  update(id: string, mark: Mark): void {
    const had = this.marks.get(id);
    if (had && had.events > mark.events) return;
    this.marks.set(id, mark);
    this.timer ??= setTimeout(() => this.flush(), WRITE_DELAY_MS);
  }

  /** Now: replace every mark (salvage), or drop a deleted namespace's, before it goes. */
  reset(marks: ReadonlyMap<string, Mark>): void {
    this.marks = new Map(marks);
    this.flush();
  }

  remove(id: string): void {
    if (this.marks.delete(id)) this.flush();
  }

  /** Writes the marks (atomically: a new file renamed over the old one). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const file = join(this.dir, HIGH_WATER_FILE);
    const body = JSON.stringify({ namespaces: Object.fromEntries(this.marks) });
    try {
      const fd = openSync(`${file}.tmp`, 'w', 0o600);
      try {
        writeSync(fd, body);
        if (this.sync) fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(`${file}.tmp`, file);
      this.warned = false;
    } catch (err) {
      // A lagging mark only weakens detection; say so once per episode.
      if (!this.warned)
        this.log(`store: cannot write the high-water mark ${file}: ${(err as Error).message}`);
      this.warned = true;
    }
  }
}
