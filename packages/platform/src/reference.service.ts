import { PakatiError } from '@pakati/core';
import {
  type Orm,
  ProjectSchema,
  type Reference,
  ReferenceSchema,
  type ReferenceUnderstanding,
  ReferenceUnderstandingSchema,
  RegionSchema,
} from '@pakati/db';
import sharp from 'sharp';
import type { BlobStore } from './blob-store.ts';
import { isUuid } from './project.service.ts';

const FORMATS: Record<string, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  tiff: 'image/tiff',
};

export interface UploadLimits {
  maxBytes: number;
  maxPixels: number;
}

/** Sniffs the real format from the bytes (never the client's content type) and refuses oversized images. */
export async function inspectImage(bytes: Buffer, limits: UploadLimits) {
  if (bytes.length > limits.maxBytes) {
    throw new PakatiError('IMAGE_TOO_LARGE', `image is larger than ${limits.maxBytes} bytes`, {
      maxBytes: limits.maxBytes,
    });
  }
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(bytes, { limitInputPixels: limits.maxPixels }).metadata();
  } catch (error) {
    const message = (error as Error).message;
    if (/pixel limit/i.test(message)) {
      throw new PakatiError('IMAGE_TOO_LARGE', `image has more than ${limits.maxPixels} pixels`, {
        maxPixels: limits.maxPixels,
      });
    }
    throw new PakatiError('INVALID_IMAGE', `not a readable image: ${message}`);
  }
  const contentType = meta.format ? FORMATS[meta.format] : undefined;
  if (!contentType || !meta.width || !meta.height) {
    throw new PakatiError('INVALID_IMAGE', `unsupported image format "${meta.format ?? 'unknown'}"`);
  }
  if (meta.width * meta.height > limits.maxPixels) {
    throw new PakatiError('IMAGE_TOO_LARGE', `image has more than ${limits.maxPixels} pixels`, {
      maxPixels: limits.maxPixels,
    });
  }
  // Decoding proves the data is intact, not just the header.
  try {
    await sharp(bytes, { limitInputPixels: limits.maxPixels }).raw().toBuffer({ resolveWithObject: false });
  } catch (error) {
    throw new PakatiError('INVALID_IMAGE', `image data is corrupt: ${(error as Error).message}`);
  }
  return { contentType, width: meta.width, height: meta.height };
}

export class ReferenceService {
  constructor(
    private readonly orm: Orm,
    private readonly blobs: BlobStore,
    private readonly limits: UploadLimits,
  ) {}

  async addReference(
    organizationId: string,
    input: { projectId: string; regionId?: string | null; description?: string | null; bytes: Buffer },
  ): Promise<Reference> {
    const em = this.orm.em.fork();
    const project = isUuid(input.projectId)
      ? await em.findOne(ProjectSchema, { id: input.projectId, organization: organizationId })
      : null;
    if (!project) throw new PakatiError('NOT_FOUND', 'project not found');
    const region = input.regionId
      ? await em.findOne(RegionSchema, { id: isUuid(input.regionId) ? input.regionId : '', project })
      : null;
    if (input.regionId && !region) throw new PakatiError('NOT_FOUND', 'region not found');
    const image = await inspectImage(input.bytes, this.limits);
    const blob = await this.blobs.put(input.bytes);
    const reference = em.create(ReferenceSchema, {
      project,
      region,
      blobKey: blob.key,
      contentType: image.contentType,
      byteSize: blob.size,
      width: image.width,
      height: image.height,
      description: input.description?.trim() || null,
    });
    await em.flush();
    return reference;
  }

  async findReference(organizationId: string, id: string): Promise<Reference | null> {
    if (!isUuid(id)) return null;
    return this.orm.em
      .fork()
      .findOne(ReferenceSchema, { id, project: { organization: organizationId } }, { populate: ['region'] });
  }

  /** The strategy rows of the reference's most recent UNDERSTAND run. */
  async latestUnderstanding(referenceId: string): Promise<ReferenceUnderstanding[]> {
    const em = this.orm.em.fork();
    const latest = await em.findOne(
      ReferenceUnderstandingSchema,
      { reference: referenceId },
      { orderBy: { createdAt: 'desc' } },
    );
    if (!latest) return [];
    return em.find(
      ReferenceUnderstandingSchema,
      { reference: referenceId, run: latest.run },
      { orderBy: { strategy: 'asc' } },
    );
  }

  async listReferences(projectId: string): Promise<Reference[]> {
    return this.orm.em
      .fork()
      .find(ReferenceSchema, { project: projectId }, { orderBy: { createdAt: 'asc' } });
  }
}
