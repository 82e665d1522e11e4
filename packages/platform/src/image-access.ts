import { PakatiError } from '@pakati/core';
import { type Orm, ReferenceSchema, RunSchema } from '@pakati/db';
import type { UrlSigner } from './signed-url.ts';

/** Images are content-addressed and may be shared between tenants; access follows ownership of a row. */
export class ImageAccess {
  constructor(
    private readonly orm: Orm,
    private readonly signer: UrlSigner,
    private baseUrl: string,
  ) {}

  /** The API learns its real address only once it listens (port 0 in tests, a proxy in production). */
  useBaseUrl(url: string): void {
    this.baseUrl = url.replace(/\/$/, '');
  }

  async canRead(organizationId: string, key: string): Promise<boolean> {
    const em = this.orm.em.fork();
    const run = await em.count(RunSchema, { resultImageKey: key, organization: organizationId });
    if (run > 0) return true;
    return (await em.count(ReferenceSchema, { blobKey: key, project: { organization: organizationId } })) > 0;
  }

  /** A URL that works in an <img> tag until it expires; only handed to the owning organization. */
  signedUrl(key: string, options: { maxSide?: number | null } = {}): string {
    const { maxSide } = options;
    // The same bounds the /images route enforces, refused here so a client learns it at once, with a typed error.
    if (maxSide != null && (!Number.isInteger(maxSide) || maxSide < 16 || maxSide > 2048)) {
      throw new PakatiError('BAD_USER_INPUT', 'maxSide must be an integer from 16 to 2048', {
        field: 'maxSide',
      });
    }
    const { expires, signature } = this.signer.sign(key);
    const size = maxSide ? `&maxSide=${maxSide}` : '';
    return `${this.baseUrl}/images/${key}?expires=${expires}&signature=${signature}${size}`;
  }

  verify(key: string, expires: string | null, signature: string | null): boolean {
    if (!expires || !signature) return false;
    return this.signer.verify(key, Number(expires), signature);
  }
}
