/**
 * `tsem attest`: asks a running engine for a signed attestation report (Control.Attest), and
 * `tsem attest verify`: checks one. The matcher picks the longest command name, so both coexist.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../args.js';
import {
  CONNECTION_OPTIONS,
  ClientError,
  describeCallError,
  runRemote,
  type TsemClients,
  UNARY_DEADLINE_MS,
} from '../client.js';
import type { Command } from '../command.js';

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
        if (err || res === undefined)
          reject(new ClientError(describeCallError(err, c.address, c.hasToken), { cause: err }));
        else resolve(res.report_json);
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
        help: 'the nonce sent with the request; the report must echo it',
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
    ],
    details: 'Exit 0 when valid; 1 with one line per finding (what differs) when not.',
  },
  async run(args, io) {
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
    const r = verifyReport(report, {
      publicKey,
      nonce: nonceHex === undefined ? undefined : Buffer.from(nonceHex, 'hex'),
      expected,
      requireQuote: args.flags.has('require-quote'),
    });
    if (!r.ok) {
      for (const f of r.findings) io.err(`tsem attest verify: ${path}: ${f.id}: ${f.reason}\n`);
      return 1;
    }
    io.out(
      `${path}: valid report for namespace ${report.namespace}: state ${report.state} measurement ${report.measurement}${report.quote ? ' (TPM quote verified)' : ''}\n`
    );
    return 0;
  },
};

export const commands: Command[] = [attest, verify];
