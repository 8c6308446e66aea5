// Run by modules/interop's pom (generate-test-resources): `npm ci` when node_modules does not match
// package-lock.json, else nothing, so that a repeated `mvn verify` costs no install.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const lock = createHash('sha256').update(readFileSync(join(here, 'package-lock.json'))).digest('hex');
const stamp = join(here, 'node_modules', '.installed-lock-sha256');
if (existsSync(stamp) && readFileSync(stamp, 'utf8') === lock) {
  console.log('interop: node_modules matches package-lock.json');
} else {
  execSync('npm ci --no-audit --no-fund', { cwd: here, stdio: 'inherit' });
  writeFileSync(stamp, lock);
}
