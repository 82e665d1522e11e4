import { describe, expect, it } from 'vitest';
import { GraphQLRequestError } from '../lib/graphql-client';
import {
  apiKeyNameError,
  apiKeyState,
  maskedKey,
  revokeWarning,
  validateApiKeyName,
} from '../lib/settings/api-key-form';

describe('validateApiKeyName', () => {
  it('accepts 1-100 characters after trimming and refuses blank or longer names', () => {
    expect(validateApiKeyName('  CI  ')).toBeNull();
    expect(validateApiKeyName('k'.repeat(100))).toBeNull();
    expect(validateApiKeyName('   ')).toMatch(/name/);
    expect(validateApiKeyName('k'.repeat(101))).toMatch(/100/);
  });
});

describe('apiKeyNameError', () => {
  const entry = (code: string, extensions: Record<string, unknown>) => ({
    message: 'API key names are 1-100 characters',
    code,
    path: null,
    extensions,
  });

  it("puts the API's BAD_USER_INPUT on the name field with its code", () => {
    const error = new GraphQLRequestError('BAD_USER_INPUT', 'bad', {
      errors: [entry('BAD_USER_INPUT', { code: 'BAD_USER_INPUT', field: 'name' })],
    });
    expect(apiKeyNameError(error)).toBe('API key names are 1-100 characters (BAD_USER_INPUT)');
  });

  it('leaves errors about anything else to the caller', () => {
    const other = new GraphQLRequestError('NOT_FOUND', 'gone', { errors: [entry('NOT_FOUND', {})] });
    expect(apiKeyNameError(other)).toBeNull();
    expect(apiKeyNameError(new Error('offline'))).toBeNull();
  });
});

describe('key display', () => {
  it('shows only the prefix and whether the key is revoked', () => {
    expect(maskedKey('abc123def456')).toBe('pk_abc123def456_…');
    expect(apiKeyState({ revokedAt: null })).toBe('active');
    expect(apiKeyState({ revokedAt: '2026-01-01T00:00:00Z' })).toBe('revoked');
  });

  it('warns that revoking the current key signs the caller out', () => {
    expect(revokeWarning({ name: 'web', current: true })).toMatch(/signs you out/);
    expect(revokeWarning({ name: 'ci', current: false })).not.toMatch(/signs you out/);
  });
});
