import { describe, expect, it } from 'vitest';
import { GraphQLRequestError, parseGraphQLErrors } from '../lib/graphql-client';
import { apiFieldErrors, validateProjectDraft, validateProjectName } from '../lib/projects/project-forms';
import {
  FIRST_PAGE,
  nextPage,
  pageAfterDelete,
  pageNumber,
  previousPage,
} from '../lib/projects/project-pages';

describe('validateProjectDraft', () => {
  it('trims the name and parses the canvas', () => {
    expect(validateProjectDraft({ name: ' Harbour ', width: '640', height: ' 480' })).toEqual({
      ok: true,
      input: { name: 'Harbour', width: 640, height: 480 },
    });
  });

  it('puts each problem on its field', () => {
    const result = validateProjectDraft({ name: '  ', width: '1.5', height: '5000' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['height', 'name', 'width']);
  });

  it('checks the pixel budget only when both sides are valid', () => {
    const result = validateProjectDraft({ name: 'Big', width: '4096', height: '4096' });
    expect(result.ok).toBe(true);
  });

  it('rejects over-long names', () => {
    expect(validateProjectName('x'.repeat(201))).toMatch(/under 200/);
    expect(validateProjectName('ok')).toBeNull();
  });
});

describe('apiFieldErrors', () => {
  const apiError = (errors: unknown[]) => {
    const entries = parseGraphQLErrors(errors);
    return new GraphQLRequestError(entries[0]?.code ?? 'GRAPHQL_ERROR', 'x', { errors: entries });
  };

  it('maps extensions.field and canvas reasons to fields, with the code', () => {
    const errors = apiFieldErrors(
      apiError([
        { message: 'name must not be empty', extensions: { code: 'BAD_USER_INPUT', field: 'name' } },
        {
          message: 'Canvas width 9000 exceeds',
          extensions: { code: 'CANVAS_TOO_LARGE', reason: 'TOO_WIDE' },
        },
        { message: 'too many pixels', extensions: { code: 'CANVAS_TOO_LARGE', reason: 'TOO_MANY_PIXELS' } },
      ]),
    );
    expect(errors).toEqual({
      name: 'name must not be empty (BAD_USER_INPUT)',
      width: 'Canvas width 9000 exceeds (CANVAS_TOO_LARGE)',
      form: 'too many pixels (CANVAS_TOO_LARGE)',
    });
  });

  it('leaves errors that are not about input to the caller', () => {
    expect(apiFieldErrors(apiError([{ message: 'gone', extensions: { code: 'NOT_FOUND' } }]))).toBeNull();
    expect(apiFieldErrors(new GraphQLRequestError('NETWORK_ERROR', 'down'))).toBeNull();
    expect(apiFieldErrors(new Error('x'))).toBeNull();
  });
});

describe('project pages', () => {
  it('goes forward with endCursor and back through the cursors it saw', () => {
    const second = nextPage(FIRST_PAGE, 'c20');
    const third = nextPage(second, 'c40');
    expect(third).toEqual({ after: 'c40', previous: [null, 'c20'] });
    expect(pageNumber(third)).toBe(3);
    expect(previousPage(third)).toEqual(second);
    expect(previousPage(previousPage(third))).toEqual(FIRST_PAGE);
    expect(previousPage(FIRST_PAGE)).toBe(FIRST_PAGE);
    expect(nextPage(FIRST_PAGE, null)).toBe(FIRST_PAGE);
  });

  it('steps back after deleting the last project of a later page, and stays otherwise', () => {
    const second = nextPage(FIRST_PAGE, 'c20');
    expect(pageAfterDelete(second, 0)).toEqual(FIRST_PAGE);
    expect(pageAfterDelete(second, 3)).toBe(second);
    expect(pageAfterDelete(FIRST_PAGE, 0)).toBe(FIRST_PAGE);
  });
});
