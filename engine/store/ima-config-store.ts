/**
 * Per-namespace IMA policies and keyrings (ima.md §9.1, §9.4) in the model's LevelDB database,
 * sublevel `ima-config` (store format 3, store-format.ts). Keys, with `<ns>` the hex of the
 * namespace name (names are arbitrary text):
 *
 *   p:<ns>                      { text, by, at }               the namespace's policy as set
 *   r:<ns>                      { at }                         the namespace has a keyring of its own
 *   k:<ns>:<keyid>:<sha256>     { der, format, source, by, at } one key (DER base64) of that keyring
 */
import { createHash } from 'node:crypto';
import type { Level } from 'level';
import { EngineError } from '../../common/errors.js';
import type {
  ImaConfigPersistence,
  ImaConfigSnapshot,
  KeyRecord,
  PolicyRecord,
} from '../ima-stage/ima-admin.js';
import type { LevelStore } from './level-store.js';

type Db = Level<string, unknown>;

interface KeyJson {
  der: string;
  format: 'x509' | 'spki';
  source: string;
  by: string;
  at: number;
}

export const IMA_CONFIG_SUBLEVEL = 'ima-config';

const hexName = (ns: string) => Buffer.from(ns, 'utf8').toString('hex');
const keyidHex = (id: number) => id.toString(16).padStart(8, '0');
const bad = (key: string, what: string) =>
  new EngineError(
    'TSEM_STORE',
    `IMA configuration store: record ${JSON.stringify(key)}: expected ${what}`
  );

function nameOf(key: string, hex: string | undefined): string {
  if (!hex || !/^([0-9a-f]{2})+$/.test(hex)) throw bad(key, 'a hex namespace name');
  return Buffer.from(hex, 'hex').toString('utf8');
}

export class ImaConfigStore implements ImaConfigPersistence {
  private constructor(
    /** The sublevel, asked for each time: reopen() (after a failed write) replaces the database. */
    private readonly sub: () => Db,
    /** Writes go in the store's queue (LevelStore.serialWrite): one failure stops every writer. */
    private readonly serial: (job: () => Promise<void>) => Promise<void>
  ) {}

  static of(store: LevelStore): ImaConfigStore {
    return new ImaConfigStore(
      () => store.sublevel(IMA_CONFIG_SUBLEVEL) as unknown as Db,
      (job) => store.serialWrite(job)
    );
  }

  async load(): Promise<ImaConfigSnapshot> {
    const policies = new Map<string, PolicyRecord>();
    const keyrings = new Map<string, KeyRecord[]>();
    const ring = (ns: string) => {
      let l = keyrings.get(ns);
      if (!l) keyrings.set(ns, (l = []));
      return l;
    };
    for (const [key, value] of await this.sub().iterator().all()) {
      const [kind, hex] = key.split(':');
      const ns = nameOf(key, hex);
      const v = value as Record<string, unknown> | null;
      if (kind === 'p') {
        if (!v || typeof v['text'] !== 'string' || typeof v['by'] !== 'string')
          throw bad(key, 'a policy {text, by, at}');
        policies.set(ns, { text: v['text'], by: v['by'], at: Number(v['at']) });
      } else if (kind === 'r') {
        ring(ns);
      } else if (kind === 'k') {
        const k = v as Partial<KeyJson> | null;
        if (!k || typeof k.der !== 'string' || (k.format !== 'x509' && k.format !== 'spki'))
          throw bad(key, 'a key {der, format, source, by, at}');
        ring(ns).push({
          der: Buffer.from(k.der, 'base64'),
          format: k.format,
          source: String(k.source),
          by: String(k.by),
          at: Number(k.at),
        });
      } else {
        throw bad(key, "a key 'p:<ns>', 'r:<ns>' or 'k:<ns>:<keyid>:<sha256>'");
      }
    }
    return { policies, keyrings };
  }

  async putPolicy(ns: string, rec: PolicyRecord): Promise<void> {
    await this.serial(() => this.sub().put(`p:${hexName(ns)}`, rec));
  }

  async putKeys(
    ns: string,
    keys: readonly (KeyRecord & { readonly keyid: number })[]
  ): Promise<void> {
    const h = hexName(ns);
    const ops: { type: 'put'; key: string; value: unknown }[] = [
      { type: 'put', key: `r:${h}`, value: { at: Date.now() } },
    ];
    for (const k of keys) {
      const digest = createHash('sha256').update(k.der).digest('hex');
      const value: KeyJson = {
        der: k.der.toString('base64'),
        format: k.format,
        source: k.source,
        by: k.by,
        at: k.at,
      };
      ops.push({ type: 'put', key: `k:${h}:${keyidHex(k.keyid)}:${digest}`, value });
    }
    await this.serial(() => this.sub().batch(ops));
  }

  async removeKeys(ns: string, keyid: number): Promise<void> {
    const prefix = `k:${hexName(ns)}:${keyidHex(keyid)}:`;
    const keys = await this.sub()
      .keys({ gte: prefix, lt: `${prefix}\xff` })
      .all();
    await this.serial(() => this.sub().batch(keys.map((key) => ({ type: 'del' as const, key }))));
  }

  async forget(ns: string): Promise<void> {
    const h = hexName(ns);
    const keys = await this.sub()
      .keys({ gte: `k:${h}:`, lt: `k:${h}:\xff` })
      .all();
    await this.serial(() =>
      this.sub().batch([
        { type: 'del', key: `p:${h}` },
        { type: 'del', key: `r:${h}` },
        ...keys.map((key) => ({ type: 'del' as const, key })),
      ])
    );
  }
}
