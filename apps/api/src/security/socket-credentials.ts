import type { Platform, Principal } from '@pakati/platform';
import type { WebSocket } from 'ws';

// setTimeout holds at most a 32-bit signed number of milliseconds.
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Tracked {
  token: string;
  apiKeyId: string;
  expiry: NodeJS.Timeout | null;
}

/**
 * The graphql-ws sockets open per API key. A socket authenticates once, when it connects; this closes it when its
 * credentials expire, and when they are revoked or their member's role changes (announced over Redis, so every
 * replica hears it): revoked ones with 4403 Forbidden, changed ones with 1012 so the client reconnects and is
 * authorized anew.
 */
export class SocketCredentials {
  private readonly sockets = new Map<WebSocket, Tracked>();

  constructor(private readonly platform: Platform) {}

  track(socket: WebSocket, token: string, principal: Principal): void {
    const expiresIn = principal.expiresAt ? principal.expiresAt.getTime() - Date.now() : null;
    const expiry =
      expiresIn === null
        ? null
        : setTimeout(
            () => socket.close(4403, 'Forbidden: credentials expired'),
            Math.min(Math.max(0, expiresIn), MAX_TIMER_MS),
          );
    expiry?.unref();
    this.sockets.set(socket, { token, apiKeyId: principal.apiKeyId, expiry });
    socket.once('close', () => this.forget(socket));
  }

  async changed(apiKeyIds: readonly string[]): Promise<void> {
    const affected = new Set(apiKeyIds);
    for (const [socket, tracked] of this.sockets) {
      if (!affected.has(tracked.apiKeyId)) continue;
      const principal = await this.platform.identity.authenticate(tracked.token).catch(() => null);
      if (principal) socket.close(1012, 'credentials changed: reconnect');
      else socket.close(4403, 'Forbidden: credentials revoked');
    }
  }

  dispose(): void {
    for (const socket of [...this.sockets.keys()]) this.forget(socket);
  }

  private forget(socket: WebSocket): void {
    const tracked = this.sockets.get(socket);
    if (tracked?.expiry) clearTimeout(tracked.expiry);
    this.sockets.delete(socket);
  }
}
