import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every PT_* name in a source tree. */
export function variablesReadBy(dir: string): Set<string> {
  const names = new Set<string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    for (const [name] of text.matchAll(/PT_[A-Z0-9_]+/g)) names.add(name);
  }
  return names;
}
