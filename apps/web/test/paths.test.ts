import { describe, expect, it } from 'vitest';
import { galleryPath, projectPath, runPath } from '../lib/paths';

describe('page paths', () => {
  it('keeps each base64 id in one path segment that decodes back to it', () => {
    const projectId = 'UHJvamVjdDox+/Q=';
    const runId = 'UnVuOjI/+w==';
    const path = runPath(projectId, runId);
    const [, projects, project, runs, run] = path.split('/');
    expect([projects, runs]).toEqual(['projects', 'runs']);
    expect(decodeURIComponent(project!)).toBe(projectId);
    expect(decodeURIComponent(run!)).toBe(runId);
    expect(galleryPath(projectId)).toBe(`${projectPath(projectId)}/gallery`);
    expect(projectPath(projectId)).toBe('/projects/UHJvamVjdDox%2B%2FQ%3D');
  });
});
