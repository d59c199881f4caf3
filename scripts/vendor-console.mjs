#!/usr/bin/env node
// `npm run vendor`: copies the built files of the pinned uPlot (a dev dependency) into the web
// console's shipped assets. The console never loads anything from elsewhere; a test checks that
// the copies match the installed package.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'node_modules', 'uplot');
const to = join(root, 'console', 'static', 'vendor');
mkdirSync(to, { recursive: true });
for (const [src, dst] of [
  ['dist/uPlot.iife.min.js', 'uPlot.iife.min.js'],
  ['dist/uPlot.min.css', 'uPlot.min.css'],
  ['LICENSE', 'uPlot.LICENSE.txt'],
]) {
  copyFileSync(join(from, src), join(to, dst));
  process.stdout.write(`console/static/vendor/${dst}\n`);
}
