import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Platform, serveMetrics } from '@pakati/platform';
import type { Registry } from 'prom-client';

export interface WorkerHttpSource {
  registry: Registry;
  /** Why this worker should get no traffic now (draining, out of memory, Redis unreachable), or null when ready. */
  unready(): Promise<string | null>;
}

export interface WorkerHttp {
  url: string;
  close(): Promise<void>;
}

/** The worker's own small HTTP server: Prometheus' /metrics and the /health/live and /health/ready probes. */
export async function startWorkerHttp(
  platform: Platform,
  source: WorkerHttpSource,
  { host, port } = platform.config.observability.workerHttp,
): Promise<WorkerHttp> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const json = (status: number, body: unknown) =>
      res
        .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify(body));
    const handle = async () => {
      if (path === '/metrics')
        return serveMetrics(source.registry, platform.config.observability.metricsToken, req, res);
      if (path === '/health/live') return json(200, { status: 'ok' });
      if (path === '/health/ready') {
        const reason = await Promise.race([
          source.unready(),
          new Promise<string>((resolve) =>
            setTimeout(
              () => resolve('readiness check timed out'),
              platform.config.observability.healthTimeoutMs,
            ).unref(),
          ),
        ]);
        return json(reason ? 503 : 200, reason ? { status: 'unavailable', reason } : { status: 'ok' });
      }
      json(404, { error: 'not found' });
    };
    handle().catch((err: unknown) => {
      platform.logger.error({ err }, 'worker http request failed');
      if (!res.headersSent) json(500, { error: 'internal error' });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  platform.logger.info({ url }, 'worker metrics and health listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
