#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/cli/main.js (compiled from src/cli/main.ts).
import('../dist/cli/main.js')
  .then(({ main }) => main(process.argv.slice(2)))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err) => {
    process.stderr.write(`maskflow: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  });
