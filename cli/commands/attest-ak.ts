/**
 * `tsem attest ak`: export a running engine's TPM attestation key and, given the CAs of the TPM's
 * endorsement key certificate, certify it by credential activation (docs/attestation.md §2).
 */
import { callControl, CONNECTION_OPTIONS, runRemoteStatus } from '../client.js';
import type { X509Certificate } from 'node:crypto';
import type { Command } from '../command.js';
import { EXIT, fileExitStatus } from '../exit-status.js';

const ak: Command = {
  spec: {
    name: 'attest ak',
    summary:
      "export the engine's TPM attestation key (the key every report's quote is signed with), certified through the EK with --ek-ca",
    usage: '',
    positionals: [0, 0],
    options: [
      {
        name: 'ek-ca',
        kind: 'list',
        arg: 'FILE',
        help: 'CA certificate(s) the EK certificate must chain to (repeatable); certifies the AK',
      },
      {
        name: 'output',
        short: 'o',
        kind: 'string',
        arg: 'FILE',
        help: 'write the pin file (JSON) here instead of stdout',
      },
      ...CONNECTION_OPTIONS,
    ],
    details: [
      'Without --ek-ca the key is exported as the server states it ("certified": false). With it,',
      "the EK certificate (NV index 0x01c00002) must chain to a CA given and be for the TPM's EK,",
      "and a credential made here for the AK's Name must come back from TPM2_ActivateCredential.",
      'Pin the result: tsem attest verify|watch --ak FILE. Exit 1 when certification fails.',
    ].join('\n'),
  },
  async run(args, io) {
    const caFiles = args.lists.get('ek-ca') ?? [];
    const { readFile } = await import('node:fs/promises');
    const { parseCertificates, checkEkCertificate, activateForAk } =
      await import('../../engine/attest/ak-certify.js');
    const cas: X509Certificate[] = [];
    for (const f of caFiles) {
      try {
        cas.push(...parseCertificates(await readFile(f), f));
      } catch (err) {
        io.err(`tsem attest ak: ${(err as Error).message}\n`);
        return (err as { code?: string }).code === 'TSEM_PARSE'
          ? EXIT.dataErr
          : fileExitStatus(err);
      }
    }
    return runRemoteStatus('attest ak', args, io, async (c) => {
      const k = await callControl(c, 'GetAttestationKey', {});
      const desc = {
        akPublic: k.ak_public,
        akName: Buffer.from(k.ak_name, 'hex'),
        ekPublic: k.ek_public,
        ...(k.ek_certificate.length ? { ekCertificate: k.ek_certificate } : {}),
      };
      let certified = false;
      let ek;
      if (cas.length > 0) {
        const cert = checkEkCertificate(desc, cas);
        ek = cert.info;
        const findings = [
          ...cert.findings,
          ...(cert.findings.length === 0
            ? await activateForAk(desc, async (credential_blob, encrypted_secret) => {
                const r = await callControl(c, 'ActivateCredential', {
                  credential_blob,
                  encrypted_secret,
                });
                return r.secret;
              })
            : []),
        ];
        for (const f of findings) io.err(`tsem attest ak: ${f.id}: ${f.reason}\n`);
        if (findings.length > 0) return EXIT.found;
        certified = true;
      }
      const pin = {
        version: 1,
        akName: k.ak_name,
        akHandle: `0x${k.ak_handle.toString(16)}`,
        akPublic: k.ak_public.toString('hex'),
        akPem: k.ak_pem,
        certified,
        ...(ek ? { ek } : {}),
      };
      const text = `${JSON.stringify(pin, null, 2)}\n`;
      const out = args.values.get('output');
      if (out === undefined || out === '-') io.out(text);
      else {
        try {
          (await import('node:fs')).writeFileSync(out, text);
        } catch (err) {
          io.err(`tsem attest ak: cannot write '${out}': ${(err as NodeJS.ErrnoException).code}\n`);
          return fileExitStatus(err);
        }
      }
      io.err(
        `attestation key ${k.ak_name} at 0x${k.ak_handle.toString(16)}: ${certified ? 'certified: credential activation with the EK succeeded' : 'not certified (no --ek-ca given)'}\n`
      );
      return EXIT.ok;
    });
  },
};

export const commands: Command[] = [ak];
