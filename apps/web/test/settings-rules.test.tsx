// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GraphQLRequestError } from '../lib/graphql-client';
import type { RuleSet, RulesApi } from '../lib/settings/rules-api';

const router = { replace: vi.fn(), refresh: vi.fn(), push: vi.fn() };
vi.mock('next/navigation', () => ({ useRouter: () => router, usePathname: () => '/settings' }));

const { RulesSettings } = await import('../components/settings/RulesSettings');

const DEFAULT_TEXT = 'IF quality IS low THEN guidance IS high\nIF quality IS high THEN guidance IS low';

const ruleSet = (patch: Partial<RuleSet> = {}): RuleSet => ({
  text: DEFAULT_TEXT,
  source: 'default',
  version: 0,
  updatedAt: null,
  ...patch,
});

function fakeApi() {
  return {
    ruleSet: vi.fn<RulesApi['ruleSet']>(async (projectId) =>
      projectId ? ruleSet({ source: 'organization', version: 3, text: 'IF a IS b THEN c IS d' }) : ruleSet(),
    ),
    projects: vi.fn<RulesApi['projects']>(async () => [{ id: 'p1', name: 'Harbour' }]),
    update: vi.fn<RulesApi['update']>(async (_projectId, text) =>
      ruleSet({ text, source: 'organization', version: 1, updatedAt: '2026-01-01T00:00:00Z' }),
    ),
    reset: vi.fn<RulesApi['reset']>(async () => ruleSet()),
  };
}

const invalidRules = () =>
  new GraphQLRequestError('INVALID_RULES', "line 2, column 12 ('IZ'): expected IS", {
    errors: [
      {
        message: "line 2, column 12 ('IZ'): expected IS",
        code: 'INVALID_RULES',
        path: ['updateRuleSet'],
        extensions: { code: 'INVALID_RULES', line: 2, column: 12, token: 'IZ', reason: 'UNEXPECTED_TOKEN' },
      },
    ],
  });

/** Replaces the editor's text in one change, as a paste would. */
const setText = (text: string) =>
  fireEvent.change(screen.getByLabelText('Rules'), { target: { value: text } });

afterEach(() => cleanup());

describe('RulesSettings', () => {
  it('shows the rules in force with their source and version, numbered by line', async () => {
    render(<RulesSettings api={fakeApi()} />);
    const editor = (await screen.findByLabelText('Rules')) as HTMLTextAreaElement;
    expect(editor.value).toBe(DEFAULT_TEXT);
    expect(screen.getByTestId('rules-source').textContent).toContain('The shipped default rules · version 0');
    expect(screen.getByTestId('rules-caret').textContent).toBe('Line 1 of 2');
    // Nothing changed yet: nothing to save.
    expect((screen.getByRole('button', { name: 'Save rules' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows an INVALID_RULES error with its line, column and token, and points the editor at the line', async () => {
    const api = fakeApi();
    api.update.mockRejectedValueOnce(invalidRules());
    render(<RulesSettings api={api} />);
    await screen.findByLabelText('Rules');
    const bad = 'IF quality IS low THEN guidance IS high\nIF quality IZ high THEN guidance IS low';
    setText(bad);
    await userEvent.click(screen.getByRole('button', { name: 'Save rules' }));
    expect(api.update).toHaveBeenCalledWith(null, bad);

    const notice = await screen.findByTestId('rules-invalid');
    expect(notice.textContent).toContain("Line 2, column 12 at 'IZ':");
    expect(notice.textContent).toContain('UNEXPECTED_TOKEN');
    // The offending line is quoted with a caret under the column.
    expect(within(notice).getByText(/IF quality IZ high/).textContent).toContain(`\n${' '.repeat(11)}^`);
    const editor = screen.getByLabelText('Rules') as HTMLTextAreaElement;
    expect(editor.getAttribute('aria-invalid')).toBe('true');
    expect(editor.getAttribute('aria-describedby')).toBe(notice.id);
    expect(editor.value).toBe(bad);
    expect(editor.selectionStart).toBe(bad.indexOf('IF quality IZ'));
    expect(screen.getByTestId('rules-caret').textContent).toBe('Line 2 of 2');
  });

  it('saves and shows the new version', async () => {
    const api = fakeApi();
    render(<RulesSettings api={api} />);
    await screen.findByLabelText('Rules');
    setText('IF x IS y THEN z IS w');
    await userEvent.click(screen.getByRole('button', { name: 'Save rules' }));
    expect((await screen.findByRole('status')).textContent).toBe('Saved as version 1.');
    expect(screen.getByTestId('rules-source').textContent).toContain("The organization's rules · version 1");
  });

  it('edits a project through the picker and resets it only after confirmation', async () => {
    const api = fakeApi();
    render(<RulesSettings api={api} />);
    await userEvent.selectOptions(await screen.findByLabelText('Rules of'), 'p1');
    await waitFor(() => expect(screen.getByTestId('rules-source').textContent).toContain('version 3'));
    expect(api.ruleSet).toHaveBeenLastCalledWith('p1');

    await userEvent.click(screen.getByRole('button', { name: 'Reset to default' }));
    expect(api.reset).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole('button', { name: 'Keep them' }));
    await userEvent.click(screen.getByRole('button', { name: 'Reset to default' }));
    await userEvent.click(screen.getByRole('button', { name: 'Reset for good' }));
    expect(api.reset).toHaveBeenCalledWith('p1');
    await waitFor(() =>
      expect(screen.getByTestId('rules-source').textContent).toContain('The shipped default rules'),
    );
  });

  it('shows other save failures as a plain error', async () => {
    const api = fakeApi();
    api.update.mockRejectedValueOnce(new GraphQLRequestError('NETWORK_ERROR', 'Could not reach the API.'));
    render(<RulesSettings api={api} />);
    await screen.findByLabelText('Rules');
    setText('IF x IS y THEN z IS w');
    await userEvent.click(screen.getByRole('button', { name: 'Save rules' }));
    expect((await screen.findByTestId('rules-error')).getAttribute('data-error-code')).toBe('NETWORK_ERROR');
    expect(screen.queryByTestId('rules-invalid')).toBeNull();
  });
});
