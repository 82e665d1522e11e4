import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WEBHOOK_RETRY_SCHEDULE,
  type ImageAccess,
  loadConfig,
  parseRetrySchedule,
  renderWebhookBody,
  retryDelay,
  webhookPayload,
} from '../src/index.ts';

describe('retry schedule', () => {
  it('reads units, and a bare number as milliseconds', () => {
    expect(parseRetrySchedule('50, 100,1.5s,5m,2h')).toEqual([50, 100, 1500, 300_000, 7_200_000]);
  });

  it('defaults to retries over about a day', () => {
    const schedule = parseRetrySchedule(DEFAULT_WEBHOOK_RETRY_SCHEDULE);
    expect(schedule).toHaveLength(7);
    const total = schedule.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(20 * 3_600_000);
    expect(total).toBeLessThan(36 * 3_600_000);
  });

  it.each(['', '5x', '-5s', '8d', Array(21).fill('1s').join(',')])('refuses "%s"', (text) => {
    expect(() => parseRetrySchedule(text)).toThrow();
  });

  it('gives the delay after each failure, then null once the retries are used up', () => {
    expect([1, 2, 3, 4].map((failures) => retryDelay([50, 100, 200], failures))).toEqual([
      50,
      100,
      200,
      null,
    ]);
  });

  it('is validated with the rest of the configuration', () => {
    const env = { DATABASE_URL: 'postgres://x', REDIS_URL: 'redis://x' };
    expect(loadConfig({ ...env, PAKATI_WEBHOOK_RETRY_SCHEDULE: '1s,2s' }).webhooks.retryScheduleMs).toEqual([
      1000, 2000,
    ]);
    expect(() => loadConfig({ ...env, PAKATI_WEBHOOK_RETRY_SCHEDULE: 'soon' })).toThrow(
      /PAKATI_WEBHOOK_RETRY_SCHEDULE/,
    );
    expect(() => loadConfig({ ...env, PAKATI_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'yes' })).toThrow(
      /PAKATI_WEBHOOK_ALLOW_PRIVATE_TARGETS/,
    );
  });
});

describe('webhook payload', () => {
  const runId = '11111111-1111-4111-8111-111111111111';
  const projectId = '22222222-2222-4222-8222-222222222222';
  const regionId = '33333333-3333-4333-8333-333333333333';
  const payload = webhookPayload(
    'run.iteration',
    {
      runId,
      seq: 7,
      type: 'ITERATION',
      at: '2026-01-01T00:00:00.000Z',
      payload: {
        iteration: 2,
        imageKey: 'a'.repeat(64),
        bestImageKey: 'b'.repeat(64),
        regions: [{ regionId }],
      },
    },
    { organizationId: 'o', projectId, kind: 'REFINE', status: 'RUNNING', previousStatus: 'RUNNING' },
  );
  const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

  it('has the Standard Webhooks shape, with the API global ids of the run, project and regions', () => {
    expect(payload).toEqual({
      type: 'run.iteration',
      timestamp: '2026-01-01T00:00:00.000Z',
      data: {
        iteration: 2,
        imageKey: 'a'.repeat(64),
        bestImageKey: 'b'.repeat(64),
        regions: [{ regionId: gid('Region', regionId) }],
        runId: gid('Run', runId),
        projectId: gid('Project', projectId),
        kind: 'REFINE',
        status: 'RUNNING',
        seq: 7,
      },
    });
  });

  it('is sent with signed image URLs in place of image keys', () => {
    const images = { signedUrl: (key: string) => `https://pakati.test/images/${key}?signature=s` };
    const sent = JSON.parse(renderWebhookBody(payload, images as unknown as ImageAccess));
    expect(sent.data.imageUrl).toBe(`https://pakati.test/images/${'a'.repeat(64)}?signature=s`);
    expect(sent.data.bestImageUrl).toBe(`https://pakati.test/images/${'b'.repeat(64)}?signature=s`);
    expect(sent.data).not.toHaveProperty('imageKey');
    expect(sent.data).not.toHaveProperty('bestImageKey');
    expect(sent.data.seq).toBe(7);
  });

  it('turns a progress preview key into a signed URL and leaves other *Key fields that are not blobs alone', () => {
    const images = { signedUrl: (key: string) => `https://pakati.test/images/${key}` };
    const body = { data: { previewKey: 'c'.repeat(64), idempotencyKey: 'client-key-1' } };
    const sent = JSON.parse(renderWebhookBody(body, images as unknown as ImageAccess));
    expect(sent.data).toEqual({
      previewUrl: `https://pakati.test/images/${'c'.repeat(64)}`,
      idempotencyKey: 'client-key-1',
    });
  });
});
