/**
 * ComfyUI "API format" graphs: node id -> {class_type, inputs}, where an input is either a literal or a link
 * `[sourceNodeId, outputSlot]`. This is what `POST /prompt` takes (the UI's "Save (API Format)").
 */
export type ComfyLink = [string, number];
export interface ComfyNode {
  class_type: string;
  inputs: Record<string, unknown>;
  _meta?: { title?: string };
}
export type ComfyWorkflow = Record<string, ComfyNode>;

export const DEFAULT_CHECKPOINT = 'v1-5-pruned-emaonly.safetensors';

const checkpoint = (): ComfyNode => ({
  class_type: 'CheckpointLoaderSimple',
  inputs: { ckpt_name: DEFAULT_CHECKPOINT },
});
const text = (title: string): ComfyNode => ({
  class_type: 'CLIPTextEncode',
  inputs: { text: '', clip: ['1', 1] },
  _meta: { title },
});
const sampler = (latent: ComfyLink, denoise: number): ComfyNode => ({
  class_type: 'KSampler',
  inputs: {
    seed: 0,
    steps: 30,
    cfg: 7.5,
    sampler_name: 'euler',
    scheduler: 'normal',
    denoise,
    model: ['1', 0],
    positive: ['2', 0],
    negative: ['3', 0],
    latent_image: latent,
  },
});
const decodeAndSave = (samples: string): ComfyWorkflow => ({
  '8': { class_type: 'VAEDecode', inputs: { samples: [samples, 0], vae: ['1', 2] } },
  '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'pakati', images: ['8', 0] } },
});

export const DEFAULT_TXT2IMG_WORKFLOW: ComfyWorkflow = {
  '1': checkpoint(),
  '2': text('Positive prompt'),
  '3': text('Negative prompt'),
  '4': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 512, batch_size: 1 } },
  '5': sampler(['4', 0], 1),
  ...decodeAndSave('5'),
};

export const DEFAULT_IMG2IMG_WORKFLOW: ComfyWorkflow = {
  '1': checkpoint(),
  '2': text('Positive prompt'),
  '3': text('Negative prompt'),
  '10': { class_type: 'LoadImage', inputs: { image: 'init.png' }, _meta: { title: 'Init image' } },
  '4': { class_type: 'VAEEncode', inputs: { pixels: ['10', 0], vae: ['1', 2] } },
  '5': sampler(['4', 0], 0.75),
  ...decodeAndSave('5'),
};

export const DEFAULT_INPAINT_WORKFLOW: ComfyWorkflow = {
  '1': checkpoint(),
  '2': text('Positive prompt'),
  '3': text('Negative prompt'),
  '10': { class_type: 'LoadImage', inputs: { image: 'init.png' }, _meta: { title: 'Init image' } },
  // The red channel of the uploaded mask is the paint mask (white = repaint).
  '11': {
    class_type: 'LoadImageMask',
    inputs: { image: 'mask.png', channel: 'red' },
    _meta: { title: 'Mask' },
  },
  '4': {
    class_type: 'VAEEncodeForInpaint',
    inputs: { pixels: ['10', 0], vae: ['1', 2], mask: ['11', 0], grow_mask_by: 6 },
  },
  '5': sampler(['4', 0], 1),
  ...decodeAndSave('5'),
};

export interface WorkflowValues {
  prompt: string;
  negativePrompt: string;
  seed: number;
  steps: number;
  cfg: number;
  /** Latent size; only graphs with an empty-latent node take it. */
  width?: number;
  height?: number;
  /** Checkpoint file name; the workflow's own when absent. */
  checkpoint?: string | null;
  /** KSampler denoise (img2img strength); the workflow's own when absent. */
  denoise?: number;
  samplerName?: string;
  scheduler?: string;
  /** Uploaded file names as LoadImage expects them (`subfolder/name`). */
  initImage?: string;
  maskImage?: string;
  /** One upload carrying the init image's pixels and the mask in its alpha, for a LoadImage that feeds both. */
  initWithMaskImage?: string;
}

export type ImageRole = 'init' | 'mask' | 'both';

const SAMPLERS = new Set(['KSampler', 'KSamplerAdvanced']);
const TEXT_ENCODERS = new Set(['CLIPTextEncode']);
const EMPTY_LATENTS = new Set(['EmptyLatentImage', 'EmptySD3LatentImage']);
const CHECKPOINT_LOADERS = new Set([
  'CheckpointLoaderSimple',
  'CheckpointLoader',
  'ImageOnlyCheckpointLoader',
]);
const IMAGE_LOADERS = new Set(['LoadImage', 'LoadImageMask']);
// Walking upstream stops at these: what lies behind a sampler or a loader is not the image/text we look for.
const WALL = new Set([...SAMPLERS, ...CHECKPOINT_LOADERS, ...IMAGE_LOADERS, ...TEXT_ENCODERS]);

function isLink(value: unknown): value is ComfyLink {
  return (
    Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number'
  );
}

/** Nodes of the given classes reachable upstream from `start`, without walking through other walls. */
function upstream(graph: ComfyWorkflow, start: ComfyLink, classes: Set<string>): string[] {
  const found = new Set<string>();
  const seen = new Set<string>();
  const stack = [start[0]];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const node = graph[id];
    if (!node) continue;
    if (classes.has(node.class_type)) {
      found.add(id);
      continue;
    }
    if (WALL.has(node.class_type)) continue;
    for (const value of Object.values(node.inputs)) if (isLink(value)) stack.push(value[0]);
  }
  return [...found];
}

function nodesOf(graph: ComfyWorkflow, classes: Set<string>): [string, ComfyNode][] {
  return Object.entries(graph).filter(([, node]) => classes.has(node.class_type));
}

/**
 * Which LoadImage/LoadImageMask nodes take the init image and which the mask, found by what they feed: an input
 * named `pixels` (VAEEncode, VAEEncodeForInpaint, InpaintModelConditioning) or one named `mask`.
 */
export function imageRoles(graph: ComfyWorkflow): Map<string, ImageRole> {
  const roles = new Map<string, ImageRole>();
  const mark = (id: string, role: 'init' | 'mask') => {
    const current = roles.get(id);
    roles.set(id, current && current !== role ? 'both' : role);
  };
  for (const node of Object.values(graph)) {
    for (const [input, value] of Object.entries(node.inputs)) {
      if (!isLink(value)) continue;
      if (input === 'pixels') for (const id of upstream(graph, value, IMAGE_LOADERS)) mark(id, 'init');
      if (input === 'mask') for (const id of upstream(graph, value, IMAGE_LOADERS)) mark(id, 'mask');
    }
  }
  // A LoadImageMask only has a mask to give.
  for (const [id] of nodesOf(graph, new Set(['LoadImageMask']))) if (roles.has(id)) roles.set(id, 'mask');
  return roles;
}

export class WorkflowError extends Error {
  override readonly name = 'WorkflowError';
}

export interface AppliedWorkflow {
  graph: ComfyWorkflow;
  /** The checkpoint the graph loads, when it has a checkpoint loader. */
  checkpoint: string | null;
}

/**
 * Fills a workflow template with one request's values. Nodes are found by class and by how they are wired (the
 * text encoders feeding a sampler's `positive`/`negative`), never by id, so a user's own API-format workflow works
 * when it is built from the same node types. The template is not modified.
 */
export function applyWorkflow(
  template: ComfyWorkflow,
  values: WorkflowValues,
  needs: { latentSize: boolean; images: readonly ('init' | 'mask')[] },
): AppliedWorkflow {
  const graph = structuredClone(template);
  const samplers = nodesOf(graph, SAMPLERS);
  if (samplers.length === 0) throw new WorkflowError('workflow has no KSampler or KSamplerAdvanced node');

  const positive = new Set<string>();
  const negative = new Set<string>();
  for (const [, node] of samplers) {
    const { inputs } = node;
    if (node.class_type === 'KSamplerAdvanced') inputs.noise_seed = values.seed;
    else inputs.seed = values.seed;
    inputs.steps = values.steps;
    inputs.cfg = values.cfg;
    if (values.denoise !== undefined && node.class_type === 'KSampler') inputs.denoise = values.denoise;
    if (values.samplerName) inputs.sampler_name = values.samplerName;
    if (values.scheduler) inputs.scheduler = values.scheduler;
    if (isLink(inputs.positive))
      for (const id of upstream(graph, inputs.positive, TEXT_ENCODERS)) positive.add(id);
    if (isLink(inputs.negative))
      for (const id of upstream(graph, inputs.negative, TEXT_ENCODERS)) negative.add(id);
  }
  if (positive.size === 0) throw new WorkflowError("no CLIPTextEncode feeds a sampler's positive input");
  for (const id of positive) graph[id]!.inputs.text = values.prompt;
  for (const id of negative) if (!positive.has(id)) graph[id]!.inputs.text = values.negativePrompt;

  if (needs.latentSize) {
    const latents = nodesOf(graph, EMPTY_LATENTS);
    if (latents.length === 0) throw new WorkflowError('workflow has no EmptyLatentImage node to size');
    for (const [, node] of latents) {
      if (values.width !== undefined) node.inputs.width = values.width;
      if (values.height !== undefined) node.inputs.height = values.height;
      node.inputs.batch_size = 1;
    }
  }

  let checkpoint: string | null = null;
  for (const [, node] of nodesOf(graph, CHECKPOINT_LOADERS)) {
    if (values.checkpoint) node.inputs.ckpt_name = values.checkpoint;
    if (typeof node.inputs.ckpt_name === 'string') checkpoint ??= node.inputs.ckpt_name;
  }

  if (needs.images.length) {
    const roles = imageRoles(graph);
    const filled = new Set<'init' | 'mask'>();
    for (const [id, role] of roles) {
      const file =
        role === 'both' ? values.initWithMaskImage : role === 'init' ? values.initImage : values.maskImage;
      if (!file) throw new WorkflowError(`no uploaded image for LoadImage node ${id} (${role})`);
      graph[id]!.inputs.image = file;
      if (role === 'both') {
        filled.add('init');
        filled.add('mask');
      } else filled.add(role);
    }
    for (const need of needs.images) {
      if (!filled.has(need))
        throw new WorkflowError(`workflow has no LoadImage node that takes the ${need} image`);
    }
  }
  return { graph, checkpoint };
}
