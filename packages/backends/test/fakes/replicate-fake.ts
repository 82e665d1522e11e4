import type { ServerResponse } from 'node:http';
import sharp from 'sharp';
import { type RecordedRequest, sendJson, startFakeServer } from './fake-http-server.ts';

/**
 * A canned answer for the next request `when` accepts (any request without `when`); with only delayMs, that
 * request is answered normally but late.
 */
export interface ScriptedAnswer {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
  when?: (req: RecordedRequest) => boolean;
}

/** How predictions created from now on behave; read once, when each prediction is created. */
export interface ReplicateFakeBehaviour {
  /** Polls spent processing before the prediction ends (the last of them ends it). */
  pollsToFinish: number;
  /** Denoising steps the tqdm bar counts. */
  steps: number;
  /** Ends the prediction as failed with this error text. */
  failWith: string | null;
  /** Writes tqdm bars to the logs; without them the adapter can only report start and end. */
  tqdmLogs: boolean;
}

export interface FakePrediction {
  id: string;
  model: string;
  version: string;
  input: Record<string, unknown>;
  status: 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled';
  logs: string;
  output: string[] | null;
  error: string | null;
  polls: number;
  behaviour: ReplicateFakeBehaviour;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

const FLUX_ASPECT_RATIOS = ['1:1', '16:9', '21:9', '3:2', '2:3', '4:5', '5:4', '3:4', '4:3', '9:16', '9:21'];
/** FLUX renders about a megapixel; a quarter of one keeps the tests fast. */
const FAKE_AREA = 256 * 256;

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

/** The flat colour the fake paints for a prompt and seed. */
export function replicateFakeColor(prompt: string, seed: number): [number, number, number] {
  const h = hash(`${prompt}|${seed}`);
  return [h & 0xff, (h >>> 8) & 0xff, (h >>> 16) & 0xff];
}

/** A tqdm line as diffusers prints it. */
export function tqdmLine(step: number, total: number): string {
  const percent = Math.floor((step / total) * 100);
  const filled = Math.round((step / total) * 10);
  const bar = '█'.repeat(filled) + ' '.repeat(10 - filled);
  return `${String(percent).padStart(3)}%|${bar}| ${step}/${total} [00:0${step}<00:0${total - step},  2.00it/s]`;
}

function problem(res: ServerResponse, status: number, title: string, detail: string, extra: object = {}) {
  sendJson(res, status, { title, detail, status, ...extra });
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

async function decodeDataUri(value: unknown) {
  if (typeof value !== 'string' || !value.startsWith('data:image/png;base64,')) return undefined;
  return sharp(Buffer.from(value.slice('data:image/png;base64,'.length), 'base64'))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
}

/**
 * Speaks Replicate's predictions API: create (by model or by version), poll, cancel, and a file host for the
 * outputs. Predictions move starting -> processing (tqdm bars in the logs) -> succeeded over a few polls; the
 * image is a real PNG whose colour depends on prompt and seed, and inpainting paints it where the mask is white.
 */
export async function startReplicateFake(options: { apiToken?: string; blockedWord?: string } = {}) {
  const apiToken = options.apiToken ?? 'r8_test';
  const blockedWord = options.blockedWord ?? 'nsfw-scene';
  const script: ScriptedAnswer[] = [];
  const predictions = new Map<string, FakePrediction>();
  const files = new Map<string, Buffer>();
  const cancels: string[] = [];
  const behaviour: ReplicateFakeBehaviour = { pollsToFinish: 4, steps: 4, failWith: null, tqdmLogs: true };
  let counter = 0;

  const view = (p: FakePrediction) => ({
    id: p.id,
    model: p.model,
    version: p.version,
    input: p.input,
    logs: p.logs,
    output: p.output,
    data_removed: false,
    error: p.error,
    status: p.status,
    created_at: p.created_at,
    started_at: p.started_at,
    completed_at: p.completed_at,
    urls: {
      get: `${fake.url}/v1/predictions/${p.id}`,
      cancel: `${fake.url}/v1/predictions/${p.id}/cancel`,
      web: `https://replicate.com/p/${p.id}`,
    },
    ...(p.status === 'succeeded' ? { metrics: { predict_time: 0.25, total_time: 0.3 } } : {}),
  });

  async function render(p: FakePrediction): Promise<Buffer> {
    const prompt = String(p.input.prompt);
    const seed = Number(p.input.seed ?? 0);
    const color = replicateFakeColor(prompt, seed);
    const init = await decodeDataUri(p.input.image);
    if (init) {
      const { width, height } = init.info;
      const mask = await decodeDataUri(p.input.mask);
      const strength = typeof p.input.prompt_strength === 'number' ? p.input.prompt_strength : 0.8;
      const out = Buffer.from(init.data);
      for (let i = 0; i < width * height; i++) {
        const weight = mask ? mask.data[i * 4]! / 255 : strength;
        for (let c = 0; c < 3; c++)
          out[i * 4 + c] = Math.round(out[i * 4 + c]! * (1 - weight) + color[c]! * weight);
      }
      return sharp(out, { raw: { width, height, channels: 4 } })
        .png()
        .toBuffer();
    }
    let width = 1024;
    let height = 1024;
    if (typeof p.input.aspect_ratio === 'string') {
      const [w, h] = p.input.aspect_ratio.split(':').map(Number) as [number, number];
      width = Math.round(Math.sqrt((FAKE_AREA * w) / h) / 16) * 16;
      height = Math.round(Math.sqrt((FAKE_AREA * h) / w) / 16) * 16;
    } else if (typeof p.input.width === 'number' && typeof p.input.height === 'number') {
      [width, height] = [p.input.width, p.input.height];
    }
    return sharp({
      create: { width, height, channels: 4, background: { r: color[0], g: color[1], b: color[2] } },
    })
      .png()
      .toBuffer();
  }

  /** One poll's worth of progress: processing with a longer tqdm bar, or the end. */
  async function advance(p: FakePrediction) {
    if (p.status === 'succeeded' || p.status === 'failed' || p.status === 'canceled') return;
    p.polls++;
    const { pollsToFinish, steps, failWith, tqdmLogs } = p.behaviour;
    if (p.status === 'starting') {
      p.status = 'processing';
      p.started_at = new Date().toISOString();
      p.logs = `Using seed: ${p.input.seed}\n`;
    }
    const step = Math.min(steps, Math.floor((steps * p.polls) / pollsToFinish));
    if (tqdmLogs) p.logs += `${tqdmLine(step, steps)}\n`;
    if (p.polls < pollsToFinish) return;
    p.completed_at = new Date().toISOString();
    if (failWith || String(p.input.prompt).includes(blockedWord)) {
      p.status = 'failed';
      p.error = failWith ?? 'NSFW content detected. Try running it again, or try a different prompt.';
      return;
    }
    const path = `/files/${p.id}/out-0.png`;
    files.set(path, await render(p));
    p.status = 'succeeded';
    p.output = [`${fake.url}${path}`];
  }

  const fake = await startFakeServer(async (req: RecordedRequest, res) => {
    const scriptIndex = script.findIndex((s) => !s.when || s.when(req));
    const scripted = scriptIndex >= 0 ? script.splice(scriptIndex, 1)[0] : undefined;
    if (scripted?.delayMs && !(await pause(res, scripted.delayMs))) return;
    if (scripted?.status) return sendJson(res, scripted.status, scripted.body ?? {}, scripted.headers);

    if (req.method === 'GET' && req.path.startsWith('/files/')) {
      const file = files.get(req.path);
      if (!file) return problem(res, 404, 'Not found', 'no such file');
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(file);
      return;
    }
    if (req.headers.authorization !== `Bearer ${apiToken}`) {
      return problem(res, 401, 'Unauthenticated', 'You did not pass a valid authentication token');
    }

    const byModel = /^\/v1\/models\/([^/]+)\/([^/]+)\/predictions$/.exec(req.path);
    if (req.method === 'POST' && (byModel || req.path === '/v1/predictions')) {
      const body = JSON.parse(req.body.toString() || '{}') as {
        input?: Record<string, unknown>;
        version?: unknown;
      };
      if (!byModel && typeof body.version !== 'string') {
        return problem(res, 422, 'Invalid version', '- version: version is required', {
          invalid_fields: [{ type: 'required', field: 'version', description: 'version is required' }],
        });
      }
      const input = body.input ?? {};
      const invalid: string[] = [];
      if (typeof input.prompt !== 'string' || !input.prompt) invalid.push('input.prompt: prompt is required');
      if (input.seed !== undefined && !Number.isInteger(input.seed))
        invalid.push('input.seed: must be an integer');
      if (input.aspect_ratio !== undefined && !FLUX_ASPECT_RATIOS.includes(String(input.aspect_ratio))) {
        invalid.push(`input.aspect_ratio: must be one of ${FLUX_ASPECT_RATIOS.join(', ')}`);
      }
      if (invalid.length) {
        return problem(res, 422, 'Input validation failed', invalid.map((line) => `- ${line}`).join('\n'), {
          invalid_fields: invalid.map((line) => ({ type: 'invalid', field: line.split(':')[0] })),
        });
      }
      const id = `pred${String(++counter).padStart(4, '0')}`;
      const prediction: FakePrediction = {
        id,
        model: byModel ? `${byModel[1]}/${byModel[2]}` : 'owner/versioned-model',
        version: byModel ? 'hidden' : String(body.version),
        input,
        status: 'starting',
        logs: '',
        output: null,
        error: null,
        polls: 0,
        behaviour: { ...behaviour },
        created_at: new Date().toISOString(),
        started_at: null,
        completed_at: null,
      };
      predictions.set(id, prediction);
      // Prefer: wait holds the request open until the model is done, like Replicate's sync mode.
      if (/^wait(=\d+)?$/.test(String(req.headers.prefer ?? ''))) {
        while (prediction.polls < prediction.behaviour.pollsToFinish) await advance(prediction);
      }
      return sendJson(res, 201, view(prediction));
    }

    const byId = /^\/v1\/predictions\/([^/]+)(\/cancel)?$/.exec(req.path);
    const prediction = byId ? predictions.get(byId[1]!) : undefined;
    if (!byId || !prediction) return problem(res, 404, 'Not found', `${req.method} ${req.path}`);
    if (req.method === 'POST' && byId[2]) {
      cancels.push(prediction.id);
      if (prediction.status === 'starting' || prediction.status === 'processing') {
        prediction.status = 'canceled';
        prediction.completed_at = new Date().toISOString();
      }
      return sendJson(res, 200, view(prediction));
    }
    if (req.method === 'GET' && !byId[2]) {
      await advance(prediction);
      return sendJson(res, 200, view(prediction));
    }
    return problem(res, 405, 'Method not allowed', `${req.method} ${req.path}`);
  });

  return {
    ...fake,
    apiToken,
    baseUrl: `${fake.url}/v1`,
    behaviour,
    predictions,
    /** Prediction ids, one per cancel request received. */
    cancels,
    /** Answers the next matching requests with these before falling back to normal behaviour. */
    script(...answers: ScriptedAnswer[]) {
      script.push(...answers);
    },
    creations() {
      return fake.requests.filter((r) => r.method === 'POST' && !r.path.endsWith('/cancel'));
    },
    polls() {
      return fake.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/predictions/'));
    },
  };
}
