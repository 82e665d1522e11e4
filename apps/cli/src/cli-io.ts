import type { Writable } from 'node:stream';

export type OutputStream = Writable & { isTTY?: boolean; columns?: number };

/** Where a command reads its settings and writes its output; tests pass their own. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export const println = (stream: OutputStream, line = '') => {
  stream.write(`${line}\n`);
};
