// @vitest-environment jsdom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const router = { replace: vi.fn(), refresh: vi.fn(), push: vi.fn() };
vi.mock('next/navigation', () => ({ useRouter: () => router, usePathname: () => '/projects' }));

const { ProjectsPage } = await import('../components/projects/ProjectsPage');

type Handler = (variables: Record<string, unknown>) => { status?: number; body: unknown };

/** Answers /api/graphql by operation name (camelCased), recording what was sent. */
function fakeProxy(handlers: Record<string, Handler>) {
  const sent: { operation: string; variables: Record<string, unknown> }[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    expect(url).toBe('/api/graphql');
    const { query, variables } = JSON.parse(String(init.body)) as {
      query: string;
      variables: Record<string, unknown>;
    };
    const operation = /(?:query|mutation)\s+(\w+)/.exec(query)![1]!;
    sent.push({ operation, variables });
    const handler = handlers[operation[0]!.toLowerCase() + operation.slice(1)];
    if (!handler) throw new Error(`unexpected ${operation}`);
    const { status = 200, body } = handler(variables);
    return new Response(JSON.stringify(body), { status });
  });
  return sent;
}

const project = (n: number) => ({
  id: `p${n}`,
  name: `Project ${n}`,
  width: 512,
  height: 384,
  createdAt: `2026-01-0${(n % 9) + 1}T10:00:00Z`,
});

const page = (projects: ReturnType<typeof project>[], hasNextPage = false) => ({
  body: {
    data: {
      projects: {
        edges: projects.map((node) => ({ node })),
        pageInfo: { hasNextPage, endCursor: hasNextPage ? 'cursor-1' : null },
      },
    },
  },
});

beforeEach(() => {
  router.replace.mockReset();
  router.refresh.mockReset();
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('ProjectsPage', () => {
  it('lists projects and pages forward with the end cursor', async () => {
    const sent = fakeProxy({
      projectsPage: (v) => (v.after ? page([project(3)]) : page([project(1), project(2)], true)),
    });
    render(<ProjectsPage />);
    expect(await screen.findByRole('link', { name: 'Project 1' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Project 1' }).getAttribute('href')).toBe('/projects/p1');
    await userEvent.click(screen.getByRole('button', { name: 'Older →' }));
    expect(await screen.findByRole('link', { name: 'Project 3' })).toBeTruthy();
    expect(sent.at(-1)).toEqual({ operation: 'ProjectsPage', variables: { first: 20, after: 'cursor-1' } });
    expect(screen.getByText('Page 2')).toBeTruthy();
  });

  it('checks the new project form before sending, and shows the API verdict next to the field', async () => {
    const sent = fakeProxy({
      projectsPage: () => page([]),
      createProject: () => ({
        body: {
          data: null,
          errors: [
            {
              message: 'Canvas width 4000 exceeds the maximum of 2048',
              extensions: { code: 'CANVAS_TOO_LARGE', reason: 'TOO_WIDE' },
            },
          ],
        },
      }),
    });
    render(<ProjectsPage />);
    await screen.findByText(/No projects yet/);
    await userEvent.click(screen.getByRole('button', { name: 'Create project' }));
    const name = screen.getByLabelText('Name');
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(sent.map((s) => s.operation)).toEqual(['ProjectsPage']);

    await userEvent.type(name, 'Harbour');
    const width = screen.getByLabelText('Width (px)');
    await userEvent.clear(width);
    await userEvent.type(width, '4000');
    await userEvent.click(screen.getByRole('button', { name: 'Create project' }));
    await waitFor(() => expect(width.getAttribute('aria-invalid')).toBe('true'));
    const describedBy = width.getAttribute('aria-describedby')!;
    expect(document.getElementById(describedBy)?.textContent).toContain('CANVAS_TOO_LARGE');
    expect(sent.at(-1)).toEqual({
      operation: 'CreateProject',
      variables: { input: { name: 'Harbour', width: 4000, height: 512 } },
    });
  });

  it('deletes only after confirmation, then reloads the page', async () => {
    let projects = [project(1), project(2)];
    const sent = fakeProxy({
      projectsPage: () => page(projects),
      deleteProject: (v) => {
        projects = projects.filter((p) => p.id !== (v.input as { id: string }).id);
        return { body: { data: { deleteProject: { deletedProjectId: 'p1' } } } };
      },
    });
    render(<ProjectsPage />);
    const row = (await screen.findByRole('link', { name: 'Project 1' })).closest('li')!;
    await userEvent.click(within(row).getByRole('button', { name: 'Delete Project 1' }));
    expect(sent.some((s) => s.operation === 'DeleteProject')).toBe(false);
    await userEvent.click(within(row).getByRole('button', { name: 'Keep it' }));
    await userEvent.click(within(row).getByRole('button', { name: 'Delete Project 1' }));
    await userEvent.click(within(row).getByRole('button', { name: 'Delete for good' }));
    await waitFor(() => expect(screen.queryByRole('link', { name: 'Project 1' })).toBeNull());
    expect(sent.filter((s) => s.operation === 'DeleteProject')).toEqual([
      { operation: 'DeleteProject', variables: { input: { id: 'p1' } } },
    ]);
    expect(screen.getByRole('link', { name: 'Project 2' })).toBeTruthy();
  });

  it('renames inline and keeps a refused name in the form with the reason', async () => {
    fakeProxy({
      projectsPage: () => page([project(1)]),
      renameProject: () => ({
        body: {
          data: null,
          errors: [
            { message: 'name must not be empty', extensions: { code: 'BAD_USER_INPUT', field: 'name' } },
          ],
        },
      }),
    });
    render(<ProjectsPage />);
    const row = (await screen.findByRole('link', { name: 'Project 1' })).closest('li')!;
    await userEvent.click(within(row).getByRole('button', { name: 'Rename Project 1' }));
    const input = within(row).getByLabelText('New name');
    await userEvent.clear(input);
    await userEvent.type(input, 'Dusk');
    await userEvent.click(within(row).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(within(row).getByText(/BAD_USER_INPUT/)).toBeTruthy());
    expect((within(row).getByLabelText('New name') as HTMLInputElement).value).toBe('Dusk');
  });

  it('sends a signed-out visitor to sign-in, and says so when the API is down', async () => {
    fakeProxy({
      projectsPage: () => ({
        status: 401,
        body: { errors: [{ message: 'Sign in first.', extensions: { code: 'UNAUTHENTICATED' } }] },
      }),
    });
    render(<ProjectsPage />);
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/sign-in?next=%2Fprojects'));
    cleanup();

    fakeProxy({
      projectsPage: () => ({
        status: 502,
        body: {
          errors: [{ message: 'The Pakati API cannot be reached.', extensions: { code: 'NETWORK_ERROR' } }],
        },
      }),
    });
    render(<ProjectsPage />);
    const alert = await screen.findByTestId('projects-error');
    expect(alert.getAttribute('data-error-code')).toBe('NETWORK_ERROR');
  });
});
