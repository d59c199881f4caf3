#!/usr/bin/env node
// The package's own bin: the compiled CLI (built by `npm ci` through the prepare script).
import { endQuietlyOnClosedStdout, main } from '../dist/cli/main.js';

endQuietlyOnClosedStdout();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`tsem: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
);
