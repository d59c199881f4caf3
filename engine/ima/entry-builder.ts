/**
 * Builds template entries the way the kernel's field init functions do (ima_template_lib.c,
 * ima.md §1.4), for any built-in or custom template.
 */
import { digestSize } from './hash-algo.js';
import { createTemplateEntry, type TemplateEntry } from './template-entry.js';
import { digestNgField, stringField, templateFieldIds } from './template-fields.js';

export interface EntryValues {
  /** Algorithm of `digest` (`ima_hash_algo` or the xattr's algorithm, ima.md §4.2). */
  readonly algo: string;
  readonly digest: Uint8Array;
  /** Path or buffer name; spaces become '_' as in the kernel. */
  readonly name: string;
  /** SHA-1 file digest for the legacy `d` field when `algo` is not sha1 (IMA re-hashes, §1.4). */
  readonly sha1Digest?: Uint8Array;
  /** Raw `security.ima` when it is a signature (type 0x03/0x06); otherwise sig stays empty. */
  readonly xattr?: Uint8Array;
  readonly buf?: Uint8Array;
  /** 16-byte namespace id for the `ns` field (ima-ns, ima.md §1.4 RFC v1). */
  readonly nsId?: Uint8Array;
  readonly uid?: number;
  readonly gid?: number;
  readonly mode?: number;
  /** Builds a violation: digest fields hold zeros of the algorithm's size (current kernels). */
  readonly violation?: boolean;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

function fieldData(id: string, v: EntryValues): Buffer {
  const digest = v.violation ? Buffer.alloc(digestSize(v.algo) ?? 20) : Buffer.from(v.digest);
  switch (id) {
    case 'd': {
      if (v.violation) return Buffer.alloc(20);
      if (v.algo === 'sha1' || v.algo === 'md5')
        return Buffer.concat([digest, Buffer.alloc(20 - digest.length)]);
      if (!v.sha1Digest)
        throw new RangeError(`template field 'd' needs a SHA-1 digest, got only ${v.algo}`);
      return Buffer.from(v.sha1Digest);
    }
    case 'd-ng':
      return digestNgField(v.algo, digest);
    case 'd-ngv2':
      return Buffer.concat([Buffer.from(`ima:${v.algo}:\0`, 'latin1'), digest]);
    case 'n':
    case 'n-ng':
      return stringField(v.name);
    case 'sig': {
      const x = v.xattr;
      return x && x.length > 0 && (x[0] === 0x03 || x[0] === 0x06)
        ? Buffer.from(x)
        : Buffer.alloc(0);
    }
    case 'buf':
      return Buffer.from(v.buf ?? []);
    case 'ns':
      return Buffer.from(v.nsId ?? Buffer.alloc(16));
    case 'iuid':
      return v.uid === undefined ? Buffer.alloc(0) : u32(v.uid);
    case 'igid':
      return v.gid === undefined ? Buffer.alloc(0) : u32(v.gid);
    case 'imode': {
      if (v.mode === undefined) return Buffer.alloc(0);
      const b = Buffer.alloc(2);
      b.writeUInt16LE(v.mode & 0xffff);
      return b;
    }
    default:
      // d-modsig, modsig, evmsig, xattr*: we never see appended signatures or EVM xattrs.
      return Buffer.alloc(0);
  }
}

/** One entry for `template` (name or custom format); throws RangeError on an unknown template. */
export function buildEntry(pcr: number, template: string, v: EntryValues): TemplateEntry {
  const ids = templateFieldIds(template);
  if (typeof ids === 'string') throw new RangeError(ids);
  return createTemplateEntry(
    pcr,
    template,
    ids.map((id) => fieldData(id, v)),
    { violation: v.violation ?? false }
  );
}
