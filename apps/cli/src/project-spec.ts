import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { CliError } from './cli-errors.ts';

const point = z.strictObject({ x: z.number(), y: z.number() });

const reference = z.strictObject({
  /** Relative to the spec file. */
  file: z.string().min(1),
  description: z.string().max(500).optional(),
});

const region = z.strictObject({
  /** A name for the output; the API knows regions by id only. */
  name: z.string().min(1).max(100).optional(),
  prompt: z.string().min(1),
  points: z.array(point).min(3),
  negativePrompt: z.string().optional(),
  feather: z.int().min(0).optional(),
  zOrder: z.int().optional(),
  seed: z
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional(),
  model: z.string().min(1).optional(),
  references: z.array(reference).default([]),
});

const run = z.strictObject({
  strategy: z.enum(['ADAPTIVE', 'AGGRESSIVE', 'CONSERVATIVE', 'TARGETED']).optional(),
  maxIterations: z.int().min(1).max(20).optional(),
  targetScore: z.number().gt(0).max(1).optional(),
  seed: z
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional(),
  backend: z.string().min(1).optional(),
});

/** A project as a file: canvas, regions with their references, project-wide references, run options. */
export const projectSpecSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1).max(200),
  width: z.int().positive(),
  height: z.int().positive(),
  regions: z.array(region).min(1),
  references: z.array(reference).default([]),
  run: run.optional(),
});

export type ProjectSpec = z.infer<typeof projectSpecSchema>;

/** `regions[1].points[0].x`, as a reader finds it in the file. */
export function jsonPath(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>(
    (out, s) => (typeof s === 'number' ? `${out}[${s}]` : `${out}${out ? '.' : ''}${String(s)}`),
    '',
  );
}

/** A reference file resolved and read, with where it sits in the spec for messages. */
export interface LoadedReference {
  at: string;
  file: string;
  bytes: Uint8Array;
  description: string | undefined;
  /** Index into spec.regions; null for a project-wide reference. */
  region: number | null;
}

export interface LoadedSpec {
  spec: ProjectSpec;
  references: LoadedReference[];
}

/** Reads and validates a spec and every file it names, before anything is created. */
export async function loadProjectSpec(file: string): Promise<LoadedSpec> {
  const name = path.basename(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError('BAD_SPEC', `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError('BAD_SPEC', `${name} is not valid JSON (${(error as Error).message})`);
  }
  const parsed = projectSpecSchema.safeParse(json);
  if (!parsed.success) {
    const [first, ...rest] = parsed.error.issues;
    const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
    throw new CliError('BAD_SPEC', `${name}: ${jsonPath(first!.path) || '(root)'}: ${first!.message}${more}`);
  }
  const spec = parsed.data;
  const wanted = [
    ...spec.regions.flatMap((r, i) =>
      r.references.map((ref, j) => ({ ref, at: `regions[${i}].references[${j}]`, region: i })),
    ),
    ...spec.references.map((ref, j) => ({ ref, at: `references[${j}]`, region: null })),
  ];
  const dir = path.dirname(path.resolve(file));
  const references = await Promise.all(
    wanted.map(async ({ ref, at, region }): Promise<LoadedReference> => {
      const resolved = path.resolve(dir, ref.file);
      try {
        return { at, file: resolved, bytes: await readFile(resolved), description: ref.description, region };
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code ?? String(error);
        throw new CliError('BAD_SPEC', `${name}: ${at}.file: cannot read ${ref.file} (${reason})`);
      }
    }),
  );
  return { spec, references };
}
