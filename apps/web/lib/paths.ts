/**
 * The app's page paths. Ids are Relay global ids (base64, so `=`, `+` and `/` occur) and are encoded
 * into one path segment each; the pages decode them again.
 */
export const projectPath = (projectId: string) => `/projects/${encodeURIComponent(projectId)}`;

export const galleryPath = (projectId: string) => `${projectPath(projectId)}/gallery`;

export const runPath = (projectId: string, runId: string) =>
  `${projectPath(projectId)}/runs/${encodeURIComponent(runId)}`;
