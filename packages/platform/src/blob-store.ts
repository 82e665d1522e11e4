import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface StoredBlob {
  key: string;
  size: number;
}

/** Where image bytes live. Keys are content hashes, so writes are idempotent and blobs never change. */
export interface BlobStore {
  put(bytes: Buffer): Promise<StoredBlob>;
  get(key: string): Promise<Buffer | null>;
  has(key: string): Promise<boolean>;
}

const KEY = /^[a-f0-9]{64}$/;

export function isBlobKey(key: string): boolean {
  return KEY.test(key);
}

export class FileBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private pathFor(key: string): string {
    if (!isBlobKey(key)) throw new Error(`invalid blob key ${key}`);
    return path.join(this.root, key.slice(0, 2), key.slice(2, 4), key);
  }

  async put(bytes: Buffer): Promise<StoredBlob> {
    const key = createHash('sha256').update(bytes).digest('hex');
    const target = this.pathFor(key);
    if (!(await this.has(key))) {
      await mkdir(path.dirname(target), { recursive: true });
      // Write then rename: a reader never sees a half-written file, concurrent writers of one key agree.
      const temp = `${target}.${randomUUID()}.tmp`;
      await writeFile(temp, bytes);
      await rename(temp, target);
    }
    return { key, size: bytes.length };
  }

  async get(key: string): Promise<Buffer | null> {
    if (!isBlobKey(key)) return null;
    try {
      return await readFile(this.pathFor(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async has(key: string): Promise<boolean> {
    if (!isBlobKey(key)) return false;
    try {
      await stat(this.pathFor(key));
      return true;
    } catch {
      return false;
    }
  }
}
