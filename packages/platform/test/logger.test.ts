import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  createLogger,
  generateApiKey,
  generateWebhookSecret,
  loadConfig,
  withLogContext,
} from '../src/index.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...chunk.toString().trim().split('\n'));
      done();
    },
  });
  return { lines, destination, text: () => lines.join('\n') };
}

const ADMIN_TOKEN = 'admin-token-0123456789abcdefghijklmnopqrstuv';
const SIGNING_SECRET = 'signing-secret-0123456789abcdefghijklmnopqrstuv';
const METRICS_TOKEN = 'metrics-token-0123456789';
const OPENAI_KEY = 'sk-openai-0123456789abcdefghij';
const REPLICATE_TOKEN = 'r8_replicate0123456789abcdef';
const DB_PASSWORD = 'db-pass-Xy7';
const REDIS_PASSWORD = 'redis-pass-Qw9';

const config = loadConfig({
  DATABASE_URL: `postgres://pakati:${DB_PASSWORD}@db.internal:5432/pakati`,
  REDIS_URL: `redis://default:${REDIS_PASSWORD}@cache.internal:6379`,
  PAKATI_ADMIN_TOKEN: ADMIN_TOKEN,
  PAKATI_URL_SIGNING_SECRET: SIGNING_SECRET,
  PAKATI_METRICS_TOKEN: METRICS_TOKEN,
  PAKATI_OPENAI_API_KEY: OPENAI_KEY,
  PAKATI_REPLICATE_API_TOKEN: REPLICATE_TOKEN,
});

describe('logger redaction', () => {
  it('never prints a secret, whether under a secret-named key, inside text or inside an error', () => {
    const out = capture();
    const logger = createLogger('test', 'info', { secrets: config.logSecrets, destination: out.destination });
    const apiKey = generateApiKey().key;
    const webhookSecret = generateWebhookSecret();
    const secrets = [
      apiKey,
      webhookSecret,
      ADMIN_TOKEN,
      SIGNING_SECRET,
      METRICS_TOKEN,
      OPENAI_KEY,
      REPLICATE_TOKEN,
      DB_PASSWORD,
      REDIS_PASSWORD,
      'cookie-value-abc',
    ];

    logger.info(
      {
        req: {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, cookie: 'session=cookie-value-abc' },
        },
        headers: { 'set-cookie': 'sid=cookie-value-abc' },
      },
      'request',
    );
    logger.info({ config }, 'the whole configuration');
    logger.info({ endpoint: { url: 'https://hooks.example/x', secret: webhookSecret } }, 'endpoint created');
    logger.warn({ databaseUrl: config.databaseUrl, redisUrl: config.redisUrl }, 'connecting');
    logger.warn(`authentication failed for ${apiKey} from ${config.databaseUrl}`);
    logger.error(
      { err: new Error(`upstream refused key ${OPENAI_KEY} and ${webhookSecret}`) },
      'backend failed',
    );
    logger.info({ deep: { a: { b: { c: { note: `token=${ADMIN_TOKEN}` } } } } }, 'nested');
    logger.child({ requestId: 'r1' }).info({ password: DB_PASSWORD, apiToken: REPLICATE_TOKEN }, 'child');

    const text = out.text();
    expect(out.lines).toHaveLength(8);
    for (const secret of secrets) expect(text, secret).not.toContain(secret);
    // What is left is still useful: the line, the non-secret parts of a URL, the key's public prefix.
    expect(text).toContain('[redacted]');
    expect(text).toContain('db.internal:5432/pakati');
    expect(text).toContain('pk_[redacted]');
    expect(text).toContain('upstream refused key');
    const request = JSON.parse(out.lines[0]!);
    expect(request.req.method).toBe('POST');
    expect(request.req.headers.authorization).toBe('[redacted]');
  });

  it('stamps every line logged inside a request or a job with its context', async () => {
    const out = capture();
    const logger = createLogger('test', 'info', { destination: out.destination });
    await withLogContext({ requestId: 'req-1' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.info('inside the request');
      withLogContext({ jobId: 'job-1', queue: 'generation', runId: 'run-1' }, () =>
        logger.info('inside a job'),
      );
    });
    logger.info('outside');
    const [request, job, outside] = out.lines.map((l) => JSON.parse(l));
    expect(request).toMatchObject({ requestId: 'req-1', msg: 'inside the request' });
    expect(job).toMatchObject({ requestId: 'req-1', jobId: 'job-1', queue: 'generation', runId: 'run-1' });
    expect(outside.requestId).toBeUndefined();
  });
});
