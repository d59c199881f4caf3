/**
 * A real syslog daemon for tests: rsyslogd (Debian's rsyslog) in the foreground with its own
 * config, a local datagram socket and a loopback TCP port (octet-counted framing), writing each
 * message it parsed as RFC 5424 as one line of its fields: the receiver's reading, not ours.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SyslogLine {
  readonly version: string;
  readonly facility: string;
  readonly severity: string;
  readonly hostname: string;
  readonly appName: string;
  readonly procId: string;
  readonly msgId: string;
  readonly structuredData: string;
  readonly msg: string;
}

export interface Rsyslog {
  readonly socket: string;
  readonly tcpPort: number;
  lines(): SyslogLine[];
  stop(): Promise<void>;
}

/** Why rsyslogd cannot run here, or undefined when it can. */
export function rsyslogMissing(): string | undefined {
  const r = spawnSync('rsyslogd', ['-v'], { stdio: 'ignore' });
  return r.error ? 'rsyslogd is not installed (apt-get install rsyslog; .ci/run does)' : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

const SEP = '\u001f';

export async function startRsyslog(): Promise<Rsyslog> {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-rsyslog-'));
  const socket = join(dir, 'log');
  const out = join(dir, 'out');
  const tcpPort = await freePort();
  const fields = [
    'protocol-version',
    'syslogfacility',
    'syslogseverity',
    'hostname',
    'app-name',
    'procid',
    'msgid',
    'structured-data',
    'msg',
  ];
  writeFileSync(
    join(dir, 'rsyslog.conf'),
    [
      `global(workDirectory="${dir}" maxMessageSize="64k")`,
      'module(load="imuxsock" SysSock.Use="off")',
      `input(type="imuxsock" Socket="${socket}" UseSpecialParser="off" ParseHostname="on")`,
      'module(load="imtcp")',
      `input(type="imtcp" port="${tcpPort}" address="127.0.0.1")`,
      `template(name="fields" type="string" string="${fields.map((f) => `%${f}%`).join(SEP)}\\n")`,
      `action(type="omfile" file="${out}" template="fields")`,
    ].join('\n')
  );
  const child: ChildProcess = spawn(
    'rsyslogd',
    ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'pid')],
    { stdio: ['ignore', 'ignore', 'pipe'] }
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(socket)) {
    child.kill('SIGKILL');
    throw new Error(`rsyslogd did not start: ${stderr}`);
  }
  return {
    socket,
    tcpPort,
    lines() {
      if (!existsSync(out)) return [];
      return readFileSync(out, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const v = l.split(SEP);
          return {
            version: v[0]!,
            facility: v[1]!,
            severity: v[2]!,
            hostname: v[3]!,
            appName: v[4]!,
            procId: v[5]!,
            msgId: v[6]!,
            structuredData: v[7]!,
            msg: v
              .slice(8)
              .join(SEP)
              .replace(/^\ufeff/, ''),
          };
        });
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
