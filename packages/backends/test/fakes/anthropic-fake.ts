import type { ServerResponse } from 'node:http';
import sharp from 'sharp';
import { type RecordedRequest, sendJson, startFakeServer } from './fake-http-server.ts';
import type { ReceivedImage } from './openai-chat-fake.ts';

/** A canned answer for the next request; with only delayMs, the request is answered normally but late. */
export interface ScriptedAnswer {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

/** The dated model an alias resolves to, as the real API reports it. */
const SNAPSHOTS: Record<string, string> = {
  'claude-3-5-haiku-latest': 'claude-3-5-haiku-20241022',
  'claude-sonnet-4-5': 'claude-sonnet-4-5-20250929',
};

/** The input the fake's judge calls a forced tool with. */
export const FAKE_ANTHROPIC_VERDICT = { score: 0.74, reasons: ['the region shows a red square'] };

/** An error the way Anthropic sends it: the kind is in error.type, whatever the status. */
export function anthropicError(
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): ScriptedAnswer {
  return { status, body: { type: 'error', error: { type, message }, request_id: 'req_scripted' }, headers };
}

/** A successful message with these content blocks. */
export function anthropicAnswer(
  content: { type: string; text?: string; id?: string; name?: string; input?: unknown }[],
  stopReason: string | null = 'end_turn',
): ScriptedAnswer {
  return {
    status: 200,
    body: {
      id: 'msg_scripted',
      type: 'message',
      role: 'assistant',
      model: 'claude-3-5-haiku-20241022',
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 10 },
    },
  };
}

/** A message whose only block is a call of tool `name` with `input`. */
export function anthropicToolAnswer(name: string, input: unknown, stopReason = 'tool_use'): ScriptedAnswer {
  return anthropicAnswer([{ type: 'tool_use', id: 'toolu_scripted', name, input }], stopReason);
}

/** The fake's own rewrite: recognisable, deterministic, and keeping the prompt it was given. */
export function anthropicFakeRewrite(prompt: string): string {
  return `${prompt}, soft volumetric light, rich texture`;
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

function fail(res: ServerResponse, status: number, type: string, message: string) {
  sendJson(res, status, { type: 'error', error: { type, message }, request_id: 'req_fake' });
}

type Block = {
  type?: unknown;
  text?: unknown;
  source?: { type?: unknown; media_type?: unknown; data?: unknown };
};

const FORMAT_OF: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** Decodes a base64 image block; like the API, it refuses a media_type that does not match the bytes. */
async function readImageBlock(block: Block, at: string): Promise<ReceivedImage | string> {
  const source = block.source;
  if (source?.type !== 'base64') return `${at}.source.type: only 'base64' is accepted here`;
  const mediaType = String(source.media_type);
  if (!FORMAT_OF[mediaType])
    return `${at}.source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
  if (typeof source.data !== 'string' || !/^[A-Za-z0-9+/=]+$/.test(source.data)) {
    return `${at}.source.data: Invalid base64 data`;
  }
  const bytes = Buffer.from(source.data, 'base64');
  try {
    const { format, width, height } = await sharp(bytes).metadata();
    if (format !== FORMAT_OF[mediaType])
      return `${at}: Image does not match the provided media type ${mediaType}`;
    return { mediaType, format: String(format), width: width!, height: height!, bytes };
  } catch {
    return `${at}: Could not process image`;
  }
}

/** tools and tool_choice as the Messages API checks them; answers the tool a forced choice names. */
function toolError(tools: unknown, choice: unknown): { error: string } | { forced: string | null } {
  if (tools === undefined && choice === undefined) return { forced: null };
  if (!Array.isArray(tools) || tools.length === 0)
    return { error: 'tools: Input should be a non-empty list' };
  for (const [i, tool] of (tools as Record<string, unknown>[]).entries()) {
    if (typeof tool.name !== 'string' || !/^[a-zA-Z0-9_-]{1,128}$/.test(tool.name)) {
      return { error: `tools.${i}.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'` };
    }
    const schema = tool.input_schema as { type?: unknown } | undefined;
    if (schema?.type !== 'object') return { error: `tools.${i}.input_schema.type: Input should be 'object'` };
  }
  const c = (choice ?? { type: 'auto' }) as { type?: unknown; name?: unknown };
  if (c.type === 'auto' || c.type === 'none') return { forced: null };
  if (c.type === 'any') return { forced: String((tools[0] as { name: string }).name) };
  if (c.type !== 'tool')
    return { error: "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'" };
  if (!(tools as { name: string }[]).some((t) => t.name === c.name)) {
    return { error: `tool_choice: Tool '${c.name}' not found in provided tools` };
  }
  return { forced: String(c.name) };
}

/**
 * Speaks Anthropic's Messages API (POST /v1/messages) closely enough to catch wire mistakes: it checks
 * x-api-key, anthropic-version, the required max_tokens, the roles (no 'system' inside messages), image blocks
 * (decoding them), tools and tool_choice and the temperature range, and answers with content blocks in the real
 * shape: a rewrite as text, or FAKE_ANTHROPIC_VERDICT as the input of a forced tool call.
 */
export async function startAnthropicFake(options: { apiKey?: string } = {}) {
  const apiKey = options.apiKey ?? 'sk-ant-test';
  const script: ScriptedAnswer[] = [];
  const images: ReceivedImage[] = [];
  let served = 0;

  const fake = await startFakeServer(async (req: RecordedRequest, res) => {
    const scripted = script.shift();
    if (scripted?.delayMs && !(await pause(res, scripted.delayMs))) return;
    if (scripted?.status) return sendJson(res, scripted.status, scripted.body ?? {}, scripted.headers);

    if (req.headers['x-api-key'] !== apiKey) {
      return fail(res, 401, 'authentication_error', 'invalid x-api-key');
    }
    if (!req.headers['anthropic-version']) {
      return fail(res, 400, 'invalid_request_error', 'anthropic-version: header is required');
    }
    if (req.method !== 'POST' || req.path !== '/v1/messages') {
      return fail(res, 404, 'not_found_error', `Not found: ${req.method} ${req.path}`);
    }
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return fail(res, 400, 'invalid_request_error', 'content-type must be application/json');
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body.toString()) as Record<string, unknown>;
    } catch {
      return fail(
        res,
        400,
        'invalid_request_error',
        'There was an issue with your request body: invalid JSON',
      );
    }
    if (typeof body.model !== 'string')
      return fail(res, 400, 'invalid_request_error', 'model: Field required');
    if (!(Number.isInteger(body.max_tokens) && Number(body.max_tokens) >= 1)) {
      return fail(res, 400, 'invalid_request_error', 'max_tokens: Field required');
    }
    if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system)) {
      return fail(res, 400, 'invalid_request_error', 'system: Input should be a valid string or list');
    }
    const messages = body.messages;
    if (!Array.isArray(messages) || messages.length === 0) {
      return fail(res, 400, 'invalid_request_error', 'messages: at least one message is required');
    }
    const received: ReceivedImage[] = [];
    for (const [i, message] of (messages as Record<string, unknown>[]).entries()) {
      const expected = i % 2 === 0 ? 'user' : 'assistant';
      if (message.role !== expected) {
        return fail(
          res,
          400,
          'invalid_request_error',
          `messages.${i}.role: Unexpected role "${message.role}"`,
        );
      }
      if (typeof message.content === 'string') continue;
      if (!Array.isArray(message.content)) {
        return fail(res, 400, 'invalid_request_error', `messages.${i}.content: Field required`);
      }
      for (const [j, block] of (message.content as Block[]).entries()) {
        const at = `messages.${i}.content.${j}`;
        if (block.type === 'text' && typeof block.text === 'string') continue;
        if (block.type !== 'image' || message.role !== 'user') {
          return fail(res, 400, 'invalid_request_error', `${at}.type: unexpected block type '${block.type}'`);
        }
        const image = await readImageBlock(block, at);
        if (typeof image === 'string') return fail(res, 400, 'invalid_request_error', image);
        received.push(image);
      }
    }
    const tools = toolError(body.tools, body.tool_choice);
    if ('error' in tools) return fail(res, 400, 'invalid_request_error', tools.error);
    if (body.temperature !== undefined) {
      const t = body.temperature;
      if (typeof t !== 'number' || t < 0 || t > 1) {
        return fail(res, 400, 'invalid_request_error', 'temperature: range: 0..1');
      }
    }

    const last = (messages as { content: unknown }[]).at(-1)!.content;
    const text = typeof last === 'string' ? last : '';
    const prompt = /^Prompt: (.*)$/m.exec(text)?.[1] ?? text;
    images.push(...received);
    served++;
    const answer = tools.forced
      ? {
          content: [
            {
              type: 'tool_use',
              id: `toolu_fake_${served}`,
              name: tools.forced,
              input: FAKE_ANTHROPIC_VERDICT,
            },
          ],
          stop: 'tool_use',
        }
      : { content: [{ type: 'text', text: anthropicFakeRewrite(prompt) }], stop: 'end_turn' };
    sendJson(
      res,
      200,
      {
        id: `msg_fake_${served}`,
        type: 'message',
        role: 'assistant',
        model: SNAPSHOTS[body.model] ?? body.model,
        content: answer.content,
        stop_reason: answer.stop,
        stop_sequence: null,
        usage: { input_tokens: 60, output_tokens: 25 },
      },
      { 'request-id': `req_fake_${served}` },
    );
  });

  return {
    ...fake,
    apiKey,
    baseUrl: fake.url,
    /** Answers the next requests with these, in order, before falling back to normal behaviour. */
    script(...answers: ScriptedAnswer[]) {
      script.push(...answers);
    },
    /** The JSON bodies of the requests so far. */
    bodies(): Record<string, unknown>[] {
      return fake.requests.map((r) => JSON.parse(r.body.toString()) as Record<string, unknown>);
    },
    /** The image blocks of the requests answered normally so far, decoded. */
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
