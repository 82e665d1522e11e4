import { existsSync } from 'node:fs';
import { unknownEnvNames } from './known-env.ts';
import { repoPath } from './repo-files.ts';
import { appOf, httpCheckProblems } from './served-paths.ts';

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Instructions of a Dockerfile, continuation lines joined, comments dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: { text: string; line: number } | null = null;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && !pending)) return;
    const continued = line.endsWith('\\');
    const part = continued ? line.slice(0, -1).trim() : line;
    pending = pending ? { ...pending, text: `${pending.text} ${part}` } : { text: part, line: index + 1 };
    if (continued) return;
    const [keyword = '', ...rest] = pending.text.split(/\s+/);
    out.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: pending.line });
    pending = null;
  });
  return out;
}

const substitute = (text: string, vars: Record<string, string>) =>
  text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (all, a, b) => vars[a ?? b] ?? all,
  );

/** `ARG NAME=value` defaults of a list of instructions. */
function argDefaults(instructions: Instruction[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { keyword, args } of instructions) {
    const match = keyword === 'ARG' ? /^([A-Za-z_][A-Za-z0-9_]*)=(\S+)$/.exec(args) : null;
    if (match) out[match[1] as string] = match[2] as string;
  }
  return out;
}

export interface Stage {
  image: string;
  name: string | null;
  instructions: Instruction[];
}

export interface ParsedDockerfile {
  /** ARGs declared before the first FROM (usable in FROM lines), with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

export function dockerfileStages(text: string): ParsedDockerfile {
  const instructions = parseDockerfile(text);
  const firstFrom = instructions.findIndex((i) => i.keyword === 'FROM');
  const globalArgs = argDefaults(instructions.slice(0, Math.max(firstFrom, 0)));
  const stages: Stage[] = [];
  for (const instruction of instructions.slice(firstFrom)) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const image = substitute(words[0] ?? '', globalArgs);
      const name = words[1]?.toUpperCase() === 'AS' ? (words[2] ?? null) : null;
      stages.push({ image, name, instructions: [] });
    } else stages.at(-1)?.instructions.push(instruction);
  }
  return { globalArgs, stages };
}

/** A base image reference is pinned when it has a digest, or a tag that starts with a full version (x.y...). */
export function unpinnedImageProblem(image: string): string | null {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return null;
  const lastSegment = image.split('/').at(-1) ?? '';
  const tag = lastSegment.includes(':') ? lastSegment.split(':')[1] : undefined;
  if (!tag) return `${image}: no tag (that is :latest)`;
  if (tag === 'latest') return `${image}: :latest is not pinned`;
  if (!/^v?\d+\.\d+/.test(tag)) return `${image}: tag ${tag} names no version (major.minor at least)`;
  return null;
}

/** Sources of a COPY/ADD (shell or exec form), or null when it copies from another stage or image. */
function copySources(args: string): string[] | null {
  const words = args.startsWith('[')
    ? (JSON.parse(args) as string[])
    : args.split(/\s+/).filter((w) => !w.startsWith('--') || /^--from=/.test(w));
  if (words.some((w) => w.startsWith('--from='))) return null;
  const plain = words.filter((w) => !w.startsWith('--'));
  return plain.slice(0, -1);
}

// --- .dockerignore ------------------------------------------------------------------------------------------------

function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      out += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** A .dockerignore as a predicate over context-relative paths: the last matching rule wins, `!` re-includes. */
export function dockerignoreMatcher(text: string): (relativePath: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negated = l.startsWith('!');
      const pattern = (negated ? l.slice(1) : l).replace(/^\/+/, '').replace(/\/+$/, '');
      return { negated, re: globToRegExp(pattern) };
    });
  return (relativePath) => {
    const parts = relativePath.replace(/^\.\/|\/$/g, '').split('/');
    let ignored = false;
    // A rule that matches a parent directory excludes everything in it.
    for (let depth = 1; depth <= parts.length; depth++) {
      const prefix = parts.slice(0, depth).join('/');
      for (const rule of rules) if (rule.re.test(prefix)) ignored = !rule.negated;
    }
    return ignored;
  };
}

// --- the checks ---------------------------------------------------------------------------------------------------

export interface DockerfileExpectations {
  /** bin/pakati's NODE_VERSION, package.json's pnpm version, packages/backends' tfjs version. */
  versions: Record<string, string>;
  ignored: (relativePath: string) => boolean;
  /** Variables our code reads (known-env.ts); the images' own PAKATI_* settings must be among them. */
  knownEnv: Set<string>;
}

/**
 * Problems of one Dockerfile (built with the repository root as context): unpinned base images, COPY sources that
 * do not exist or that .dockerignore keeps out, version ARGs that drifted from the repository, and a final stage
 * that is not a production, non-root image with a healthcheck on a path its app serves.
 */
export function dockerfileProblems(fileName: string, text: string, expect: DockerfileExpectations): string[] {
  const problems: string[] = [];
  const { globalArgs, stages } = dockerfileStages(text);
  if (stages.length === 0) return [`${fileName}: no FROM`];
  const stageNames = new Set<string>();
  for (const stage of stages) {
    if (!stageNames.has(stage.image)) {
      const problem = unpinnedImageProblem(stage.image);
      if (problem) problems.push(`${fileName}: FROM ${problem}`);
    }
    if (stage.name) stageNames.add(stage.name);
    for (const { keyword, args, line } of stage.instructions) {
      if (keyword === 'COPY' || keyword === 'ADD') {
        for (const source of copySources(args) ?? []) {
          if (!existsSync(repoPath(source)))
            problems.push(`${fileName}:${line}: COPY source ${source} does not exist`);
          else if (source !== '.' && expect.ignored(source)) {
            problems.push(`${fileName}:${line}: COPY source ${source} is excluded by .dockerignore`);
          }
        }
      }
      if (keyword === 'RUN' && /\bpnpm install\b/.test(args)) {
        if (!args.includes('--frozen-lockfile'))
          problems.push(`${fileName}:${line}: pnpm install without --frozen-lockfile`);
        if (!/--filter(-prod)?\b/.test(args))
          problems.push(`${fileName}:${line}: pnpm install of the whole workspace`);
      }
    }
  }
  const args = { ...globalArgs, ...Object.assign({}, ...stages.map((s) => argDefaults(s.instructions))) };
  for (const [name, expected] of Object.entries(expect.versions)) {
    if (name in args && args[name] !== expected) {
      problems.push(`${fileName}: ARG ${name}=${args[name]}, but the repository uses ${expected}`);
    }
  }
  problems.push(...finalStageProblems(fileName, stages.at(-1) as Stage, expect.knownEnv));
  return problems;
}

function finalStageProblems(fileName: string, stage: Stage, knownEnv: Set<string>): string[] {
  const problems: string[] = [];
  const env: Record<string, string> = {};
  for (const { args } of stage.instructions.filter((i) => i.keyword === 'ENV')) {
    for (const [, key, value] of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(\S+)/g))
      env[key as string] = value as string;
  }
  const ours = Object.keys(env).filter((name) => name.startsWith('PAKATI_'));
  for (const name of unknownEnvNames(ours, knownEnv))
    problems.push(`${fileName}: ENV ${name}, which no runtime code reads`);
  if (env.NODE_ENV !== 'production')
    problems.push(`${fileName}: the final stage does not set NODE_ENV=production`);
  const user = stage.instructions.filter((i) => i.keyword === 'USER').at(-1)?.args;
  if (!user || /^(root|0)(:|$)/.test(user)) problems.push(`${fileName}: the final stage runs as root`);
  if (!stage.instructions.some((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT')) {
    problems.push(`${fileName}: the final stage has no CMD`);
  }
  const healthcheck = stage.instructions.find((i) => i.keyword === 'HEALTHCHECK');
  const url = healthcheck?.args.match(/https?:\/\/[^"'\s]+/)?.[0];
  const app = appOf(fileName);
  if (!url) problems.push(`${fileName}: no HEALTHCHECK on an HTTP URL`);
  else if (app) {
    const { port, pathname } = new URL(url);
    problems.push(...httpCheckProblems(`${fileName} HEALTHCHECK`, app, Number(port), pathname, env, true));
  }
  return problems;
}
