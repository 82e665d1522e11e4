import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  generateWebhookSecret,
  liveSecrets,
  rotateSecrets,
  webhookHeaders,
  webhookMessageId,
} from '../src/index.ts';

const body = JSON.stringify({
  type: 'run.completed',
  timestamp: '2026-01-01T00:00:00.000Z',
  data: { seq: 4 },
});

describe('webhook secrets', () => {
  it('are whsec_ + base64 of 32 random bytes, different every time', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(a.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(a);
  });

  it('name the message after the delivery, the same every time', () => {
    const id = '0b6f0e4e-3f7c-4a51-9d1e-3c2b5d6f7a80';
    expect(webhookMessageId(id)).toBe('msg_0b6f0e4e3f7c4a519d1e3c2b5d6f7a80');
  });
});

describe('signing', () => {
  it('produces headers a standardwebhooks receiver verifies, and rejects a tampered body', () => {
    const secret = generateWebhookSecret();
    const headers = webhookHeaders('msg_1', new Date(), body, [secret]);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(body.replace('4', '5'), headers)).toThrow(
      WebhookVerificationError,
    );
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow(
      WebhookVerificationError,
    );
  });

  it('carries one space-separated v1 signature per live secret, so either secret verifies', () => {
    const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const headers = webhookHeaders('msg_2', new Date(), body, [newSecret, oldSecret]);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(headers['webhook-signature']).toMatch(/^v1,\S+ v1,\S+$/);
    for (const secret of [oldSecret, newSecret]) {
      expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    }
  });
});

describe('rotation', () => {
  const now = new Date('2026-03-01T12:00:00.000Z');
  const first = { secret: generateWebhookSecret(), createdAt: '2026-02-01T00:00:00.000Z', expiresAt: null };

  it('adds a new secret and lets the old one sign until the overlap ends', () => {
    const { secrets, secret } = rotateSecrets([first], 3600, now);
    expect(secrets).toHaveLength(2);
    expect(secrets[0]).toEqual({ ...first, expiresAt: '2026-03-01T13:00:00.000Z' });
    expect(secrets[1]).toEqual({ secret, createdAt: now.toISOString(), expiresAt: null });
    expect(liveSecrets(secrets, now)).toEqual([secret, first.secret]);
    expect(liveSecrets(secrets, new Date('2026-03-01T13:00:01.000Z'))).toEqual([secret]);
  });

  it('with no overlap, drops the old secret at once', () => {
    const { secrets, secret } = rotateSecrets([first], 0, now);
    expect(secrets.map((s) => s.secret)).toEqual([secret]);
  });

  it('never extends a secret that already expires sooner, and forgets expired ones', () => {
    const expiring = { ...first, expiresAt: '2026-03-01T12:30:00.000Z' };
    const expired = { ...first, secret: generateWebhookSecret(), expiresAt: '2026-03-01T11:00:00.000Z' };
    const { secrets } = rotateSecrets([expired, expiring], 86_400, now);
    expect(secrets.map((s) => s.expiresAt)).toEqual(['2026-03-01T12:30:00.000Z', null]);
  });
});
