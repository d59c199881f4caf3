/**
 * The `--tpm` argument: `swtpm:HOST:PORT` (swtpm; its control port is PORT+1),
 * `mssim:HOST:PORT` (Microsoft/IBM simulator; platform port PORT+1), or a device path such as
 * `/dev/tpmrm0`. Pure.
 */
import { EngineError } from '../../common/errors.js';
import type { PlatformDialect } from './tcp-transport.js';

export type TpmSpec =
  | {
      readonly kind: 'tcp';
      readonly dialect: PlatformDialect;
      readonly host: string;
      readonly port: number;
      readonly platformPort: number;
    }
  | { readonly kind: 'device'; readonly path: string };

const EXPECTED =
  "expected 'swtpm:HOST:PORT', 'mssim:HOST:PORT' or a device path such as /dev/tpmrm0";

export function parseTpmSpec(spec: string): TpmSpec {
  const m = /^(swtpm|mssim):(.*)$/.exec(spec);
  if (!m) {
    if (spec.startsWith('/') || spec.startsWith('./')) return { kind: 'device', path: spec };
    throw new EngineError('TSEM_INVALID_ARGUMENT', `TPM '${spec}': ${EXPECTED}`);
  }
  const dialect = m[1] as PlatformDialect;
  const rest = m[2]!;
  const colon = rest.lastIndexOf(':');
  let host = colon > 0 ? rest.slice(0, colon) : '';
  const portText = colon > 0 ? rest.slice(colon + 1) : '';
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (!host || !/^\d+$/.test(portText))
    throw new EngineError('TSEM_INVALID_ARGUMENT', `TPM '${spec}': ${EXPECTED}`);
  const port = Number(portText);
  if (port < 1 || port > 65534)
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      `TPM '${spec}': port must be 1-65534 (PORT+1 is the platform port), got ${port}`
    );
  return { kind: 'tcp', dialect, host, port, platformPort: port + 1 };
}

export function formatTpmSpec(spec: TpmSpec): string {
  return spec.kind === 'device'
    ? spec.path
    : `${spec.dialect}:${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.port}`;
}
