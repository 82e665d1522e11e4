import type { ServerResponse } from 'node:http';
import { type RecordedRequest, sendJson, startFakeServer } from './fake-http-server.ts';

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
};

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
  content: { type: string; text?: string }[],
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

/**
 * Speaks Anthropic's Messages API (POST /v1/messages) closely enough to catch wire mistakes: it checks
 * x-api-key, anthropic-version, the required max_tokens, the roles (no 'system' inside messages) and the
 * temperature range, and answers with content blocks in the real shape.
 */
export async function startAnthropicFake(options: { apiKey?: string } = {}) {
  const apiKey = options.apiKey ?? 'sk-ant-test';
  const script: ScriptedAnswer[] = [];
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
      if (typeof message.content !== 'string' && !Array.isArray(message.content)) {
        return fail(res, 400, 'invalid_request_error', `messages.${i}.content: Field required`);
      }
    }
    if (body.temperature !== undefined) {
      const t = body.temperature;
      if (typeof t !== 'number' || t < 0 || t > 1) {
        return fail(res, 400, 'invalid_request_error', 'temperature: range: 0..1');
      }
    }

    const last = (messages as { content: unknown }[]).at(-1)!.content;
    const text = typeof last === 'string' ? last : '';
    const prompt = /^Prompt: (.*)$/m.exec(text)?.[1] ?? text;
    served++;
    sendJson(
      res,
      200,
      {
        id: `msg_fake_${served}`,
        type: 'message',
        role: 'assistant',
        model: SNAPSHOTS[body.model] ?? body.model,
        content: [{ type: 'text', text: anthropicFakeRewrite(prompt) }],
        stop_reason: 'end_turn',
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
    reset() {
      fake.requests.length = 0;
      script.length = 0;
    },
  };
}
