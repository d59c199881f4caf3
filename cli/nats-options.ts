/** The NATS connection options of `serve`, `export` and `watch` (docs/fleet.md §6). */
import { type OptionSpec, type ParsedArgs, UsageError } from './args.js';
import type { NatsOptions } from '../fleet/nats/connect.js';

export const NATS_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'nats',
    kind: 'string',
    arg: 'URL',
    help: 'NATS JetStream server(s) of the fleet, nats://HOST:PORT or tls://HOST:PORT (docs/fleet.md)',
  },
  { name: 'nats-user', kind: 'string', arg: 'NAME', help: 'NATS user name' },
  {
    name: 'nats-password-file',
    kind: 'string',
    arg: 'FILE',
    help: "file holding the NATS user's password (sent only over TLS or loopback)",
  },
  { name: 'nats-nkey', kind: 'string', arg: 'FILE', help: 'file holding an nkey seed (SU...)' },
  { name: 'nats-ca', kind: 'string', arg: 'FILE', help: "NATS server's CA certificate (PEM): TLS" },
  { name: 'nats-cert', kind: 'string', arg: 'FILE', help: 'client certificate (PEM) for NATS' },
  { name: 'nats-key', kind: 'string', arg: 'FILE', help: 'client private key (PEM) for NATS' },
];

const NATS_ONLY = NATS_OPTIONS.map((o) => o.name).filter((n) => n !== 'nats');

/** The connection, or undefined without --nats (then no other --nats-* option may be given). */
export function natsOptions(args: ParsedArgs): NatsOptions | undefined {
  const url = args.values.get('nats');
  if (url === undefined) {
    const stray = NATS_ONLY.find((n) => args.values.has(n));
    if (stray !== undefined) throw new UsageError(`--${stray} needs --nats URL`);
    return undefined;
  }
  return {
    url,
    user: args.values.get('nats-user'),
    passwordFile: args.values.get('nats-password-file'),
    nkeyFile: args.values.get('nats-nkey'),
    caFile: args.values.get('nats-ca'),
    certFile: args.values.get('nats-cert'),
    keyFile: args.values.get('nats-key'),
  };
}
