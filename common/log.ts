/** Line logging to stderr with an ISO timestamp and a program prefix. */
export type Log = (msg: string) => void;

export function createLog(
  prefix = 'tsem',
  write: (s: string) => void = (s) => void process.stderr.write(s)
): Log {
  return (msg) => write(`${new Date().toISOString()} ${prefix} ${msg}\n`);
}
