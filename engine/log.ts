/** Key-value logging to stderr; tracers per module are enabled with TSEM_TRACE=ns,ingest or all. */
export type Log = (msg: string) => void;

export function createLog(prefix = 'tsem', write: (s: string) => void = (s) => void process.stderr.write(s)): Log {
  return (msg) => write(`${new Date().toISOString()} ${prefix} ${msg}\n`);
}

export function tracer(name: string, log: Log, env: NodeJS.ProcessEnv = process.env): Log | undefined {
  const on = (env['TSEM_TRACE'] ?? '').split(',').map((s) => s.trim());
  return on.includes('all') || on.includes(name) ? (m) => log(`${name}: ${m}`) : undefined;
}
