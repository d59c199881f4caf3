/**
 * Credentials stay home: the admin token the CLI finds in a data directory goes only to the server
 * that wrote it. A fake server on loopback (the finding's setup) receives no token.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { loadTsemProto } from '../../proto/load.js';
import { runCli } from '../helpers/cli.js';
import { startCliEngine } from '../helpers/cli-engine.js';

/** A server that answers ListNamespaces and remembers the authorization metadata it got. */
async function fakeServer(): Promise<{ address: string; seen: string[]; stop(): void }> {
  const { proto } = loadTsemProto();
  const server = new grpc.Server();
  const seen: string[] = [];
  server.addService(proto.tsem.v1.Control.service, {
    ListNamespaces(
      call: grpc.ServerUnaryCall<unknown, unknown>,
      cb: grpc.sendUnaryData<{ namespaces: [] }>
    ) {
      seen.push(String(call.metadata.get('authorization')[0] ?? ''));
      cb(null, { namespaces: [] });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p)
    )
  );
  return { address: `127.0.0.1:${port}`, seen, stop: () => server.forceShutdown() };
}

test('a foreign server gets no token; the server that wrote it does', async () => {
  const e = await startCliEngine();
  const fake = await fakeServer();
  try {
    const r = await runCli('ns', 'list', '--server', fake.address, '--data', e.dir);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(fake.seen, [''], 'no authorization header reached the fake server');
    // The real server (the recorded address) gets it: an admin-only call works.
    assert.match(await e.ok('ns', 'create', 'home', ...e.conn), /name\s+home/);
  } finally {
    fake.stop();
    await e.close();
  }
});
