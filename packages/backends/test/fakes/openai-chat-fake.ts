import type { ServerResponse } from 'node:http';
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
 * checks the key, the JSON body, the roles and the sampling parameters, and answers in the real shape with the
 * dated model snapshot.
 */
export async function startOpenAiChatFake(options: { apiKey?: string } = {}) {
  const apiKey = options.apiKey ?? 'sk-test';
  const script: ScriptedAnswer[] = [];
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
    for (const [i, message] of (messages as Record<string, unknown>[]).entries()) {
      if (!['system', 'developer', 'user', 'assistant'].includes(String(message.role))) {
        return invalid(res, `Invalid value: '${message.role}'.`, `messages[${i}].role`);
      }
      if (typeof message.content !== 'string')
        return invalid(res, 'Invalid content.', `messages[${i}].content`);
    }
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
    const content = openAiChatFakeRewrite(prompt);
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
    reset() {
      fake.requests.length = 0;
      script.length = 0;
    },
  };
}
