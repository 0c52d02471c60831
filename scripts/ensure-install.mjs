// Runs `npm ci` when node_modules is missing or older than package-lock.json, so `npm start`
// works straight after a clone or a pull. No dependencies: this runs before any are installed.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lockFile = join(root, 'package-lock.json');
// npm writes this file at the end of every install, so its age is the install's age.
const installMarker = join(root, 'node_modules', '.package-lock.json');

function needsInstall() {
  if (!existsSync(installMarker)) return true;
  return existsSync(lockFile) && statSync(lockFile).mtimeMs > statSync(installMarker).mtimeMs;
}

if (needsInstall()) {
  console.log('node_modules is missing or older than package-lock.json: running npm ci');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const install = () => spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  let result = install();
  if (result.error) {
    console.error(`cannot run ${npm} ci: ${result.error.message}`);
  } else if (result.status !== 0) {
    // Seen once on a fresh clone: a slow registry left esbuild's install script failing. npm ci starts
    // from an empty node_modules, so a second attempt is clean.
    console.error('npm ci failed; trying once more');
    result = install();
  }
  process.exit(result.status ?? 1);
}
