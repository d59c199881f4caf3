/**
 * `tsem ima log|policy set|policy show|key …`: a running engine's IMA (Control.GetImaLog and the
 * per-namespace administration of docs/ima.md §9.1 and §9.4).
 */
import { type OptionSpec, type ParsedArgs, UsageError } from '../args.js';
import { callControl, CONNECTION_OPTIONS, type TsemClients, runRemoteStatus } from '../client.js';
import type { Command, Io } from '../command.js';
import { EXIT, fileExitStatus } from '../exit-status.js';
import type { ImaKeyring__Output } from '../../proto/gen/tsem/v1/ImaKeyring.js';
import { printable } from './ops.js';

const NAMESPACE: OptionSpec = {
  name: 'namespace',
  kind: 'string',
  arg: 'NS',
  help: 'the namespace on the engine',
};
const HOST: OptionSpec = {
  name: 'host',
  kind: 'flag',
  help: "the host's instead of a namespace's (needs an identity not limited to namespaces)",
};
const JSON_OPTION: OptionSpec = {
  name: 'json',
  kind: 'flag',
  help: 'one JSON object per line',
};

/** `--namespace NS`, or null for `--host` when the command offers it; exactly one of them. */
function target(args: ParsedArgs, hostAllowed: boolean): string | null {
  const ns = args.values.get('namespace');
  const host = hostAllowed && args.flags.has('host');
  if (host && ns !== undefined) throw new UsageError('give --namespace NS or --host, not both');
  if (host) return null;
  if (ns === undefined || ns === '')
    throw new UsageError(`--namespace NS is required${hostAllowed ? ' (or --host)' : ''}`);
  return ns;
}

/** Reads a local file the command was given; a failure is reported with the conventions' status. */
async function readLocal(
  path: string,
  what: string,
  io: Io,
  command: string
): Promise<Buffer | number> {
  const { readFile } = await import('node:fs/promises');
  try {
    return await readFile(path === '-' ? '/dev/stdin' : path);
  } catch (err) {
    io.err(
      `tsem ${command}: cannot read ${what} '${path}': ${(err as NodeJS.ErrnoException).code ?? String(err)}\n`
    );
    return fileExitStatus(err);
  }
}

const log: Command = {
  spec: {
    name: 'ima log',
    summary:
      "fetch a namespace's IMA measurement list, or the host's (ascii or binary runtime measurements), from a running engine",
    usage: '',
    positionals: [0, 0],
    options: [
      { ...NAMESPACE, help: 'the namespace on the engine (or --host)' },
      {
        ...HOST,
        help: "the host log: every namespace's measurements as ima-ns entries, the list extended into PCR 10",
      },
      {
        name: 'format',
        kind: 'string',
        arg: 'FORMAT',
        choices: ['ascii', 'binary'],
        help: 'list format (default ascii)',
      },
      {
        name: 'bank',
        kind: 'string',
        arg: 'NAME',
        help: 'template digest bank: sha1 (default), sha256, sha384, sha512',
      },
      {
        name: 'output',
        short: 'o',
        kind: 'string',
        arg: 'FILE',
        help: 'write to FILE (required for binary)',
      },
      ...CONNECTION_OPTIONS,
    ],
    details:
      'Prints the list, then `entries N` and `pcr10 BANK HEX` on stderr. A verifier replays the host\nlog to the PCR 10 of a quote: `tsem attest verify REPORT --host-log FILE`.',
  },
  run: (args, io) => {
    const ns = target(args, true);
    const format = args.values.get('format') ?? 'ascii';
    const out = args.values.get('output');
    if (format === 'binary' && (out === undefined || out === '-'))
      throw new UsageError('--format binary needs -o FILE');
    return runRemoteStatus('ima log', args, io, async (c) => {
      const bank = args.values.get('bank') ?? 'sha1';
      const r = await callControl(c, 'GetImaLog', {
        name: ns ?? '',
        host: ns === null,
        format,
        bank,
      });
      if (out !== undefined && out !== '-') {
        try {
          (await import('node:fs')).writeFileSync(out, r.log);
        } catch (err) {
          io.err(`tsem ima log: cannot write '${out}': ${(err as NodeJS.ErrnoException).code}\n`);
          return fileExitStatus(err);
        }
      } else io.out(r.log.toString('utf8'));
      io.err(`entries ${r.entries}\npcr10 ${bank} ${r.pcr10}\n`);
      return EXIT.ok;
    });
  },
};

const policySet: Command = {
  spec: {
    name: 'ima policy set',
    summary: "replace a namespace's own IMA policy on a running engine (admin)",
    usage: '<policy-file>',
    positionals: [1, 1],
    options: [{ ...NAMESPACE, help: 'the namespace (required)' }, ...CONNECTION_OPTIONS],
    details: [
      "The host's rules keep applying to the namespace's accesses. A dont_measure or dont_appraise",
      'rule that would switch off a host rule is refused, naming both (docs/ima.md §9.2). The policy',
      'applies from the next event, is persisted, and may use the engine extension cache_result=no.',
      'Exit 65 when the engine refuses the policy, 69 when it cannot be reached, 77 without admin.',
    ].join('\n'),
  },
  async run(args, io) {
    const ns = target(args, false)!;
    const file = args.positionals[0]!;
    const text = await readLocal(file, 'policy file', io, 'ima policy set');
    if (typeof text === 'number') return text;
    return runRemoteStatus('ima policy set', args, io, async (c) => {
      const r = await callControl(c, 'SetImaPolicy', { name: ns, policy: text.toString('utf8') });
      io.out(`namespace ${ns}: policy set, ${r.rules} rule(s)\n`);
      return EXIT.ok;
    });
  },
};

const policyShow: Command = {
  spec: {
    name: 'ima policy show',
    summary: "print a namespace's IMA policy (or the host's) from a running engine",
    usage: '',
    positionals: [0, 0],
    options: [NAMESPACE, HOST, JSON_OPTION, ...CONNECTION_OPTIONS],
    details:
      'Prints the policy text on stdout (it can be given to `ima policy set` again) and where it came\nfrom on stderr; --json prints one object with both.',
  },
  run: (args, io) => {
    const ns = target(args, true);
    return runRemoteStatus('ima policy show', args, io, async (c) => {
      const p = await callControl(c, 'GetImaPolicy', { name: ns ?? '', host: ns === null });
      const setAt = Number(p.set_at_ms) > 0 ? new Date(Number(p.set_at_ms)).toISOString() : '';
      if (args.flags.has('json')) {
        io.out(
          `${JSON.stringify({ namespace: ns, source: p.source, rules: p.rules, set_by: p.set_by || undefined, set_at: setAt || undefined, policy: p.policy })}\n`
        );
        return EXIT.ok;
      }
      io.out(p.policy.endsWith('\n') || p.policy === '' ? p.policy : `${p.policy}\n`);
      const who = p.source === 'api' ? ` by ${p.set_by} at ${setAt}` : '';
      io.err(
        `${ns === null ? 'host' : `namespace ${ns}`}: ${p.rules} rule(s), source ${p.source}${who}\n`
      );
      return EXIT.ok;
    });
  },
};

function printKeyring(io: Io, args: ParsedArgs, ns: string | null, k: ImaKeyring__Output): void {
  const where = ns === null ? 'host' : `namespace ${ns}`;
  if (args.flags.has('json')) {
    for (const key of k.keys) io.out(`${JSON.stringify({ namespace: ns, ...key })}\n`);
    io.out(`${JSON.stringify({ namespace: ns, own: k.own, keys: k.keys.length })}\n`);
    return;
  }
  for (const key of k.keys) {
    const size = key.kind === 'ec' ? key.curve : `${key.bits} bits`;
    io.out(
      `${key.keyid}  ${key.kind} ${size}  ${printable(key.source)}  sha256:${key.fingerprint}\n`
    );
  }
  io.err(
    `${where}: ${k.keys.length} key(s)${k.own ? '' : " (no keyring of its own: the server's default keys)"}\n`
  );
}

const keyAdd: Command = {
  spec: {
    name: 'ima key add',
    summary: "add appraisal keys to a namespace's own IMA keyring on a running engine (admin)",
    usage: '<cert-or-key...>',
    positionals: [1, Infinity],
    options: [
      { ...NAMESPACE, help: 'the namespace (required)' },
      JSON_OPTION,
      ...CONNECTION_OPTIONS,
    ],
    details: [
      'X.509 certificates or public keys, PEM or DER, RSA or EC. From its first key on, the namespace',
      "appraises its files with its own keys only, not the server's (docs/ima.md §9.4).",
    ].join('\n'),
  },
  async run(args, io) {
    const ns = target(args, false)!;
    const files: [string, Buffer][] = [];
    for (const f of args.positionals) {
      const data = await readLocal(f, 'key file', io, 'ima key add');
      if (typeof data === 'number') return data;
      files.push([f, data]);
    }
    return runRemoteStatus('ima key add', args, io, async (c: TsemClients) => {
      let last: ImaKeyring__Output | undefined;
      for (const [f, data] of files)
        last = await callControl(c, 'AddImaKey', { name: ns, key: data, source: f });
      printKeyring(io, args, ns, last!);
      return EXIT.ok;
    });
  },
};

const keyList: Command = {
  spec: {
    name: 'ima key list',
    summary: "list a namespace's IMA appraisal keys (or the host's) on a running engine",
    usage: '',
    positionals: [0, 0],
    options: [NAMESPACE, HOST, JSON_OPTION, ...CONNECTION_OPTIONS],
    details: 'One line per key: key id, type, source, SHA-256 of the public key.',
  },
  run: (args, io) => {
    const ns = target(args, true);
    return runRemoteStatus('ima key list', args, io, async (c) => {
      printKeyring(
        io,
        args,
        ns,
        await callControl(c, 'ListImaKeys', { name: ns ?? '', host: ns === null })
      );
      return EXIT.ok;
    });
  },
};

const keyRemove: Command = {
  spec: {
    name: 'ima key remove',
    summary: "remove the keys with a key id from a namespace's IMA keyring (admin)",
    usage: '<keyid>',
    positionals: [1, 1],
    options: [
      { ...NAMESPACE, help: 'the namespace (required)' },
      JSON_OPTION,
      ...CONNECTION_OPTIONS,
    ],
    details:
      'KEYID is the 8 hex digits `ima key list` shows. Files the key verified are appraised again.',
  },
  run: (args, io) => {
    const ns = target(args, false)!;
    const keyid = args.positionals[0]!;
    if (!/^[0-9a-fA-F]{1,8}$/.test(keyid))
      throw new UsageError(`KEYID expects up to 8 hex digits, got '${keyid}'`);
    return runRemoteStatus('ima key remove', args, io, async (c) => {
      printKeyring(io, args, ns, await callControl(c, 'RemoveImaKey', { name: ns, keyid }));
      return EXIT.ok;
    });
  },
};

export const commands: Command[] = [log, policySet, policyShow, keyAdd, keyList, keyRemove];
