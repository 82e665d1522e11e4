'use client';

import { useCallback, useEffect, useState } from 'react';
import { gqlRequest } from '../../lib/api';
import type { ResultOf } from '../../lib/graphql';
import { readFragment } from '../../lib/graphql';
import { ProjectSummaryFields, ProjectsPageQuery } from '../../lib/projects/project-documents';
import {
  FIRST_PAGE,
  nextPage,
  PAGE_SIZE,
  type PageCursor,
  pageAfterDelete,
  pageNumber,
  previousPage,
} from '../../lib/projects/project-pages';
import { type DisplayError, ErrorMessage, toDisplayError } from '../ErrorMessage';
import { useSignInRedirect } from '../shell/use-sign-in-redirect';
import { CreateProjectForm } from './CreateProjectForm';
import { ProjectRow } from './ProjectRow';

type Connection = ResultOf<typeof ProjectsPageQuery>['projects'];

/** The organization's projects, newest first, a page at a time, with create, rename and delete. */
export function ProjectsPage() {
  const [cursor, setCursor] = useState<PageCursor>(FIRST_PAGE);
  const [page, setPage] = useState<Connection | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<DisplayError | null>(null);
  const [reloads, setReloads] = useState(0);
  const toSignIn = useSignInRedirect();

  const reload = useCallback(() => setReloads((n) => n + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reloads` is the explicit trigger to fetch again.
  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    gqlRequest(ProjectsPageQuery, { first: PAGE_SIZE, after: cursor.after }, { signal: controller.signal })
      .then((data) => {
        setPage(data.projects);
        setError(null);
      })
      .catch((e: unknown) => {
        if (controller.signal.aborted || toSignIn(e)) return;
        setError(toDisplayError(e));
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [cursor, reloads, toSignIn]);

  const projects = (page?.edges ?? []).map((edge) => readFragment(ProjectSummaryFields, edge.node));

  return (
    <div className="stack">
      <div className="page-head">
        <h1>Projects</h1>
      </div>
      <CreateProjectForm
        onCreated={() => {
          // Newest first: the new project is at the top of the first page.
          if (cursor === FIRST_PAGE) reload();
          else setCursor(FIRST_PAGE);
        }}
      />
      <section className="card" aria-labelledby="project-list-title" aria-busy={loading}>
        <div className="card-head">
          <h2 id="project-list-title">Your projects</h2>
          <button type="button" className="secondary" onClick={reload} disabled={loading}>
            Refresh
          </button>
        </div>
        <ErrorMessage error={error} testId="projects-error" prefix="Could not load projects:" />
        {loading && !page ? <p className="muted">Loading projects…</p> : null}
        {page && projects.length === 0 && !loading ? (
          <p className="muted">No projects yet. Create one above to start drawing regions.</p>
        ) : null}
        {projects.length > 0 ? (
          <ul className="project-list">
            {projects.map((project) => (
              <ProjectRow
                key={project.id}
                project={project}
                onRenamed={reload}
                onDeleted={() => {
                  const next = pageAfterDelete(cursor, projects.length - 1);
                  if (next === cursor) reload();
                  else setCursor(next);
                }}
              />
            ))}
          </ul>
        ) : null}
        <nav className="pager" aria-label="Project pages">
          <button
            type="button"
            className="secondary"
            onClick={() => setCursor(previousPage(cursor))}
            disabled={loading || cursor.previous.length === 0}
          >
            ← Newer
          </button>
          <span className="muted small">Page {pageNumber(cursor)}</span>
          <button
            type="button"
            className="secondary"
            onClick={() => setCursor(nextPage(cursor, page?.pageInfo.endCursor ?? null))}
            disabled={loading || !page?.pageInfo.hasNextPage}
          >
            Older →
          </button>
        </nav>
      </section>
    </div>
  );
}
