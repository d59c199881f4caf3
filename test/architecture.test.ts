/**
 * House rules checked over the sources: no runtime import cycles; pure model code (measure,
 * contour, event, ima without io/) imports no I/O, RxJS, gRPC or LevelDB; generated code stays apart;
 * nothing imports tests.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './helpers/repo.js';

const root = repoRoot();
const IMPORT = /^(?:import|export)\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) out.push(...sources(rel));
    else if (name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

const files = ['engine', 'exporter', 'tee-sim', 'cli', 'bench', 'test'].flatMap(sources).concat(['proto/load.ts']);
/** Runtime imports (type-only ones are erased) per file, resolved to repo-relative .ts paths. */
const graph = new Map<string, { runtime: string[]; specifiers: string[] }>();
for (const f of files) {
  const text = readFileSync(join(root, f), 'utf8');
  const runtime: string[] = [];
  const specifiers: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    specifiers.push(m[2]!);
    if (m[1] || !m[2]!.startsWith('.')) continue;
    const target = normalize(join(dirname(f), m[2]!.replace(/\.js$/, '.ts')));
    if (existsSync(join(root, target))) runtime.push(target);
  }
  graph.set(f, { runtime, specifiers });
}

test('no runtime import cycles', () => {
  const state = new Map<string, 1 | 2>();
  const cycles: string[] = [];
  const visit = (f: string, path: string[]) => {
    state.set(f, 1);
    for (const t of graph.get(f)?.runtime ?? []) {
      if (state.get(t) === 1) cycles.push([...path.slice(path.indexOf(t)), t].join(' -> '));
      else if (!state.has(t)) visit(t, [...path, t]);
    }
    state.set(f, 2);
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f, [f]);
  assert.deepEqual(cycles, []);
});

test('pure model code imports no I/O, clock-driven or transport modules', () => {
  const pure = [...graph.keys()].filter((f) => /^engine\/(measure|contour|event)\//.test(f) || (/^engine\/ima\//.test(f) && !f.includes('/io/')));
  const banned = /^(node:(fs|net|http|http2|child_process|worker_threads|dgram)|fs|level|rxjs|@grpc\/)/;
  const offenders = pure
    .filter((f) => !f.endsWith('.test.ts'))
    .flatMap((f) => graph.get(f)!.specifiers.filter((s) => banned.test(s)).map((s) => `${f} imports ${s}`));
  assert.deepEqual(offenders, []);
});

test('only the wire edge imports generated proto code; nothing imports tests', () => {
  const protoUsers = [...graph.keys()].filter((f) => graph.get(f)!.specifiers.some((s) => s.includes('proto/gen/')));
  const allowed = /^(engine\/server\/|exporter\/|cli\/|bench\/|test\/|proto\/)/;
  assert.deepEqual(protoUsers.filter((f) => !allowed.test(f)), []);
  const testImports = [...graph.keys()]
    .filter((f) => !f.startsWith('test/') && !f.endsWith('.test.ts'))
    .flatMap((f) => graph.get(f)!.runtime.filter((t) => t.startsWith('test/') || t.endsWith('.test.ts')).map((t) => `${f} -> ${relative('.', t)}`));
  assert.deepEqual(testImports, []);
});
