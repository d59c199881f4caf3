/**
 * Every citation of a document in code, help text and Markdown resolves inside the repository:
 * a named `.md` file exists, and a cited `§N.M` is a numbered heading of the document it refers
 * to (or an item of a numbered list under heading N). A bare `§` refers to the document named
 * earlier on its line, else to the first document the file names, else to its room's reference
 * (docs/ima.md for IMA code, docs/tsem-model.md otherwise); a Markdown file's bare `§` refers to
 * itself. Sections of outside specifications (RFC, TPM "Part N", PKCS) are not ours to check.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './helpers/repo.js';

const root = repoRoot();
const SKIP_DIRS = new Set(['node_modules', 'dist', 'build', '.git', 'gen', 'released', 'vectors']);

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(join(root, dir))) {
    const rel = dir ? join(dir, name) : name;
    if (statSync(join(root, rel)).isDirectory()) {
      if (!SKIP_DIRS.has(name) && !name.startsWith('dist-') && !name.startsWith('.'))
        walk(rel, out);
    } else if (/\.(ts|md)$/.test(name)) out.push(rel);
  }
  return out;
}

/** Section numbers a document defines: `#… N. Title`, `#… N.M Title`, and `N.k` for the k-th item
 * of a numbered list directly under heading N. */
function sectionsOf(doc: string): Set<string> {
  const out = new Set<string>();
  let current: string | undefined;
  for (const line of readFileSync(join(root, doc), 'utf8').split('\n')) {
    const h = /^#+\s+(\d+(?:\.\d+)*)\.?\s/.exec(line);
    if (h) {
      current = h[1]!;
      out.add(current);
      continue;
    }
    if (/^#/.test(line)) current = undefined;
    const item = /^(\d+)\.\s/.exec(line);
    if (item && current && !current.includes('.')) out.add(`${current}.${item[1]}`);
  }
  return out;
}

const DOC_NAME = /\/?(?:[\w.-]+\/)*[\w.-]+\.md\b/g;
const SECTION = /§\s?(\d+(?:\.\d+)*)(?:\s?[–-]\s?§?(\d+(?:\.\d+)*))?/g;
/** Names of outside specifications whose sections code cites. */
const OUTSIDE_SPEC = /\b(RFC\s?\d+|Part\s\d|PKCS\s?#?\d+|FIPS|SEC\s?1|TPM 2\.0 Library|TCG)\b/g;

/** Where the last match of `re` in `text` starts, or -1. */
function lastIndex(re: RegExp, text: string): number {
  let at = -1;
  for (const m of text.matchAll(re)) at = m.index;
  return at;
}

/** A document name as written in `file`, resolved to a repo path, or undefined if absolute. */
function resolveDoc(name: string, file: string): string | undefined {
  if (name.startsWith('/')) return undefined; // data, e.g. a simulated home directory
  if (!name.includes('/'))
    return existsSync(join(root, 'docs', name))
      ? join('docs', name)
      : normalize(join(dirname(file), name));
  const fromRoot = normalize(name.replace(/^\.\//, ''));
  if (existsSync(join(root, fromRoot))) return fromRoot;
  return normalize(join(dirname(file), name));
}

function roomDefault(file: string): string {
  if (file.endsWith('.md') && file.startsWith('docs/')) return file;
  return /(^|\/)ima[^/]*(\/|\.)|\/ima\//.test(file) ? 'docs/ima.md' : 'docs/tsem-model.md';
}

interface Citation {
  readonly where: string;
  readonly doc: string;
  readonly section?: string;
}

function citations(file: string): Citation[] {
  const text = readFileSync(join(root, file), 'utf8');
  const isMd = file.endsWith('.md');
  const named = [...text.matchAll(DOC_NAME)]
    .map((m) => resolveDoc(m[0], file))
    .filter((d): d is string => d !== undefined);
  // A file that names an outside specification before any document of ours cites that spec.
  const firstDoc = text.search(DOC_NAME);
  const firstSpec = text.search(OUTSIDE_SPEC);
  const outsideFile =
    firstSpec >= 0 &&
    (firstDoc < 0 || firstSpec < firstDoc) &&
    !named.some((d) => d.startsWith('docs/'));
  const fileDefault =
    (isMd ? undefined : named.find((d) => d.startsWith('docs/'))) ?? roomDefault(file);
  const out: Citation[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const where = `${file}:${i + 1}`;
    for (const m of line.matchAll(DOC_NAME)) {
      const doc = resolveDoc(m[0], file);
      if (doc) out.push({ where, doc });
    }
    for (const m of line.matchAll(SECTION)) {
      // A citation wrapped onto the next line still names its document on the line before.
      const before = `${lines[i - 1] ?? ''}\n${line.slice(0, m.index)}`;
      const names = [...before.matchAll(DOC_NAME)]
        .map((n) => resolveDoc(n[0], file))
        .filter((d): d is string => d !== undefined);
      if (lastIndex(OUTSIDE_SPEC, before) > lastIndex(DOC_NAME, before)) continue;
      if (names.length === 0 && outsideFile) continue;
      const doc = names.at(-1) ?? fileDefault;
      out.push({ where, doc, section: m[1] });
      if (m[2])
        out.push({
          where,
          doc,
          section:
            m[2].includes('.') || !m[1]!.includes('.') ? m[2] : `${m[1]!.split('.')[0]}.${m[2]}`,
        });
    }
  });
  return out;
}

const sectionCache = new Map<string, Set<string>>();
function dead(c: Citation): string | undefined {
  if (!existsSync(join(root, c.doc))) return `${c.where}: ${c.doc} does not exist`;
  if (c.section === undefined || !c.doc.endsWith('.md')) return undefined;
  let s = sectionCache.get(c.doc);
  if (!s) sectionCache.set(c.doc, (s = sectionsOf(c.doc)));
  return s.has(c.section) ? undefined : `${c.where}: ${c.doc} has no section §${c.section}`;
}

test('every document and section cited in code, help and Markdown exists in the repository', () => {
  // This file cites dead documents on purpose (below).
  const all = walk('')
    .filter((f) => f !== 'test/doc-citations.test.ts')
    .flatMap(citations);
  assert.ok(
    all.filter((c) => c.section).length > 200,
    "the scan finds the code base's § citations"
  );
  assert.deepEqual(all.map(dead).filter(Boolean), []);
});

test('the citation check reports a dead document and a dead section', () => {
  assert.equal(
    dead({ where: 'x:1', doc: 'docs/no-such.md' }),
    'x:1: docs/no-such.md does not exist'
  );
  assert.equal(
    dead({ where: 'x:1', doc: 'docs/tsem-model.md', section: '2.99' }),
    'x:1: docs/tsem-model.md has no section §2.99'
  );
  assert.equal(dead({ where: 'x:1', doc: 'docs/tsem-model.md', section: '2.6' }), undefined);
  assert.equal(
    dead({ where: 'x:1', doc: 'docs/ima.md', section: '8.8' }),
    undefined,
    'a numbered item under §8'
  );
});
