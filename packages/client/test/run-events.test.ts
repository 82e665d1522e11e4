import { startGatedStack } from '@pakati/api/test-gated-stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPakatiClient, type RunEvent } from '../src/index.ts';
import { recordingWebSocket } from './recording-websocket.ts';

let env: Awaited<ReturnType<typeof startGatedStack>>;
beforeAll(async () => {
  env = await startGatedStack();
});
afterAll(async () => {
  env?.release();
  await env?.stack.stop();
});

const SQUARE = [
  { x: 8, y: 8 },
  { x: 56, y: 8 },
  { x: 56, y: 56 },
  { x: 8, y: 56 },
];

describe('runEvents', () => {
  it('resumes after a dropped socket from the last seq seen: every event once, in order, to the terminal one', async () => {
    const ws = await recordingWebSocket();
    const client = createPakatiClient({
      url: env.url,
      apiKey: env.stack.alpha.key,
      webSocketImpl: ws.RecordingWebSocket,
    });
    const project = await client.createProject({ name: 'Drop', width: 64, height: 64 });
    await client.addRegion({ projectId: project.id, prompt: 'a red sunset over the sea', points: SQUARE });
    env.hold();
    const run = await client.startRun({ projectId: project.id, kind: 'GENERATE' });

    const events: RunEvent[] = [];
    let droppedAfter: number | null = null;
    for await (const event of client.runEvents(run.id)) {
      events.push(event);
      if (event.type === 'STARTED' && droppedAfter === null) {
        // The run waits at the gate: drop the socket, then let the run finish while no socket is open.
        droppedAfter = event.seq;
        ws.sockets[0]!.terminate();
        env.release();
      }
    }
    await client.close();

    expect(droppedAfter).not.toBeNull();
    expect(ws.sockets.length).toBeGreaterThanOrEqual(2);
    const subscribes = ws.sent.filter((s) => (s.message as { type: string }).type === 'subscribe');
    const variables = subscribes.map(
      (s) => (s.message as { payload: { variables: { after: number } } }).payload.variables.after,
    );
    expect(variables[0]).toBe(0);
    // The re-subscription on the new socket asks only for what came after the last event seen.
    expect(subscribes[1]!.socket).toBeGreaterThan(subscribes[0]!.socket);
    expect(variables[1]).toBeGreaterThanOrEqual(droppedAfter!);

    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(events.at(-1)!.type).toBe('COMPLETED');
    expect(events.filter((e) => e.seq > droppedAfter!).length).toBeGreaterThan(1);
    const finished = await client.run(run.id);
    expect(finished?.status).toBe('SUCCEEDED');
    expect(finished?.lastEventSeq).toBe(seqs.at(-1));
  });

  it('starts after a given seq and ends on the terminal event of a finished run', async () => {
    const client = createPakatiClient({ url: env.url, apiKey: env.stack.alpha.key });
    const project = await client.createProject({ name: 'Replay', width: 64, height: 64 });
    await client.addRegion({ projectId: project.id, prompt: 'a green field', points: SQUARE });
    const run = await client.startRun({ projectId: project.id, kind: 'GENERATE' });
    const all: RunEvent[] = [];
    for await (const event of client.runEvents(run.id)) all.push(event);
    const tail: RunEvent[] = [];
    for await (const event of client.runEvents(run.id, { after: 2 })) tail.push(event);
    await client.close();
    expect(tail.map((e) => e.seq)).toEqual(all.slice(2).map((e) => e.seq));
    expect(tail.at(-1)!.type).toBe('COMPLETED');
  });

  it('fails with the API error code for a run of another organization', async () => {
    const owner = createPakatiClient({ url: env.url, apiKey: env.stack.alpha.key });
    const project = await owner.createProject({ name: 'Private', width: 64, height: 64 });
    await owner.addRegion({ projectId: project.id, prompt: 'a blue door', points: SQUARE });
    const run = await owner.startRun({ projectId: project.id, kind: 'GENERATE' });
    const stranger = createPakatiClient({ url: env.url, apiKey: env.stack.beta.key });
    const consume = async () => {
      for await (const _ of stranger.runEvents(run.id)) {
        // A stranger must not see a single event.
        throw new Error('received an event of another organization');
      }
    };
    await expect(consume()).rejects.toMatchObject({ name: 'PakatiClientError', code: 'NOT_FOUND' });
    await stranger.close();
    await owner.close();
  });
});
