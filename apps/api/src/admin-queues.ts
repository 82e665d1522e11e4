import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { QUEUE_NAMES } from '@pakati/jobs';
import type { Platform } from '@pakati/platform';
import express from 'express';

export const ADMIN_QUEUES_PATH = '/admin/queues';
const ADMIN_USER = 'admin';

export const isAdminQueuesPath = (pathname: string) =>
  pathname === ADMIN_QUEUES_PATH || pathname.startsWith(`${ADMIN_QUEUES_PATH}/`);

export type AdminQueuesHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Bull Board over every job queue, for administrators: HTTP Basic as `admin` with the admin token as password
 * (what a browser asks for), or the token as a Bearer. Null when no token is configured: the board is off.
 */
export function createAdminQueues(platform: Platform): AdminQueuesHandler | null {
  const token = platform.config.adminToken;
  if (!token) return null;
  const board = new ExpressAdapter();
  board.setBasePath(ADMIN_QUEUES_PATH);
  createBullBoard({
    queues: QUEUE_NAMES.map((name) => new BullMQAdapter(platform.queues.queue(name))),
    serverAdapter: board,
  });
  const app = express();
  app.disable('x-powered-by');
  app.use(ADMIN_QUEUES_PATH, board.getRouter());
  return (req, res) => {
    if (!presentsToken(req.headers.authorization, token)) {
      res.writeHead(401, {
        'www-authenticate': 'Basic realm="Pakati queues", charset="UTF-8"',
        'content-type': 'text/plain; charset=utf-8',
      });
      res.end('administrator credentials required');
      return;
    }
    app(req as express.Request, res as express.Response);
  };
}

function presentsToken(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const space = header.indexOf(' ');
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer') return sameSecret(value, token);
  if (scheme !== 'basic') return false;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const passwordMatches = sameSecret(decoded.slice(colon + 1), token);
  return decoded.slice(0, colon) === ADMIN_USER && passwordMatches;
}

/** Constant time whatever the lengths: both sides are hashed to equal-length digests first. */
function sameSecret(presented: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
