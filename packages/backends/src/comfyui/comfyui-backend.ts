import { createHash, randomUUID } from 'node:crypto';
import {
  type BackendCapabilities,
  BackendError,
  DEFAULT_GUIDANCE,
  DEFAULT_STEPS,
  type GenerateParams,
  type GenerationResult,
  type ImageBackend,
  type MaskImage,
  type OperationContext,
  type ProgressUpdate,
  type RasterImage,
  type RegionalGenerateParams,
} from '@pakati/core';
import { z } from 'zod';
import { backendFetch, errorFromResponse } from '../http-errors.ts';
import { decodeImage, encodePng, resizeRaster } from '../image-codec.ts';
import { checkRequestSize, LATENT_MULTIPLE } from '../request-size.ts';
import { ComfySocket } from './comfyui-socket.ts';
import { buildRegionalWorkflow, type RegionalWorkflowRegion, regionalMaskPng } from './regional-workflow.ts';
import {
  type AppliedWorkflow,
  applyWorkflow,
  type ComfyWorkflow,
  DEFAULT_CHECKPOINT,
  DEFAULT_IMG2IMG_WORKFLOW,
  DEFAULT_INPAINT_WORKFLOW,
  DEFAULT_TXT2IMG_WORKFLOW,
  imageRoles,
  WorkflowError,
  type WorkflowValues,
} from './workflows.ts';

export interface ComfyUiOptions {
  /** Where ComfyUI listens (e.g. http://127.0.0.1:8188). */
  baseUrl: string;
  /**
   * API-format graphs to run instead of the shipped ones. They are filled in by node class and wiring, so they
   * need a KSampler/KSamplerAdvanced whose positive input comes from a CLIPTextEncode, an EmptyLatentImage for
   * txt2img, and LoadImage/LoadImageMask nodes feeding `pixels`/`mask` inputs for img2img and inpainting.
   */
  workflows?: { txt2img?: object; img2img?: object; inpaint?: object };
  /** The websocket client id; ComfyUI keeps one socket per id, so give each backend instance its own. */
  clientId?: string;
  /** Checkpoint file for CheckpointLoaderSimple; the workflow's own when absent. */
  checkpoint?: string;
  samplerName?: string;
  scheduler?: string;
  timeoutMs?: number;
  maxWidth?: number;
  maxHeight?: number;
  /**
   * Regional conditioning in one prompt (`generateRegional`, `capabilities.regionalPrompting`), with a graph
   * of core nodes (ConditioningSetMask, ConditioningCombine, LoadImageMask) built per request. Default: off, or
   * what `capabilities.regionalPrompting` says, so the capability and the method always go together.
   */
  regional?: boolean;
  /** Capabilities a custom workflow adds or lacks. */
  capabilities?: Partial<BackendCapabilities>;
  name?: string;
}

export interface ComfyUiBackend extends ImageBackend {
  readonly clientId: string;
}

type Kind = 'txt2img' | 'img2img' | 'inpaint';
type StopReason = 'cancelled' | 'timeout';

// POST /prompt is never aborted by the caller (an aborted submit could still be queued, with an id we would not
// know and so could not cancel); this only bounds a server that does not answer at all.
const SUBMIT_TIMEOUT_MS = 30_000;
const CANCEL_TIMEOUT_MS = 5_000;
// execution_success goes out before the prompt is written to history (main.py prompt_worker), so history may
// lag the websocket by a moment.
const HISTORY_ATTEMPTS = 30;

const submitResponse = z.object({
  prompt_id: z.string(),
  number: z.number().optional(),
  node_errors: z.unknown().optional(),
});
const uploadResponse = z.object({
  name: z.string(),
  subfolder: z.string().optional(),
  type: z.string().optional(),
});
const imageRef = z.object({
  filename: z.string(),
  subfolder: z.string().optional(),
  type: z.string().optional(),
});
const historyEntry = z
  .object({
    outputs: z.record(z.string(), z.object({ images: z.array(imageRef).optional() }).loose()).optional(),
    status: z
      .object({
        status_str: z.string().optional(),
        completed: z.boolean().optional(),
        // [event type, event data] pairs, as the websocket sent them.
        messages: z.array(z.unknown()).optional(),
      })
      .loose()
      .optional(),
  })
  .loose();
type HistoryEntry = z.infer<typeof historyEntry>;

function isNonEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return !!value && typeof value === 'object' && Object.keys(value).length > 0;
}

/** `{error: {type, message, details}, node_errors: {id: {errors: [{message, details}], class_type}}}` as one line. */
function comfyMessage(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const { error, node_errors: nodeErrors } = body as { error?: unknown; node_errors?: unknown };
  const parts: string[] = [];
  if (typeof error === 'string') parts.push(error);
  else if (error && typeof error === 'object') {
    const e = error as { message?: unknown; details?: unknown };
    parts.push([e.message, e.details].filter((p) => typeof p === 'string' && p).join(': '));
  }
  if (nodeErrors && typeof nodeErrors === 'object') {
    for (const [id, entry] of Object.entries(nodeErrors as Record<string, unknown>)) {
      const { errors, class_type: classType } = (entry ?? {}) as { errors?: unknown; class_type?: unknown };
      const messages = Array.isArray(errors)
        ? errors.map((e: { message?: unknown; details?: unknown }) =>
            [e?.message, e?.details].filter((p) => typeof p === 'string' && p).join(': '),
          )
        : [];
      parts.push(
        `node ${id}${typeof classType === 'string' ? ` (${classType})` : ''}: ${messages.join('; ')}`,
      );
    }
  }
  const message = parts.filter(Boolean).join(' | ');
  return message || undefined;
}

function queueIds(items: unknown): Set<string> {
  const ids = new Set<string>();
  if (!Array.isArray(items)) return ids;
  // Items are (number, prompt_id, prompt, extra_data, outputs_to_execute, ...) tuples.
  for (const item of items) {
    if (Array.isArray(item) && typeof item[1] === 'string') ids.add(item[1]);
    else if (
      item &&
      typeof item === 'object' &&
      typeof (item as { prompt_id?: unknown }).prompt_id === 'string'
    ) {
      ids.add((item as { prompt_id: string }).prompt_id);
    }
  }
  return ids;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The caller's signal and our timeout folded into one signal, remembering which fired first. */
function startOperation(signal: AbortSignal, timeoutMs: number | undefined) {
  const controller = new AbortController();
  let reason: StopReason | undefined;
  const stop = (why: StopReason) => {
    reason ??= why;
    controller.abort(new Error(why));
  };
  const onAbort = () => stop('cancelled');
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = timeoutMs !== undefined ? setTimeout(() => stop('timeout'), timeoutMs) : undefined;
  if (signal.aborted) stop('cancelled');
  return {
    signal: controller.signal,
    reason: () => reason,
    dispose() {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * The mask as one PNG that every ComfyUI way of reading a mask agrees on: RGB white where we paint (LoadImageMask
 * on a colour channel, ImageToMask) and alpha 0 there (LoadImageMask on alpha and LoadImage's MASK output, both
 * read `1 - alpha`).
 */
async function maskUpload(
  mask: MaskImage,
  width: number,
  height: number,
  init?: RasterImage,
): Promise<Buffer> {
  const gray: RasterImage = {
    width: mask.width,
    height: mask.height,
    data: new Uint8ClampedArray(mask.width * mask.height * 4),
  };
  for (let i = 0; i < mask.width * mask.height; i++) {
    const v = Math.round(Math.min(1, Math.max(0, mask.data[i]!)) * 255);
    gray.data.set([v, v, v, 255], i * 4);
  }
  // Resized while opaque: resampling premultiplies alpha, which would blank the colour under alpha 0.
  const sized = await resizeRaster(gray, width, height);
  const out = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const v = sized.data[i * 4]!;
    if (init) out.set([init.data[i * 4]!, init.data[i * 4 + 1]!, init.data[i * 4 + 2]!, 255 - v], i * 4);
    else out.set([v, v, v, 255 - v], i * 4);
  }
  return encodePng({ width, height, data: out });
}

export function createComfyUiBackend(options: ComfyUiOptions): ComfyUiBackend {
  const name = options.name ?? 'comfyui';
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const clientId = options.clientId ?? randomUUID();
  const wsUrl = `${baseUrl.replace(/^http/, 'ws')}/ws?clientId=${encodeURIComponent(clientId)}`;
  const socket = new ComfySocket(wsUrl);
  const templates: Record<Kind, ComfyWorkflow> = {
    txt2img: (options.workflows?.txt2img as ComfyWorkflow | undefined) ?? DEFAULT_TXT2IMG_WORKFLOW,
    img2img: (options.workflows?.img2img as ComfyWorkflow | undefined) ?? DEFAULT_IMG2IMG_WORKFLOW,
    inpaint: (options.workflows?.inpaint as ComfyWorkflow | undefined) ?? DEFAULT_INPAINT_WORKFLOW,
  };
  const capabilities: BackendCapabilities = {
    maxWidth: options.maxWidth ?? 2048,
    maxHeight: options.maxHeight ?? 2048,
    sizeMultiple: LATENT_MULTIPLE,
    txt2img: true,
    img2img: true,
    inpainting: true,
    regionalPrompting: false,
    negativePrompt: true,
    deterministicSeeds: true,
    costPerImage: 0,
    rateLimitPerMinute: null,
    ...options.capabilities,
  };
  const regional = options.regional ?? options.capabilities?.regionalPrompting === true;
  capabilities.regionalPrompting = regional;

  const checkSize = (params: GenerateParams) => checkRequestSize(name, params, capabilities);

  async function postJson(path: string, body: unknown, signal: AbortSignal): Promise<Response> {
    return backendFetch(name, `${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
  }

  async function readJson(res: Response, what: string): Promise<unknown> {
    const text = await res.text();
    try {
      return JSON.parse(text);
    } catch {
      throw new BackendError('PROTOCOL', name, `unreadable ${what} answer: ${text.slice(0, 200)}`);
    }
  }

  async function upload(
    png: Buffer,
    filename: string,
    signal: AbortSignal,
    overwrite = true,
  ): Promise<string> {
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(png)], { type: 'image/png' }), filename);
    form.append('type', 'input');
    form.append('overwrite', String(overwrite));
    const res = await backendFetch(name, `${baseUrl}/upload/image`, { method: 'POST', body: form, signal });
    if (!res.ok) throw await errorFromResponse(name, res, comfyMessage);
    const parsed = uploadResponse.safeParse(await readJson(res, 'upload'));
    if (!parsed.success) throw new BackendError('PROTOCOL', name, 'upload answer has no file name');
    // LoadImage names files relative to the input folder.
    return parsed.data.subfolder ? `${parsed.data.subfolder}/${parsed.data.name}` : parsed.data.name;
  }

  async function submit(graph: ComfyWorkflow): Promise<string> {
    const guard = AbortSignal.timeout(SUBMIT_TIMEOUT_MS);
    let res: Response;
    try {
      res = await postJson('/prompt', { prompt: graph, client_id: clientId }, guard);
    } catch (error) {
      if (guard.aborted) throw new BackendError('TIMEOUT', name, 'POST /prompt got no answer');
      throw error;
    }
    if (!res.ok) throw await errorFromResponse(name, res, comfyMessage);
    const body = await readJson(res, 'prompt');
    const parsed = submitResponse.safeParse(body);
    if (!parsed.success) throw new BackendError('PROTOCOL', name, 'prompt answer has no prompt_id');
    if (isNonEmpty(parsed.data.node_errors)) {
      // Queued all the same for the outputs that validated; we want all or nothing.
      await cancelPrompt(parsed.data.prompt_id);
      throw new BackendError('INVALID_REQUEST', name, `workflow rejected: ${comfyMessage(body)}`);
    }
    return parsed.data.prompt_id;
  }

  async function getQueue(signal: AbortSignal): Promise<{ running: Set<string>; pending: Set<string> }> {
    const res = await backendFetch(name, `${baseUrl}/queue`, { signal });
    if (!res.ok) throw await errorFromResponse(name, res, comfyMessage);
    const body = (await readJson(res, 'queue')) as { queue_running?: unknown; queue_pending?: unknown };
    return { running: queueIds(body.queue_running), pending: queueIds(body.queue_pending) };
  }

  /**
   * Stops exactly our prompt: dropped from the queue while pending, interrupted while running. /interrupt takes a
   * prompt_id on newer ComfyUI and then only stops that prompt; older servers ignore the body and stop whatever
   * runs, which is why we only send it after seeing our prompt in queue_running.
   */
  async function cancelPrompt(promptId: string): Promise<void> {
    const signal = AbortSignal.timeout(CANCEL_TIMEOUT_MS);
    try {
      let queue = await getQueue(signal);
      if (queue.pending.has(promptId)) {
        await (await postJson('/queue', { delete: [promptId] }, signal)).body?.cancel();
        // It may have started between the two calls.
        queue = await getQueue(signal);
      }
      if (queue.running.has(promptId)) {
        await (await postJson('/interrupt', { prompt_id: promptId }, signal)).body?.cancel();
      }
    } catch {
      // Best effort: the caller's cancellation or failure stands regardless.
    }
  }

  function executionError(data: Record<string, unknown>): BackendError {
    const message =
      typeof data.exception_message === 'string' ? data.exception_message.trim() : 'execution failed';
    const type = typeof data.exception_type === 'string' ? data.exception_type : '';
    const where = `${typeof data.node_type === 'string' ? data.node_type : 'node'} ${String(data.node_id ?? '')}`;
    const oom = /out of memory|OutOfMemory/i.test(`${type} ${message}`);
    return new BackendError(oom ? 'OUT_OF_MEMORY' : 'UNAVAILABLE', name, `${where.trim()}: ${message}`, {
      ...(type ? { providerCode: type } : {}),
    });
  }

  /** Follows our prompt's websocket events until ComfyUI reports it done; rejects on error or interruption. */
  function awaitPrompt(promptId: string, signal: AbortSignal, ctx: OperationContext) {
    const state = { startedAt: undefined as number | undefined, serverDone: false };
    const done = new Promise<void>((resolve, reject) => {
      let settled = false;
      let unwatch: (() => void) | undefined;
      let fraction = 0;
      let step = 0;
      let totalSteps = 0;
      const emit = (update: ProgressUpdate) => {
        if (settled || !ctx.onProgress) return;
        try {
          ctx.onProgress(update);
        } catch {
          // A faulty listener must not fail the generation.
        }
      };
      const settle = (finish: () => void) => {
        if (settled) return;
        settled = true;
        unwatch?.();
        signal.removeEventListener('abort', onAbort);
        finish();
      };
      const onAbort = () => settle(() => reject(signal.reason));
      // An abort that landed while POST /prompt was answering has already fired; it must still stop us.
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      unwatch = socket.watch(promptId, (event) => {
        if (settled) return;
        if (event.kind === 'closed') {
          settle(() => reject(new BackendError('UNAVAILABLE', name, event.reason)));
          return;
        }
        if (event.kind === 'preview') {
          if (!ctx.onProgress) return;
          void decodeImage(event.bytes)
            .then((preview) => emit({ fraction, step, totalSteps, preview }))
            .catch(() => {});
          return;
        }
        const { type, data } = event;
        if (type === 'execution_start') state.startedAt = performance.now();
        else if (type === 'progress') {
          const value = Number(data.value);
          const max = Number(data.max);
          if (!(max > 0) || !Number.isFinite(value)) return;
          step = value;
          totalSteps = max;
          // A graph with several samplers restarts the count per sampler; the fraction stays monotonic.
          fraction = Math.max(fraction, Math.min(1, value / max));
          emit({ fraction, step, totalSteps });
        } else if (type === 'execution_success' || (type === 'executing' && data.node == null)) {
          state.serverDone = true;
          settle(resolve);
        } else if (type === 'execution_error') {
          state.serverDone = true;
          settle(() => reject(executionError(data)));
        } else if (type === 'execution_interrupted') {
          state.serverDone = true;
          settle(() => reject(new BackendError('CANCELLED', name, 'interrupted on the server')));
        }
      });
      if (settled) unwatch();
    });
    return { done, state };
  }

  async function readHistory(promptId: string, signal: AbortSignal): Promise<HistoryEntry> {
    for (let attempt = 0; ; attempt++) {
      const res = await backendFetch(name, `${baseUrl}/history/${encodeURIComponent(promptId)}`, { signal });
      if (!res.ok) throw await errorFromResponse(name, res, comfyMessage);
      const body = (await readJson(res, 'history')) as Record<string, unknown>;
      if (body && typeof body === 'object' && body[promptId]) {
        const parsed = historyEntry.safeParse(body[promptId]);
        if (!parsed.success) throw new BackendError('PROTOCOL', name, 'unreadable history entry');
        return parsed.data;
      }
      if (attempt >= HISTORY_ATTEMPTS)
        throw new BackendError('PROTOCOL', name, `no history for prompt ${promptId}`);
      await sleep(Math.min(20 * 2 ** attempt, 250), signal);
    }
  }

  function historyError(entry: HistoryEntry): BackendError | undefined {
    if (entry.status?.status_str !== 'error') return undefined;
    for (const message of entry.status.messages ?? []) {
      if (!Array.isArray(message)) continue;
      const [type, data] = message as [unknown, unknown];
      if (type === 'execution_error') return executionError((data ?? {}) as Record<string, unknown>);
      if (type === 'execution_interrupted')
        return new BackendError('CANCELLED', name, 'interrupted on the server');
    }
    return new BackendError('UNAVAILABLE', name, 'prompt failed');
  }

  async function fetchOutput(
    entry: HistoryEntry,
    graph: ComfyWorkflow,
    signal: AbortSignal,
  ): Promise<RasterImage> {
    const outputs = Object.entries(entry.outputs ?? {}).sort(([a], [b]) =>
      a.localeCompare(b, 'en', { numeric: true }),
    );
    const candidates = outputs.flatMap(([id, output]) =>
      (output.images ?? []).map((image) => ({ image, saved: graph[id]?.class_type === 'SaveImage' })),
    );
    const pick =
      candidates.find((c) => c.saved) ?? candidates.find((c) => c.image.type === 'output') ?? candidates[0];
    if (!pick) throw new BackendError('PROTOCOL', name, 'the workflow produced no image');
    const query = new URLSearchParams({
      filename: pick.image.filename,
      subfolder: pick.image.subfolder ?? '',
      type: pick.image.type ?? 'output',
    });
    const res = await backendFetch(name, `${baseUrl}/view?${query}`, { signal });
    if (!res.ok) throw await errorFromResponse(name, res, comfyMessage);
    const bytes = Buffer.from(await res.arrayBuffer());
    return decodeImage(bytes).catch((error: unknown) => {
      throw new BackendError('PROTOCOL', name, `undecodable image: ${(error as Error).message}`);
    });
  }

  /**
   * One ComfyUI prompt from start to finish, whatever the graph: the socket opened before anything is queued,
   * `prepare` uploads what the graph needs and builds it, then submit, follow the prompt's events (progress,
   * previews, errors, interruption), read history and fetch the saved image, resized to the requested size.
   * Cancellation and timeout stop exactly our prompt.
   */
  async function run(
    params: GenerateParams,
    ctx: OperationContext,
    prepare: (size: { width: number; height: number }, signal: AbortSignal) => Promise<AppliedWorkflow>,
  ): Promise<GenerationResult> {
    const started = performance.now();
    const size = checkSize(params);
    if (ctx.signal.aborted) throw new BackendError('CANCELLED', name, 'cancelled');
    const op = startOperation(ctx.signal, options.timeoutMs);
    let acquired = false;
    let promptId: string | undefined;
    let serverDone = false;
    try {
      // The socket is open before the prompt is queued, so none of its events can be missed.
      try {
        await socket.acquire(op.signal);
      } catch (error) {
        if (op.reason()) throw error;
        throw new BackendError('UNAVAILABLE', name, `websocket: ${(error as Error).message}`);
      }
      acquired = true;

      let applied: AppliedWorkflow;
      try {
        applied = await prepare(size, op.signal);
      } catch (error) {
        if (error instanceof WorkflowError) throw new BackendError('INVALID_REQUEST', name, error.message);
        throw error;
      }
      if (op.reason()) throw op.signal.reason;

      promptId = await submit(applied.graph);
      const submittedAt = performance.now();
      const watch = awaitPrompt(promptId, op.signal, ctx);
      try {
        await watch.done;
      } finally {
        serverDone = watch.state.serverDone;
      }
      const finishedAt = performance.now();

      const entry = await readHistory(promptId, op.signal);
      const failure = historyError(entry);
      if (failure) throw failure;
      let image = await fetchOutput(entry, applied.graph, op.signal);
      if (image.width !== params.width || image.height !== params.height) {
        image = await resizeRaster(image, params.width, params.height);
      }
      const startedAt = watch.state.startedAt;
      return {
        image,
        seed: params.seed,
        model: applied.checkpoint ?? 'comfyui-workflow',
        modelVersion: '',
        timings: {
          totalMs: Math.round(performance.now() - started),
          ...(startedAt !== undefined
            ? {
                queueMs: Math.round(startedAt - submittedAt),
                inferenceMs: Math.round(finishedAt - startedAt),
              }
            : {}),
        },
      };
    } catch (error) {
      const reason = op.reason();
      if (
        promptId &&
        !serverDone &&
        (reason || (error instanceof BackendError && error.kind === 'UNAVAILABLE'))
      ) {
        await cancelPrompt(promptId);
      }
      if (reason === 'timeout')
        throw new BackendError('TIMEOUT', name, `no result within ${options.timeoutMs} ms`);
      if (reason === 'cancelled') throw new BackendError('CANCELLED', name, 'cancelled');
      throw error;
    } finally {
      op.dispose();
      if (acquired) socket.release();
    }
  }

  function execute(
    kind: Kind,
    params: GenerateParams,
    ctx: OperationContext,
    images?: { init: RasterImage; mask?: MaskImage; strength?: number },
  ): Promise<GenerationResult> {
    const template = templates[kind];
    return run(params, ctx, async (size, signal) => {
      const files: Pick<WorkflowValues, 'initImage' | 'maskImage' | 'initWithMaskImage'> = {};
      if (images) {
        const roles = new Set(imageRoles(template).values());
        const tag = `pakati-${randomUUID()}`;
        const init = await resizeRaster(images.init, size.width, size.height);
        if (roles.has('init'))
          files.initImage = await upload(await encodePng(init), `${tag}-init.png`, signal);
        if (images.mask && roles.has('mask')) {
          const png = await maskUpload(images.mask, size.width, size.height);
          files.maskImage = await upload(png, `${tag}-mask.png`, signal);
        }
        if (images.mask && roles.has('both')) {
          const png = await maskUpload(images.mask, size.width, size.height, init);
          files.initWithMaskImage = await upload(png, `${tag}-inpaint.png`, signal);
        }
      }
      return applyWorkflow(
        template,
        {
          prompt: params.prompt,
          negativePrompt: params.negativePrompt ?? '',
          seed: params.seed,
          steps: params.steps ?? DEFAULT_STEPS,
          cfg: params.guidance ?? DEFAULT_GUIDANCE,
          width: size.width,
          height: size.height,
          checkpoint: params.model ?? options.checkpoint ?? null,
          ...(images?.strength !== undefined ? { denoise: images.strength } : {}),
          ...(options.samplerName ? { samplerName: options.samplerName } : {}),
          ...(options.scheduler ? { scheduler: options.scheduler } : {}),
          ...files,
        },
        {
          latentSize: kind === 'txt2img',
          images: kind === 'txt2img' ? [] : kind === 'img2img' ? ['init'] : ['init', 'mask'],
        },
      );
    });
  }

  /** Checks the regions before anything is sent: one mask size for all, and every mask complete. */
  function checkRegions(params: RegionalGenerateParams): void {
    if (!Array.isArray(params.regions))
      throw new BackendError('INVALID_REQUEST', name, 'regions must be a list');
    const first = params.regions[0]?.positiveMask;
    params.regions.forEach((region, index) => {
      for (const text of [region.positive, region.negative, region.negativeOutside]) {
        if (typeof text !== 'string')
          throw new BackendError('INVALID_REQUEST', name, `region ${index} has a prompt that is not text`);
      }
      for (const mask of [region.positiveMask, region.outsideMask]) {
        if (
          !mask ||
          !(mask.width > 0 && mask.height > 0) ||
          mask.data?.length !== mask.width * mask.height ||
          mask.width !== first!.width ||
          mask.height !== first!.height
        ) {
          throw new BackendError(
            'INVALID_REQUEST',
            name,
            `region ${index} (${region.regionId}) needs complete masks of one size for all regions`,
          );
        }
      }
    });
  }

  /**
   * Uploads a regional mask under a name derived from its content, so the same request gives the same graph
   * (and ComfyUI's cache can reuse the loaded mask). Sent without overwrite: ComfyUI keeps an existing file of
   * that name when its content is the same, and never rewrites a file another prompt may be reading.
   */
  async function uploadRegionalMask(png: Buffer, signal: AbortSignal, uploaded: Map<string, string>) {
    const filename = `pakati-region-${createHash('sha256').update(png).digest('hex').slice(0, 32)}.png`;
    const known = uploaded.get(filename);
    if (known) return known;
    const stored = await upload(png, filename, signal, false);
    uploaded.set(filename, stored);
    return stored;
  }

  function executeRegional(params: RegionalGenerateParams, ctx: OperationContext): Promise<GenerationResult> {
    try {
      checkRegions(params);
    } catch (error) {
      return Promise.reject(error);
    }
    return run(params, ctx, async (size, signal) => {
      const uploaded = new Map<string, string>();
      const regions: RegionalWorkflowRegion[] = [];
      for (const region of params.regions) {
        const inside = await regionalMaskPng(region.positiveMask, size.width, size.height);
        const outside = await regionalMaskPng(region.outsideMask, size.width, size.height);
        regions.push({
          regionId: region.regionId,
          positive: region.positive,
          negative: region.negative,
          negativeOutside: region.negativeOutside,
          positiveMask: await uploadRegionalMask(inside, signal, uploaded),
          outsideMask: await uploadRegionalMask(outside, signal, uploaded),
        });
      }
      const checkpoint = params.model ?? options.checkpoint ?? DEFAULT_CHECKPOINT;
      const graph = buildRegionalWorkflow({
        prompt: params.prompt ?? '',
        negativePrompt: params.negativePrompt ?? '',
        seed: params.seed,
        steps: params.steps ?? DEFAULT_STEPS,
        cfg: params.guidance ?? DEFAULT_GUIDANCE,
        width: size.width,
        height: size.height,
        checkpoint,
        ...(options.samplerName ? { samplerName: options.samplerName } : {}),
        ...(options.scheduler ? { scheduler: options.scheduler } : {}),
        regions,
      });
      return { graph, checkpoint };
    });
  }

  const backend: ComfyUiBackend = {
    name,
    capabilities,
    clientId,
    generate(params, ctx) {
      return execute('txt2img', params, ctx);
    },
    img2img(params, ctx) {
      return execute('img2img', params, ctx, {
        init: params.init,
        strength: Math.min(1, Math.max(0, params.strength)),
      });
    },
    inpaint(params, ctx) {
      if (params.mask.width !== params.init.width || params.mask.height !== params.init.height) {
        return Promise.reject(
          new BackendError('INVALID_REQUEST', name, 'mask and init image differ in size'),
        );
      }
      return execute('inpaint', params, ctx, { init: params.init, mask: params.mask });
    },
  };
  // Present exactly when the capability says so.
  return regional ? { ...backend, generateRegional: executeRegional } : backend;
}
