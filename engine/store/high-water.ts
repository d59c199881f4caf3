/**
 * The store's high-water mark: per namespace, the event count and measurement of its last
 * acknowledged batch, kept in a small file beside the LevelDB files (`tsem-high-water.json`), out
 * of the batches it guards. A corrupted write-ahead log makes LevelDB drop acknowledged records
 * (and everything after them in their block) silently; the store then holds fewer events than the
 * mark, and the start refuses, naming the namespace. The mark is written after the batches it
 * covers, so it may lag the store (a crash before it is written) but never lead it.
 *
 * Written off the event loop (fs.promises, on libuv's threadpool: a synchronous write with fsync
 * took ≈2.5 ms of the main thread, which showed in held opens' latency), one write at a time: marks
 * that arrive during a write go in the next one.
 */
import { readFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
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
  /** The write under way (and those it chains while marks keep changing), settled when idle. */
  private writing: Promise<void> | undefined;
  /** The marks changed since the write under way took its copy. */
  private dirty = false;
  /** Files written so far (tests see writes coalesced). */
  writes = 0;

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
    this.timer ??= setTimeout(() => void this.flush(), WRITE_DELAY_MS);
  }

  /** Now: replace every mark (salvage), or drop a deleted namespace's, before it goes. */
  reset(marks: ReadonlyMap<string, Mark>): Promise<void> {
    this.marks = new Map(marks);
    return this.flush();
  }

  remove(id: string): Promise<void> {
    return this.marks.delete(id) ? this.flush() : Promise.resolve();
  }

  /**
   * Writes the marks as they are now; resolves once a write that holds them is done (a write under
   * way took its copy before: another follows it). Never rejects: a failure is logged.
   */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty = true;
    this.writing ??= this.writeWhileDirty().finally(() => (this.writing = undefined));
    return this.writing;
  }

  private async writeWhileDirty(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      await this.write(JSON.stringify({ namespaces: Object.fromEntries(this.marks) }));
    }
  }

  /** One atomic write: a new file (fsynced with `sync`) renamed over the old one, then the
   * directory fsynced (`sync`). */
  private async write(body: string): Promise<void> {
    const file = join(this.dir, HIGH_WATER_FILE);
    try {
      const fh = await open(`${file}.tmp`, 'w', 0o600);
      try {
        await fh.writeFile(body);
        if (this.sync) await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(`${file}.tmp`, file);
      if (this.sync) {
        // The rename survives power loss only once the directory is on disk too.
        const dir = await open(this.dir, 'r');
        try {
          await dir.sync();
        } finally {
          await dir.close();
        }
      }
      this.writes++;
      this.warned = false;
    } catch (err) {
      // A lagging mark only weakens detection; say so once per episode.
      if (!this.warned)
        this.log(`store: cannot write the high-water mark ${file}: ${(err as Error).message}`);
      this.warned = true;
    }
  }
}
