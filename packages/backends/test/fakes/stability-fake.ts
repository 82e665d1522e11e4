import type { ServerResponse } from 'node:http';
import sharp from 'sharp';
import { type RecordedRequest, sendJson, startFakeServer } from './fake-http-server.ts';

/** A canned answer for the next request; with only delayMs, the request is answered normally but late. */
export interface ScriptedAnswer {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

const ASPECT_RATIOS = ['16:9', '1:1', '21:9', '2:3', '3:2', '4:5', '5:4', '9:16', '9:21'];
const SD3_MODELS = [
  'sd3.5-large',
  'sd3.5-large-turbo',
  'sd3.5-medium',
  'sd3.5-flash',
  'sd3-large',
  'sd3-medium',
];
/** Real renders are ~1.5 MP; a quarter of a megapixel keeps the tests fast and the ratios exact enough. */
const FAKE_AREA = 256 * 256;

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

/** The flat colour the fake paints for a prompt and seed. */
export function stabilityFakeColor(prompt: string, seed: number): [number, number, number] {
  const h = hash(`${prompt}|${seed}`);
  return [h & 0xff, (h >>> 8) & 0xff, (h >>> 16) & 0xff];
}

/** The seed the fake picks when asked for seed 0 ("choose one"). */
export function stabilityFakeChosenSeed(prompt: string): number {
  return (hash(prompt) % 4_294_967_294) + 1;
}

function apiError(res: ServerResponse, status: number, name: string, ...errors: string[]) {
  sendJson(res, status, { id: `err-${status}`, name, errors });
}

/** Resolves false when the client hung up first (our adapter's timeout or abort). */
function pause(res: ServerResponse, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(true), ms);
    res.on('close', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

async function readRaw(file: Blob) {
  return sharp(Buffer.from(await file.arrayBuffer()))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
}

/**
 * Speaks Stability's v2beta Stable Image API: multipart in, PNG bytes out (JSON with base64 when asked for
 * application/json), seed and finish-reason in headers. It checks the key, field names and values, and paints the
 * prompt's colour where the inpaint mask is white. Prompts with the blocked word get the 403 moderation answer,
 * prompts with the filtered word a 200 whose finish-reason is CONTENT_FILTERED.
 */
export async function startStabilityFake(
  options: { apiKey?: string; blockedWord?: string; filteredWord?: string } = {},
) {
  const apiKey = options.apiKey ?? 'sk-stability-test';
  const blockedWord = options.blockedWord ?? 'forbidden';
  const filteredWord = options.filteredWord ?? 'blurry-nsfw';
  const script: ScriptedAnswer[] = [];

  const fake = await startFakeServer(async (req: RecordedRequest, res) => {
    const scripted = script.shift();
    if (scripted?.delayMs && !(await pause(res, scripted.delayMs))) return;
    if (scripted?.status) return sendJson(res, scripted.status, scripted.body ?? {}, scripted.headers);

    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return apiError(res, 401, 'unauthorized', 'authorization: invalid or missing header value');
    }
    const route = /^\/v2beta\/stable-image\/(generate\/(core|ultra|sd3)|edit\/inpaint)$/.exec(req.path);
    if (req.method !== 'POST' || !route) return apiError(res, 404, 'not_found', `${req.method} ${req.path}`);
    if (!(req.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
      return apiError(res, 400, 'bad_request', 'content-type: must be multipart/form-data');
    }
    const accept = req.headers.accept ?? '';
    if (accept !== 'image/*' && accept !== 'application/json') {
      return apiError(res, 400, 'bad_request', 'accept: must be image/* or application/json');
    }
    const form = await req.asRequest().formData();
    const text = (key: string) => {
      const value = form.get(key);
      return typeof value === 'string' ? value : undefined;
    };
    const prompt = text('prompt') ?? '';
    if (!prompt) return apiError(res, 400, 'bad_request', 'prompt: cannot be empty');
    const outputFormat = text('output_format') ?? 'png';
    if (!['png', 'jpeg', 'webp'].includes(outputFormat)) {
      return apiError(res, 400, 'bad_request', 'output_format: must be one of png, jpeg, webp');
    }
    const seedText = text('seed') ?? '0';
    const requestedSeed = Number(seedText);
    if (!/^\d+$/.test(seedText) || requestedSeed > 4_294_967_294) {
      return apiError(res, 400, 'bad_request', 'seed: must be an integer in [0, 4294967294]');
    }
    if (prompt.includes(blockedWord)) {
      return apiError(
        res,
        403,
        'content_moderation',
        'Your request was flagged by our content moderation system, as a result your request was denied and you were not charged.',
      );
    }
    const seed = requestedSeed === 0 ? stabilityFakeChosenSeed(prompt) : requestedSeed;
    const color = stabilityFakeColor(prompt, seed);

    let raw: { data: Buffer; width: number; height: number };
    const endpoint = route[2] ?? 'inpaint';
    const mode = text('mode') ?? 'text-to-image';
    if (endpoint === 'sd3') {
      const model = text('model');
      if (model !== undefined && !SD3_MODELS.includes(model)) {
        return apiError(res, 400, 'bad_request', `model: unknown model ${model}`);
      }
      if (mode !== 'text-to-image' && mode !== 'image-to-image') {
        return apiError(res, 400, 'bad_request', 'mode: must be text-to-image or image-to-image');
      }
    }
    if (endpoint === 'inpaint' || (endpoint === 'sd3' && mode === 'image-to-image')) {
      const image = form.get('image');
      if (!(image instanceof Blob)) return apiError(res, 400, 'bad_request', 'image: required');
      const init = await readRaw(image);
      const { width, height } = init.info;
      const out = Buffer.from(init.data);
      let weightAt: (i: number) => number;
      if (endpoint === 'inpaint') {
        const mask = form.get('mask');
        if (!(mask instanceof Blob)) return apiError(res, 400, 'bad_request', 'mask: required');
        const maskRaw = await sharp(Buffer.from(await mask.arrayBuffer()))
          .extractChannel(0)
          .raw()
          .toBuffer({ resolveWithObject: true });
        if (maskRaw.info.width !== width || maskRaw.info.height !== height) {
          return apiError(res, 400, 'bad_request', 'mask: must match the size of image');
        }
        weightAt = (i) => maskRaw.data[i]! / 255;
      } else {
        const strength = Number(text('strength'));
        if (!(strength >= 0 && strength <= 1))
          return apiError(res, 400, 'bad_request', 'strength: required in [0, 1]');
        weightAt = () => strength;
      }
      for (let i = 0; i < width * height; i++) {
        const w = weightAt(i);
        for (let c = 0; c < 3; c++) out[i * 4 + c] = Math.round(out[i * 4 + c]! * (1 - w) + color[c]! * w);
        out[i * 4 + 3] = 255;
      }
      raw = { data: out, width, height };
    } else {
      const aspect = text('aspect_ratio') ?? '1:1';
      if (!ASPECT_RATIOS.includes(aspect)) {
        return apiError(res, 400, 'bad_request', `aspect_ratio: must be one of ${ASPECT_RATIOS.join(', ')}`);
      }
      const [w, h] = aspect.split(':').map(Number) as [number, number];
      const width = Math.round(Math.sqrt((FAKE_AREA * w) / h) / 8) * 8;
      const height = Math.round(Math.sqrt((FAKE_AREA * h) / w) / 8) * 8;
      const data = Buffer.alloc(width * height * 4);
      for (let i = 0; i < width * height; i++) data.set([...color, 255], i * 4);
      raw = { data, width, height };
    }

    const filtered = prompt.includes(filteredWord);
    let pipeline = sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: 4 } });
    if (filtered) pipeline = pipeline.blur(20);
    const png = await pipeline.png().toBuffer();
    const finishReason = filtered ? 'CONTENT_FILTERED' : 'SUCCESS';
    if (accept === 'application/json') {
      return sendJson(res, 200, { image: png.toString('base64'), finish_reason: finishReason, seed });
    }
    res.writeHead(200, { 'content-type': 'image/png', 'finish-reason': finishReason, seed: String(seed) });
    res.end(png);
  });

  return {
    ...fake,
    apiKey,
    /** Answers the next requests with these, in order, before falling back to normal behaviour. */
    script(...answers: ScriptedAnswer[]) {
      script.push(...answers);
    },
  };
}
