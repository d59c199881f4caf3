/** Test certificates made with openssl: a CA and leaf certificates it signs (P-256, 2 days). */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** Writes `ca.pem` and `ca.key` into `dir`, the CA named `cn`. */
export function makeCa(dir: string, cn: string): void {
  const f = (n: string) => join(dir, n);
  openssl(
    'req',
    '-x509',
    ...EC,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '2',
    '-subj',
    `/CN=${cn}`
  );
}

/**
 * Writes `NAME.pem` and `NAME.key` into `dir`, signed by the CA there, with the extensions given
 * (an openssl extension file's lines, e.g. `subjectAltName=IP:127.0.0.1`).
 */
export function makeLeaf(dir: string, name: string, cn: string, extensions: string): void {
  const f = (n: string) => join(dir, n);
  writeFileSync(f(`${name}.ext`), `${extensions}\n`);
  openssl(
    'req',
    ...EC,
    '-keyout',
    f(`${name}.key`),
    '-out',
    f(`${name}.csr`),
    '-subj',
    `/CN=${cn}`
  );
  openssl(
    'x509',
    '-req',
    '-in',
    f(`${name}.csr`),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f(`${name}.pem`),
    '-days',
    '2',
    '-extfile',
    f(`${name}.ext`)
  );
}

/** The subjectAltName of a server on loopback. */
export const LOOPBACK_SERVER = 'subjectAltName=IP:127.0.0.1,DNS:localhost';
