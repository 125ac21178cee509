#!/usr/bin/env node
'use strict';
// The `imp-lab` command: a thin shim over the compiled CLI.
const path = require('node:path');
const fs = require('node:fs');
const main = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(main)) {
  console.error(`imp-lab: ${main} is missing; run 'npm run build' (or 'npm start') first.`);
  process.exit(1);
}
require(main).main(process.argv.slice(2)).then(
  (code) => process.exit(code ?? 0),
  (err) => { console.error(err && err.stack ? err.stack : String(err)); process.exit(1); },
);
