/**
 * An exporter's state directory (`--state DIR`, default $TSEM_STATE_DIR, else
 * $XDG_STATE_HOME/tsem, else ~/.local/state/tsem): its stable id, generated once, and for each
 * file it replays, how far the engine acknowledged it. The engine numbers applied events per
 * (exporter id, session): a file run keeps its session until it completes, so an exporter killed
 * and started again resumes at the acknowledged position and resends the rest, and the engine
 * applies each event once. A finished run is forgotten: replaying the file again is a new run.
 * Live sources lose what they held when killed; each start is a new session.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EngineError } from '../common/errors.js';

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['TSEM_STATE_DIR']) return env['TSEM_STATE_DIR'];
  return join(env['XDG_STATE_HOME'] ?? join(homedir(), '.local', 'state'), 'tsem');
}

/** How an exporter numbers its events for the engine (tsem.proto ExporterHello, EventBatch). */
export interface ExporterIdentity {
  readonly exporterId: string;
  readonly session: string;
  /** Sequence number of the first event sent in this run (1, or after the acknowledged ones). */
  readonly firstSeq: number;
}

/** A file run: where it stands, and how to record progress. */
export interface FileRun {
  readonly identity: ExporterIdentity;
  /** Events of the file acknowledged by an earlier, interrupted run: skipped now. */
  readonly skip: number;
  /** Records that `acked` events of this run (after `skip`) are acknowledged. */
  progress(acked: number): void;
  /** The run completed: forget it (the next replay of the file is a new run). */
  finish(): void;
}

interface RunRecord {
  readonly file: string;
  /** The file as it was: another file (or changed contents) is another run. */
  readonly fingerprint: string;
  readonly session: string;
  readonly acked: number;
}

function writeAtomic(path: string, body: string): void {
  const fd = openSync(`${path}.tmp`, 'w', 0o600);
  try {
    writeSync(fd, body);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(`${path}.tmp`, path);
}

function stateError(dir: string, err: unknown): EngineError {
  return new EngineError(
    'TSEM_INVALID_ARGUMENT',
    `exporter state directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (give a writable one with --state DIR)`
  );
}

export class ExporterState {
  private constructor(
    readonly dir: string,
    readonly id: string
  ) {}

  /** Opens (creating) the state directory and its exporter id. */
  static open(dir = defaultStateDir()): ExporterState {
    try {
      mkdirSync(join(dir, 'runs'), { recursive: true, mode: 0o700 });
      const idFile = join(dir, 'exporter-id');
      let id: string;
      try {
        id = readFileSync(idFile, 'utf8').trim();
      } catch {
        id = '';
      }
      if (!/^[0-9a-f-]{36}$/.test(id)) {
        id = randomUUID();
        writeAtomic(idFile, `${id}\n`);
      }
      return new ExporterState(dir, id);
    } catch (err) {
      if (err instanceof EngineError) throw err;
      throw stateError(dir, err);
    }
  }

  /** A run of something that cannot resume (a simulation, a live source): a new session. */
  session(): ExporterIdentity {
    return { exporterId: this.id, session: randomUUID(), firstSeq: 1 };
  }

  /**
   * The run of replaying `file`: the interrupted one, resumed, when the file is unchanged since
   * (unless `fresh`), else a new one.
   */
  fileRun(file: string, fresh = false): FileRun {
    const real = realpathSync(file);
    const st = statSync(real);
    const fingerprint = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
    const path = join(
      this.dir,
      'runs',
      `${createHash('sha256').update(real).digest('hex').slice(0, 32)}.json`
    );
    let rec: RunRecord | undefined;
    try {
      rec = JSON.parse(readFileSync(path, 'utf8')) as RunRecord;
    } catch {
      rec = undefined;
    }
    const resume =
      !fresh &&
      rec?.file === real &&
      rec.fingerprint === fingerprint &&
      typeof rec.session === 'string' &&
      Number.isSafeInteger(rec.acked) &&
      rec.acked >= 0;
    const session = resume ? rec!.session : randomUUID();
    const skip = resume ? rec!.acked : 0;
    let last = -1;
    const save = (acked: number) => {
      if (acked === last) return;
      last = acked;
      try {
        writeAtomic(
          path,
          JSON.stringify({ file: real, fingerprint, session, acked } satisfies RunRecord)
        );
      } catch (err) {
        throw stateError(this.dir, err);
      }
    };
    save(skip);
    return {
      identity: { exporterId: this.id, session, firstSeq: skip + 1 },
      skip,
      progress: (acked) => save(skip + acked),
      finish: () => rmSync(path, { force: true }),
    };
  }
}
