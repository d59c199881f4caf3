/**
 * Model files for the offline commands: the digest and dialect come from the model's `# tsem:`
 * header unless given, and a header that disagrees with what was given is an error naming both.
 * Heavy modules load on first use, so command modules can import this file and keep --help fast.
 */
import { escapeText } from '../common/escape.js';
import { type OptionSpec, type ParsedArgs, UsageError } from './args.js';
import type { Io } from './command.js';
import { EXIT } from './exit-status.js';

export const DIGEST: OptionSpec = {
  name: 'digest',
  kind: 'string',
  arg: 'NAME',
  help: "namespace hash: sha256, sha384, sha512, sha3-256, ... (default: the model's header, else sha256)",
};
export const DIALECT: OptionSpec = {
  name: 'dialect',
  kind: 'string',
  arg: 'NAME',
  choices: ['tsem-6.12', 'quixote-us'],
  help: "coefficient dialect (default: the model's header, else tsem-6.12)",
};
export const OUT: OptionSpec = {
  name: 'output',
  short: 'o',
  kind: 'string',
  arg: 'FILE',
  help: 'write to FILE instead of stdout',
};
export const PURE: OptionSpec = {
  name: 'pure-quixote',
  kind: 'flag',
  help: "write Quixote's format only (no # tsem: header or point description lines)",
};

export type Dialect = 'tsem-6.12' | 'quixote-us';

export async function modelEngine() {
  const [file, header, ops, digest, io, pseudonyms] = await Promise.all([
    import('../engine/contour/model-file.js'),
    import('../engine/contour/model-header.js'),
    import('../engine/contour/model-ops.js'),
    import('../engine/measure/digest.js'),
    import('./io-util.js'),
    import('../engine/contour/model-pseudonyms.js'),
  ]);
  return { ...file, ...header, ...ops, ...digest, ...io, ...pseudonyms };
}

/** `--digest NAME`: an unknown name is a usage error (2), not bad data. */
export async function digestNamed(name: string) {
  const e = await modelEngine();
  try {
    return e.createDigest(name);
  } catch (err) {
    throw new UsageError(`--digest: ${(err as Error).message}`);
  }
}

/**
 * Reads and parses a model file. `--digest`/`--dialect` given and a header naming others is an
 * error naming both (65); absent, the header's values are used, else the defaults.
 */
export async function readModel(path: string, args: ParsedArgs, who = 'this command') {
  const e = await modelEngine();
  const text = e.readInput(path, 'model file').toString('utf8');
  const header = e.readModelHeader(text);
  const given = args.values.get('digest');
  const alg = await digestNamed(given ?? header.digest ?? e.DEFAULT_DIGEST);
  const givenDialect = args.values.get('dialect') as Dialect | undefined;
  const target = {
    name: who,
    digest: alg.name,
    dialect: givenDialect ?? header.dialect ?? e.DEFAULT_DIALECT,
  };
  if (header.digest && given !== undefined && header.digest !== alg.name)
    throw new (await import('../common/errors.js')).EngineError(
      'TSEM_MODEL_FILE',
      `${path}: the model's header names digest ${header.digest} but ${who} uses ${alg.name} (--digest)`
    );
  const model = e.parseModelFile(text, alg, path);
  let warnings: string[];
  try {
    warnings = e.checkModelTarget(model, target).map((w) => `${path}: ${w}`);
  } catch (err) {
    if (err instanceof Error) err.message = `${path}: ${err.message}`;
    throw err;
  }
  return { alg, model, dialect: target.dialect, warnings };
}

export const STRICT: OptionSpec = {
  name: 'strict',
  kind: 'flag',
  help: 'stop at the first line that cannot be parsed (exit 65) instead of reporting it and going on',
};

/** Replay options for a command: lines that cannot be parsed are reported on stderr, escaped. */
export function lineHandling(
  command: string,
  args: ParsedArgs,
  io: Io
): { strict: boolean; onReject: (err: Error) => void } {
  return {
    strict: args.flags.has('strict'),
    onReject: (err) => io.err(`tsem ${command}: ${escapeText(err.message)} (line skipped)\n`),
  };
}

/** Runs `body`; under --strict the first unparsable line ends the command with exit 65. */
export async function strictly(
  command: string,
  io: Io,
  body: () => Promise<number>
): Promise<number> {
  const { ParseError } = await import('../common/errors.js');
  try {
    return await body();
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    io.err(`tsem ${command}: ${escapeText(err.message)}\n`);
    return EXIT.dataErr;
  }
}

export const MODEL_KEY: OptionSpec = {
  name: 'model-key',
  kind: 'list',
  arg: 'FILE',
  help: 'require a model signed by this key (Ed25519 public key with MODEL.sig, or RSA key of a Quixote-signed model; repeatable)',
};
export const SIGNATURE: OptionSpec = {
  name: 'signature',
  kind: 'string',
  arg: 'FILE',
  help: 'detached Ed25519 signature of the model (default MODEL.sig when it exists)',
};

/** A model whose signature is bad is refused; with --model-key, only a model signed by one is read. */
export async function checkSignedModel(modelPath: string, args: ParsedArgs): Promise<void> {
  const [sig, keys, io, fs, { EngineError }] = await Promise.all([
    import('../engine/attest/model-signature.js'),
    import('../engine/attest/keys.js'),
    import('./io-util.js'),
    import('node:fs'),
    import('../common/errors.js'),
  ]);
  const keyFiles = args.lists.get('model-key') ?? [];
  const pinned = sig.mergeModelKeys(
    keyFiles.map((f) => sig.parseModelKey(io.readInput(f, 'model key').toString('utf8'), f))
  );
  const sigPath = args.values.get('signature') ?? `${modelPath}.sig`;
  const detached =
    args.values.has('signature') || fs.existsSync(sigPath)
      ? keys.parseSignature(io.readInput(sigPath, 'signature').toString('utf8'), sigPath)
      : undefined;
  const check = sig.checkModelSignature(io.readInput(modelPath, 'model file'), detached, pinned);
  if (check.status === 'bad')
    throw new EngineError(
      'TSEM_MODEL_FILE',
      `${modelPath}: refused: bad signature: ${check.reason}`
    );
  if (keyFiles.length > 0 && check.status !== 'verified')
    throw new EngineError(
      'TSEM_MODEL_FILE',
      `${modelPath}: refused: --model-key requires a model signed by it: ${check.status === 'unsigned' ? 'the model has no signature' : check.reason}`
    );
}
