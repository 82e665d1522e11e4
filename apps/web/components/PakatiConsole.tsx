'use client';

import { type FormEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { API_KEY_STORAGE_KEY } from '../lib/config';
import { type ApiClient, createApiClient, isUnauthenticated } from '../lib/graphql-client';
import {
  type Organization,
  PROJECTS_QUERY,
  type ProjectSummary,
  type ProjectsData,
  VIEWER_QUERY,
  type ViewerData,
} from '../lib/operations';
import { CreateProjectForm } from './CreateProjectForm';
import { type DisplayError, ErrorMessage, toDisplayError } from './ErrorMessage';
import { ProjectPanel } from './ProjectPanel';

interface Session {
  apiKey: string;
  organization: Organization;
}

function readStoredKey(): string | null {
  try {
    return window.localStorage.getItem(API_KEY_STORAGE_KEY);
  } catch {
    return null;
  }
}

function writeStoredKey(key: string | null): void {
  try {
    if (key) window.localStorage.setItem(API_KEY_STORAGE_KEY, key);
    else window.localStorage.removeItem(API_KEY_STORAGE_KEY);
  } catch {
    // Storage can be unavailable (private mode, disabled); the key then lives only in this tab.
  }
}

function describeKeyError(error: unknown): DisplayError {
  const display = toDisplayError(error);
  if (isUnauthenticated(error)) {
    return { code: display.code, message: `API key rejected: ${display.message}` };
  }
  return display;
}

export function PakatiConsole({ apiUrl, devApiKey }: { apiUrl: string; devApiKey: string | null }) {
  const [keyInput, setKeyInput] = useState(devApiKey ?? '');
  const [session, setSession] = useState<Session | null>(null);
  const [checkingKey, setCheckingKey] = useState(false);
  const [keyError, setKeyError] = useState<DisplayError | null>(null);
  const attempt = useRef(0);

  const [projects, setProjects] = useState<ProjectSummary[] | null>(null);
  const [projectsLoading, setProjectsLoading] = useState(false);
  const [projectsError, setProjectsError] = useState<DisplayError | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  // Kept so a freshly created project stays selectable even if it is not among the first 50 listed.
  const [lastCreated, setLastCreated] = useState<ProjectSummary | null>(null);

  const api: ApiClient | null = useMemo(
    () => (session ? createApiClient(apiUrl, session.apiKey) : null),
    [apiUrl, session],
  );

  /** Any request that comes back UNAUTHENTICATED drops the session and reports it at the key field. */
  const handleUnauthenticated = useCallback((error: unknown) => {
    attempt.current += 1;
    setCheckingKey(false);
    setSession(null);
    setProjects(null);
    setSelectedId(null);
    setKeyError(describeKeyError(error));
  }, []);

  const connect = useCallback(
    async (rawKey: string) => {
      const key = rawKey.trim();
      const current = ++attempt.current;
      setKeyError(null);
      if (!key) {
        setSession(null);
        setKeyError({ code: 'BAD_USER_INPUT', message: 'Enter an API key.' });
        return;
      }
      setCheckingKey(true);
      try {
        const data = await createApiClient(apiUrl, key).request<ViewerData>(VIEWER_QUERY);
        if (current !== attempt.current) return;
        writeStoredKey(key);
        setSession({ apiKey: key, organization: data.viewer.organization });
      } catch (error) {
        if (current !== attempt.current) return;
        setSession(null);
        setKeyError(describeKeyError(error));
      } finally {
        if (current === attempt.current) setCheckingKey(false);
      }
    },
    [apiUrl],
  );

  // On first load: a dev key handed down by the server wins over the stored one.
  useEffect(() => {
    const initial = devApiKey ?? readStoredKey();
    if (initial) {
      setKeyInput(initial);
      void connect(initial);
    }
  }, [devApiKey, connect]);

  const projectsRequest = useRef(0);
  const loadProjects = useCallback(async () => {
    const current = ++projectsRequest.current;
    if (!api) {
      setProjectsLoading(false);
      return;
    }
    setProjectsLoading(true);
    setProjectsError(null);
    try {
      const data = await api.request<ProjectsData>(PROJECTS_QUERY, { first: 50 });
      if (current !== projectsRequest.current) return;
      setProjects(data.projects.edges.map((edge) => edge.node));
    } catch (error) {
      if (current !== projectsRequest.current) return;
      if (isUnauthenticated(error)) handleUnauthenticated(error);
      else setProjectsError(toDisplayError(error));
    } finally {
      if (current === projectsRequest.current) setProjectsLoading(false);
    }
  }, [api, handleUnauthenticated]);

  useEffect(() => {
    setProjects(null);
    setSelectedId(null);
    void loadProjects();
  }, [loadProjects]);

  function onKeySubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void connect(keyInput);
  }

  function forgetKey() {
    attempt.current += 1;
    writeStoredKey(null);
    setKeyInput('');
    setSession(null);
    setKeyError(null);
    setCheckingKey(false);
  }

  function onProjectCreated(project: ProjectSummary) {
    setProjects((list) => [project, ...(list ?? []).filter((p) => p.id !== project.id)]);
    setLastCreated(project);
    setSelectedId(project.id);
    void loadProjects();
  }

  const selected =
    projects?.find((p) => p.id === selectedId) ?? (lastCreated?.id === selectedId ? lastCreated : null);

  return (
    <div className="page">
      <header className="topbar">
        <h1>Pakati</h1>
        <form className="key-form" onSubmit={onKeySubmit}>
          <label className="field inline">
            <span>API key</span>
            <input
              data-testid="api-key-input"
              type="password"
              autoComplete="off"
              spellCheck={false}
              placeholder="pk_…"
              value={keyInput}
              onChange={(e) => setKeyInput(e.target.value)}
            />
          </label>
          <button type="submit" data-testid="api-key-submit" disabled={checkingKey}>
            {checkingKey ? 'Checking…' : 'Connect'}
          </button>
          {session || keyInput ? (
            <button type="button" className="secondary" onClick={forgetKey}>
              Forget
            </button>
          ) : null}
        </form>
        <div className="org">
          {session ? (
            <span>
              Organization: <strong data-testid="org-name">{session.organization.name}</strong>
            </span>
          ) : (
            <span className="muted">Not connected</span>
          )}
        </div>
      </header>
      <ErrorMessage error={keyError} testId="api-key-error" />
      <p className="muted small">
        API: <code>{apiUrl}</code>
      </p>

      {api && session ? (
        <main className="layout">
          <aside className="sidebar">
            <section className="card">
              <div className="card-head">
                <h2>Projects</h2>
                <button
                  type="button"
                  className="secondary"
                  onClick={() => void loadProjects()}
                  disabled={projectsLoading}
                >
                  {projectsLoading ? 'Loading…' : 'Refresh'}
                </button>
              </div>
              <ErrorMessage error={projectsError} testId="projects-error" />
              {projects && projects.length === 0 ? <p className="muted">No projects yet.</p> : null}
              <ul className="project-list" data-testid="project-list">
                {(projects ?? []).map((project) => (
                  <li key={project.id}>
                    <button
                      type="button"
                      className={project.id === selectedId ? 'project selected' : 'project'}
                      aria-pressed={project.id === selectedId}
                      data-testid="project-item"
                      data-project-id={project.id}
                      onClick={() => setSelectedId(project.id)}
                    >
                      <span className="project-name">{project.name}</span>
                      <span className="project-size">
                        {project.width} × {project.height}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            </section>
            <CreateProjectForm
              api={api}
              onCreated={onProjectCreated}
              onUnauthenticated={handleUnauthenticated}
            />
          </aside>
          <section className="content">
            {selected ? (
              <ProjectPanel
                key={selected.id}
                api={api}
                apiUrl={apiUrl}
                apiKey={session.apiKey}
                project={selected}
                onUnauthenticated={handleUnauthenticated}
              />
            ) : (
              <div className="card empty">
                <p className="muted">Select a project, or create one.</p>
              </div>
            )}
          </section>
        </main>
      ) : null}
    </div>
  );
}
