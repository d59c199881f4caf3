/**
 * `tsem attest`: asks a running engine for a signed attestation report (Control.Attest), and
 * `tsem attest verify`: checks one. The matcher picks the longest command name, so both coexist.
 */
import { readFileSync } from 'node:fs';
import { type ParsedArgs, UsageError } from '../args.js';
import type { AttestationReport } from '../../engine/attest/report.js';
import {
  CONNECTION_OPTIONS,
  ClientError,
  describeCallError,
  runRemote,
  type TsemClients,
  UNARY_DEADLINE_MS,
} from '../client.js';
import type { Command, Io } from '../command.js';
import { EXIT } from '../exit-status.js';
import { printable } from './ops.js';

/** The server takes 8 to 64 nonce bytes (control-service.ts). */
const NONCE_HEX = /^(?:[0-9a-fA-F]{2}){8,64}$/;

/** Control.Attest as a promise (not among cli/client.ts's callControl methods). */
function attestCall(c: TsemClients, name: string, nonce: string): Promise<string> {
  return new Promise((resolve, reject) => {
    c.control.Attest(
      { name, nonce },
      c.metadata,
      { deadline: Date.now() + UNARY_DEADLINE_MS },
      (err, res) => {
        if (err || res === undefined) {
          // The agent refusing to vouch for a namespace is what the command found (exit 1), not
          // an engine out of reach (69), although the engine says UNAVAILABLE for it.
          const refused = /cannot be attested/.test(err?.details ?? '');
          reject(
            new ClientError(
              describeCallError(err, c.address, c.hasToken, c.withheld),
              { cause: err },
              refused ? EXIT.found : undefined
            )
          );
        } else resolve(res.report_json);
      }
    );
  });
}

const attest: Command = {
  spec: {
    name: 'attest',
    summary:
      "ask a running engine's trusted modeling agent for a signed attestation report of a namespace",
    usage: '',
    positionals: [0, 0],
    options: [
      { name: 'namespace', kind: 'string', arg: 'NS', help: 'the namespace to attest (required)' },
      {
        name: 'nonce',
        kind: 'string',
        arg: 'HEX',
        help: 'your freshness nonce, 8-64 bytes as hex (required); the report echoes it',
      },
      {
        name: 'output',
        short: 'o',
        kind: 'string',
        arg: 'FILE',
        help: 'write the JSON report to FILE instead of stdout',
      },
      ...CONNECTION_OPTIONS,
    ],
    details:
      "Check the report with 'tsem attest verify FILE --pubkey KEY --nonce HEX [--model FILE]'.",
  },
  run: async (args, io) => {
    const name = args.values.get('namespace');
    if (name === undefined || name === '') throw new UsageError('--namespace NS is required');
    const nonce = args.values.get('nonce');
    if (nonce === undefined)
      throw new UsageError('--nonce HEX is required (choose a fresh random value per request)');
    if (!NONCE_HEX.test(nonce))
      throw new UsageError(`--nonce expects 16 to 128 hex characters, got '${nonce}'`);
    const { writeOutput } = await import('../io-util.js');
    return runRemote('attest', args, io, async (c) => {
      const report = await attestCall(c, name, nonce.toLowerCase());
      writeOutput(io, `${report}\n`, args.values.get('output'));
      return 0;
    });
  },
};

const verify: Command = {
  spec: {
    name: 'attest verify',
    summary:
      'verify an attestation report: signature, nonce, TPM quote, and state against a model or trajectory',
    usage: '<report>',
    positionals: [1, 1],
    options: [
      {
        name: 'pubkey',
        kind: 'string',
        arg: 'KEY',
        help: "the agent's Ed25519 public key: a key file or its base64 (required)",
      },
      {
        name: 'nonce',
        kind: 'string',
        arg: 'HEX',
        help: 'the nonce sent with the request; the report must echo it (required unless --no-freshness)',
      },
      {
        name: 'no-freshness',
        kind: 'flag',
        help: 'accept a report without checking its nonce (it may be a replay of an old one)',
      },
      {
        name: 'model',
        kind: 'string',
        arg: 'FILE',
        help: 'model file (or TSEM JSON trajectory) to recompute measurement and state from',
      },
      { name: 'trajectory', kind: 'string', arg: 'FILE', help: 'TSEM JSON trajectory to replay' },
      {
        name: 'dialect',
        kind: 'string',
        arg: 'NAME',
        choices: ['tsem-6.12', 'quixote-us'],
        help: 'coefficient dialect for replaying a trajectory',
      },
      { name: 'require-quote', kind: 'flag', help: 'fail when the report has no TPM quote' },
      {
        name: 'ak',
        kind: 'string',
        arg: 'FILE|NAME',
        help: "the pinned attestation key: a 'tsem attest ak' file or its hex Name",
      },
      {
        name: 'host-log',
        kind: 'string',
        arg: 'FILE',
        help: "the host IMA log ('tsem ima log --host'), replayed to the quoted PCR 10",
      },
      {
        name: 'host-log-bank',
        kind: 'string',
        arg: 'NAME',
        help: 'template digest bank of --host-log (default sha1, as tsem ima log writes it)',
      },
      {
        name: 'root-model',
        kind: 'string',
        arg: 'FILE',
        help: 'model of the root namespace (exported with forensics), replayed to the quoted PCR 11',
      },
      {
        name: 'root-namespace',
        kind: 'string',
        arg: 'NS',
        help: 'the namespace that extends PCR 11 (default root): its --model serves as --root-model',
      },
      {
        name: 'pcrs',
        kind: 'string',
        arg: 'FILE',
        help: "reference values of quoted PCRs (JSON index->hex, or 'tsem tpm pcrread' lines): each difference is named",
      },
      { name: 'json', kind: 'flag', help: 'one JSON object per finding, then a summary object' },
    ],
    details: [
      'Replays what the quote covers (docs/attestation.md §4): the aggregate against PCRs 0-7, the',
      'host IMA log against PCR 10, the root namespace points against PCR 11; each mismatch named.',
      'Exit 0 when valid; 1 with one line per finding when not; 65 for a malformed input file.',
    ].join('\n'),
  },
  async run(args, io) {
    try {
      return await verifyCommand(args, io);
    } catch (err) {
      const { inputExitStatus } = await import('../exit-status.js');
      const status = inputExitStatus(err);
      if (status === undefined) throw err;
      io.err(`tsem attest verify: ${(err as Error).message}\n`);
      return status;
    }
  },
};

async function verifyCommand(args: ParsedArgs, io: Io): Promise<number> {
  const [{ parseReport }, { verifyReport }, exp, keys, util, { UsageError }] = await Promise.all([
    import('../../engine/attest/parse-report.js'),
    import('../../engine/attest/verify-report.js'),
    import('../../engine/attest/expected-state.js'),
    import('../../engine/attest/keys.js'),
    import('../io-util.js'),
    import('../args.js'),
  ]);
  const pub = args.values.get('pubkey');
  if (!pub) throw new UsageError('--pubkey KEY is required');
  let keyText: string;
  try {
    keyText = readFileSync(pub, 'utf8');
  } catch {
    keyText = pub; // not a file: the key itself
  }
  const publicKey = keys.parsePublicKey(keyText, '--pubkey');
  const nonceHex = args.values.get('nonce');
  if (nonceHex !== undefined && !/^(?:[0-9a-fA-F]{2})+$/.test(nonceHex))
    throw new UsageError(`--nonce expects hex, got '${nonceHex}'`);
  // Without the nonce a replayed old report would pass as current: say so, or refuse.
  if (nonceHex === undefined && !args.flags.has('no-freshness'))
    throw new UsageError(
      '--nonce HEX is required: without it the report could be a replay of an old one (--no-freshness accepts that)'
    );
  if (nonceHex !== undefined && args.flags.has('no-freshness'))
    throw new UsageError('give --nonce or --no-freshness, not both');
  const path = args.positionals[0]!;
  const report = parseReport(util.readInput(path, 'report').toString('utf8'), path);

  const dialect = args.values.get('dialect') as 'tsem-6.12' | 'quixote-us' | undefined;
  const modelPath = args.values.get('model');
  const trajPath = args.values.get('trajectory');
  if (modelPath && trajPath) throw new UsageError('give --model or --trajectory, not both');
  let expected;
  if (modelPath) {
    const data = util.readInput(modelPath, 'model file');
    // A TSEM JSON trajectory starts with '{'; a model file with a keyword or comment.
    expected = data.toString('utf8').trimStart().startsWith('{')
      ? exp.expectedFromTrajectory(data, report, `trajectory ${modelPath}`, dialect)
      : exp.expectedFromModel(data.toString('utf8'), report, `model ${modelPath}`);
  } else if (trajPath) {
    expected = exp.expectedFromTrajectory(
      util.readInput(trajPath, 'trajectory'),
      report,
      `trajectory ${trajPath}`,
      dialect
    );
  }
  const hostLog = await readHostLog(args);
  const pcrsFile = args.values.get('pcrs');
  const { parseReferencePcrs } = await import('../../engine/attest/quoted-pcrs.js');
  const referencePcrs =
    pcrsFile === undefined
      ? undefined
      : {
          values: parseReferencePcrs(
            util.readInput(pcrsFile, 'reference PCRs').toString('utf8'),
            report.quote?.bank ?? 'sha256',
            pcrsFile
          ),
          source: pcrsFile,
        };
  const rootPoints = await readRootPoints(args, report, modelPath);
  const akPath = args.values.get('ak');
  const { parseAkPin } = await import('../../engine/attest/ak-pin.js');
  const akName = akPath === undefined ? undefined : parseAkPin(readAkText(akPath), '--ak');
  const r = verifyReport(report, {
    publicKey,
    nonce: nonceHex === undefined ? undefined : Buffer.from(nonceHex, 'hex'),
    expected,
    requireQuote: args.flags.has('require-quote'),
    ...(akName ? { akName } : {}),
    ...(hostLog ? { hostLog } : {}),
    ...(rootPoints ? { rootPoints } : {}),
    ...(referencePcrs ? { referencePcrs } : {}),
  });
  const ak = report.quote
    ? (await import('../../engine/attest/verify-report.js')).akNameOf(report.quote.akPublic)
    : undefined;
  if (args.flags.has('json')) {
    for (const f of r.findings) io.out(`${JSON.stringify({ report: path, ...f })}\n`);
    io.out(
      `${JSON.stringify({ report: path, valid: r.ok, namespace: report.namespace, findings: r.findings.length, ...(ak ? { ak } : {}) })}\n`
    );
    return r.ok ? 0 : 1;
  }
  if (!r.ok) {
    for (const f of r.findings)
      io.err(`tsem attest verify: ${path}: ${f.id}: ${printable(f.reason)}\n`);
    return 1;
  }
  const replayed = [
    hostLog ? 'PCR 10 replays the host log' : undefined,
    rootPoints ? 'PCR 11 replays the root points' : undefined,
    referencePcrs ? `PCRs ${[...referencePcrs.values.keys()].join(',')} as referenced` : undefined,
  ].filter(Boolean);
  io.out(
    `${path}: valid report for namespace ${printable(report.namespace)}: state ${report.state} measurement ${report.measurement}${report.quote ? ' (TPM quote verified)' : ''}${ak ? `; AK ${ak}` : ''}${replayed.length ? `; ${replayed.join(', ')}` : ''}${nonceHex === undefined ? ' (freshness not checked: --no-freshness)' : ''}\n`
  );
  return 0;
}

/** `--ak`: a file's text, or the value itself when it is no file. */
function readAkText(value: string): string {
  try {
    return readFileSync(value, 'utf8');
  } catch {
    return value;
  }
}

async function readHostLog(args: ParsedArgs) {
  const file = args.values.get('host-log');
  if (file === undefined) return undefined;
  const logBank = args.values.get('host-log-bank') ?? 'sha1';
  const { canHash } = await import('../../engine/ima/hash-algo.js');
  if (!canHash(logBank))
    throw new UsageError(`--host-log-bank expects a hash such as sha1 or sha256, got '${logBank}'`);
  const { loadList } = await import('../../engine/ima/io/load-list.js');
  const list = await loadList(file, logBank);
  return { entries: list.entries, logBank, source: `host log ${file}` };
}

async function readRootPoints(
  args: ParsedArgs,
  report: AttestationReport,
  modelPath: string | undefined
) {
  const root = args.values.get('root-namespace') ?? 'root';
  const given = args.values.get('root-model');
  const isRoot = report.namespace === root;
  const file = given ?? (isRoot ? modelPath : undefined);
  if (file === undefined) return undefined;
  const { readInput } = await import('../io-util.js');
  const { parseModelFile } = await import('../../engine/contour/model-file.js');
  const { createDigest } = await import('../../engine/measure/digest.js');
  const text = readInput(file, 'root model').toString('utf8');
  const model = parseModelFile(text, createDigest(report.digest), file);
  return {
    points: model.states,
    source: `model ${file}`,
    ...(isRoot ? { exact: report.points + report.forensics } : {}),
  };
}

export const commands: Command[] = [attest, verify];
