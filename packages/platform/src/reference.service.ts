import { PakatiError } from '@pakati/core';
import {
  type Orm,
  ProjectSchema,
  type Reference,
  ReferenceSchema,
  type ReferenceUnderstanding,
  ReferenceUnderstandingSchema,
  RegionSchema,
  RunSchema,
  TERMINAL_RUN_STATUSES,
} from '@pakati/db';
import sharp from 'sharp';
import type { BlobStore } from './blob-store.ts';
import { stripImageMetadata } from './image-sanitizer.ts';
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
  return { contentType, format: meta.format!, width: meta.width, height: meta.height };
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
    const blob = await this.blobs.put(
      await stripImageMetadata(input.bytes, image.format, this.limits.maxPixels),
    );
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

  /**
   * Deletes the reference row; its understanding rows go with it (the database cascades). Runs keep their
   * own snapshot of the references they used (ids and blob keys in their parameters, analyses and evidence),
   * so finished runs read as before. Refused while an UNDERSTAND run of it is queued or running: that run
   * still has to record its result against the row. The blob bytes stay: keys are content hashes shared
   * with other references (of any organization) and with run snapshots, as when a project is deleted.
   */
  async removeReference(organizationId: string, id: string): Promise<{ id: string; projectId: string }> {
    const em = this.orm.em.fork();
    const reference = isUuid(id)
      ? await em.findOne(ReferenceSchema, { id, project: { organization: organizationId } })
      : null;
    if (!reference) throw new PakatiError('NOT_FOUND', 'reference not found');
    const assessing = await em.count(RunSchema, {
      project: reference.project,
      status: { $nin: [...TERMINAL_RUN_STATUSES] },
      parameters: { understand: { referenceId: reference.id } },
    });
    if (assessing > 0) {
      throw new PakatiError(
        'PRECONDITION_FAILED',
        `reference is being assessed by ${assessing} queued or running run(s); cancel them before removing it`,
        { activeRuns: assessing },
      );
    }
    await em.nativeDelete(ReferenceSchema, { id: reference.id });
    return { id: reference.id, projectId: reference.project.id };
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
