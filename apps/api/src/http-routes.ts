import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, isBlobKey, type Platform } from '@pakati/platform';
import sharp from 'sharp';
import { deepHealth, withTimeout } from './observability/deep-health.ts';

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export async function health(
  platform: Platform,
  kind: 'live' | 'ready' | 'deep',
  res: ServerResponse,
): Promise<void> {
  if (kind === 'live') return json(res, 200, { status: 'ok' });
  if (kind === 'deep') {
    const report = await deepHealth(platform);
    return json(res, report.status === 'ok' ? 200 : 503, report);
  }
  const probe = (check: Promise<unknown>) =>
    withTimeout(check, platform.config.observability.healthTimeoutMs).then(
      () => 'ok',
      (e: Error) => e.message,
    );
  const [postgres, redis] = await Promise.all([
    probe(platform.orm.em.getConnection().execute('select 1')),
    probe(platform.redis.ping()),
  ]);
  const checks = { postgres, redis };
  const ok = Object.values(checks).every((v) => v === 'ok');
  // Informational: a readiness probe must not fail because no worker happens to be running.
  const workers = redis === 'ok' ? await platform.fleet.list().catch(() => []) : [];
  json(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', checks, workers });
}

const SIGNATURES: [string, number[]][] = [
  ['image/png', [0x89, 0x50, 0x4e, 0x47]],
  ['image/jpeg', [0xff, 0xd8, 0xff]],
  ['image/gif', [0x47, 0x49, 0x46]],
  ['image/webp', [0x52, 0x49, 0x46, 0x46]],
];
const sniff = (bytes: Buffer) =>
  SIGNATURES.find(([, magic]) => magic.every((b, i) => bytes[i] === b))?.[0] ?? 'application/octet-stream';

/**
 * Images go only to their owners: a valid signed URL (issued only to the owning organization), or a bearer key
 * whose organization owns a run or reference with that blob. Anything else is a 404 that reveals nothing.
 */
export async function serveImage(
  platform: Platform,
  key: string,
  req: IncomingMessage,
  url: URL,
  res: ServerResponse,
) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'method not allowed' });
  let allowed =
    isBlobKey(key) &&
    platform.images.verify(key, url.searchParams.get('expires'), url.searchParams.get('signature'));
  if (!allowed && isBlobKey(key)) {
    const token = bearerToken(req.headers.authorization);
    if (token) {
      const principal = await platform.identity.authenticate(token);
      if (!principal) return json(res, 401, { error: 'unknown or revoked API key' });
      allowed = await platform.images.canRead(principal.organizationId, key);
    }
  }
  const stored = allowed ? await platform.blobs.get(key) : null;
  if (!stored) return json(res, 404, { error: 'not found' });
  const side = url.searchParams.get('maxSide');
  let bytes = stored;
  if (side !== null) {
    const maxSide = Number(side);
    if (!Number.isInteger(maxSide) || maxSide < 16 || maxSide > 2048) {
      return json(res, 400, { error: 'maxSide must be an integer from 16 to 2048' });
    }
    // A thumbnail reveals nothing the full image does not, so the size is not part of the signature.
    bytes = await sharp(stored)
      .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
      .png()
      .toBuffer();
  }
  res.writeHead(200, {
    'content-type': sniff(bytes),
    'content-length': bytes.length,
    // Content-addressed: the bytes behind a key never change.
    'cache-control': 'private, max-age=3600, immutable',
    etag: `"${key}${side === null ? '' : `@${side}`}"`,
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}
