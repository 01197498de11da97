#!/usr/bin/env node
// Prints the section of CHANGELOG.md for one version ("## 1.2.3" up to the next "## "),
// the release notes of that tag. Exits 1 naming the heading when there is none.
import { readFileSync } from 'node:fs';

const [version, file = 'CHANGELOG.md'] = process.argv.slice(2);
if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
  console.error(
    `usage: changelog-section.mjs X.Y.Z [CHANGELOG.md]; got ${JSON.stringify(version ?? '')}`,
  );
  process.exit(2);
}
const lines = readFileSync(file, 'utf8').split('\n');
const heading = new RegExp(`^## \\[?${version.replace(/\./g, '\\.')}\\]?(\\s|$)`);
const start = lines.findIndex((l) => heading.test(l));
if (start < 0) {
  console.error(
    `${file} has no "## ${version}" section; add the release's changes under that heading.`,
  );
  process.exit(1);
}
const end = lines.findIndex((l, i) => i > start && /^## /.test(l));
process.stdout.write(
  `${lines
    .slice(start + 1, end < 0 ? undefined : end)
    .join('\n')
    .trim()}\n`,
);
