#!/usr/bin/env node
// The package's own bin: the compiled CLI (built by `npm ci` through the prepare script).
import { endQuietlyOnClosedStdout, main, registerIfDaemon } from '../dist/cli/main.js';

const argv = process.argv.slice(2);
registerIfDaemon(argv);
endQuietlyOnClosedStdout();
main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // main() answers every error itself; reaching here is a bug (exit status 70, EX_SOFTWARE).
    process.stderr.write(
      `tsem: internal error: ${err instanceof Error ? err.message : String(err)}\n`
    );
    process.exitCode = 70;
  }
);
