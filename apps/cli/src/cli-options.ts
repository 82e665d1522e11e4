import type { ParseArgsConfig } from 'node:util';

/** Every flag any command takes; each command lists the ones it accepts. */
export const CLI_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  url: { type: 'string' },
  'api-key': { type: 'string' },
  mode: { type: 'string' },
  strategy: { type: 'string' },
  'max-iterations': { type: 'string' },
  'target-score': { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  watch: { type: 'boolean' },
  after: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'confirm-self': { type: 'boolean' },
  'database-url': { type: 'string' },
  'key-file': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export type Flag = keyof typeof CLI_OPTIONS;

export type Flags = {
  [K in Flag]?: (typeof CLI_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

/** Flags every API command takes. */
export const API_FLAGS: readonly Flag[] = ['url', 'api-key'];
