import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectWithRegion, rawId, START_RUN, type Stack, startStack } from './harness.ts';

const UPDATE_PROJECT = `mutation($input: UpdateProjectInput!) { updateProject(input: $input) { project { id name width height } } }`;
const DELETE_PROJECT = `mutation($input: DeleteProjectInput!) { deleteProject(input: $input) { deletedProjectId } }`;
const PROJECT = `query($id: ID!) { project(id: $id) { id name } }`;
const CANCEL_RUN = `mutation($id: ID!) { cancelRun(id: $id) { run { id status } } }`;

type Errors = { errors?: { extensions?: { code?: string; field?: string } & Record<string, unknown> }[] };
const firstError = (response: Errors) => response.errors?.[0]?.extensions;

let stack: Stack;
beforeAll(async () => {
  // No worker: a started run stays QUEUED until the test cancels it.
  stack = await startStack({ worker: false });
});
afterAll(async () => {
  await stack?.stop();
});

async function rowsOf(table: string, projectId: string): Promise<number> {
  const rows = await stack.platform.orm.em
    .getConnection()
    .execute(`select count(*)::int as n from "${table}" where project_id = ?`, [rawId(projectId)]);
  return Number(rows[0]?.n);
}

describe('updateProject', () => {
  it('renames the project of the caller, trimming the name, and keeps the canvas', async () => {
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    const renamed = await stack.alpha.gql<{ updateProject: { project: { name: string; width: number } } }>(
      UPDATE_PROJECT,
      { input: { id: projectId, name: '  Harbour at dusk  ' } },
    );
    expect(renamed.errors).toBeUndefined();
    expect(renamed.data!.updateProject.project).toMatchObject({ name: 'Harbour at dusk', width: 128 });
    const read = await stack.alpha.gql<{ project: { name: string } }>(PROJECT, { id: projectId });
    expect(read.data!.project.name).toBe('Harbour at dusk');
  });

  it('rejects a blank name as BAD_USER_INPUT on the name field', async () => {
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    const response = await stack.alpha.gql(UPDATE_PROJECT, { input: { id: projectId, name: '   ' } });
    expect(firstError(response)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
  });

  it("is NOT_FOUND for another organization's project and for ids of another type", async () => {
    const { projectId, regionId } = await projectWithRegion(stack.alpha.gql);
    const foreign = await stack.beta.gql(UPDATE_PROJECT, { input: { id: projectId, name: 'Mine now' } });
    expect(firstError(foreign)?.code).toBe('NOT_FOUND');
    const wrongType = await stack.alpha.gql(UPDATE_PROJECT, { input: { id: regionId, name: 'Region' } });
    expect(firstError(wrongType)?.code).toBe('NOT_FOUND');
    const read = await stack.alpha.gql<{ project: { name: string } }>(PROJECT, { id: projectId });
    expect(read.data!.project.name).toBe('Harbour');
  });
});

describe('deleteProject', () => {
  it('refuses while a run is queued, then deletes the project with its regions and runs', async () => {
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    const started = await stack.alpha.gql<{ startRun: { run: { id: string } } }>(START_RUN, {
      input: { projectId, kind: 'GENERATE', seed: 3 },
    });
    const runId = started.data!.startRun.run.id;

    const refused = await stack.alpha.gql(DELETE_PROJECT, { input: { id: projectId } });
    expect(firstError(refused)).toMatchObject({ code: 'PRECONDITION_FAILED', activeRuns: 1 });
    expect(await rowsOf('run', projectId)).toBe(1);

    const cancelled = await stack.alpha.gql<{ cancelRun: { run: { status: string } } }>(CANCEL_RUN, {
      id: runId,
    });
    expect(cancelled.data!.cancelRun.run.status).toBe('CANCELLED');

    const deleted = await stack.alpha.gql<{ deleteProject: { deletedProjectId: string } }>(DELETE_PROJECT, {
      input: { id: projectId },
    });
    expect(deleted.errors).toBeUndefined();
    expect(deleted.data!.deleteProject.deletedProjectId).toBe(projectId);
    const read = await stack.alpha.gql<{ project: unknown }>(PROJECT, { id: projectId });
    expect(read.data!.project).toBeNull();
    expect(await rowsOf('region', projectId)).toBe(0);
    expect(await rowsOf('run', projectId)).toBe(0);
  });

  it("is NOT_FOUND for another organization's project, which stays", async () => {
    const { projectId } = await projectWithRegion(stack.alpha.gql);
    const foreign = await stack.beta.gql(DELETE_PROJECT, { input: { id: projectId } });
    expect(firstError(foreign)?.code).toBe('NOT_FOUND');
    const missing = await stack.alpha.gql(DELETE_PROJECT, {
      input: { id: Buffer.from('Project:00000000-0000-4000-8000-000000000000').toString('base64') },
    });
    expect(firstError(missing)?.code).toBe('NOT_FOUND');
    const read = await stack.alpha.gql<{ project: { id: string } }>(PROJECT, { id: projectId });
    expect(read.data!.project.id).toBe(projectId);
  });
});
