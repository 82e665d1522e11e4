import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printSdl } from '../src/print-sdl.ts';

describe('printed SDL', () => {
  it('matches the committed schema.graphql (run `pnpm --filter @pakati/schema sdl:write` after a schema change)', () => {
    const committed = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');
    expect(printSdl()).toBe(committed);
  });

  it('models run events as an interface with one concrete type per event', () => {
    const sdl = printSdl();
    expect(sdl).toContain('interface RunEvent');
    for (const type of ['Queued', 'Started', 'Progress', 'Completed', 'Failed', 'Cancelled']) {
      expect(sdl).toMatch(new RegExp(`type Run${type}Event implements RunEvent`));
    }
    expect(sdl).toMatch(/runEvents\(after: Int, runId: ID!\): RunEvent!/);
  });
});
