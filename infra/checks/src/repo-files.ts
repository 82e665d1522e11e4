import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const repoRoot = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));

export const repoPath = (...parts: string[]) => path.join(repoRoot, ...parts);

export const readRepoFile = (...parts: string[]) => readFileSync(repoPath(...parts), 'utf8');

export const repoFileExists = (...parts: string[]) => existsSync(repoPath(...parts));

/** Files under `dir` (absolute) whose name passes `keep`, recursively, skipping node_modules and build output. */
export function listFiles(dir: string, keep: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === '.next' || entry === 'dist') continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...listFiles(full, keep));
    else if (keep(entry)) out.push(full);
  }
  return out.sort();
}

/**
 * Every document of a YAML text as plain data. Merge keys (`<<: *anchor`) are resolved as Compose does; a syntax
 * error anywhere throws with its position.
 */
export function parseYamlDocuments(text: string, source = 'yaml'): unknown[] {
  return parseAllDocuments(text, { merge: true }).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS({ maxAliasCount: -1 }) as unknown;
  });
}

export type Json = Record<string, unknown>;

export const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value at a dotted path of plain objects, or undefined. */
export function at(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}
