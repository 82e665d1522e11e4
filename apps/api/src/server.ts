import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bearerToken, type Platform, type Principal } from '@pakati/platform';
import { type GraphQLContext, schema } from '@pakati/schema';
import type { ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { createAdminQueues, isAdminQueuesPath } from './admin-queues.ts';
import { maskError, unauthenticated } from './error-masking.ts';
import { health, serveImage } from './http-routes.ts';
import { sessionKeyFromHandshake } from './web-session.ts';

export interface ApiServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

interface InitialContext {
  request?: Request;
  wsPrincipal?: Principal;
}

export function createApi(platform: Platform) {
  const { logger, config } = platform;
  const yoga = createYoga<InitialContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: config.env === 'development' ? { subscriptionsProtocol: 'WS' } : false,
    landingPage: false,
    logging: false,
    cors: {
      origin: config.api.corsOrigins,
      credentials: false,
      allowedHeaders: ['authorization', 'content-type'],
    },
    maskedErrors: {
      maskError: (error) => maskError(error, (e) => logger.error({ err: e }, 'unexpected error')),
    },
    context: async ({ request, wsPrincipal }) => {
      if (wsPrincipal) return { platform, principal: wsPrincipal };
      const token = bearerToken(request?.headers.get('authorization'));
      const principal = token ? await platform.identity.authenticate(token) : null;
      if (!principal) throw unauthenticated();
      return { platform, principal };
    },
  });
  return yoga;
}

export async function startApiServer(
  platform: Platform,
  port = platform.config.api.port,
): Promise<ApiServer> {
  const yoga = createApi(platform);
  const adminQueues = createAdminQueues(platform);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const handle = async () => {
      if (url.pathname === '/health/live') return health(platform, 'live', res);
      if (url.pathname === '/health/ready') return health(platform, 'ready', res);
      if (isAdminQueuesPath(url.pathname)) {
        if (adminQueues) return adminQueues(req, res);
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
        return;
      }
      if (url.pathname.startsWith('/images/'))
        return serveImage(platform, url.pathname.slice(8), req, url, res);
      return yoga(req, res);
    };
    handle().catch((error: unknown) => {
      platform.logger.error({ err: error }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'internal error' }));
    });
  });

  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const ws = useServer<Record<string, unknown> | undefined, { principal?: Principal }>(
    {
      onConnect: async (ctx) => {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const token =
          typeof raw === 'string'
            ? (bearerToken(raw) ?? raw)
            : sessionKeyFromHandshake(ctx.extra.request.headers, platform.config.api.corsOrigins);
        const principal = token ? await platform.identity.authenticate(token) : null;
        if (!principal) return false; // graphql-ws closes with 4403 Forbidden
        ctx.extra.principal = principal;
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          wsPrincipal: ctx.extra.principal,
        });
        const args: ExecutionArgs = {
          schema,
          operationName: payload.operationName ?? null,
          document: parse(payload.query),
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
      // Closes every socket with 1001 Going Away; clients resume with `after` on another replica.
      await Promise.resolve(ws.dispose()).catch(() => {});
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
