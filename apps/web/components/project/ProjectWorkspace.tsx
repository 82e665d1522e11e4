'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';
import { gqlRequest } from '../../lib/api';
import { type ResultOf, readFragment } from '../../lib/graphql';
import { ProjectHeaderQuery, ProjectSummaryFields } from '../../lib/projects/project-documents';
import { HOME_PATH } from '../../lib/session';
import { type DisplayError, ErrorMessage, toDisplayError } from '../ErrorMessage';
import { ProjectEditor } from '../editor/ProjectEditor';
import { RunsPanel } from '../runs/RunsPanel';
import { useSignInRedirect } from '../shell/use-sign-in-redirect';

type Project = ResultOf<typeof ProjectSummaryFields>;

/** One project's page: its header here; the editor, references and runs panels mount below it. */
export function ProjectWorkspace({ projectId }: { projectId: string }) {
  const [project, setProject] = useState<Project | null>(null);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<DisplayError | null>(null);
  const toSignIn = useSignInRedirect();

  useEffect(() => {
    const controller = new AbortController();
    gqlRequest(ProjectHeaderQuery, { id: projectId }, { signal: controller.signal })
      .then((data) => {
        if (data.project) setProject(readFragment(ProjectSummaryFields, data.project));
        else setMissing(true);
      })
      .catch((e: unknown) => {
        if (controller.signal.aborted || toSignIn(e)) return;
        setError(toDisplayError(e));
      });
    return () => controller.abort();
  }, [projectId, toSignIn]);

  if (error)
    return <ErrorMessage error={error} testId="project-error" prefix="Could not load the project:" />;
  if (missing) {
    return (
      <section className="card empty">
        <h1>Project not found</h1>
        <p className="muted">It may have been deleted, or it belongs to another organization.</p>
        <Link href={HOME_PATH}>Back to your projects</Link>
      </section>
    );
  }
  if (!project) return <p className="muted">Loading project…</p>;

  return (
    <div className="workspace" data-project-id={project.id}>
      <div className="page-head">
        <nav aria-label="Breadcrumb" className="small">
          <Link href={HOME_PATH}>Projects</Link> /
        </nav>
        <h1>{project.name}</h1>
        <p className="muted">
          Canvas {project.width} × {project.height} px
        </p>
      </div>
      <ProjectEditor projectId={project.id} />
      <RunsPanel projectId={project.id} />
    </div>
  );
}
