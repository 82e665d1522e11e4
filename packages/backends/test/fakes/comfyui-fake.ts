import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import sharp from 'sharp';
import { WebSocket, WebSocketServer } from 'ws';
import { decodeRgba, previewJpeg, type RawRgba, renderPng, seedColor, sleep } from './automatic1111-fake.ts';
import { type RecordedRequest, sendJson, startFakeServer } from './fake-http-server.ts';

type Graph = Record<string, { class_type: string; inputs: Record<string, unknown> }>;
type Link = [string, number];

export interface ComfyQueueItem {
  number: number;
  promptId: string;
  prompt: Graph;
  clientId: string | undefined;
  outputs: string[];
  interrupted: boolean;
}

export interface ComfyUpload {
  /** Multipart field names in the order they were sent. */
  fields: string[];
  name: string;
  type: string;
  overwrite: string | null;
  contentType: string;
  bytes: Buffer;
}

/** One conditioning entry as the sampler would see it: a text, and the mask file it is set to (null: unmasked). */
export interface ComfyConditioningEntry {
  text: string;
  /** The uploaded file its ConditioningSetMask's LoadImageMask/LoadImage loads; null when unmasked. */
  mask: string | null;
  channel: string | null;
  strength: number;
  setCondArea: string | null;
}

/** What a regional graph's sampler was given, in ConditioningCombine order (conditioning_1 before _2). */
export interface ComfyConditioningRecord {
  promptId: string;
  positive: ComfyConditioningEntry[];
  negative: ComfyConditioningEntry[];
}

/** A one-shot scripted HTTP answer for the next request to `path`. */
export interface ComfyHttpFailure {
  path: string;
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Send `body` as it is rather than as JSON. */
  raw?: boolean;
}

const NODE_CLASSES = new Set([
  'CheckpointLoaderSimple',
  'CLIPTextEncode',
  'EmptyLatentImage',
  'KSampler',
  'KSamplerAdvanced',
  'VAEDecode',
  'VAEEncode',
  'VAEEncodeForInpaint',
  'SetLatentNoiseMask',
  'SaveImage',
  'PreviewImage',
  'LoadImage',
  'LoadImageMask',
  'ConditioningSetMask',
  'ConditioningCombine',
]);
// Inputs that must be links, and combo inputs with their choices (nodes.py INPUT_TYPES).
const REQUIRED_LINKS: Record<string, string[]> = {
  ConditioningSetMask: ['conditioning', 'mask'],
  ConditioningCombine: ['conditioning_1', 'conditioning_2'],
};
const COMBOS: Record<string, Record<string, string[]>> = {
  ConditioningSetMask: { set_cond_area: ['default', 'mask bounds'] },
  LoadImageMask: { channel: ['alpha', 'red', 'green', 'blue'] },
};
const OUTPUT_NODES = new Set(['SaveImage', 'PreviewImage']);

const isLink = (value: unknown): value is Link =>
  Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number';

/**
 * A fake ComfyUI server: POST /prompt validates and queues API-format graphs, one worker runs them in order and
 * reports over the `/ws?clientId=` websocket of the client that queued them (execution_start, executing,
 * progress, binary JPEG previews, executed, execution_success, executing null), history and /view serve the
 * saved PNG, /queue and /interrupt (with or without a prompt_id) behave like the real ones.
 *
 * Regional graphs (ConditioningSetMask/ConditioningCombine between the text encoders and the sampler) render
 * per pixel: the colour of the last positive entry in combine order whose uploaded mask is > 0.5 there, or
 * that is unmasked; the conditioning they were given is kept in `conditioning` for tests.
 */
export async function startComfyUiFake(
  options: { stepMs?: number; checkpoints?: string[]; historyDelayMs?: number } = {},
) {
  const stepMs = options.stepMs ?? 20;
  const checkpoints = options.checkpoints ?? ['v1-5-pruned-emaonly.safetensors', 'sdxl.safetensors'];
  const historyDelayMs = options.historyDelayMs ?? 15;

  const files = new Map<string, Buffer>();
  const uploads: ComfyUpload[] = [];
  const history = new Map<string, Record<string, unknown>>();
  const interrupts: { promptId: string | null }[] = [];
  const deletes: string[][] = [];
  const conditioning: ComfyConditioningRecord[] = [];
  const httpFailures: ComfyHttpFailure[] = [];
  const executionFailures: ('oom' | 'error')[] = [];
  /** What happened in order, for tests that care (e.g. that the socket opened before the prompt was queued). */
  const timeline: string[] = [];
  const sockets = new Map<string, WebSocket>();
  let pending: ComfyQueueItem[] = [];
  let running: ComfyQueueItem | undefined;
  let counter = 0;
  let outputCounter = 0;
  let closed = false;

  function send(clientId: string | undefined, type: string, data: Record<string, unknown>) {
    const ws = clientId ? sockets.get(clientId) : undefined;
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type, data }));
  }

  function sendPreview(clientId: string | undefined, jpeg: Buffer) {
    const ws = clientId ? sockets.get(clientId) : undefined;
    if (ws?.readyState !== WebSocket.OPEN) return;
    // server.py: struct.pack(">I", PREVIEW_IMAGE=1) + struct.pack(">I", 1 = JPEG) + image bytes.
    const header = Buffer.alloc(8);
    header.writeUInt32BE(1, 0);
    header.writeUInt32BE(1, 4);
    ws.send(Buffer.concat([header, jpeg]), { binary: true });
  }

  function queueInfo() {
    return { exec_info: { queue_remaining: pending.length + (running ? 1 : 0) } };
  }

  const asTuple = (item: ComfyQueueItem) => [
    item.number,
    item.promptId,
    item.prompt,
    { client_id: item.clientId },
    item.outputs,
  ];

  function validationError(
    res: ServerResponse,
    nodeId: string,
    classType: string,
    outputs: string[],
    type: string,
    message: string,
    details: string,
  ) {
    sendJson(res, 400, {
      error: {
        type: 'prompt_outputs_failed_validation',
        message: 'Prompt outputs failed validation',
        details: '',
        extra_info: {},
      },
      node_errors: {
        [nodeId]: {
          errors: [{ type, message, details, extra_info: {} }],
          dependent_outputs: outputs,
          class_type: classType,
        },
      },
    });
  }

  function postPrompt(req: RecordedRequest, res: ServerResponse) {
    const body = JSON.parse(req.body.toString('utf8')) as { prompt?: Graph; client_id?: string };
    const graph = body.prompt;
    if (!graph || typeof graph !== 'object') {
      return sendJson(res, 400, {
        error: {
          type: 'no_prompt',
          message: 'No prompt provided',
          details: 'No prompt provided',
          extra_info: {},
        },
        node_errors: [],
      });
    }
    for (const [id, node] of Object.entries(graph)) {
      if (!NODE_CLASSES.has(node.class_type)) {
        return sendJson(res, 400, {
          error: {
            type: 'invalid_prompt',
            message: `Cannot execute because node ${node.class_type} does not exist.`,
            details: `Node ID '#${id}'`,
            extra_info: {},
          },
          node_errors: {},
        });
      }
    }
    const outputs = Object.keys(graph).filter((id) => OUTPUT_NODES.has(graph[id]!.class_type));
    if (outputs.length === 0) {
      return sendJson(res, 400, {
        error: { type: 'prompt_no_outputs', message: 'Prompt has no outputs', details: '', extra_info: {} },
        node_errors: [],
      });
    }
    for (const [id, node] of Object.entries(graph)) {
      for (const [input, value] of Object.entries(node.inputs)) {
        if (isLink(value) && !graph[value[0]]) {
          return validationError(
            res,
            id,
            node.class_type,
            outputs,
            'required_input_missing',
            'Required input is missing',
            input,
          );
        }
      }
      for (const input of REQUIRED_LINKS[node.class_type] ?? []) {
        if (!isLink(node.inputs[input])) {
          return validationError(
            res,
            id,
            node.class_type,
            outputs,
            'required_input_missing',
            'Required input is missing',
            input,
          );
        }
      }
      for (const [input, choices] of Object.entries(COMBOS[node.class_type] ?? {})) {
        if (!choices.includes(String(node.inputs[input]))) {
          return validationError(
            res,
            id,
            node.class_type,
            outputs,
            'value_not_in_list',
            'Value not in list',
            `${input}: '${node.inputs[input]}' not in ${JSON.stringify(choices)}`,
          );
        }
      }
      if (
        node.class_type === 'ConditioningSetMask' &&
        !(typeof node.inputs.strength === 'number' && node.inputs.strength >= 0 && node.inputs.strength <= 10)
      ) {
        return validationError(
          res,
          id,
          node.class_type,
          outputs,
          'value_bigger_than_max',
          'Value out of range',
          `strength: ${node.inputs.strength} not in [0, 10]`,
        );
      }
      if (
        node.class_type === 'CheckpointLoaderSimple' &&
        !checkpoints.includes(String(node.inputs.ckpt_name))
      ) {
        return validationError(
          res,
          id,
          node.class_type,
          outputs,
          'value_not_in_list',
          'Value not in list',
          `ckpt_name: '${node.inputs.ckpt_name}' not in ${JSON.stringify(checkpoints)}`,
        );
      }
      if (
        (node.class_type === 'LoadImage' || node.class_type === 'LoadImageMask') &&
        !files.has(`input/${node.inputs.image}`)
      ) {
        return validationError(
          res,
          id,
          node.class_type,
          outputs,
          'custom_validation_failed',
          'Custom validation failed for node',
          `image - Invalid image file: ${node.inputs.image}`,
        );
      }
    }
    const item: ComfyQueueItem = {
      number: counter++,
      promptId: randomUUID(),
      prompt: graph,
      clientId: body.client_id,
      outputs,
      interrupted: false,
    };
    pending.push(item);
    timeline.push(`queued ${item.promptId}`);
    sendJson(res, 200, { prompt_id: item.promptId, number: item.number, node_errors: {} });
    pump();
  }

  function pump() {
    if (running || closed) return;
    const next = pending.shift();
    if (!next) return;
    running = next;
    void execute(next)
      .catch(() => {})
      .finally(() => {
        running = undefined;
        pump();
      });
  }

  function node(graph: Graph, link: unknown) {
    if (!isLink(link)) throw new Error('expected a link');
    return { id: link[0], slot: link[1], node: graph[link[0]]! };
  }

  async function loadMask(
    graph: Graph,
    link: unknown,
    width: number,
    height: number,
  ): Promise<(i: number) => number> {
    const source = node(graph, link);
    const image = await decodeRgba(files.get(`input/${source.node.inputs.image}`)!, width, height);
    if (source.node.class_type === 'LoadImageMask') {
      const channel = { red: 0, green: 1, blue: 2, alpha: 3 }[String(source.node.inputs.channel)] ?? 3;
      // nodes.py LoadImageMask: a colour channel as is, alpha inverted.
      return (i) => (channel === 3 ? 255 - image.data[i * 4 + 3]! : image.data[i * 4 + channel]!) / 255;
    }
    // LoadImage's MASK output is 1 - alpha.
    return (i) => (255 - image.data[i * 4 + 3]!) / 255;
  }

  /**
   * The conditioning a link carries, flattened in ConditioningCombine order: text encoders give one unmasked
   * entry, ConditioningSetMask sets its mask on every entry it receives (replacing an earlier one, like
   * node_helpers.conditioning_set_values).
   */
  function flattenConditioning(graph: Graph, link: unknown, depth = 0): ComfyConditioningEntry[] {
    if (depth > 1000) throw new Error('conditioning graph has a cycle');
    const { node: source } = node(graph, link);
    switch (source.class_type) {
      case 'CLIPTextEncode':
        return [
          { text: String(source.inputs.text), mask: null, channel: null, strength: 1, setCondArea: null },
        ];
      case 'ConditioningCombine':
        return [
          ...flattenConditioning(graph, source.inputs.conditioning_1, depth + 1),
          ...flattenConditioning(graph, source.inputs.conditioning_2, depth + 1),
        ];
      case 'ConditioningSetMask': {
        const loader = node(graph, source.inputs.mask).node;
        if (loader.class_type !== 'LoadImageMask' && loader.class_type !== 'LoadImage') {
          throw new Error(`ConditioningSetMask mask from ${loader.class_type} is not supported by the fake`);
        }
        return flattenConditioning(graph, source.inputs.conditioning, depth + 1).map((entry) => ({
          ...entry,
          mask: String(loader.inputs.image),
          channel: loader.class_type === 'LoadImageMask' ? String(loader.inputs.channel) : null,
          strength: Number(source.inputs.strength),
          setCondArea: String(source.inputs.set_cond_area),
        }));
      }
      default:
        throw new Error(`conditioning from ${source.class_type} is not supported by the fake`);
    }
  }

  /** A mask file as LoadImageMask would read it, at the given size. */
  async function maskFile(file: string, channel: string | null, width: number, height: number) {
    const bytes = files.get(`input/${file}`);
    if (!bytes) throw new Error(`Invalid image file: ${file}`);
    const image = await decodeRgba(bytes, width, height);
    const c = channel === null ? 3 : ({ red: 0, green: 1, blue: 2, alpha: 3 }[channel] ?? 3);
    return (i: number) => (c === 3 ? 255 - image.data[i * 4 + 3]! : image.data[i * 4 + c]!) / 255;
  }

  /** Per pixel, the last positive entry that applies there (unmasked, or its mask > 0.5) gives the colour. */
  async function renderRegional(
    promptId: string,
    graph: Graph,
    sampler: Graph[string],
    seed: number,
  ): Promise<Buffer> {
    const positive = flattenConditioning(graph, sampler.inputs.positive);
    const negative = flattenConditioning(graph, sampler.inputs.negative);
    conditioning.push({ promptId, positive, negative });
    const latent = node(graph, sampler.inputs.latent_image).node;
    if (latent.class_type !== 'EmptyLatentImage') throw new Error('regional graphs need an EmptyLatentImage');
    const width = Number(latent.inputs.width);
    const height = Number(latent.inputs.height);
    const layers = await Promise.all(
      positive.map(async (entry) => ({
        color: seedColor(seed, entry.text),
        mask: entry.mask === null ? null : await maskFile(entry.mask, entry.channel, width, height),
      })),
    );
    const out = Buffer.alloc(width * height * 3);
    for (let i = 0; i < width * height; i++) {
      let color: [number, number, number] = [0, 0, 0];
      for (const layer of layers) if (!layer.mask || layer.mask(i) > 0.5) color = layer.color;
      out.set(color, i * 3);
    }
    return sharp(out, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer();
  }

  /** Renders what the graph would: the seed's colour over the init image, weighted by denoise or the mask. */
  async function render(promptId: string, graph: Graph, outputId: string): Promise<Buffer> {
    const decode = node(graph, graph[outputId]!.inputs.images).node;
    const sampler = node(graph, decode.inputs.samples).node;
    const seed = Number(
      sampler.class_type === 'KSamplerAdvanced' ? sampler.inputs.noise_seed : sampler.inputs.seed,
    );
    if (Object.values(graph).some((n) => n.class_type === 'ConditioningSetMask')) {
      return renderRegional(promptId, graph, sampler, seed);
    }
    const text = String(node(graph, sampler.inputs.positive).node.inputs.text);
    const color = seedColor(seed, text);
    const latent = node(graph, sampler.inputs.latent_image).node;
    if (latent.class_type === 'EmptyLatentImage') {
      return renderPng({ width: Number(latent.inputs.width), height: Number(latent.inputs.height), color });
    }
    const loader = node(graph, latent.inputs.pixels).node;
    const bytes = files.get(`input/${loader.inputs.image}`)!;
    const probe = await decodeRgba(bytes);
    // VAEEncode crops to a multiple of 8.
    const width = Math.floor(probe.width / 8) * 8;
    const height = Math.floor(probe.height / 8) * 8;
    const base: RawRgba = await decodeRgba(bytes, width, height);
    if (latent.class_type === 'VAEEncodeForInpaint') {
      const mask = await loadMask(graph, latent.inputs.mask, width, height);
      return renderPng({ width, height, color, base, weight: mask });
    }
    const denoise = Number(sampler.inputs.denoise ?? 1);
    return renderPng({ width, height, color, base, weight: () => denoise });
  }

  function finishHistory(item: ComfyQueueItem, entry: Record<string, unknown>) {
    setTimeout(
      () => history.set(item.promptId, { prompt: asTuple(item), meta: {}, ...entry }),
      historyDelayMs,
    );
  }

  async function execute(item: ComfyQueueItem) {
    const { promptId, clientId, prompt: graph } = item;
    const now = () => Date.now();
    timeline.push(`started ${promptId}`);
    send(clientId, 'execution_start', { prompt_id: promptId, timestamp: now() });
    send(clientId, 'execution_cached', { nodes: [], prompt_id: promptId, timestamp: now() });
    const messages: [string, Record<string, unknown>][] = [['execution_start', { prompt_id: promptId }]];
    const executed: string[] = [];
    const samplers = Object.keys(graph).filter((id) => graph[id]!.class_type.startsWith('KSampler'));
    for (const id of samplers) {
      send(clientId, 'executing', { node: id, display_node: id, prompt_id: promptId });
      const sampler = graph[id]!;
      const steps = Number(sampler.inputs.steps);
      const color = seedColor(Number(sampler.inputs.seed ?? sampler.inputs.noise_seed), 'preview');
      for (let step = 1; step <= steps; step++) {
        await sleep(stepMs);
        const failure = step === 2 ? executionFailures.shift() : undefined;
        if (failure) {
          const oom = failure === 'oom';
          const data = {
            prompt_id: promptId,
            node_id: id,
            node_type: sampler.class_type,
            executed,
            exception_message: oom
              ? 'Allocation on device 0 would exceed allowed memory. (out of memory)\nCurrently allocated     : 7.10 GiB'
              : 'mat1 and mat2 shapes cannot be multiplied (154x2048 and 768x320)',
            exception_type: oom ? 'torch.OutOfMemoryError' : 'RuntimeError',
            traceback: ['  File "execution.py", line 327, in execute\n'],
            current_inputs: {},
            current_outputs: {},
            timestamp: now(),
          };
          send(clientId, 'execution_error', data);
          finishHistory(item, {
            outputs: {},
            status: {
              status_str: 'error',
              completed: false,
              messages: [...messages, ['execution_error', data]],
            },
          });
          return;
        }
        if (item.interrupted || closed) {
          const data = {
            prompt_id: promptId,
            node_id: id,
            node_type: sampler.class_type,
            executed,
            timestamp: now(),
          };
          send(clientId, 'execution_interrupted', data);
          timeline.push(`interrupted ${promptId}`);
          finishHistory(item, {
            outputs: {},
            status: {
              status_str: 'error',
              completed: false,
              messages: [...messages, ['execution_interrupted', data]],
            },
          });
          return;
        }
        send(clientId, 'progress', { value: step, max: steps, prompt_id: promptId, node: id });
        sendPreview(clientId, await previewJpeg(color, step / steps));
      }
      executed.push(id);
    }
    const outputs: Record<string, unknown> = {};
    for (const id of item.outputs) {
      send(clientId, 'executing', { node: id, display_node: id, prompt_id: promptId });
      const isSave = graph[id]!.class_type === 'SaveImage';
      const filename = `${isSave ? 'pakati' : 'ComfyUI_temp'}_${String(++outputCounter).padStart(5, '0')}_.png`;
      const type = isSave ? 'output' : 'temp';
      let png: Buffer;
      try {
        png = await render(promptId, graph, id);
      } catch (error) {
        // What the fake cannot render fails like a node exception would, rather than leaving the prompt hanging.
        const data = {
          prompt_id: promptId,
          node_id: id,
          node_type: graph[id]!.class_type,
          executed,
          exception_message: (error as Error).message,
          exception_type: 'Exception',
          traceback: [],
          current_inputs: {},
          current_outputs: {},
          timestamp: now(),
        };
        send(clientId, 'execution_error', data);
        finishHistory(item, {
          outputs: {},
          status: {
            status_str: 'error',
            completed: false,
            messages: [...messages, ['execution_error', data]],
          },
        });
        return;
      }
      files.set(`${type}/${filename}`, png);
      const output = { images: [{ filename, subfolder: '', type }] };
      outputs[id] = output;
      executed.push(id);
      send(clientId, 'executed', { node: id, display_node: id, output, prompt_id: promptId });
    }
    // Newer ComfyUI sends execution_success before the prompt reaches history, and `executing: null` after.
    send(clientId, 'execution_success', { prompt_id: promptId, timestamp: now() });
    timeline.push(`succeeded ${promptId}`);
    finishHistory(item, {
      outputs,
      status: {
        status_str: 'success',
        completed: true,
        messages: [...messages, ['execution_success', { prompt_id: promptId }]],
      },
    });
    await sleep(historyDelayMs + 5);
    send(clientId, 'executing', { node: null, prompt_id: promptId });
  }

  async function upload(req: RecordedRequest, res: ServerResponse) {
    const form = await req.asRequest().formData();
    const image = form.get('image');
    if (!(image instanceof File) || !image.name) {
      res.writeHead(400);
      res.end();
      return;
    }
    const type = String(form.get('type') ?? 'input');
    const subfolder = String(form.get('subfolder') ?? '');
    const bytes = Buffer.from(await image.arrayBuffer());
    const overwrite = form.get('overwrite');
    const key = (file: string) => `${type}/${subfolder ? `${subfolder}/` : ''}${file}`;
    let name = image.name;
    if (overwrite !== 'true' && overwrite !== '1') {
      // server.py: without overwrite an existing file of the same content is kept, another one gets " (n)".
      const dot = image.name.lastIndexOf('.');
      const [stem, ext] = dot > 0 ? [image.name.slice(0, dot), image.name.slice(dot)] : [image.name, ''];
      for (let n = 1; files.has(key(name)) && !files.get(key(name))!.equals(bytes); n++)
        name = `${stem} (${n})${ext}`;
    }
    files.set(key(name), bytes);
    uploads.push({
      fields: [...form.keys()],
      name,
      type,
      overwrite: form.get('overwrite') as string | null,
      contentType: image.type,
      bytes,
    });
    sendJson(res, 200, { name, subfolder, type });
  }

  const server = await startFakeServer(async (req, res) => {
    const scripted = httpFailures.findIndex((f) => f.path === req.path);
    if (scripted >= 0) {
      const [failure] = httpFailures.splice(scripted, 1);
      res.writeHead(failure!.status, { 'content-type': 'application/json', ...failure!.headers });
      res.end(failure!.raw ? String(failure!.body) : JSON.stringify(failure!.body));
      return;
    }
    if (req.method === 'POST' && req.path === '/prompt') return postPrompt(req, res);
    if (req.method === 'POST' && req.path === '/upload/image') return upload(req, res);
    if (req.method === 'GET' && req.path === '/queue') {
      return sendJson(res, 200, {
        queue_running: running ? [asTuple(running)] : [],
        queue_pending: pending.map(asTuple),
      });
    }
    if (req.method === 'POST' && req.path === '/queue') {
      const body = JSON.parse(req.body.toString('utf8') || '{}') as { delete?: string[]; clear?: boolean };
      if (body.clear) pending = [];
      if (body.delete) {
        deletes.push(body.delete);
        pending = pending.filter((item) => !body.delete!.includes(item.promptId));
      }
      res.writeHead(200);
      res.end();
      return;
    }
    if (req.method === 'POST' && req.path === '/interrupt') {
      let promptId: string | null = null;
      try {
        promptId = (JSON.parse(req.body.toString('utf8')) as { prompt_id?: string }).prompt_id ?? null;
      } catch {}
      interrupts.push({ promptId });
      // Newer server.py: with a prompt_id only that prompt is interrupted, and only while it runs.
      if (running && (!promptId || running.promptId === promptId)) running.interrupted = true;
      res.writeHead(200);
      res.end();
      return;
    }
    if (req.method === 'GET' && req.path.startsWith('/history/')) {
      const id = decodeURIComponent(req.path.slice('/history/'.length));
      const entry = history.get(id);
      return sendJson(res, 200, entry ? { [id]: entry } : {});
    }
    if (req.method === 'GET' && req.path === '/view') {
      const subfolder = req.query.get('subfolder');
      const key = `${req.query.get('type') ?? 'output'}/${subfolder ? `${subfolder}/` : ''}${req.query.get('filename')}`;
      const bytes = files.get(key);
      if (!bytes) {
        res.writeHead(404);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(bytes);
      return;
    }
    res.writeHead(404);
    res.end();
  });

  const wss = new WebSocketServer({ server: server.server, path: '/ws' });
  wss.on('connection', (ws, request) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const sid = url.searchParams.get('clientId') || randomUUID().replace(/-/g, '');
    // server.py: reusing a clientId replaces the previous socket.
    sockets.set(sid, ws);
    timeline.push(`ws ${sid}`);
    ws.on('close', () => {
      if (sockets.get(sid) === ws) sockets.delete(sid);
    });
    ws.send(JSON.stringify({ type: 'status', data: { status: queueInfo(), sid } }));
  });

  return {
    url: server.url,
    requests: server.requests,
    uploads,
    /** Per executed regional prompt, the conditioning its sampler was given. */
    conditioning,
    interrupts,
    deletes,
    timeline,
    history,
    sockets,
    get running() {
      return running;
    },
    get pending() {
      return pending;
    },
    /** Answers the next request to `path` with this instead. */
    failHttp(failure: ComfyHttpFailure) {
      httpFailures.push(failure);
    },
    /** Makes the next prompt fail at its second sampler step. */
    failExecution(kind: 'oom' | 'error') {
      executionFailures.push(kind);
    },
    async close() {
      closed = true;
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await server.close();
    },
  };
}
