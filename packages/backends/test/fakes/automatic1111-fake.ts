import type { ServerResponse } from 'node:http';
import sharp from 'sharp';
import { type RecordedRequest, sendJson, startFakeServer } from './fake-http-server.ts';

/** The colour a fake server paints for a seed and prompt: same inputs, same pixels; another seed, another colour. */
export function seedColor(seed: number, prompt: string): [number, number, number] {
  let hash = 0x811c9dc5;
  for (const ch of `${seed}|${prompt}`) {
    hash ^= ch.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return [hash & 0xff, (hash >>> 8) & 0xff, (hash >>> 16) & 0xff];
}

export interface RawRgba {
  width: number;
  height: number;
  data: Buffer;
}

export async function decodeRgba(bytes: Buffer, width?: number, height?: number): Promise<RawRgba> {
  let pipeline = sharp(bytes).ensureAlpha();
  const meta = await sharp(bytes).metadata();
  // Only resample when needed: resampling premultiplies alpha, which would blank colour under alpha 0.
  if (width && height && (meta.width !== width || meta.height !== height)) {
    pipeline = pipeline.resize(width, height, { fit: 'fill' });
  }
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

/**
 * What a fake diffusion run "renders": the seed's colour, blended into `base` by `weight` per pixel when there is
 * a base (img2img strength, or an inpainting mask where 1 = repaint).
 */
export async function renderPng(options: {
  width: number;
  height: number;
  color: [number, number, number];
  base?: RawRgba;
  weight?: (pixel: number) => number;
}): Promise<Buffer> {
  const { width, height, color, base, weight } = options;
  const out = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const w = base ? (weight?.(i) ?? 1) : 1;
    for (let c = 0; c < 3; c++) {
      const under = base ? base.data[i * 4 + c]! : 0;
      out[i * 3 + c] = Math.round(under * (1 - w) + color[c]! * w);
    }
  }
  return sharp(out, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

export async function previewJpeg(color: [number, number, number], fraction: number): Promise<Buffer> {
  const [r, g, b] = color.map((c) => Math.round(c * fraction)) as [number, number, number];
  return sharp({ create: { width: 16, height: 16, channels: 3, background: { r, g, b } } })
    .jpeg()
    .toBuffer();
}

export async function previewPng(color: [number, number, number], fraction: number): Promise<Buffer> {
  const [r, g, b] = color.map((c) => Math.round(c * fraction)) as [number, number, number];
  return sharp({ create: { width: 16, height: 16, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Failures a test can queue; each answers one generation request (txt2img or img2img). */
export type Automatic1111Failure =
  | { kind: 'rate-limit'; retryAfter: string }
  | { kind: 'server-error' }
  | { kind: 'oom' }
  | { kind: 'malformed' }
  | { kind: 'slow'; delayMs: number };

export interface Automatic1111Job {
  path: string;
  seed: number;
  prompt: string;
  steps: number;
  step: number;
  interrupted: boolean;
  finished: boolean;
}

/** A1111's error body, as modules/api/api.py handle_exception writes it. */
function a1111Error(
  res: ServerResponse,
  status: number,
  error: string,
  detail: string,
  errors: string,
  headers = {},
) {
  sendJson(res, status, { error, detail, body: '', errors }, headers);
}

/**
 * A fake AUTOMATIC1111 WebUI API (`--api`, optionally `--api-auth`): txt2img/img2img answer with real PNGs whose
 * colour depends on seed and prompt, one job runs at a time (the WebUI's queue_lock), /progress reports the
 * running job like the WebUI does and /interrupt stops it early, which still answers 200 with the image so far.
 */
export async function startAutomatic1111Fake(
  options: { stepMs?: number; auth?: { username: string; password: string } } = {},
) {
  const stepMs = options.stepMs ?? 20;
  const failures: Automatic1111Failure[] = [];
  const jobs: Automatic1111Job[] = [];
  let current: (Automatic1111Job & { startedAt: number }) | undefined;
  let lock: Promise<void> = Promise.resolve();
  let interrupts = 0;
  let closed = false;
  const progressScript: unknown[] = [];

  function authorized(req: RecordedRequest): boolean {
    if (!options.auth) return true;
    const header = req.headers.authorization ?? '';
    const expected = Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64');
    return header === `Basic ${expected}`;
  }

  async function generate(req: RecordedRequest, res: ServerResponse, path: 'txt2img' | 'img2img') {
    const failure = failures.shift();
    if (failure?.kind === 'rate-limit') {
      return a1111Error(res, 429, 'HTTPException', 'Too Many Requests', '', {
        'retry-after': failure.retryAfter,
      });
    }
    if (failure?.kind === 'server-error') {
      return a1111Error(res, 500, 'RuntimeError', '', 'Expected all tensors to be on the same device');
    }
    if (failure?.kind === 'oom') {
      return a1111Error(
        res,
        500,
        'OutOfMemoryError',
        '',
        'CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total capacity; 5.12 GiB already allocated)',
      );
    }
    if (failure?.kind === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"images": ["iVBORw0KGgo');
      return;
    }
    if (failure?.kind === 'slow') await sleep(failure.delayMs);

    const body = JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
    const prompt = String(body.prompt ?? '');
    const seed =
      typeof body.seed === 'number' && body.seed >= 0 ? body.seed : Math.floor(Math.random() * 2 ** 32);
    const steps = Number(body.steps ?? 20);
    // The WebUI samples a latent of width//8 x height//8, so the image is floored to a multiple of 8.
    const width = Math.floor(Number(body.width ?? 512) / 8) * 8;
    const height = Math.floor(Number(body.height ?? 512) / 8) * 8;
    const job: Automatic1111Job = { path, seed, prompt, steps, step: 0, interrupted: false, finished: false };
    jobs.push(job);

    const previous = lock;
    let release!: () => void;
    lock = new Promise((resolve) => (release = resolve));
    await previous;
    try {
      current = { ...job, startedAt: Date.now() };
      const live = current;
      for (let step = 1; step <= steps && !live.interrupted && !closed; step++) {
        await sleep(stepMs);
        if (live.interrupted || closed) break;
        live.step = step;
      }
      Object.assign(job, { step: live.step, interrupted: live.interrupted, finished: true });

      const color = seedColor(seed, prompt);
      let png: Buffer;
      if (path === 'img2img') {
        const init = await decodeRgba(
          Buffer.from(String((body.init_images as string[])[0]), 'base64'),
          width,
          height,
        );
        if (typeof body.mask === 'string') {
          const mask = await decodeRgba(Buffer.from(body.mask, 'base64'), width, height);
          const invert = body.inpainting_mask_invert === 1;
          png = await renderPng({
            width,
            height,
            color,
            base: init,
            weight: (i) => (invert ? 255 - mask.data[i * 4]! : mask.data[i * 4]!) / 255,
          });
        } else {
          const strength = Number(body.denoising_strength ?? 0.75);
          png = await renderPng({ width, height, color, base: init, weight: () => strength });
        }
      } else {
        png = await renderPng({ width, height, color });
      }
      const info = {
        prompt,
        all_prompts: [prompt],
        negative_prompt: body.negative_prompt ?? '',
        seed,
        all_seeds: [seed],
        subseed: 0,
        width,
        height,
        sampler_name: body.sampler_name ?? 'Euler',
        cfg_scale: body.cfg_scale,
        steps,
        batch_size: 1,
        sd_model_name:
          (body.override_settings as { sd_model_checkpoint?: string } | undefined)?.sd_model_checkpoint ??
          'v1-5-pruned-emaonly',
        sd_model_hash: '6ce0161689',
        denoising_strength: body.denoising_strength ?? null,
        job_timestamp: '20240101000000',
        version: 'v1.10.1',
      };
      sendJson(res, 200, {
        images: [png.toString('base64')],
        parameters: { ...body, init_images: null, mask: null },
        info: JSON.stringify(info),
      });
    } finally {
      current = undefined;
      release();
    }
  }

  async function progress(req: RecordedRequest, res: ServerResponse) {
    const job = current;
    const override = job && job.step > 0 ? progressScript.shift() : undefined;
    if (override) return sendJson(res, 200, override);
    const state = {
      skipped: false,
      interrupted: job?.interrupted ?? false,
      job: job ? `scripts_${job.path}` : '',
      job_count: job ? 1 : 0,
      job_timestamp: '20240101000000',
      job_no: 0,
      sampling_step: job?.step ?? 0,
      sampling_steps: job?.steps ?? 0,
    };
    if (!job)
      return sendJson(res, 200, { progress: 0, eta_relative: 0, state, current_image: null, textinfo: null });
    // modules/api/api.py progressapi: 0.01 so that the ETA never divides by zero.
    const fraction = Math.min(1, 0.01 + job.step / job.steps);
    const elapsed = (Date.now() - job.startedAt) / 1000;
    const skip = req.query.get('skip_current_image') === 'true';
    const image =
      job.step > 0 && !skip ? await previewPng(seedColor(job.seed, job.prompt), job.step / job.steps) : null;
    sendJson(res, 200, {
      progress: fraction,
      eta_relative: elapsed / fraction - elapsed,
      state,
      current_image: image?.toString('base64') ?? null,
      textinfo: null,
    });
  }

  const server = await startFakeServer(async (req, res) => {
    if (req.path.startsWith('/sdapi/') && !authorized(req)) {
      return a1111Error(res, 401, 'HTTPException', 'Incorrect username or password', '', {
        'www-authenticate': 'Basic',
      });
    }
    if (req.method === 'POST' && req.path === '/sdapi/v1/txt2img') return generate(req, res, 'txt2img');
    if (req.method === 'POST' && req.path === '/sdapi/v1/img2img') return generate(req, res, 'img2img');
    if (req.method === 'GET' && req.path === '/sdapi/v1/progress') return progress(req, res);
    if (req.method === 'POST' && req.path === '/sdapi/v1/interrupt') {
      interrupts++;
      if (current) current.interrupted = true;
      return sendJson(res, 200, {});
    }
    a1111Error(res, 404, 'HTTPException', 'Not Found', '');
  });

  return {
    url: server.url,
    requests: server.requests,
    jobs,
    /** Queues a failure for the next generation request. */
    fail(failure: Automatic1111Failure) {
      failures.push(failure);
    },
    /** Answers the next /progress polls of a running job with these bodies. */
    scriptProgress(...bodies: unknown[]) {
      progressScript.push(...bodies);
    },
    get interrupts() {
      return interrupts;
    },
    async close() {
      closed = true;
      await server.close();
    },
  };
}
