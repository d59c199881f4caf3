// Writes a format-7 store, MAC-protected by the store key `store.key`, with the engine of commit
// 913ebf6 and records its figures, then the figures after a continuation, run by that same engine
// on a copy of the store. Usage (in a checkout of 913ebf6, built):
// node make-fixture.mjs <checkout> <output folder>
import { chmodSync, copyFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const root = process.argv[2];
const out = process.argv[3];
const { startEngine } = await import(`${root}/dist/daemon/start-engine.js`);
const { createScenario } = await import(`${root}/dist/exporter/sim/index.js`);
const events = (name, seed, iterations) =>
  [...createScenario(name, { seed, iterations }).events()].map((obj) => ({ obj }));
const origin = { host: 'release-host', exporter: 'sim' };
const figures = (engine, ids) => {
  const o = {};
  for (const id of ids) {
    const ns = engine.registry.require(id);
    o[id] = {
      mode: ns.mode, measurement: ns.measurement.toString('hex'), state: ns.state().toString('hex'),
      points: ns.pointCount, forensics: ns.forensics().length, trajectory: ns.trajectory().length,
      findings: ns.findingCount, untrusted: ns.untrustedTaskCount(), events: ns.eventCount,
      tasks: [...ns.taskEntries()].length,
      imaEntries: engine.ima.namespace(id).log.entries.length,
    };
  }
  o.hostImaEntries = engine.ima.host.log.entries.length;
  return o;
};
const dir = mkdtempSync(join(tmpdir(), 'tsem-fixture-'));
const keyDir = mkdtempSync(join(tmpdir(), 'tsem-fixture-key-'));
const storeKeyFile = join(keyDir, 'store.key');
const opts = {
  listen: '127.0.0.1:0',
  dataDir: dir,
  storeKeyFile,
  ima: { localFiles: false },
  log: () => {},
};
let e = await startEngine(opts);
await e.submit('web', origin, events('nginx', 1, 3));
e.registry.require('web').setMode('sealed');
await e.submit('web', origin, events('nginx', 2, 1));
await e.submit('web', origin, events('reverse-shell', 3, 1));
await e.submit('cron', origin, events('cron-backup', 1, 2));
const atRest = figures(e, ['web', 'cron']);
await e.stop();
cpSync(join(dir, 'store'), join(out, 'store'), { recursive: true });
copyFileSync(storeKeyFile, join(out, 'store.key'));
chmodSync(join(out, 'store.key'), 0o644);
// The continuation, by this same release, on a copy.
const copy = mkdtempSync(join(tmpdir(), 'tsem-fixture-copy-'));
cpSync(join(dir, 'store'), join(copy, 'store'), { recursive: true });
e = await startEngine({ ...opts, dataDir: copy });
await e.submit('web', origin, events('nginx', 4, 1));
await e.submit('web', origin, events('shadow-read', 5, 1));
await e.submit('cron', origin, events('cron-backup', 6, 1));
const continued = figures(e, ['web', 'cron']);
await e.stop();
writeFileSync(join(out, 'expected.json'), JSON.stringify({ atRest, continued }, null, 2) + '\n');
rmSync(dir, { recursive: true, force: true });
rmSync(copy, { recursive: true, force: true });
rmSync(keyDir, { recursive: true, force: true });
