/** `tsem model keygen|sign|verify`: Ed25519 model signatures, and Quixote's RSA-signed models. */
import type { Command } from '../command.js';

async function deps() {
  const [keys, sig, io] = await Promise.all([
    import('../../engine/attest/keys.js'),
    import('../../engine/attest/model-signature.js'),
    import('../io-util.js'),
  ]);
  return { ...keys, ...sig, ...io };
}

const keygen: Command = {
  spec: {
    name: 'model keygen',
    summary: 'create an Ed25519 key pair for signing models: FILE (secret) and FILE.pub',
    usage: '',
    positionals: [0, 0],
    options: [
      {
        name: 'output',
        short: 'o',
        kind: 'string',
        arg: 'FILE',
        help: 'secret key file (required); the public key goes to FILE.pub',
      },
    ],
  },
  async run(args, io) {
    const e = await deps();
    const out = args.values.get('output');
    if (!out) throw new (await import('../args.js')).UsageError('-o FILE is required');
    const kp = e.generateKeyPair();
    e.writeOutput(io, e.formatSecretKey(kp.secretKey), out);
    e.writeOutput(io, e.formatPublicKey(kp.publicKey), `${out}.pub`);
    io.err(`wrote ${out} and ${out}.pub\n`);
    return 0;
  },
};

const sign: Command = {
  spec: {
    name: 'model sign',
    summary: 'write a detached Ed25519 signature of a model file',
    usage: '<model-file>',
    positionals: [1, 1],
    options: [
      {
        name: 'key',
        kind: 'string',
        arg: 'FILE',
        help: 'secret key file from `tsem model keygen` (required)',
      },
      {
        name: 'output',
        short: 'o',
        kind: 'string',
        arg: 'FILE',
        help: 'signature file (default MODEL.sig)',
      },
    ],
  },
  async run(args, io) {
    const e = await deps();
    const keyFile = args.values.get('key');
    if (!keyFile) throw new (await import('../args.js')).UsageError('--key FILE is required');
    const model = args.positionals[0]!;
    const secret = e.parseSecretKey(e.readInput(keyFile, 'secret key').toString('utf8'), keyFile);
    const sig = e.signModel(e.readInput(model, 'model file'), secret);
    e.writeOutput(io, e.formatSignature(sig), args.values.get('output') ?? `${model}.sig`);
    return 0;
  },
};

const verify: Command = {
  spec: {
    name: 'model verify',
    summary: 'verify a model signature (exit 0 valid, 1 not)',
    usage: '<model-file>',
    positionals: [1, 1],
    options: [
      {
        name: 'pubkey',
        kind: 'string',
        arg: 'FILE',
        help: 'Ed25519 public key file (for our detached signatures)',
      },
      {
        name: 'signature',
        kind: 'string',
        arg: 'FILE',
        help: 'detached signature (default MODEL.sig)',
      },
      {
        name: 'rsa-key',
        kind: 'string',
        arg: 'BASE64',
        help: "Quixote models: pin the 'key' line to this base64 DER key",
      },
    ],
    details:
      "Without --pubkey, a model with Quixote's 'key'/'signature' lines is checked with its RSA key (tsem-model.md §4.2); it is valid only when that key is pinned with --rsa-key (exit 1 otherwise: anyone can re-sign a model).",
  },
  async run(args, io) {
    const e = await deps();
    const modelPath = args.positionals[0]!;
    const model = e.readInput(modelPath, 'model file');
    const pub = args.values.get('pubkey');
    if (!pub) {
      const r = e.verifyQuixoteModel(model.toString('utf8'), args.values.get('rsa-key'));
      if (!r.ok) {
        io.err(
          `tsem model verify: ${modelPath}: ${r.reason}${/not a Quixote/.test(r.reason) ? ' (give --pubkey for an Ed25519 signature)' : ''}\n`
        );
        return 1;
      }
      if (args.values.get('rsa-key') === undefined) {
        // Anyone can re-sign a model with a key of their own: a key nobody pinned proves nothing.
        io.err(
          `tsem model verify: ${modelPath}: the RSA signature verifies with the model's own 'key' line, but that key is not pinned: untrusted (give --rsa-key with the key you trust)\n`
        );
        return 1;
      }
      io.out(`${modelPath}: valid Quixote RSA signature by the pinned key\n`);
      const tsemLines = model
        .toString('utf8')
        .split('\n')
        .filter((l) => l.startsWith('# tsem:')).length;
      if (tsemLines > 0)
        io.err(
          `note: the ${tsemLines} '# tsem:' line(s) (header, point descriptions) are not covered by the RSA signature: sign with 'tsem model sign' (Ed25519 covers the whole file) or treat the model as header-less\n`
        );
      return 0;
    }
    const publicKey = e.parsePublicKey(e.readInput(pub, 'public key').toString('utf8'), pub);
    const sigPath = args.values.get('signature') ?? `${modelPath}.sig`;
    const sig = e.parseSignature(e.readInput(sigPath, 'signature').toString('utf8'), sigPath);
    if (!e.verifyModelSignature(model, sig, publicKey)) {
      io.err(
        `tsem model verify: ${modelPath}: signature ${sigPath} does not verify with ${pub} (model changed, or another key signed it)\n`
      );
      return 1;
    }
    io.out(`${modelPath}: valid signature\n`);
    return 0;
  },
};

export const commands: Command[] = [keygen, sign, verify];
