/** File helpers for commands: errors name the file and what was expected. */
import { readFileSync, writeFileSync } from 'node:fs';
import { EngineError } from '../common/errors.js';
import type { Io } from './command.js';

export function readInput(path: string, what: string): Buffer {
  try {
    return readFileSync(path === '-' ? 0 : path);
  } catch (err) {
    throw new EngineError(
      'TSEM_IO',
      `cannot read ${what} '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`
    );
  }
}

/** Writes to `-o FILE` when given, else to stdout. */
export function writeOutput(io: Io, text: string, file: string | undefined): void {
  if (file === undefined || file === '-') {
    io.out(text);
    return;
  }
  try {
    writeFileSync(file, text);
  } catch (err) {
    throw new EngineError(
      'TSEM_IO',
      `cannot write '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`
    );
  }
}
