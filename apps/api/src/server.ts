import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPakatiError } from '@pakati/core';
import { bearerToken, type Platform, type Principal, serveMetrics, withLogContext } from '@pakati/platform';
import { type GraphQLContext, schema } from '@pakati/schema';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { createAdminQueues, isAdminQueuesPath } from './admin-queues.ts';
import { maskError } from './error-masking.ts';
import { health, serveImage } from './http-routes.ts';
import { type ApiObservability, createApiObservability } from './observability/api-observability.ts';
import { requestId } from './observability/request-id.ts';
import { auditPlugin } from './security/audit-plugin.ts';
import {
  authenticateHttpRequest,
  authenticateToken,
  requestAddress,
  requestRefusal,
} from './security/authenticate-request.ts';
import { PREFLIGHT_HEADERS } from './security/csrf-guard.ts';
import { graphqlHardening } from './security/graphql-hardening.ts';
import { SocketCredentials } from './security/socket-credentials.ts';
import { unstorableStringGuard } from './security/string-guard.ts';
import { sessionKeyFromHandshake } from './web-session.ts';

export interface ApiServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

interface InitialContext {
  request?: Request;
  /** The node:http request, which yoga passes as server context; its socket gives the client's address. */
  req?: IncomingMessage;
  wsPrincipal?: Principal;
}

export function createApi(platform: Platform, observability: ApiObservability = createApiObservability()) {
  const { logger, config } = platform;
  const yoga = createYoga<InitialContext, GraphQLContext>({
    schema,
    plugins: [
      ...graphqlHardening(platform),
      unstorableStringGuard(),
      auditPlugin(platform),
      ...observability.plugins,
    ],
    graphqlEndpoint: '/graphql',
    graphiql: config.env === 'development' ? { subscriptionsProtocol: 'WS' } : false,
    landingPage: false,
    logging: false,
    cors: {
      origin: config.api.corsOrigins,
      credentials: false,
      allowedHeaders: ['authorization', 'content-type', 'x-request-id', ...PREFLIGHT_HEADERS],
      exposedHeaders: ['retry-after', 'x-request-id'],
    },
    maskedErrors: {
      maskError: (error) => maskError(error, (e) => logger.error({ err: e }, 'unexpected error')),
    },
    context: async ({ request, req, wsPrincipal }) => {
      if (wsPrincipal) return { platform, principal: wsPrincipal };
      return { platform, principal: await authenticateHttpRequest(platform, request, req) };
    },
  });
  return yoga;
}

export async function startApiServer(
  platform: Platform,
  port = platform.config.api.port,
): Promise<ApiServer> {
  const observability = createApiObservability();
  const yoga = createApi(platform, observability);
  const adminQueues = createAdminQueues(platform);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const handle = async () => {
      if (url.pathname === '/health/live') return health(platform, 'live', res);
      if (url.pathname === '/health/ready') return health(platform, 'ready', res);
      if (url.pathname === '/health/deep') return health(platform, 'deep', res);
      if (url.pathname === '/metrics')
        return serveMetrics(observability.registry, platform.config.observability.metricsToken, req, res);
      if (isAdminQueuesPath(url.pathname)) {
        if (adminQueues) return adminQueues(req, res);
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
        return;
      }
      if (url.pathname.startsWith('/images/'))
        return serveImage(platform, url.pathname.slice(8), req, url, res);
      return yoga(req, res);
    };
    const id = requestId(req);
    res.setHeader('x-request-id', id);
    withLogContext({ requestId: id }, handle).catch((error: unknown) => {
      platform.logger.error({ err: error }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'internal error' }));
    });
  });

  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const socketCredentials = new SocketCredentials(platform);
  const stopCredentialEvents = await platform.credentialEvents.onChanged((ids) => {
    socketCredentials.changed(ids).catch((err) => platform.logger.error({ err }, 'closing sockets failed'));
  });
  const ws = useServer<Record<string, unknown> | undefined, { principal?: Principal }>(
    {
      onConnect: async (ctx) => {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const token =
          typeof raw === 'string'
            ? (bearerToken(raw) ?? raw)
            : sessionKeyFromHandshake(ctx.extra.request.headers, platform.config.api.corsOrigins);
        // Refused (unknown key, or this address failed too often): graphql-ws closes with 4403 Forbidden.
        // Each subscription counts against the key's minute, not the socket itself.
        const principal = await authenticateToken(
          platform,
          token,
          requestAddress(platform, ctx.extra.request),
          {
            countRequest: false,
          },
        ).catch(() => null);
        if (!principal || !token) return false;
        ctx.extra.principal = principal;
        socketCredentials.track(ctx.extra.socket, token, principal);
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const principal = ctx.extra.principal!;
        const refused = await platform.quotas.consumeRequest(principal.apiKeyId, principal.tier).then(
          () => null,
          (error: unknown) => (isPakatiError(error) ? [requestRefusal(error)] : Promise.reject(error)),
        );
        if (refused) return refused;
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          wsPrincipal: principal,
        });
        let document: ExecutionArgs['document'];
        try {
          document = parse(payload.query);
        } catch (error) {
          // A syntax error or a document over the token limit: an error for this operation, not a dropped socket.
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const args: ExecutionArgs = {
          schema,
          operationName: payload.operationName ?? null,
          document,
          variableValues: payload.variables ?? null,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        if (errors.length) return errors;
        return args;
      },
      execute: (args) =>
        (args.rootValue as { execute: (a: ExecutionArgs) => unknown }).execute(args) as never,
      subscribe: (args) =>
        (args.rootValue as { subscribe: (a: ExecutionArgs) => unknown }).subscribe(args) as never,
    },
    wss,
  );

  await new Promise<void>((resolve) => server.listen(port, platform.config.api.host, resolve));
  const address = server.address() as AddressInfo;
  const url = `http://${platform.config.api.host}:${address.port}`;
  if (!platform.config.api.publicUrl) platform.images.useBaseUrl(url);
  platform.logger.info({ url: `${url}/graphql` }, 'api listening');
  return {
    server,
    url,
    async close() {
      await stopCredentialEvents();
      socketCredentials.dispose();
      // Closes every socket with 1001 Going Away; clients resume with `after` on another replica.
      await Promise.resolve(ws.dispose()).catch(() => {});
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
