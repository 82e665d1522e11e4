import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { dockerfileStages } from './dockerfile-checks.ts';
import { parseYamlDocuments, readRepoFile, repoPath, repoRoot } from './repo-files.ts';

/** Where the images' `COPY . .` puts the repository. */
const IMAGE_REPO_ROOT = '/app';

/** What the final stage of a Dockerfile offers the commands run in it. */
export interface ImageFacts {
  workdir: string;
  /** The CMD, exec form. */
  cmd: string[];
  /** Names of the workspace packages its `pnpm install` selects (the filters and their production dependencies). */
  installed: Set<string>;
}

interface Manifest {
  name?: string;
  dependencies?: Record<string, string>;
}

const readManifest = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Manifest;

/** Every workspace package of pnpm-workspace.yaml (and the root) by name. */
function workspaceManifests(): Map<string, Manifest> {
  const { packages } = parseYamlDocuments(readRepoFile('pnpm-workspace.yaml'))[0] as { packages: string[] };
  const dirs = packages.flatMap((glob) =>
    glob.endsWith('/*')
      ? readdirSync(repoPath(glob.slice(0, -2))).map((dir) => `${glob.slice(0, -2)}/${dir}`)
      : [glob],
  );
  const out = new Map<string, Manifest>();
  for (const dir of ['', ...dirs]) {
    const file = repoPath(dir, 'package.json');
    const manifest = existsSync(file) ? readManifest(file) : null;
    if (manifest?.name) out.set(manifest.name, manifest);
  }
  return out;
}

/**
 * The workspace packages `pnpm install --filter A --filter-prod "B..."` installs: A, B, and everything B reaches
 * through `workspace:` production dependencies.
 */
export function installedPackages(installArgs: string): Set<string> {
  const manifests = workspaceManifests();
  const installed = new Set<string>();
  const visit = (name: string, withDependencies: boolean) => {
    if (installed.has(name) || !manifests.has(name)) return;
    installed.add(name);
    if (!withDependencies) return;
    for (const [dep, version] of Object.entries(manifests.get(name)?.dependencies ?? {})) {
      if (version.startsWith('workspace:')) visit(dep, true);
    }
  };
  for (const [, selector] of installArgs.matchAll(/--filter(?:-prod)?[ =]+["']?([^\s"']+)/g)) {
    const name = selector as string;
    visit(name.replace(/\.\.\.$/, ''), name.endsWith('...'));
  }
  return installed;
}

export function imageFacts(dockerfileText: string): ImageFacts {
  const { stages } = dockerfileStages(dockerfileText);
  const all = stages.flatMap((s) => s.instructions);
  const final = stages.at(-1)?.instructions ?? [];
  const cmd = final.filter((i) => i.keyword === 'CMD').at(-1)?.args;
  return {
    workdir: final.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args ?? '/',
    cmd: cmd?.startsWith('[') ? (JSON.parse(cmd) as string[]) : [],
    installed: installedPackages(
      all
        .filter((i) => i.keyword === 'RUN' && /\bpnpm install\b/.test(i.args))
        .map((i) => i.args)
        .join(' '),
    ),
  };
}

/**
 * Problems of a command run in an image (CMD, a Compose `command`, a container's `command`): the script Node is
 * given must be a file of the repository copy, and its package one that the image installs, or it fails on start
 * with a missing module.
 */
export function imageCommandProblems(where: string, command: string[], image: ImageFacts): string[] {
  const script = command.find((word, index) => index > 0 && /\.(c|m)?[jt]s$/.test(word));
  if (command[0] !== 'node' || !script) return [];
  const inImage = path.posix.resolve(image.workdir, script);
  if (!inImage.startsWith(`${IMAGE_REPO_ROOT}/`))
    return [`${where}: ${script} is outside the repository copy`];
  const file = repoPath(path.posix.relative(IMAGE_REPO_ROOT, inImage));
  if (!existsSync(file)) return [`${where}: ${inImage} does not exist (${script} from ${image.workdir})`];
  for (let dir = path.dirname(file); dir.startsWith(repoRoot); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const name = readManifest(manifest).name ?? dir;
    return image.installed.has(name)
      ? []
      : [`${where}: ${script} belongs to ${name}, which the image's pnpm install does not select`];
  }
  return [`${where}: ${script} belongs to no package`];
}
