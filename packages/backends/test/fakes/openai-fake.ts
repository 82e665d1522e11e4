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

const SIZES: Record<string, readonly string[]> = {
  'gpt-image-1': ['1024x1024', '1536x1024', '1024x1536', 'auto'],
  'dall-e-3': ['1024x1024', '1792x1024', '1024x1792'],
  'dall-e-2': ['256x256', '512x512', '1024x1024'],
};

/** The flat colour the fake paints for a prompt; OpenAI has no seed, so the prompt alone decides it. */
export function openAiFakeColor(prompt: string): [number, number, number] {
  let hash = 0x811c9dc5;
  for (const ch of prompt) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return [hash & 0xff, (hash >>> 8) & 0xff, (hash >>> 16) & 0xff];
}

function apiError(res: ServerResponse, status: number, message: string, type: string, code: string | null) {
  sendJson(res, status, { error: { message, type, param: null, code } });
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

async function solidPng(width: number, height: number, [r, g, b]: [number, number, number]) {
  return sharp({ create: { width, height, channels: 4, background: { r, g, b, alpha: 1 } } })
    .png()
    .toBuffer();
}

/**
 * Speaks OpenAI's Images API (/v1/images/generations and /v1/images/edits) closely enough to catch wire
 * mistakes: it checks the key, the model's sizes, response_format rules and the edit mask's alpha and size, and
 * answers with real PNGs. Edits paint the prompt's colour exactly where the mask is transparent.
 */
export async function startOpenAiFake(options: { apiKey?: string; blockedWord?: string } = {}) {
  const apiKey = options.apiKey ?? 'sk-test';
  const blockedWord = options.blockedWord ?? 'forbidden';
  const script: ScriptedAnswer[] = [];
  const files = new Map<string, Buffer>();

  const fake = await startFakeServer(async (req: RecordedRequest, res) => {
    if (req.method === 'GET' && req.path.startsWith('/files/')) {
      const file = files.get(req.path);
      if (!file) return sendJson(res, 404, {});
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(file);
      return;
    }
    const scripted = script.shift();
    if (scripted?.delayMs && !(await pause(res, scripted.delayMs))) return;
    if (scripted?.status) return sendJson(res, scripted.status, scripted.body ?? {}, scripted.headers);

    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return apiError(res, 401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    }
    let model: string;
    let prompt: string;
    let size: string;
    let responseFormat: string | null;
    let form: FormData | null = null;
    if (req.method === 'POST' && req.path === '/v1/images/generations') {
      const body = JSON.parse(req.body.toString()) as Record<string, unknown>;
      model = String(body.model ?? 'dall-e-2');
      prompt = String(body.prompt ?? '');
      size = String(body.size ?? '1024x1024');
      responseFormat = body.response_format === undefined ? null : String(body.response_format);
    } else if (req.method === 'POST' && req.path === '/v1/images/edits') {
      form = await req.asRequest().formData();
      model = String(form.get('model') ?? 'dall-e-2');
      prompt = String(form.get('prompt') ?? '');
      size = String(form.get('size') ?? '1024x1024');
      responseFormat = form.get('response_format') as string | null;
    } else {
      return apiError(res, 404, `Unknown route ${req.method} ${req.path}`, 'invalid_request_error', null);
    }

    const gptImage = model.startsWith('gpt-image');
    if (!SIZES[model]) return apiError(res, 400, `Unknown model ${model}`, 'invalid_request_error', null);
    if (!SIZES[model]!.includes(size)) {
      return apiError(res, 400, `Invalid value: '${size}'.`, 'invalid_request_error', 'invalid_value');
    }
    if (gptImage && responseFormat !== null) {
      return apiError(
        res,
        400,
        "Unknown parameter: 'response_format'.",
        'invalid_request_error',
        'unknown_parameter',
      );
    }
    if (prompt.includes(blockedWord)) {
      return gptImage
        ? apiError(
            res,
            400,
            'Your request was rejected by the safety system.',
            'image_generation_user_error',
            'moderation_blocked',
          )
        : apiError(
            res,
            400,
            'Your request was rejected by our safety system.',
            'invalid_request_error',
            'content_policy_violation',
          );
    }

    const [width, height] = (size === 'auto' ? '1024x1024' : size).split('x').map(Number) as [number, number];
    const color = openAiFakeColor(prompt);
    let png: Buffer;
    if (form) {
      if (model === 'dall-e-3')
        return apiError(res, 400, 'dall-e-3 cannot edit', 'invalid_request_error', null);
      const imageFile = form.get('image');
      if (!(imageFile instanceof Blob))
        return apiError(res, 400, 'image is required', 'invalid_request_error', null);
      const image = await sharp(Buffer.from(await imageFile.arrayBuffer()))
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      if (model === 'dall-e-2' && image.info.width !== image.info.height) {
        return apiError(res, 400, 'Uploaded image must be square.', 'invalid_request_error', 'invalid_image');
      }
      const maskFile = form.get('mask');
      let alpha: Buffer | null = null;
      if (maskFile instanceof Blob) {
        const bytes = Buffer.from(await maskFile.arrayBuffer());
        const meta = await sharp(bytes).metadata();
        if (!meta.hasAlpha) {
          return apiError(
            res,
            400,
            'Invalid mask image: must have an alpha channel.',
            'invalid_request_error',
            null,
          );
        }
        if (meta.width !== image.info.width || meta.height !== image.info.height) {
          return apiError(res, 400, 'Image and mask must have the same size.', 'invalid_request_error', null);
        }
        alpha = await sharp(bytes).extractChannel(3).raw().toBuffer();
      } else if (!gptImage) {
        return apiError(
          res,
          400,
          'dall-e-2 needs a mask or a transparent image.',
          'invalid_request_error',
          null,
        );
      }
      const out = Buffer.from(image.data);
      for (let i = 0; i < image.info.width * image.info.height; i++) {
        // Without a mask the whole picture is reworked: half the prompt's colour over the original.
        const weight = alpha ? (alpha[i] === 0 ? 1 : 0) : 0.5;
        for (let c = 0; c < 3; c++)
          out[i * 4 + c] = Math.round(out[i * 4 + c]! * (1 - weight) + color[c]! * weight);
        out[i * 4 + 3] = 255;
      }
      png = await sharp(out, { raw: { width: image.info.width, height: image.info.height, channels: 4 } })
        .resize(width, height, { fit: 'fill' })
        .png()
        .toBuffer();
    } else {
      png = await solidPng(width, height, color);
    }

    const item: Record<string, string> = {};
    // dall-e defaults to url, which is how OpenAI answers when an adapter forgets response_format.
    if (responseFormat === 'url' || (!gptImage && responseFormat !== 'b64_json')) {
      const path = `/files/${files.size}.png`;
      files.set(path, png);
      item.url = `${fake.url}${path}`;
    } else {
      item.b64_json = png.toString('base64');
    }
    if (model === 'dall-e-3') item.revised_prompt = `A detailed illustration of ${prompt}`;
    sendJson(res, 200, { created: Math.floor(Date.now() / 1000), data: [item] });
  });

  return {
    ...fake,
    apiKey,
    baseUrl: `${fake.url}/v1`,
    /** Answers the next requests with these, in order, before falling back to normal behaviour. */
    script(...answers: ScriptedAnswer[]) {
      script.push(...answers);
    },
    /** The API requests, without the image downloads. */
    apiRequests() {
      return fake.requests.filter((r) => r.path.startsWith('/v1/'));
    },
  };
}
