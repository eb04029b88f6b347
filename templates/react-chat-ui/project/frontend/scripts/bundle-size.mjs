// Measures the initial JS of the built app: the entry chunk plus every chunk it imports
// statically (lazy chunks excluded), gzipped. Fails the build above the budget.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 200;
const dist = new URL('../dist/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('.vite/manifest.json', dist), 'utf8'));

const seen = new Set();
function visit(key) {
  if (seen.has(key)) return;
  seen.add(key);
  for (const dep of manifest[key].imports ?? []) visit(dep);
}
for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);

const gzipKB = (file) => gzipSync(readFileSync(new URL(file, dist)), { level: 6 }).length / 1000;
let initial = 0;
for (const key of seen) initial += gzipKB(manifest[key].file);
const lazy = Object.entries(manifest)
  .filter(([key, chunk]) => !seen.has(key) && chunk.file.endsWith('.js'))
  .reduce((sum, [, chunk]) => sum + gzipKB(chunk.file), 0);

console.log(
  `initial JS: ${initial.toFixed(1)} kB gzip (budget ${BUDGET_KB} kB); lazy chunks: ${lazy.toFixed(1)} kB gzip`,
);
if (initial > BUDGET_KB) {
  console.error(`error: initial JS is over the ${BUDGET_KB} kB gzip budget`);
  process.exit(1);
}
