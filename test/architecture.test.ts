/**
 * The house rules, checked over the sources (docs/architecture.md has the same table):
 * - rooms depend downward only: proto, common and native at the bottom; engine, exporter and
 *   tee-sim above them and independent of each other (tee-sim uses the engine's model and the
 *   interfaces the engine declares for it); daemon composes the engine program; cli and bench on
 *   top. Tests follow their room's rules, and may use test/helpers whose own imports fit it.
 * - no import cycles between files (runtime) or between rooms (any import);
 * - pure model code imports no I/O, RxJS, gRPC or LevelDB; only the wire edge imports generated
 *   proto code; nothing but tests imports tests;
 * - every root is built (tsconfig) and scanned here.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './helpers/repo.js';

const root = repoRoot();

/** Each room and the rooms it may import (besides itself). */
const ROOM_RULES: Readonly<Record<string, readonly string[]>> = {
  proto: [],
  common: [],
  native: ['common'],
  engine: ['proto', 'common', 'native'],
  exporter: ['proto', 'common', 'native'],
  'tee-sim': ['proto', 'common', 'native', 'engine'],
  console: ['proto', 'common', 'native', 'engine'],
  fleet: ['proto', 'common', 'native', 'engine'],
  daemon: ['proto', 'common', 'native', 'engine', 'exporter', 'tee-sim', 'console', 'fleet'],
  cli: ['proto', 'common', 'native', 'engine', 'exporter', 'tee-sim', 'console', 'fleet', 'daemon'],
  bench: [
    'proto',
    'common',
    'native',
    'engine',
    'exporter',
    'tee-sim',
    'console',
    'fleet',
    'daemon',
    'cli',
  ],
  test: [
    'proto',
    'common',
    'native',
    'engine',
    'exporter',
    'tee-sim',
    'console',
    'fleet',
    'daemon',
    'cli',
    'bench',
  ],
};

/** What tee-sim may use of the engine: the pure model, attestation formats, the TPM types and the
 * agent port the engine declares; never its server, store or composition. */
const ENGINE_FOR_TEE_SIM =
  /^engine\/(event|measure|contour|ns|attest|tpm)\/|^engine\/trust\/(agent-port|tpm-serial)\.ts$/;

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const rel = join(dir, name);
    if (rel === join('proto', 'gen') || rel === join('proto', 'released')) continue;
    if (statSync(join(root, rel)).isDirectory()) out.push(...sources(rel));
    else if (name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

const rooms = Object.keys(ROOM_RULES);
const files = rooms.filter((r) => existsSync(join(root, r))).flatMap(sources);

interface Imports {
  /** Repo-relative .ts files, with whether the import is type-only. */
  readonly local: { file: string; typeOnly: boolean }[];
  readonly specifiers: string[];
}
const graph = new Map<string, Imports>();
for (const f of files) {
  const text = readFileSync(join(root, f), 'utf8');
  const imports: Imports = { local: [], specifiers: [] };
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[2] ?? m[3]!;
    imports.specifiers.push(spec);
    if (!spec.startsWith('.')) continue;
    const target = normalize(join(dirname(f), spec.replace(/\.js$/, '.ts')));
    if (existsSync(join(root, target)))
      imports.local.push({ file: target, typeOnly: m[1] !== undefined });
  }
  graph.set(f, imports);
}

const roomOf = (f: string) => f.split('/')[0]!;
const isTest = (f: string) => f.endsWith('.test.ts') || f.startsWith('test/');

/** Every file `f` reaches through local imports (type-only included), itself excluded. */
function reach(f: string, seen = new Set<string>()): Set<string> {
  for (const { file } of graph.get(f)?.local ?? []) {
    if (seen.has(file)) continue;
    seen.add(file);
    reach(file, seen);
  }
  return seen;
}

/** The console's browser code: a world of its own (DOM, no Node), importing only itself. */
const BROWSER = 'console/web/';

/** Why `from` may not import `to`, or undefined when the rules allow it. */
function violation(from: string, to: string): string | undefined {
  const a = roomOf(from);
  const b = roomOf(to);
  if (from.startsWith(BROWSER) !== to.startsWith(BROWSER))
    return from.startsWith(BROWSER)
      ? 'browser code imports only browser code'
      : 'imports browser code';
  if (to.startsWith('test/helpers/') && isTest(from)) return undefined; // checked through reach()
  if (isTest(to) && !isTest(from)) return 'imports a test';
  if (a === b) return undefined;
  if (!ROOM_RULES[a]!.includes(b)) return `${a} may not import ${b}`;
  if (a === 'tee-sim' && b === 'engine' && !ENGINE_FOR_TEE_SIM.test(to))
    return 'tee-sim may use only the engine model, formats and ports';
  return undefined;
}

test('rooms import only the rooms below them (tests included, helpers followed)', () => {
  const offenders: string[] = [];
  for (const f of graph.keys()) {
    // A test in a room is held to that room's rules, through any helper it uses.
    const targets = f.startsWith('test/') ? [] : [...reach(f)];
    const direct = graph.get(f)!.local.map((l) => l.file);
    for (const t of new Set([...direct, ...targets])) {
      const why =
        t.startsWith('test/helpers/') && !isTest(f) ? 'imports a test helper' : violation(f, t);
      if (why) offenders.push(`${f} -> ${t}: ${why}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('no import cycles between rooms (engine counted by its sub-rooms)', () => {
  const unit = (f: string) =>
    f.startsWith('engine/') && f.split('/').length > 2
      ? f.split('/').slice(0, 2).join('/')
      : roomOf(f);
  const edges = new Map<string, Set<string>>();
  for (const [f, imports] of graph) {
    if (isTest(f)) continue;
    for (const { file } of imports.local) {
      if (unit(file) !== unit(f))
        (edges.get(unit(f)) ?? edges.set(unit(f), new Set()).get(unit(f))!).add(unit(file));
    }
  }
  assert.deepEqual(cycles(edges), []);
});

test('no runtime import cycles between files', () => {
  const edges = new Map<string, Set<string>>();
  for (const [f, imports] of graph)
    edges.set(f, new Set(imports.local.filter((l) => !l.typeOnly).map((l) => l.file)));
  assert.deepEqual(cycles(edges), []);
});

function cycles(edges: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const state = new Map<string, 1 | 2>();
  const found: string[] = [];
  const visit = (n: string, path: string[]) => {
    state.set(n, 1);
    for (const t of edges.get(n) ?? []) {
      if (state.get(t) === 1) found.push([...path.slice(path.indexOf(t)), t].join(' -> '));
      else if (!state.has(t)) visit(t, [...path, t]);
    }
    state.set(n, 2);
  };
  for (const n of edges.keys()) if (!state.has(n)) visit(n, [n]);
  return found;
}

test('pure model code imports no I/O, clock-driven or transport modules', () => {
  const pure = [...graph.keys()].filter(
    (f) =>
      /^engine\/(measure|contour|event|incident|landlock)\//.test(f) ||
      (/^engine\/ima\//.test(f) && !f.includes('/io/'))
  );
  const banned =
    /^(node:(fs|net|http|http2|child_process|worker_threads|dgram)|fs|level|rxjs|@grpc\/)/;
  const offenders = pure
    .filter((f) => !isTest(f))
    .flatMap((f) =>
      graph
        .get(f)!
        .specifiers.filter((s) => banned.test(s))
        .map((s) => `${f} imports ${s}`)
    );
  assert.deepEqual(offenders, []);
});

test('only the wire edge imports generated proto code', () => {
  const protoUsers = [...graph.keys()].filter((f) =>
    graph.get(f)!.specifiers.some((s) => s.includes('proto/gen/'))
  );
  const allowed =
    /^(engine\/server\/|exporter\/|fleet\/(nats|watch)\/|cli\/|bench\/|test\/|proto\/)/;
  assert.deepEqual(
    protoUsers.filter((f) => !allowed.test(f) && !isTest(f)),
    []
  );
});

test('only the fleet room talks NATS (its benchmark and tests aside)', () => {
  const natsUsers = [...graph.keys()].filter(
    (f) => !isTest(f) && graph.get(f)!.specifiers.some((s) => s.startsWith('@nats-io/'))
  );
  assert.ok(natsUsers.length > 0, 'the fleet uses the NATS client');
  assert.deepEqual(
    natsUsers.filter((f) => !f.startsWith('fleet/') && !f.startsWith('bench/')),
    []
  );
});

test('every source root is built by tsconfig and scanned here', () => {
  const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as {
    include: string[];
  };
  assert.deepEqual([...tsconfig.include].sort(), [...rooms].sort(), 'tsconfig include = the rooms');
  const ignored = new Set(['node_modules', 'dist', 'build', '.git']);
  const unscanned = readdirSync(root)
    .filter(
      (d) => !ignored.has(d) && !d.startsWith('dist-') && statSync(join(root, d)).isDirectory()
    )
    .filter((d) => !rooms.includes(d) && sources(d).length > 0);
  assert.deepEqual(unscanned, [], 'folders with TypeScript that no rule covers');
});

test('the console browser code imports only itself, uPlot types aside, and builds with the DOM', () => {
  const browser = [...graph.keys()].filter((f) => f.startsWith(BROWSER));
  assert.ok(browser.length > 0, 'console/web has sources');
  const offenders = browser.flatMap((f) => {
    const text = readFileSync(join(root, f), 'utf8');
    return graph
      .get(f)!
      .specifiers.filter((s) => !s.startsWith('./') && !s.startsWith('../'))
      .filter((s) => s !== 'uplot' || !/import type \w+ from 'uplot'/.test(text))
      .map((s) => `${f} imports ${s}`);
  });
  assert.deepEqual(offenders, [], 'the page loads the vendored uPlot itself: types only');
  const web = JSON.parse(readFileSync(join(root, 'console/web/tsconfig.json'), 'utf8')) as {
    compilerOptions: { lib: string[]; types: string[] };
  };
  assert.ok(web.compilerOptions.lib.includes('DOM'));
  assert.deepEqual(web.compilerOptions.types, [], 'no Node types in browser code');
  const main = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as {
    exclude?: string[];
  };
  assert.ok(main.exclude?.includes('console/web'), 'the Node build leaves the browser code out');
});

test('the rules catch what they are meant to catch', () => {
  assert.match(
    violation('console/web/a.ts', 'engine/event/parse-json.ts') ?? '',
    /browser code imports only browser code/
  );
  assert.match(
    violation('console/server/a.ts', 'console/web/dom.ts') ?? '',
    /imports browser code/
  );
  assert.match(violation('console/server/a.ts', 'daemon/start-engine.ts') ?? '', /console may not/);
  assert.match(
    violation('exporter/a.ts', 'engine/event/parse-json.ts') ?? '',
    /exporter may not import engine/
  );
  assert.match(
    violation('engine/trust/a.ts', 'tee-sim/host/agent-client.ts') ?? '',
    /engine may not import tee-sim/
  );
  assert.match(
    violation('tee-sim/host/a.ts', 'engine/server/auth.ts') ?? '',
    /engine model, formats and ports/
  );
  assert.match(violation('engine/ns/a.ts', 'engine/ns/b.test.ts') ?? '', /imports a test/);
  assert.equal(violation('tee-sim/agent/a.ts', 'engine/ns/namespace-model.ts'), undefined);
  assert.deepEqual(
    cycles(
      new Map([
        ['a', new Set(['b'])],
        ['b', new Set(['a'])],
      ])
    ),
    ['a -> b -> a']
  );
});
