import type { CommandSpec, ParsedArgs } from './args.js';

/** Where a command writes; tests pass buffers, the real CLI passes process streams. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** One `tsem` command: its spec (for parsing and help) and what it does. Returns the exit status. */
export interface Command {
  readonly spec: CommandSpec;
  readonly run: (args: ParsedArgs, io: Io) => Promise<number>;
  /** Exit status of a usage error (default 2); `tsem run` uses 125, its own failure status, since
   * any other status is its workload's. */
  readonly usageStatus?: number;
}
