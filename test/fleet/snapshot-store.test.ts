/**
 * Fleet snapshots on a real JetStream: a large one goes to the object store and comes back whole;
 * a writer holding an old revision is fenced; the lease compare-and-set lets exactly one of two
 * engines take a lapsed lease.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats } from '../../fleet/nats/connect.js';
import { DEFAULT_STREAM_LIMITS, ensureFleet, type FleetStores } from '../../fleet/nats/setup.js';
import { exportToNats, type NatsExportStats } from '../../fleet/export/nats-exporter.js';
import { hostInbox } from '../../fleet/nats/names.js';
import { simItems } from '../helpers/fleet-events.js';
import { FencedError, SnapshotStore } from '../../fleet/pool/snapshot-store.js';
import { casOwner } from '../../fleet/pool/lease-table.js';
import { NamespaceModel, createNamespaceConfig } from '../../engine/ns/namespace-model.js';
import { snapshotNamespace, restoreNamespace } from '../../engine/ns/namespace-snapshot.js';
import { natsServerAvailable, type NatsServer, startNatsServer } from '../helpers/nats-server.js';

const skip = natsServerAvailable() ? false : 'nats-server is not installed';

describe('fleet snapshots and leases', { skip }, () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  let stores: FleetStores;
  before(async () => {
    nats = await startNatsServer();
    nc = await connectNats({ url: nats.url, ...nats.engine });
    stores = await ensureFleet(nc);
  });
  after(async () => {
    await nc?.close();
    await nats?.stop();
  });

  test('a snapshot larger than a message goes to the object store; a stale writer is fenced', async () => {
    const ns = new NamespaceModel(
      createNamespaceConfig({ id: 'big.ns', digest: 'sha256', aggregate: Buffer.alloc(32) })
    );
    const state = snapshotNamespace(ns);
    // Padding makes it larger than the store's inline limit (2 KiB here).
    const padded = { ...state, rejected: [{ s: 1, l: 'x'.repeat(4096), r: 'padding' }] };
    const store = new SnapshotStore(stores.snapshots, stores.objects, 2048);
    const w1 = await store.write('big.ns', { seq: 5, owner: 'e1', atMs: 1, state: padded }, 0);
    assert.ok(w1.record.object, 'stored as an object');
    assert.equal(w1.record.state, undefined);
    const r = await store.read('big.ns');
    assert.equal(r.record?.seq, 5);
    assert.deepEqual(r.state, padded);
    assert.equal(
      restoreNamespace(r.state).measurement.toString('hex'),
      ns.measurement.toString('hex')
    );
    const w2 = await store.write(
      'big.ns',
      { seq: 9, owner: 'e2', atMs: 2, state },
      r.revision,
      r.record
    );
    await assert.rejects(
      store.write('big.ns', { seq: 7, owner: 'e1', atMs: 3, state }, w1.revision, w1.record),
      FencedError
    );
    assert.equal((await store.read('big.ns')).record?.seq, 9);
    // The replaced object is gone; the new small one is inline.
    assert.equal(await stores.objects.getBlob(w1.record.object), null);
    assert.equal(w2.record.object, undefined);
    assert.deepEqual(await store.namespaces(), ['big.ns']);
  });

  test('of two engines taking the same lapsed lease, exactly one wins', async () => {
    const first = await casOwner(stores.leases, 'contended', 'e1', 0, false, 1);
    assert.ok(first.ok);
    const rev = first.ok ? first.revision : 0;
    const [a, b] = await Promise.all([
      casOwner(stores.leases, 'contended', 'e2', rev, false, 1),
      casOwner(stores.leases, 'contended', 'e3', rev, false, 1),
    ]);
    assert.equal([a, b].filter((r) => r.ok).length, 1);
    assert.deepEqual(
      [a, b].find((r) => !r.ok),
      { ok: false, lost: true }
    );
    // The old owner's renewal with its last revision is refused: it knows it lost.
    assert.deepEqual(await casOwner(stores.leases, 'contended', 'e1', rev, false, 2), {
      ok: false,
      lost: true,
    });
  });

  test('a full events stream is reported and retried, never dropped silently', async () => {
    const small = await startNatsServer(['host-a']);
    const admin = await connectNats({ url: small.url, ...small.engine });
    const host = await connectNats({
      url: small.url,
      ...small.host('host-a'),
      inboxPrefix: hostInbox('host-a'),
    });
    try {
      await ensureFleet(admin, { ...DEFAULT_STREAM_LIMITS, eventsMaxBytes: 64 * 1024 });
      const notices: string[] = [];
      const err = await exportToNats(host, simItems(['full'], 2, 1), {
        host: 'host-a',
        exporter: 'sim',
        batchSize: 64,
        drainMs: 1500,
        notice: (m) => notices.push(m),
      }).catch((e: unknown) => e as Error & { code?: string; stats?: NatsExportStats });
      assert.ok(err instanceof Error, 'the export fails: its events were not all stored');
      assert.equal(err.code, 'TSEM_UNAVAILABLE');
      assert.ok(
        err.stats && err.stats.unacked > 0 && err.stats.acked > 0,
        JSON.stringify(err.stats)
      );
      assert.equal(err.stats.acked + err.stats.unacked, err.stats.sent);
      assert.match(notices.join('\n'), /maximum bytes|resource limits|exceeded/i);
    } finally {
      await host.close();
      await admin.close();
      await small.stop();
    }
  });
});
