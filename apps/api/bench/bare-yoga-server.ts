// The baseline of the subscribers bench: bare graphql-yoga with the Redis event target and graphql-ws on one port,
// no authentication, no database, no replay: the least a GraphQL subscription server can do.
import { createServer } from 'node:http';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { execute, subscribe } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createPubSub, createSchema, createYoga } from 'graphql-yoga';
import { Redis } from 'ioredis';
import { WebSocketServer } from 'ws';

const url = process.env.REDIS_URL!;
const pubsub = createPubSub<{ events: [topic: string, payload: { seq: number; at: string }] }>({
  eventTarget: createRedisEventTarget({ publishClient: new Redis(url), subscribeClient: new Redis(url) }),
});
const schema = createSchema({
  typeDefs: /* GraphQL */ `
    type Query { ok: Boolean }
    type Event { seq: Int! at: String! }
    type Subscription { events(topic: String!): Event! }
  `,
  resolvers: {
    Subscription: {
      events: {
        subscribe: (_: unknown, { topic }: { topic: string }) => pubsub.subscribe('events', topic),
        resolve: (payload: { seq: number; at: string }) => payload,
      },
    },
  },
});
const yoga = createYoga({ schema, logging: false });
const server = createServer(yoga);
const wss = new WebSocketServer({ server, path: '/graphql' });
useServer({ schema, execute, subscribe }, wss);
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
