import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const screenshotDir = join(repoRoot, 'artifacts', 'screenshots');
export const generatedDir = join(repoRoot, 'artifacts', 'generated');
