import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

export interface FakeCall {
  prompt: string;
  receivedAt: number;
  /** When the client's connection went away before an answer: an aborted request. */
  abandonedAt: number | null;
  answered: boolean;
}

/**
 * A stand-in for Stability's v2beta image API whose answer depends on the prompt, so one server can play every
 * part a test needs: `hold` never answers (until the client hangs up); `stall` holds only the first call per
 * prompt (a worker dies mid-request); `slow` answers after `slowMs`; `flaky` fails once per prompt with a 500,
 * then answers; `broken` always answers 500, `refused` 400; anything else answers at once. Every call is recorded.
 */
export async function startStabilityFake(options: { slowMs?: number } = {}) {
  const slowMs = options.slowMs ?? 1500;
  const calls: FakeCall[] = [];
  const failedOnce = new Set<string>();
  const heldOnce = new Set<string>();
  const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#3a7' } })
    .png()
    .toBuffer();

  const answer = (res: ServerResponse, call: FakeCall) => {
    if (call.abandonedAt !== null) return;
    call.answered = true;
    res.writeHead(200, { 'content-type': 'image/png', seed: '7', 'finish-reason': 'SUCCESS' }).end(png);
  };
  const fail = (res: ServerResponse, call: FakeCall, status: number, message: string) => {
    call.answered = true;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ name: status === 400 ? 'bad_request' : 'server_error', errors: [message] }));
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = await new Request('http://fake/', {
      method: 'POST',
      headers: { 'content-type': req.headers['content-type'] ?? '' },
      body: Buffer.concat(chunks),
    }).formData();
    const prompt = String(form.get('prompt') ?? '');
    const call: FakeCall = { prompt, receivedAt: Date.now(), abandonedAt: null, answered: false };
    calls.push(call);
    res.on('close', () => {
      if (!call.answered) call.abandonedAt = Date.now();
    });
    if (prompt.includes('hold')) return;
    if (prompt.includes('stall') && !heldOnce.has(prompt)) {
      heldOnce.add(prompt);
      return;
    }
    if (prompt.includes('broken')) return fail(res, call, 500, 'CUDA error: device-side assert triggered');
    if (prompt.includes('refused')) return fail(res, call, 400, 'prompt: must not be refused');
    if (prompt.includes('flaky') && !failedOnce.has(prompt)) {
      failedOnce.add(prompt);
      return fail(res, call, 500, 'worker restarting');
    }
    if (prompt.includes('slow')) {
      setTimeout(() => answer(res, call), slowMs);
      return;
    }
    answer(res, call);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    /** The environment that makes a worker generate with this server (and nothing else). */
    env: {
      PAKATI_BACKENDS: 'stability',
      PAKATI_STABILITY_API_KEY: 'test-key',
      PAKATI_STABILITY_BASE_URL: `http://127.0.0.1:${port}`,
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
