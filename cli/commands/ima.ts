/**
 * `tsem ima …`: verify kernel measurement lists, measure and appraise files, check policies and
 * verify a list against a Keylime runtime policy. Heavy modules load inside run().
 */
import type { PolicyRule } from '../../engine/ima/policy-rule.js';
import { UsageError, type ParsedArgs } from '../args.js';
import type { Command, Io } from '../command.js';
import { EngineError } from '../../common/errors.js';
import { EXIT, exitStatusOf } from '../exit-status.js';
import { JSON_OPTION, Printer } from '../output.js';

const FORMAT = {
  name: 'format',
  kind: 'string',
  arg: 'FMT',
  choices: ['binary', 'ascii'],
} as const;
const LOG_BANK = {
  name: 'log-bank',
  kind: 'string',
  arg: 'NAME',
  help: 'digest algorithm of the template digests (default sha1)',
} as const;

/** A file that cannot be read is an I/O error (74); anything the IMA library rejects is bad data (65). */
function failure(io: Io, err: unknown): number {
  io.err(`${err instanceof Error ? err.message : String(err)}\n`);
  const errno = (err as { errno?: unknown; cause?: { errno?: unknown } }) ?? {};
  if (typeof errno.errno === 'number' || typeof errno.cause?.errno === 'number') return EXIT.ioErr;
  if (err instanceof EngineError) return exitStatusOf(err);
  return EXIT.dataErr;
}

function banksOption(raw: string | undefined, dflt: string[]): string[] {
  if (raw === undefined) return dflt;
  const banks = raw.split(',').filter(Boolean);
  if (banks.length === 0)
    throw new UsageError('--pcr-banks expects a comma list such as sha1,sha256');
  return banks;
}

async function checkBank(name: string, what: string): Promise<void> {
  const { canHash } = await import('../../engine/ima/hash-algo.js');
  if (!canHash(name))
    throw new UsageError(`${what} expects a hash algorithm such as sha1 or sha256, got '${name}'`);
}

const verifyLog: Command = {
  spec: {
    name: 'ima verify-log',
    summary:
      'Verify every template digest of a kernel measurement list and replay PCR 10 per bank.',
    usage: '<file>',
    positionals: [1, 1],
    options: [
      { ...FORMAT, help: 'list format (default: detected)' },
      LOG_BANK,
      {
        name: 'pcr-banks',
        kind: 'string',
        arg: 'LIST',
        help: 'banks to replay (default sha1,sha256)',
      },
      {
        name: 'padded-sha1',
        kind: 'flag',
        help: 'replay pre-5.8 kernels: every bank extended with padded SHA-1',
      },
      JSON_OPTION,
    ],
  },
  async run(args: ParsedArgs, io: Io): Promise<number> {
    const logBank = args.values.get('log-bank') ?? 'sha1';
    const banks = banksOption(args.values.get('pcr-banks'), ['sha1', 'sha256']);
    for (const b of [logBank, ...banks])
      await checkBank(b, b === logBank ? '--log-bank' : '--pcr-banks');
    const { verifyListFile } = await import('../../engine/ima/io/verify-list-file.js');
    const file = args.positionals[0]!;
    try {
      const v = await verifyListFile(file, logBank, banks, {
        paddedSha1: args.flags.has('padded-sha1'),
        format: args.values.get('format') as 'binary' | 'ascii' | undefined,
      });
      if (v.trailingBytes > 0) {
        io.err(
          `${file}: ignored ${v.trailingBytes} trailing bytes after record ${v.entries} (too short for a record)\n`
        );
      }
      const out = new Printer(io, args);
      for (const m of v.mismatches) {
        if (out.json)
          out.record(
            { record: m.record, logged: m.logged, computed: m.computed, bank: logBank },
            ''
          );
        else
          io.err(
            `${file}: record ${m.record}: template digest ${m.logged} does not match ${logBank} of the template data (${m.computed})\n`
          );
      }
      out.summary(
        {
          entries: v.entries,
          template_digest_ok: v.templateDigestOk,
          violations: v.violations,
          mismatches: v.mismatches.length,
          pcr10: Object.fromEntries(banks.map((b) => [b, v.pcrs.get(b, 10).toString('hex')])),
        },
        `entries ${v.entries}\ntemplate-digest-ok ${v.templateDigestOk}\nviolations ${v.violations}\n` +
          banks.map((b) => `pcr10 ${b} ${v.pcrs.get(b, 10).toString('hex')}\n`).join('')
      );
      return v.mismatches.length ? 1 : 0;
    } catch (err) {
      return failure(
        io,
        new Error(`${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
      );
    }
  },
};

/** Reads a policy; `extensions` accepts the engine's extensions (ima.md §9.3) as well. */
async function loadPolicyFile(path: string, extensions = true): Promise<PolicyRule[]> {
  const { readFile } = await import('node:fs/promises');
  const { parsePolicy } = await import('../../engine/ima/policy-parse.js');
  try {
    return parsePolicy(await readFile(path, 'utf8'), { extensions });
  } catch (err) {
    throw new Error(`${path}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}

const measure: Command = {
  spec: {
    name: 'ima measure',
    summary: 'Measure files as the policy would on exec and open, and write the measurement list.',
    usage: '<path...>',
    positionals: [1, Infinity],
    options: [
      { name: 'policy', kind: 'string', arg: 'FILE', help: 'IMA policy file (required)' },
      {
        name: 'template',
        kind: 'string',
        arg: 'NAME',
        help: 'template for the entries (default ima-ng)',
      },
      {
        name: 'namespace',
        kind: 'string',
        arg: 'NAME',
        help: 'namespace name; ima-ns entries carry its id (default host)',
      },
      {
        name: 'output',
        short: 'o',
        kind: 'string',
        arg: 'FILE',
        help: 'write the list here (default stdout)',
      },
      { ...FORMAT, help: 'output format (default ascii)' },
      LOG_BANK,
    ],
  },
  async run(args: ParsedArgs, io: Io): Promise<number> {
    const policyPath = args.values.get('policy');
    if (!policyPath) throw new UsageError("'tsem ima measure' needs --policy FILE");
    if (args.values.get('format') === 'binary' && !args.values.get('output')) {
      throw new UsageError('--format binary needs -o FILE (the list is not text)');
    }
    const template = args.values.get('template') ?? 'ima-ng';
    const bank = args.values.get('log-bank') ?? 'sha1';
    await checkBank(bank, '--log-bank');
    const { templateFieldIds } = await import('../../engine/ima/template-fields.js');
    const ids = templateFieldIds(template);
    if (typeof ids === 'string') throw new UsageError(`--template: ${ids}`);
    const { ImaNamespace } = await import('../../engine/ima/ima-namespace.js');
    const { fileEventFor } = await import('../../engine/ima/io/file-event.js');
    const { writeFile } = await import('node:fs/promises');
    try {
      const policy = await loadPolicyFile(policyPath);
      const ns = new ImaNamespace({
        name: args.values.get('namespace') ?? 'host',
        policy,
        template,
        bootAggregate: { algo: 'sha256', digest: Buffer.alloc(32) }, // no TPM: zeros (ima.md §2)
      });
      for (const p of args.positionals) {
        // execve runs BPRM_CHECK with MAY_EXEC, then the open runs FILE_CHECK with MAY_READ (§3.1).
        ns.handleFile(await fileEventFor(p, 'BPRM_CHECK', 0x1));
        ns.handleFile(await fileEventFor(p, 'FILE_CHECK', 0x4));
      }
      const out =
        args.values.get('format') === 'binary' ? ns.log.toBinary(bank) : ns.log.toAscii(bank);
      const file = args.values.get('output');
      if (file) await writeFile(file, out);
      else io.out(out.toString());
      return 0;
    } catch (err) {
      return failure(io, err);
    }
  },
};

const appraise: Command = {
  spec: {
    name: 'ima appraise',
    summary:
      'Appraise files against security.ima with the given keys; one line per file: path, status, cause.',
    usage: '<path...>',
    positionals: [1, Infinity],
    options: [
      {
        name: 'keys',
        kind: 'list',
        arg: 'FILE',
        help: 'X.509 certificate or PEM public key (repeatable or comma list)',
      },
      {
        name: 'policy',
        kind: 'string',
        arg: 'FILE',
        help: 'IMA policy; files no appraise rule covers are reported as not-appraised',
      },
      JSON_OPTION,
    ],
  },
  async run(args: ParsedArgs, io: Io): Promise<number> {
    const keyFiles = (args.lists.get('keys') ?? []).flatMap((k) => k.split(',')).filter(Boolean);
    const { readFile } = await import('node:fs/promises');
    const { Keyring, loadKeys } = await import('../../engine/ima/keys.js');
    const { ImaNamespace } = await import('../../engine/ima/ima-namespace.js');
    const { fileEventFor } = await import('../../engine/ima/io/file-event.js');
    const { parsePolicy } = await import('../../engine/ima/policy-parse.js');
    try {
      const keyring = new Keyring();
      for (const f of keyFiles) for (const k of loadKeys(await readFile(f), f)) keyring.add(k);
      const policyPath = args.values.get('policy');
      const policy = policyPath ? await loadPolicyFile(policyPath) : parsePolicy('appraise');
      let failed = 0;
      const out = new Printer(io, args);
      for (const p of args.positionals) {
        // A fresh namespace per file: the CLI reports each file on its own, uncached.
        const ns = new ImaNamespace({ name: 'host', policy, keyring });
        const ev = await fileEventFor(p, 'BPRM_CHECK', 0x1);
        const r =
          ns.handleFile(ev).appraisals.get('host') ??
          ns.handleFile({ ...ev, func: 'FILE_CHECK', mask: 0x4 }).appraisals.get('host');
        if (!r) {
          out.record(
            { path: p, status: 'not-appraised', cause: 'no-appraise-rule' },
            `${p} not-appraised no-appraise-rule`
          );
          continue;
        }
        if (r.status !== 'INTEGRITY_PASS') failed++;
        out.record(
          { path: p, status: r.status, cause: r.cause ?? 'ok' },
          `${p} ${r.status} ${r.cause ?? 'ok'}`
        );
      }
      out.summary({ files: args.positionals.length, failed });
      return failed ? 1 : 0;
    } catch (err) {
      return failure(io, err);
    }
  },
};

const policyCheck: Command = {
  spec: {
    name: 'ima policy check',
    summary: 'Parse an IMA policy with the kernel rules; print the rule count.',
    usage: '<file>',
    positionals: [1, 1],
    options: [
      {
        name: 'allow-extensions',
        kind: 'flag',
        help: "accept the engine's extensions (cache_result=no, docs/ima.md §9.3): a policy for tsem, not for a kernel",
      },
    ],
  },
  async run(args: ParsedArgs, io: Io): Promise<number> {
    try {
      const rules = await loadPolicyFile(args.positionals[0]!, args.flags.has('allow-extensions'));
      io.out(`rules ${rules.length}\n`);
      return 0;
    } catch (err) {
      return failure(io, err);
    }
  },
};

const keylimeVerify: Command = {
  spec: {
    name: 'ima keylime-policy verify',
    summary: 'Verify a measurement list against a Keylime runtime policy (allowlist).',
    usage: '<log>',
    positionals: [1, 1],
    options: [
      {
        name: 'policy',
        kind: 'string',
        arg: 'JSON',
        help: 'Keylime runtime policy file (required)',
      },
      {
        name: 'keys',
        kind: 'list',
        arg: 'FILE',
        help: 'extra verification keys for ima-sig entries',
      },
      { ...FORMAT, help: 'list format (default: detected)' },
      JSON_OPTION,
    ],
  },
  async run(args: ParsedArgs, io: Io): Promise<number> {
    const policyPath = args.values.get('policy');
    if (!policyPath) throw new UsageError("'tsem ima keylime-policy verify' needs --policy JSON");
    const { readFile } = await import('node:fs/promises');
    const { parseRuntimePolicy, verifyAgainstRuntimePolicy } =
      await import('../../engine/ima/keylime-policy.js');
    const { loadList } = await import('../../engine/ima/io/load-list.js');
    const { loadKeys } = await import('../../engine/ima/keys.js');
    try {
      const policy = parseRuntimePolicy(await readFile(policyPath, 'utf8'));
      const keys = [];
      for (const f of args.lists.get('keys') ?? []) keys.push(...loadKeys(await readFile(f), f));
      const list = await loadList(
        args.positionals[0]!,
        policy.ima.log_hash_alg,
        args.values.get('format') as 'binary' | 'ascii' | undefined
      );
      const findings = verifyAgainstRuntimePolicy(list.entries, policy, keys);
      const out = new Printer(io, args);
      for (const f of findings)
        out.record(
          { record: f.record, id: f.id, message: f.message },
          `record ${f.record} ${f.id} ${f.message}`
        );
      out.summary(
        { entries: list.entries.length, findings: findings.length },
        `entries ${list.entries.length}\nfindings ${findings.length}\n`
      );
      return findings.length ? 1 : 0;
    } catch (err) {
      return failure(io, err);
    }
  },
};

export const commands: Command[] = [verifyLog, measure, appraise, policyCheck, keylimeVerify];
