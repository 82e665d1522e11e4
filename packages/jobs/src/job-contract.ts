import type { z } from 'zod';

/** A job declared once: the queue it travels on, its name, and the payload schema both sides validate. */
export interface JobContract<
  Queue extends string = string,
  Name extends string = string,
  Schema extends z.ZodType = z.ZodType,
> {
  queue: Queue;
  name: Name;
  schema: Schema;
}

export function defineJob<const Queue extends string, const Name extends string, Schema extends z.ZodType>(
  queue: Queue,
  name: Name,
  schema: Schema,
): JobContract<Queue, Name, Schema> {
  return { queue, name, schema };
}

export type JobPayload<C extends JobContract> = z.infer<C['schema']>;
