import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type DockerfileExpectations,
  dockerfileProblems,
  dockerignoreMatcher,
  unpinnedImageProblem,
} from '../src/dockerfile-checks.ts';
import { knownEnvNames } from '../src/known-env.ts';
import { listFiles, parseYamlDocuments, readRepoFile, repoPath } from '../src/repo-files.ts';

const dockerfiles = readdirSync(repoPath('infra/docker')).filter((n) => n.endsWith('.Dockerfile'));
const ignored = dockerignoreMatcher(readRepoFile('.dockerignore'));
const rootPackage = JSON.parse(readRepoFile('package.json')) as { packageManager: string };
const backendsPackage = JSON.parse(readRepoFile('packages/backends/package.json')) as {
  dependencies: Record<string, string>;
};
const expectations: DockerfileExpectations = {
  versions: {
    NODE_VERSION: /NODE_VERSION="([^"]+)"/.exec(readRepoFile('bin/pakati'))?.[1] as string,
    PNPM_VERSION: rootPackage.packageManager.replace(/^pnpm@/, ''),
    TFJS_VERSION: backendsPackage.dependencies['@tensorflow/tfjs'] as string,
  },
  ignored,
  knownEnv: knownEnvNames(),
};

describe('Dockerfiles', () => {
  it('builds the four images', () => {
    expect(dockerfiles.sort()).toEqual([
      'api.Dockerfile',
      'web.Dockerfile',
      'worker-cpu.Dockerfile',
      'worker-gpu.Dockerfile',
    ]);
    for (const version of Object.values(expectations.versions)) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each(dockerfiles)(
    '%s: pinned bases, existing sources, repository versions, a production non-root final stage',
    (name) => {
      expect(dockerfileProblems(name, readRepoFile('infra/docker', name), expectations)).toEqual([]);
    },
  );

  it('the GPU image adds the tfjs GPU binding on a CUDA base', () => {
    const text = readRepoFile('infra/docker/worker-gpu.Dockerfile');
    expect(text).toMatch(/ARG CUDA_IMAGE=nvidia\/cuda:[\d.]+-cudnn\d*-runtime-ubuntu[\d.]+/);
    expect(text).toContain(`@tensorflow/tfjs-node-gpu@\${TFJS_VERSION}`);
    // packages/backends loads it by that name (tfjs-runtime.ts), so a rename there must show up here.
    expect(readRepoFile('packages/backends/src/tfjs/tfjs-runtime.ts')).toContain(
      "'@tensorflow/tfjs-node-gpu'",
    );
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, build output and local state out of the context', () => {
    for (const path of [
      'node_modules',
      'apps/api/node_modules/x',
      'apps/web/.next',
      '.data/blobs',
      '.tools/bin',
      '.git',
    ]) {
      expect(ignored(path), path).toBe(true);
    }
  });

  it('keeps in everything the images install from: the lockfile and every workspace manifest and source', () => {
    const workspace = parseYamlDocuments(readRepoFile('pnpm-workspace.yaml'))[0] as { packages: string[] };
    const manifests = workspace.packages.flatMap((glob) => {
      const base = glob.replace(/\/\*$/, '');
      return glob.endsWith('/*')
        ? readdirSync(repoPath(base)).map((dir) => `${base}/${dir}/package.json`)
        : [`${base}/package.json`];
    });
    const sources = listFiles(repoPath('apps/api/src'), (n) => n.endsWith('.ts')).map((f) =>
      f.slice(repoPath('').length),
    );
    const kept = [
      'package.json',
      'pnpm-lock.yaml',
      'pnpm-workspace.yaml',
      'infra/docker/healthcheck.mjs',
      ...manifests,
      ...sources,
    ];
    expect(kept.filter((path) => ignored(path))).toEqual([]);
  });
});

describe('the Dockerfile validators reject broken ones', () => {
  const api = readRepoFile('infra/docker/api.Dockerfile');

  it('unpinned base images', () => {
    expect(unpinnedImageProblem('node')).toMatch(/no tag/);
    expect(unpinnedImageProblem('node:latest')).toMatch(/not pinned/);
    expect(unpinnedImageProblem('node:22-bookworm-slim')).toMatch(/names no version/);
    expect(unpinnedImageProblem('registry:5000/node:lts')).toMatch(/names no version/);
    expect(unpinnedImageProblem(`node@sha256:${'a'.repeat(64)}`)).toBeNull();
    const latest = api.replace('ARG NODE_VERSION=22.23.3', 'ARG NODE_VERSION=latest');
    expect(dockerfileProblems('api.Dockerfile', latest, expectations).join('\n')).toMatch(
      /node:latest-bookworm-slim/,
    );
  });

  it('COPY of a missing or ignored file, and version drift', () => {
    const broken = `${api}\nCOPY infra/docker/missing.sh /x\nCOPY node_modules/.bin /y\n`.replace(
      'ARG PNPM_VERSION=12.21.0',
      'ARG PNPM_VERSION=9.0.0',
    );
    const problems = dockerfileProblems('api.Dockerfile', broken, expectations).join('\n');
    expect(problems).toContain('COPY source infra/docker/missing.sh does not exist');
    expect(problems).toMatch(/COPY source node_modules\/.bin (is excluded|does not exist)/);
    expect(problems).toContain('ARG PNPM_VERSION=9.0.0, but the repository uses');
  });

  it('a root, non-production final stage with a healthcheck on a path nobody serves', () => {
    const broken = api
      .replace('USER node', 'USER root')
      .replace('NODE_ENV=production', 'NODE_ENV=development')
      .replace('/health/ready"]', '/healthz"]')
      .replace('--frozen-lockfile ', '')
      .replace('PAKATI_DATA_DIR=/data', 'PAKATI_DATA_DIR=/data PAKATI_DATA_FOLDER=/data');
    const problems = dockerfileProblems('api.Dockerfile', broken, expectations).join('\n');
    expect(problems).toContain('runs as root');
    expect(problems).toContain('does not set NODE_ENV=production');
    expect(problems).toContain('api does not serve /healthz');
    expect(problems).toContain('pnpm install without --frozen-lockfile');
    expect(problems).toContain('ENV PAKATI_DATA_FOLDER, which no runtime code reads');
  });
});
