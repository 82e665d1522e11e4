import { parseRetryAfter } from '@pakati/core';
import { describe, expect, it } from 'vitest';
import { errorFromResponse } from '../src/index.ts';

describe('HTTP error translation', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it.each([
    [429, '{}', 'RATE_LIMITED', true],
    [503, '{}', 'UNAVAILABLE', true],
    [500, '{"error":"CUDA error: out of memory"}', 'OUT_OF_MEMORY', true],
    [401, '{}', 'AUTH', false],
    [422, '{"detail":"bad size"}', 'INVALID_REQUEST', false],
    [504, '', 'TIMEOUT', true],
  ])('maps HTTP %i to %s', async (status, body, kind, retryable) => {
    const res = new Response(body || null, { status, headers: { 'retry-after': '2' } });
    const error = await errorFromResponse('fake', res, (b) => (b as { error?: string }).error);
    expect(error.kind).toBe(kind);
    expect(error.retryable).toBe(retryable);
    expect(error.details.status).toBe(status);
    expect(error.details.retryAfterMs).toBe(2000);
  });
});
