/** A WebSocket class that keeps every socket it opens and every message sent on it, to drop one on purpose. */
export async function recordingWebSocket() {
  const { default: WebSocket } = await import('ws');
  const sockets: InstanceType<typeof WebSocket>[] = [];
  const sent: { socket: number; message: unknown }[] = [];
  class RecordingWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      sockets.push(this);
    }
    override send(data: unknown, ...rest: unknown[]) {
      sent.push({ socket: sockets.indexOf(this), message: JSON.parse(String(data)) });
      (super.send as (...a: unknown[]) => void)(data, ...rest);
    }
  }
  return { RecordingWebSocket, sockets, sent };
}
