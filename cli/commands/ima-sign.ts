/**
 * `tsem ima hash|sign|verify-evm`: write `security.ima` values evmctl and the kernel accept, and
 * check `security.evm` as the kernel does (docs/ima.md §9.5). Heavy modules load inside run().
 */
import { type OptionSpec, type ParsedArgs, UsageError } from '../args.js';
import type { Command, Io } from '../command.js';
import { EXIT, fileExitStatus } from '../exit-status.js';
import type { SigningKey } from '../../engine/ima/io/sign-file.js';

const HASH_ALGO: OptionSpec = {
  name: 'hash-algo',
  short: 'a',
  kind: 'string',
  arg: 'NAME',
  choices: ['sha1', 'sha224', 'sha256', 'sha384', 'sha512'],
  help: 'digest algorithm (default sha256)',
};
const PRINT: OptionSpec = {
  name: 'print',
  short: 'n',
  kind: 'flag',
  help: 'print the value instead of setting security.ima (as evmctl -n)',
};
const JSON_OPTION: OptionSpec = { name: 'json', kind: 'flag', help: 'one JSON object per line' };

/** Reads a local file named by an option; a failure exits with the conventions' status. */
async function readOption(
  path: string,
  what: string,
  io: Io,
  command: string
): Promise<Buffer | number> {
  const { readFile } = await import('node:fs/promises');
  try {
    return await readFile(path);
  } catch (err) {
    io.err(
      `tsem ${command}: cannot read ${what} '${path}': ${(err as NodeJS.ErrnoException).code ?? String(err)}\n`
    );
    return fileExitStatus(err);
  }
}

/** Hashes (and signs) each file, then sets or prints its security.ima. */
async function writeAll(
  command: string,
  args: ParsedArgs,
  io: Io,
  key: SigningKey | undefined
): Promise<number> {
  const { signFile } = await import('../../engine/ima/io/sign-file.js');
  const { loadNativeAddon } = await import('../../native/addon.js');
  const algo = args.values.get('hash-algo') ?? 'sha256';
  const print = args.flags.has('print');
  let status: number = EXIT.ok;
  for (const path of args.positionals) {
    let s;
    try {
      s = await signFile(path, algo, key);
      if (!print) loadNativeAddon().setXattr(path, 'security.ima', s.xattr);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      const hint =
        code === 'EPERM' || code === 'EACCES'
          ? ' (setting security.* needs CAP_SYS_ADMIN: run as root)'
          : code === 'EOPNOTSUPP'
            ? ' (the filesystem has no extended attributes)'
            : '';
      io.err(
        `tsem ${command}: ${path}: ${print ? 'cannot read' : 'cannot hash or set security.ima'}: ${code}${hint}\n`
      );
      if (status === EXIT.ok) status = fileExitStatus(err);
      continue;
    }
    const keyid = s.keyid?.toString(16).padStart(8, '0');
    if (args.flags.has('json')) {
      io.out(
        `${JSON.stringify({ path, algo, digest: s.digest.toString('hex'), ...(keyid ? { keyid } : {}), xattr: s.xattr.toString('hex'), written: !print })}\n`
      );
    } else if (print) {
      io.out(`${path} 0x${s.xattr.toString('hex')}\n`);
    } else {
      io.out(`${path} ${algo}:${s.digest.toString('hex')}${keyid ? ` keyid ${keyid}` : ''}\n`);
    }
  }
  return status;
}

const hash: Command = {
  spec: {
    name: 'ima hash',
    summary: "set each file's security.ima to its hash, as IMA's fix mode and `evmctl ima_hash` do",
    usage: '<path...>',
    positionals: [1, Infinity],
    options: [HASH_ALGO, PRINT, JSON_OPTION],
    details: [
      'security.ima is 0x01 ‖ digest for sha1, else 0x04 ‖ algorithm ‖ digest (docs/ima.md §4.1).',
      'Setting it needs root. One line per file: path and digest (with -n: path and the value).',
      'Exit 74 when a file cannot be read or written, 77 without the privilege to set security.*.',
    ].join('\n'),
  },
  run: (args, io) => writeAll('ima hash', args, io, undefined),
};

const sign: Command = {
  spec: {
    name: 'ima sign',
    summary:
      'sign each file and set its security.ima to the signature v2, as `evmctl ima_sign` does',
    usage: '<path...>',
    positionals: [1, Infinity],
    options: [
      {
        name: 'key',
        short: 'k',
        kind: 'string',
        arg: 'FILE',
        help: 'RSA or EC private key, PEM or DER (required; $TSEM_KEY_PASSWORD for an encrypted one)',
      },
      {
        name: 'cert',
        kind: 'string',
        arg: 'FILE',
        help: "take the key id from this X.509 certificate's Subject Key Identifier",
      },
      { name: 'keyid', kind: 'string', arg: 'HEX', help: 'use this 32-bit key id (8 hex digits)' },
      HASH_ALGO,
      PRINT,
      JSON_OPTION,
    ],
    details: [
      'RSA signatures are PKCS#1 v1.5 over the DigestInfo, EC ones ECDSA (DER) over the digest; the',
      'key id defaults to the one `evmctl` computes (docs/ima.md §4.1). Verify with `evmctl',
      'ima_verify --key CERT FILE`, `tsem ima appraise`, or the engine with the key in the keyring.',
    ].join('\n'),
  },
  async run(args, io) {
    const keyPath = args.values.get('key');
    if (!keyPath) throw new UsageError('--key FILE is required (the private key to sign with)');
    const keyidHex = args.values.get('keyid');
    if (keyidHex !== undefined && !/^[0-9a-fA-F]{1,8}$/.test(keyidHex))
      throw new UsageError(`--keyid expects up to 8 hex digits, got '${keyidHex}'`);
    const certPath = args.values.get('cert');
    if (keyidHex !== undefined && certPath !== undefined)
      throw new UsageError('give --keyid or --cert, not both');
    const data = await readOption(keyPath, 'key', io, 'ima sign');
    if (typeof data === 'number') return data;
    const cert = certPath ? await readOption(certPath, 'certificate', io, 'ima sign') : undefined;
    if (typeof cert === 'number') return cert;
    const { loadSigningKey } = await import('../../engine/ima/io/sign-file.js');
    const { KeyLoadError } = await import('../../engine/ima/keys.js');
    let key;
    try {
      key = loadSigningKey(data, keyPath, {
        ...(cert ? { cert: { data: cert, source: certPath! } } : {}),
        ...(keyidHex !== undefined ? { keyid: Number.parseInt(keyidHex, 16) } : {}),
        ...(process.env['TSEM_KEY_PASSWORD']
          ? { passphrase: process.env['TSEM_KEY_PASSWORD'] }
          : {}),
      });
    } catch (err) {
      if (!(err instanceof KeyLoadError)) throw err;
      io.err(`tsem ima sign: ${err.message}\n`);
      return EXIT.dataErr;
    }
    return writeAll('ima sign', args, io, key);
  },
};

const verifyEvm: Command = {
  spec: {
    name: 'ima verify-evm',
    summary:
      "check each file's security.evm (HMAC or signature) as the kernel does; one line per file: path, status, cause",
    usage: '<path...>',
    positionals: [1, Infinity],
    options: [
      {
        name: 'hmac-key',
        kind: 'string',
        arg: 'FILE',
        help: 'the EVM HMAC key (raw bytes, at most 128, as in /etc/keys/evm-key-plain)',
      },
      {
        name: 'keys',
        kind: 'list',
        arg: 'FILE',
        help: 'X.509 certificate or public key for EVM signatures (repeatable)',
      },
      {
        name: 'uuid',
        kind: 'string',
        arg: 'UUID',
        help: "the filesystem UUID EVM hashes; '' when the kernel leaves it out (default: looked up)",
      },
      {
        name: 'generation',
        kind: 'string',
        arg: 'N',
        help: 'the inode generation, when the filesystem cannot report it',
      },
      JSON_OPTION,
    ],
    details: [
      "Statuses are the kernel's: INTEGRITY_PASS, INTEGRITY_PASS_IMMUTABLE (portable signature),",
      'INTEGRITY_FAIL, INTEGRITY_FAIL_IMMUTABLE, INTEGRITY_NOLABEL (protected xattrs but no',
      'security.evm), INTEGRITY_NOXATTRS, INTEGRITY_UNKNOWN (an HMAC and no --hmac-key); the cause',
      'is the one IMA appraisal reports for it (missing-HMAC, invalid-HMAC, invalid-fail-immutable).',
      'Exit 0 when every file passes, 1 when one does not, 74 when one cannot be read.',
    ].join('\n'),
  },
  async run(args, io) {
    const gen = args.values.get('generation');
    if (gen !== undefined && (!/^\d+$/.test(gen) || Number(gen) > 0xffffffff))
      throw new UsageError(`--generation expects a 32-bit whole number, got '${gen}'`);
    const uuid = args.values.get('uuid');
    const { Keyring, KeyLoadError, loadKeys } = await import('../../engine/ima/keys.js');
    const { verifyEvm } = await import('../../engine/ima/evm.js');
    const { readEvmFacts, uuidBytes, EvmFactsError } =
      await import('../../engine/ima/io/evm-facts.js');
    if (uuid) {
      try {
        uuidBytes(uuid);
      } catch (err) {
        throw new UsageError(`--uuid ${(err as Error).message}`);
      }
    }
    const keyring = new Keyring();
    for (const f of args.lists.get('keys') ?? []) {
      const data = await readOption(f, 'key', io, 'ima verify-evm');
      if (typeof data === 'number') return data;
      try {
        for (const k of loadKeys(data, f)) keyring.add(k);
      } catch (err) {
        if (!(err instanceof KeyLoadError)) throw err;
        io.err(`tsem ima verify-evm: ${err.message}\n`);
        return EXIT.dataErr;
      }
    }
    const hmacPath = args.values.get('hmac-key');
    const hmacKey = hmacPath
      ? await readOption(hmacPath, 'HMAC key', io, 'ima verify-evm')
      : undefined;
    if (typeof hmacKey === 'number') return hmacKey;
    if (hmacKey && hmacKey.length > 128) {
      io.err(
        `tsem ima verify-evm: ${hmacPath}: an EVM key is at most 128 bytes, got ${hmacKey.length}\n`
      );
      return EXIT.dataErr;
    }
    let status: number = EXIT.ok;
    for (const path of args.positionals) {
      let r;
      try {
        const facts = readEvmFacts(path, {
          ...(uuid !== undefined ? { uuid } : {}),
          ...(gen !== undefined ? { generation: Number(gen) } : {}),
        });
        r = verifyEvm(facts, { keyring, ...(hmacKey ? { hmacKey } : {}) });
      } catch (err) {
        if (!(err instanceof EvmFactsError) && !(err as NodeJS.ErrnoException).code) throw err;
        io.err(`tsem ima verify-evm: ${path}: ${(err as Error).message}\n`);
        status = status === EXIT.ok || status === EXIT.found ? EXIT.ioErr : status;
        continue;
      }
      const ok = r.status === 'INTEGRITY_PASS' || r.status === 'INTEGRITY_PASS_IMMUTABLE';
      if (!ok && status === EXIT.ok) status = EXIT.found;
      if (args.flags.has('json')) io.out(`${JSON.stringify({ path, ...r })}\n`);
      else
        io.out(
          `${path} ${r.status} ${r.cause ?? 'ok'}${r.form ? ` ${r.form}` : ''}: ${r.detail}\n`
        );
    }
    return status;
  },
};

export const commands: Command[] = [hash, sign, verifyEvm];
