import WebSocket, { type RawData } from 'ws';

/** One message from ComfyUI's websocket, attributed to a prompt. */
export type ComfyEvent =
  | { kind: 'message'; type: string; data: Record<string, unknown> }
  | { kind: 'preview'; bytes: Buffer }
  | { kind: 'closed'; reason: string };

type Listener = (event: ComfyEvent) => void;

// Binary frames (server.py BinaryEventTypes): a 4-byte big-endian event type, then the payload.
const PREVIEW_IMAGE = 1;
const PREVIEW_IMAGE_WITH_METADATA = 4;
// Events for prompts nobody watches yet are kept this long: our own prompt's first events can arrive before
// POST /prompt has answered with its id.
const UNCLAIMED_LIMIT = 256;

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * The one websocket a ComfyUI client id may have: the server keeps a single socket per `clientId` and sends a
 * prompt's events only to the client that queued it, so every operation of a backend shares this connection and
 * demultiplexes by `prompt_id`. It opens on first use and closes when the last operation releases it.
 */
export class ComfySocket {
  private socket: WebSocket | undefined;
  private opening: Promise<void> | undefined;
  private users = 0;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly unclaimed = new Map<string, ComfyEvent[]>();
  private unclaimedCount = 0;
  /** The prompt ComfyUI is executing for us; plain preview frames carry no prompt id and belong to it. */
  private executing: string | undefined;

  constructor(private readonly url: string) {}

  async acquire(signal: AbortSignal): Promise<void> {
    this.users++;
    try {
      if (!this.socket || this.socket.readyState > WebSocket.OPEN) this.opening = this.open();
      await abortable(this.opening!, signal);
    } catch (error) {
      this.release();
      throw error;
    }
  }

  release(): void {
    this.users = Math.max(0, this.users - 1);
    if (this.users === 0 && this.socket) {
      const socket = this.socket;
      this.socket = undefined;
      this.opening = undefined;
      socket.removeAllListeners('message');
      socket.on('error', () => {});
      socket.close();
      this.unclaimed.clear();
      this.unclaimedCount = 0;
      this.executing = undefined;
    }
  }

  /** Delivers the prompt's events, first those that arrived before anyone watched it. */
  watch(promptId: string, listener: Listener): () => void {
    const set = this.listeners.get(promptId) ?? new Set<Listener>();
    this.listeners.set(promptId, set);
    set.add(listener);
    const backlog = this.unclaimed.get(promptId);
    if (backlog) {
      this.unclaimed.delete(promptId);
      this.unclaimedCount -= backlog.length;
      for (const event of backlog) listener(event);
    }
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(promptId);
    };
  }

  private open(): Promise<void> {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.binaryType = 'nodebuffer';
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    socket.on('close', (code) => {
      // A socket we let go of in release() closes late; operations on its successor must not hear of it.
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.opening = undefined;
      this.executing = undefined;
      for (const set of this.listeners.values()) {
        for (const listener of set) listener({ kind: 'closed', reason: `websocket closed (${code})` });
      }
    });
    const opened = new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', (error) => reject(error));
    });
    // Whoever awaits it sees the failure; an opening abandoned by every waiter must not be an unhandled rejection.
    opened.catch(() => {});
    return opened;
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      const bytes = toBuffer(data);
      if (bytes.length < 8) return;
      const type = bytes.readUInt32BE(0);
      if (type === PREVIEW_IMAGE && this.executing) {
        // Then a 4-byte image format (1 JPEG, 2 PNG); the decoder sniffs the format itself.
        this.dispatch(this.executing, { kind: 'preview', bytes: bytes.subarray(8) });
      } else if (type === PREVIEW_IMAGE_WITH_METADATA) {
        const length = bytes.readUInt32BE(4);
        try {
          const metadata = JSON.parse(bytes.subarray(8, 8 + length).toString('utf8')) as {
            prompt_id?: string;
          };
          const promptId = metadata.prompt_id ?? this.executing;
          if (promptId) this.dispatch(promptId, { kind: 'preview', bytes: bytes.subarray(8 + length) });
        } catch {
          // An unreadable preview is just skipped.
        }
      }
      return;
    }
    let message: { type?: unknown; data?: unknown };
    try {
      message = JSON.parse(toBuffer(data).toString('utf8'));
    } catch {
      return;
    }
    if (typeof message.type !== 'string' || !message.data || typeof message.data !== 'object') return;
    const body = message.data as Record<string, unknown>;
    const promptId = typeof body.prompt_id === 'string' ? body.prompt_id : undefined;
    if (!promptId) return;
    if (message.type === 'execution_start' || (message.type === 'executing' && body.node != null)) {
      this.executing = promptId;
    } else if (
      (message.type === 'executing' && body.node == null) ||
      message.type === 'execution_success' ||
      message.type === 'execution_error' ||
      message.type === 'execution_interrupted'
    ) {
      if (this.executing === promptId) this.executing = undefined;
    }
    this.dispatch(promptId, { kind: 'message', type: message.type, data: body });
  }

  private dispatch(promptId: string, event: ComfyEvent): void {
    const set = this.listeners.get(promptId);
    if (set?.size) {
      for (const listener of set) listener(event);
      return;
    }
    if (event.kind === 'preview') return;
    const backlog = this.unclaimed.get(promptId) ?? [];
    this.unclaimed.set(promptId, backlog);
    backlog.push(event);
    this.unclaimedCount++;
    while (this.unclaimedCount > UNCLAIMED_LIMIT) {
      const oldest = this.unclaimed.keys().next().value as string;
      this.unclaimedCount -= this.unclaimed.get(oldest)!.length;
      this.unclaimed.delete(oldest);
    }
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
