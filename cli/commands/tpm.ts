/** `tsem tpm pcrread|aggregate|extend`: the TPM 2.0 client from the command line. */
import type { TpmClient } from '../../engine/tpm/client.js';
import { UsageError, type OptionSpec } from '../args.js';
import type { Command } from '../command.js';
import { JSON_OPTION, Printer } from '../output.js';

const TPM: OptionSpec = {
  name: 'tpm',
  kind: 'string',
  arg: 'SPEC',
  help: 'swtpm:HOST:PORT | mssim:HOST:PORT | /dev/tpmrm0 (platform port = PORT+1)',
};
const BANK: OptionSpec = {
  name: 'bank',
  kind: 'string',
  arg: 'NAME',
  help: 'PCR bank: sha1, sha256 (default), sha384, sha512, ...',
};

function pcrIndex(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 23)
    throw new UsageError(`expected a PCR index 0-23, got '${text}'`);
  return Number(text);
}

function requireTpm(spec: string | undefined): string {
  if (!spec) throw new UsageError('--tpm SPEC is required');
  return spec;
}

async function withTpm<T>(spec: string, fn: (tpm: TpmClient) => Promise<T>): Promise<T> {
  const { openTpm } = await import('../../engine/tpm/open-tpm.js');
  const tpm = await openTpm(spec);
  try {
    return await fn(tpm);
  } finally {
    await tpm.close();
  }
}

const pcrread: Command = {
  spec: {
    name: 'tpm pcrread',
    summary: 'print PCR values of one bank (all 24 by default), one "BANK INDEX HEX" line each',
    usage: '[PCR...]',
    positionals: [0, 24],
    options: [TPM, BANK, JSON_OPTION],
  },
  async run(args, io) {
    const spec = requireTpm(args.values.get('tpm'));
    const bank = args.values.get('bank') ?? 'sha256';
    const pcrs = args.positionals.length
      ? args.positionals.map(pcrIndex)
      : Array.from({ length: 24 }, (_, i) => i);
    const values = await withTpm(spec, (tpm) => tpm.pcrRead(bank, pcrs));
    const out = new Printer(io, args);
    for (const i of pcrs) {
      const hex = values.get(i)!.toString('hex');
      out.record({ bank, pcr: i, value: hex }, `${bank} ${i} ${hex}`);
    }
    out.summary({ bank, pcrs: pcrs.length });
    return 0;
  },
};

const aggregate: Command = {
  spec: {
    name: 'tpm aggregate',
    summary: 'print the hardware aggregate: HF(PCR0..PCR7 of the sha256 bank), zero without a TPM',
    usage: '',
    positionals: [0, 0],
    options: [
      { ...TPM, help: `${TPM.help}; without it the aggregate is all zeros` },
      {
        name: 'digest',
        kind: 'string',
        arg: 'NAME',
        help: 'root namespace hash HF (default sha256)',
      },
    ],
    details:
      'tsem-model.md §2.7: each PCR is copied into a zeroed buffer of the digest size, then the concatenation is hashed once.',
  },
  async run(args, io) {
    const { hardwareAggregate } = await import('../../engine/tpm/aggregate.js');
    const digest = args.values.get('digest') ?? 'sha256';
    const spec = args.values.get('tpm');
    if (!spec) {
      io.err(
        'tsem tpm aggregate: no --tpm given: the aggregate is all zeros (tsem-model.md §2.7)\n'
      );
      io.out(`${(await hardwareAggregate(undefined, digest)).toString('hex')}\n`);
      return 0;
    }
    io.out(`${(await withTpm(spec, (tpm) => hardwareAggregate(tpm, digest))).toString('hex')}\n`);
    return 0;
  },
};

const extend: Command = {
  spec: {
    name: 'tpm extend',
    summary: 'extend a PCR: PCR := H(PCR || HEX) in one bank (for tests and tooling)',
    usage: '<PCR> <HEX>',
    positionals: [2, 2],
    options: [TPM, BANK, JSON_OPTION],
  },
  async run(args, io) {
    const spec = requireTpm(args.values.get('tpm'));
    const bank = args.values.get('bank') ?? 'sha256';
    const pcr = pcrIndex(args.positionals[0]!);
    const hex = args.positionals[1]!;
    const { hashByName } = await import('../../engine/tpm/constants.js');
    const size = hashByName(bank)?.size;
    if (size === undefined) throw new UsageError(`--bank: unknown bank '${bank}'`);
    if (hex.length !== size * 2 || !/^[0-9a-fA-F]+$/.test(hex))
      throw new UsageError(
        `expected ${size * 2} hex characters for a ${bank} digest, got '${hex}'`
      );
    const after = await withTpm(spec, async (tpm) => {
      await tpm.pcrExtend(pcr, [{ bank, digest: Buffer.from(hex, 'hex') }]);
      return (await tpm.pcrRead(bank, [pcr])).get(pcr)!;
    });
    io.out(`${bank} ${pcr} ${after.toString('hex')}\n`);
    return 0;
  },
};

export const commands: Command[] = [pcrread, aggregate, extend];
