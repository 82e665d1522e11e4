import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { startGatedStack } from '@pakati/api/test-gated-stack';
import { createPakatiClient } from '@pakati/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/run-cli.ts';
import { cliRoot, pakati } from './cli-process.ts';

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];
const example = path.join(cliRoot, 'examples/harbour.json');

let gated: Awaited<ReturnType<typeof startGatedStack>>;
let dir: string;
let env: Record<string, string>;
beforeAll(async () => {
  gated = await startGatedStack();
  dir = await mkdtemp(path.join(tmpdir(), 'pakati-cli-'));
  env = { PAKATI_API_URL: gated.url, PAKATI_API_KEY: gated.stack.alpha.key };
});
afterAll(async () => {
  gated?.release();
  await gated?.stack.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('pakati refine', { timeout: 120_000 }, () => {
  it('refines the example spec end to end: ids, progress, iterations, and the image file', async () => {
    const output = path.join(dir, 'harbour.png');
    const result = await pakati(['refine', example, '-o', output], env);
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);

    expect(result.stdout).toMatch(/^project \S+ "Harbour at dusk" 320x192$/m);
    expect(result.stdout).toMatch(/^region \S+ sky$/m);
    expect(result.stdout).toMatch(/^region \S+ quay$/m);
    expect(result.stdout.match(/^reference \S+ regions\[\d\]\.references\[0\] /gm)).toHaveLength(2);
    expect(result.stdout).toMatch(/^run \S+ REFINE seed 42$/m);
    expect(result.stdout).toContain(`image ${output}`);

    // Not a TTY: plain lines, progress rising to 100%, one line per decided iteration, baseline first.
    const progress = [...result.stderr.matchAll(/^progress +(\d+)% eta \S+ (?:step \d+\/\d+|done)/gm)].map(
      (m) => Number(m[1]),
    );
    expect(progress.length).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(100);
    const iterations = [...result.stderr.matchAll(/^iteration (\d+): score [\d.]+ (accepted|rejected)/gm)];
    expect(iterations.map((m) => Number(m[1]))).toEqual(iterations.map((_, i) => i));
    expect(iterations.length).toBeGreaterThanOrEqual(2);
    expect(result.stderr).toMatch(/^step sky (started|succeeded)/m);
    expect(result.stderr).toMatch(/^completed 320x192 in [\d.]+s$/m);

    const image = await readFile(output);
    expect([...image.subarray(0, 4)]).toEqual(PNG_SIGNATURE);
    const runId = result.stdout.match(/^run (\S+) REFINE/m)![1]!;
    const client = createPakatiClient({ url: env.PAKATI_API_URL!, apiKey: env.PAKATI_API_KEY! });
    const run = await client.run(runId);
    expect(run).toMatchObject({ status: 'SUCCEEDED', kind: 'REFINE' });
    expect(Buffer.compare(image, Buffer.from(await client.downloadImage(run!.imageUrl!)))).toBe(0);
  });

  it('starts, watches, downloads and cancels runs with `pakati run`', async () => {
    const client = createPakatiClient({ url: env.PAKATI_API_URL!, apiKey: env.PAKATI_API_KEY! });
    const project = await client.createProject({ name: 'Runs', width: 96, height: 64 });
    await client.addRegion({
      projectId: project.id,
      prompt: 'a red barn',
      points: [
        { x: 0, y: 0 },
        { x: 64, y: 0 },
        { x: 64, y: 64 },
      ],
    });
    const output = path.join(dir, 'barn.png');
    const started = await pakati(['run', 'start', project.id, '--seed', '5', '--watch', '-o', output], env);
    expect(started.code).toBe(0);
    const runId = started.stdout.match(/^run (\S+) GENERATE QUEUED seed 5$/m)![1]!;
    expect(started.stderr).toMatch(/^completed 96x64 in /m);
    expect([...(await readFile(output)).subarray(0, 4)]).toEqual(PNG_SIGNATURE);

    const again = path.join(dir, 'barn-again.png');
    const downloaded = await pakati(['run', 'download', runId, '-o', again], env);
    expect(downloaded.code).toBe(0);
    expect(Buffer.compare(await readFile(again), await readFile(output))).toBe(0);

    const refused = await pakati(
      ['run', 'start', project.id, '--mode', 'refine', '--max-iterations', '2'],
      env,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: PRECONDITION_FAILED: a REFINE run needs reference images/);

    gated.hold();
    try {
      const held = await pakati(['run', 'start', project.id], env);
      const heldId = held.stdout.match(/^run (\S+) GENERATE QUEUED/m)![1]!;
      const cancelled = await pakati(['run', 'cancel', heldId], env);
      expect(cancelled).toMatchObject({ code: 0, stdout: `run ${heldId} CANCELLED\n` });
      const watched = await pakati(['run', 'watch', heldId], env);
      expect(watched.code).toBe(1);
      expect(watched.stderr.trim().split('\n').at(-1)).toMatch(/^error: RUN_CANCELLED: /);
      const nothing = await pakati(['run', 'download', heldId, '-o', path.join(dir, 'none.png')], env);
      expect(nothing.stderr).toBe(
        `error: RUN_NOT_SUCCEEDED: run ${heldId} is CANCELLED: it has no image to download\n`,
      );
    } finally {
      gated.release();
    }
  });

  it('draws a live progress bar with the ETA on a terminal', async () => {
    const client = createPakatiClient({ url: env.PAKATI_API_URL!, apiKey: env.PAKATI_API_KEY! });
    const project = await client.createProject({ name: 'Bar', width: 96, height: 64 });
    await client.addRegion({
      projectId: project.id,
      prompt: 'a yellow field',
      points: [
        { x: 0, y: 0 },
        { x: 96, y: 0 },
        { x: 96, y: 64 },
      ],
    });
    const run = await client.startRun({ projectId: project.id, kind: 'GENERATE' });
    const stdout = new PassThrough();
    const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
    let drawn = '';
    stderr.on('data', (chunk) => {
      drawn += chunk;
    });
    const code = await runCli(['run', 'watch', run.id], { stdout, stderr, env, cwd: dir });
    expect(code).toBe(0);
    expect(drawn).toMatch(/█+ 100% \| ETA 0s \| done/);
    expect(drawn).toMatch(/completed 96x64 in/);
  });
});

describe('pakati with bad input', { timeout: 120_000 }, () => {
  it('names the JSON path of a bad spec, exits 1 and creates nothing', async () => {
    const spec = path.join(dir, 'bad.json');
    const good = JSON.parse(await readFile(example, 'utf8'));
    good.regions[1].points = [{ x: 0, y: 'ten' }];
    await writeFile(spec, JSON.stringify(good));
    const client = createPakatiClient({ url: env.PAKATI_API_URL!, apiKey: env.PAKATI_API_KEY! });
    const before = (await all(client.listProjects())).length;
    const result = await pakati(['project', 'apply', spec], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect((await all(client.listProjects())).length).toBe(before);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^error: BAD_SPEC: bad\.json: regions\[1\]\.points(\[0\]\.y)?: .+/);
    expect(result.stderr).not.toMatch(/\bat \S+:\d+/);
  });

  it('refuses a spec whose reference file is missing before creating the project', async () => {
    const spec = path.join(dir, 'missing.json');
    const good = JSON.parse(await readFile(example, 'utf8'));
    for (const region of good.regions) {
      for (const ref of region.references) ref.file = path.resolve(path.dirname(example), ref.file);
    }
    good.references = [{ file: 'nowhere.png' }];
    await writeFile(spec, JSON.stringify(good));
    const result = await pakati(['project', 'apply', spec], env);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'error: BAD_SPEC: missing.json: references[0].file: cannot read nowhere.png (ENOENT)',
    );
  });

  it('exits 2 on usage errors and 1 with the API code on API errors', async () => {
    const unknown = await pakati(['run', 'launch'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: USAGE: unknown command "run launch"/);
    const badFlag = await pakati(['run', 'start', 'p', '--mode', 'DREAM'], env);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr.trim()).toBe('error: USAGE: --mode must be one of GENERATE, REFINE');
    const noKey = await pakati(['keys', 'list'], { PAKATI_API_URL: env.PAKATI_API_URL! });
    expect(noKey.code).toBe(2);
    const missing = await pakati(['run', 'download', 'UnVuOm5vbmU=', '-o', path.join(dir, 'x.png')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toMatch(/^error: [A-Z_]+: .+/);
    const badKey = await pakati(['keys', 'list'], { ...env, PAKATI_API_KEY: 'pk_nope_nope' });
    expect(badKey.code).toBe(1);
    expect(badKey.stderr.trim()).toMatch(/^error: UNAUTHENTICATED: /);
  });
});
