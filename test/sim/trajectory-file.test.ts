import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseEventObject, parseRecordLine } from '../../engine/event/parse-json.js';
import { createNamespaceConfig, NamespaceModel } from '../../engine/ns/namespace-model.js';
import { formatEventLine, formatExportLine } from '../../exporter/sim/kernel-line.js';
import { createScenario } from '../../exporter/sim/scenario.js';
import {
  readTrajectoryLines,
  splitTrajectoryLines,
  TrajectoryFileError,
  type TrajectoryLine,
} from '../../exporter/sim/trajectory-file.js';

const dir = mkdtempSync(join(tmpdir(), 'tsem-sim-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function collect(path: string): Promise<TrajectoryLine[]> {
  const out: TrajectoryLine[] = [];
  for await (const l of readTrajectoryLines(path)) out.push(l);
  return out;
}

const view = (ls: TrajectoryLine[]) => ls.map((l) => [l.lineNumber, l.line.toString('latin1')]);

test('lines keep their exact bytes and numbers; empty lines are counted, not yielded', async () => {
  // Latin-1 0xe9 is not valid UTF-8: a decoding reader would replace it.
  const data = Buffer.concat([
    Buffer.from('{"a": "1"}\n\n{"b": "x'),
    Buffer.from([0xe9]),
    Buffer.from('"}\r\n{"c": "3"}'),
  ]);
  const path = join(dir, 'bytes.json');
  writeFileSync(path, data);
  const expected = [
    [1, '{"a": "1"}'],
    [3, '{"b": "x\u00e9"}\r'],
    [4, '{"c": "3"}'],
  ];
  assert.deepEqual(view(await collect(path)), expected);
  assert.deepEqual(view(splitTrajectoryLines(data)), expected);
  assert.deepEqual(splitTrajectoryLines(Buffer.alloc(0)), []);
});

test('lines longer than a read chunk are joined whole', async () => {
  const long = 'x'.repeat(200_000);
  const path = join(dir, 'long.json');
  writeFileSync(path, `${long}\nshort\n${long}y`);
  const ls = await collect(path);
  assert.deepEqual(
    ls.map((l) => [l.lineNumber, l.line.length]),
    [
      [1, 200_000],
      [2, 5],
      [3, 200_001],
    ]
  );
  assert.equal(ls[2]!.line.toString('latin1'), `${long}y`);
});

test('a missing file is a TrajectoryFileError naming the file', async () => {
  const path = join(dir, 'missing.json');
  await assert.rejects(
    collect(path),
    (err: Error) =>
      err instanceof TrajectoryFileError && err.message.includes(path) && /ENOENT/.test(err.message)
  );
});

test('a simulated run written as a trajectory file replays to the same coefficients', async () => {
  const sc = createScenario('cryptominer', { seed: 21, iterations: 2 });
  const events = [...sc.events()];
  const path = join(dir, 'run.json');
  // Half as trajectory lines, half as export records: both are what a file source may meet.
  writeFileSync(
    path,
    events.map((e, i) => (i % 2 ? formatExportLine(e) : formatEventLine(e))).join('\n') + '\n'
  );
  const direct = new NamespaceModel(createNamespaceConfig({ id: 'direct' }));
  const fromFile = new NamespaceModel(createNamespaceConfig({ id: 'file' }));
  const lines = await collect(path);
  assert.equal(lines.length, events.length);
  lines.forEach(({ line, lineNumber }, i) => {
    const rec = parseRecordLine(line, { digestSize: 32, lineNumber });
    assert.equal(rec.kind, 'event');
    if (rec.kind !== 'event') return;
    const a = direct.process(parseEventObject(events[i]!, { digestSize: 32 }));
    const b = fromFile.process(rec.event);
    assert.deepEqual(
      [b.kind, b.coefficient?.toString('hex')],
      [a.kind, a.coefficient?.toString('hex')],
      `line ${lineNumber}`
    );
  });
  assert.ok(direct.measurement.equals(fromFile.measurement));
});

test('kernel lines use the kernel spacing and keep key order', () => {
  const [first] = createScenario('shell', { seed: 2, iterations: 1 }).events();
  const line = formatEventLine(first!);
  assert.match(
    line,
    /^\{"event": \{"pid": "\d+", "ppid": "812", "process": "sshd", "type": "task_alloc", "ts": "\d+"\}, "COE": \{"uid": "0", /
  );
  assert.deepEqual(JSON.parse(line), first);
  assert.match(formatExportLine(first!), /^\{"export": \{"type": "event"\}, "event": /);
});
