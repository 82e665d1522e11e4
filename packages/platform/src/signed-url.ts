import { createHmac, timingSafeEqual } from 'node:crypto';

/** Image URLs a browser can load without a bearer header: HMAC over the blob key and the expiry. */
export class UrlSigner {
  constructor(
    private readonly secret: string,
    private readonly ttlSeconds: number,
  ) {}

  private mac(key: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${key}.${expires}`).digest('base64url');
  }

  sign(key: string, now = Date.now()): { expires: number; signature: string } {
    const expires = Math.floor(now / 1000) + this.ttlSeconds;
    return { expires, signature: this.mac(key, expires) };
  }

  verify(key: string, expires: number, signature: string, now = Date.now()): boolean {
    if (!Number.isInteger(expires) || expires < Math.floor(now / 1000)) return false;
    const expected = Buffer.from(this.mac(key, expires));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
