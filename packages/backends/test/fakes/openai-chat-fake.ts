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

/** The dated snapshot OpenAI answers with when asked for an alias. */
const SNAPSHOTS: Record<string, string> = {
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
  'gpt-4o': 'gpt-4o-2024-08-06',
};

/** An error the way OpenAI sends it. */
export function openAiChatError(
  status: number,
  message: string,
  type: string,
  code: string | null,
  headers: Record<string, string> = {},
): ScriptedAnswer {
  return { status, body: { error: { message, type, param: null, code } }, headers };
}

/** A successful completion whose assistant message is exactly `content`. */
export function openAiChatAnswer(
  content: string | null,
  extra: { refusal?: string; finishReason?: string } = {},
): ScriptedAnswer {
  return {
    status: 200,
    body: {
      id: 'chatcmpl-scripted',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'gpt-4o-mini-2024-07-18',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: extra.refusal ?? null, annotations: [] },
          logprobs: null,
          finish_reason: extra.finishReason ?? 'stop',
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
    },
  };
}

/** The fake's own rewrite: recognisable, deterministic, and keeping the prompt it was given. */
export function openAiChatFakeRewrite(prompt: string): string {
  return `${prompt}, cinematic lighting, intricate detail`;
}

/** What the fake's judge says when asked for a structured verdict. */
export const FAKE_OPENAI_VERDICT = { score: 0.82, reasons: ['a red square fills the region'] };

/** An image part as the fake decoded it. */
export interface ReceivedImage {
  mediaType: string;
  format: string;
  width: number;
  height: number;
  bytes: Buffer;
}

type Part = { type?: unknown; text?: unknown; image_url?: { url?: unknown; detail?: unknown } };

/** Decodes an image_url part as the API would; only base64 data URLs, as the fake fetches nothing. */
async function readImagePart(part: Part): Promise<ReceivedImage | string> {
  const url = part.image_url?.url;
  if (typeof url !== 'string') return "Missing required parameter: 'image_url.url'.";
  if (
    part.image_url?.detail !== undefined &&
    !['auto', 'low', 'high'].includes(String(part.image_url.detail))
  ) {
    return "Invalid value for 'image_url.detail'.";
  }
  const match = /^data:(image\/(?:png|jpeg|gif|webp));base64,([A-Za-z0-9+/=]+)$/.exec(url);
  if (!match) return 'Invalid image URL: expected a base64 data URL of a PNG, JPEG, GIF or WebP image.';
  const bytes = Buffer.from(match[2]!, 'base64');
  try {
    const { format, width, height } = await sharp(bytes).metadata();
    return { mediaType: match[1]!, format: String(format), width: width!, height: height!, bytes };
  } catch {
    return 'You uploaded an unsupported image. Please make sure your image is valid.';
  }
}

/** Strict structured outputs: every object closed with additionalProperties false and every property required. */
function strictSchemaError(schema: unknown, path = '()'): string | null {
  if (!schema || typeof schema !== 'object') return null;
  const node = schema as Record<string, unknown>;
  if (node.type === 'object') {
    if (node.additionalProperties !== false) {
      return `In context=${path}, 'additionalProperties' is required to be supplied and to be false.`;
    }
    const keys = Object.keys((node.properties as object) ?? {});
    const required = Array.isArray(node.required) ? node.required : [];
    const missing = keys.find((k) => !required.includes(k));
    if (missing)
      return `In context=${path}, 'required' is required to include every key; missing '${missing}'.`;
    for (const key of keys) {
      const inner = strictSchemaError((node.properties as Record<string, unknown>)[key], `${path}, '${key}'`);
      if (inner) return inner;
    }
  }
  return node.type === 'array' ? strictSchemaError(node.items, `${path}, 'items'`) : null;
}

function responseFormatError(format: unknown): string | null {
  if (format === undefined) return null;
  const f = format as { type?: unknown; json_schema?: Record<string, unknown> };
  if (f.type === 'text' || f.type === 'json_object') return null;
  if (f.type !== 'json_schema') return "Invalid value for 'response_format.type'.";
  const spec = f.json_schema;
  if (!spec || typeof spec.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(spec.name)) {
    return "Invalid 'response_format.json_schema.name'.";
  }
  if (!spec.schema || typeof spec.schema !== 'object') return "Missing 'response_format.json_schema.schema'.";
  const strict = spec.strict === true ? strictSchemaError(spec.schema) : null;
  return strict ? `Invalid schema for response_format '${spec.name}': ${strict}` : null;
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

function invalid(res: ServerResponse, message: string, param: string | null = null) {
  sendJson(res, 400, { error: { message, type: 'invalid_request_error', param, code: null } });
}

/**
 * Speaks OpenAI's Chat Completions API (POST /v1/chat/completions) closely enough to catch wire mistakes: it
 * checks the key, the JSON body, the roles, content parts (decoding images), structured-output schemas and the
 * sampling parameters, and answers in the real shape with the dated model snapshot: a rewrite for plain text,
 * FAKE_OPENAI_VERDICT when a JSON schema is asked for.
 */
export async function startOpenAiChatFake(options: { apiKey?: string } = {}) {
  const apiKey = options.apiKey ?? 'sk-test';
  const script: ScriptedAnswer[] = [];
  const images: ReceivedImage[] = [];
  let served = 0;

  const fake = await startFakeServer(async (req: RecordedRequest, res) => {
    const scripted = script.shift();
    if (scripted?.delayMs && !(await pause(res, scripted.delayMs))) return;
    if (scripted?.status) return sendJson(res, scripted.status, scripted.body ?? {}, scripted.headers);

    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return sendJson(res, 401, {
        error: {
          message: 'Incorrect API key provided.',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      });
    }
    if (req.method !== 'POST' || req.path !== '/v1/chat/completions') {
      return sendJson(res, 404, {
        error: {
          message: `Unknown route ${req.method} ${req.path}`,
          type: 'invalid_request_error',
          code: null,
        },
      });
    }
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return invalid(res, 'Expected a JSON body.');
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body.toString()) as Record<string, unknown>;
    } catch {
      return invalid(res, 'We could not parse the JSON body of your request.');
    }
    if (typeof body.model !== 'string') return invalid(res, 'you must provide a model parameter', 'model');
    const messages = body.messages;
    if (!Array.isArray(messages) || messages.length === 0) {
      return invalid(res, "Missing required parameter: 'messages'.", 'messages');
    }
    const received: ReceivedImage[] = [];
    for (const [i, message] of (messages as Record<string, unknown>[]).entries()) {
      if (!['system', 'developer', 'user', 'assistant'].includes(String(message.role))) {
        return invalid(res, `Invalid value: '${message.role}'.`, `messages[${i}].role`);
      }
      if (typeof message.content === 'string') continue;
      if (!Array.isArray(message.content) || message.content.length === 0) {
        return invalid(res, 'Invalid content.', `messages[${i}].content`);
      }
      for (const [j, part] of (message.content as Part[]).entries()) {
        const param = `messages[${i}].content[${j}]`;
        if (part.type === 'text' && typeof part.text === 'string') continue;
        // Images are only understood in user messages.
        if (part.type !== 'image_url' || message.role !== 'user') {
          return invalid(res, `Invalid content part type '${part.type}' for role '${message.role}'.`, param);
        }
        const image = await readImagePart(part);
        if (typeof image === 'string') return invalid(res, image, param);
        received.push(image);
      }
    }
    const formatError = responseFormatError(body.response_format);
    if (formatError) return invalid(res, formatError, 'response_format');
    if (body.temperature !== undefined) {
      const t = body.temperature;
      if (typeof t !== 'number' || t < 0 || t > 2) return invalid(res, 'Invalid temperature.', 'temperature');
    }
    if (
      body.max_tokens !== undefined &&
      !(Number.isInteger(body.max_tokens) && Number(body.max_tokens) > 0)
    ) {
      return invalid(res, 'Invalid max_tokens.', 'max_tokens');
    }

    const user = (messages as { role: string; content: string }[]).findLast((m) => m.role === 'user');
    const prompt = /^Prompt: (.*)$/m.exec(user?.content ?? '')?.[1] ?? user?.content ?? '';
    const structured = (body.response_format as { type?: string } | undefined)?.type === 'json_schema';
    const content = structured ? JSON.stringify(FAKE_OPENAI_VERDICT) : openAiChatFakeRewrite(prompt);
    images.push(...received);
    served++;
    sendJson(
      res,
      200,
      {
        id: `chatcmpl-fake-${served}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: SNAPSHOTS[body.model] ?? body.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content, refusal: null, annotations: [] },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 50, completion_tokens: 20, total_tokens: 70 },
        system_fingerprint: 'fp_fake',
      },
      { 'x-request-id': `req_fake_${served}` },
    );
  });

  return {
    ...fake,
    apiKey,
    baseUrl: `${fake.url}/v1`,
    /** Answers the next requests with these, in order, before falling back to normal behaviour. */
    script(...answers: ScriptedAnswer[]) {
      script.push(...answers);
    },
    /** The JSON bodies of the requests so far. */
    bodies(): Record<string, unknown>[] {
      return fake.requests.map((r) => JSON.parse(r.body.toString()) as Record<string, unknown>);
    },
    /** The image parts of the requests answered normally so far, decoded. */
    images(): ReceivedImage[] {
      return [...images];
    },
    reset() {
      fake.requests.length = 0;
      script.length = 0;
      images.length = 0;
    },
  };
}
