import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageCommandProblems, imageFacts, installedPackages } from '../src/image-commands.ts';
import { loadK8sObjects } from '../src/k8s-checks.ts';
import { at, isRecord, parseYamlDocuments, readRepoFile } from '../src/repo-files.ts';

const factsOf = (dockerfile: string) => imageFacts(readRepoFile('infra/docker', dockerfile));

/** registry.example.com/pakati/worker:0.1.0 and pakati-worker:local are built by worker-cpu.Dockerfile. */
function dockerfileOfImage(image: string): string {
  const name = path.posix.basename(image.split(':')[0] as string).replace(/^pakati-/, '');
  return `${name === 'worker' ? 'worker-cpu' : name}.Dockerfile`;
}

interface ImageCommand {
  where: string;
  dockerfile: string;
  command: string[];
}

function composeCommands(): ImageCommand[] {
  // Interpolation only fills values; the commands carry no variables, so the raw file parses as it is.
  const doc = parseYamlDocuments(readRepoFile('infra/compose/compose.yaml'), 'compose.yaml')[0];
  const services = at(doc, 'services') as Record<string, unknown>;
  return Object.entries(services).flatMap(([name, service]) => {
    const command = at(service, 'command');
    const dockerfile = at(service, 'build', 'dockerfile');
    if (!Array.isArray(command) || typeof dockerfile !== 'string') return [];
    return [{ where: `compose ${name}`, dockerfile: path.posix.basename(dockerfile), command }];
  });
}

function k8sCommands(): ImageCommand[] {
  return loadK8sObjects().flatMap(({ file, object }) => {
    const pod = at(object, 'spec', 'template', 'spec');
    const containers = [at(pod, 'initContainers'), at(pod, 'containers')].flat().filter(isRecord);
    return containers.flatMap((container) =>
      Array.isArray(container.command) && typeof container.image === 'string'
        ? [
            {
              where: `${file} ${String(container.name)}`,
              dockerfile: dockerfileOfImage(container.image),
              command: container.command as string[],
            },
          ]
        : [],
    );
  });
}

describe('commands the images run', () => {
  const commands = [...composeCommands(), ...k8sCommands()];

  it('the migration runs the operator CLI in the API image, in Compose and Kubernetes alike', () => {
    const migrations = commands.filter((c) => c.command.includes('migrate'));
    expect(migrations.map((c) => c.where).sort()).toEqual(['compose migrate', 'jobs/migrate.yaml migrate']);
    for (const { dockerfile, command } of migrations) {
      expect(dockerfile).toBe('api.Dockerfile');
      expect(command.slice(-1)).toEqual(['migrate']);
    }
  });

  it.each(['api.Dockerfile', 'worker-cpu.Dockerfile', 'worker-gpu.Dockerfile'])(
    '%s: its CMD runs a script of a package it installs',
    (dockerfile) => {
      const facts = factsOf(dockerfile);
      expect(facts.cmd[0]).toBe('node');
      expect(imageCommandProblems(dockerfile, facts.cmd, facts)).toEqual([]);
    },
  );

  it('every Compose and Kubernetes command runs a script its image carries and installs', () => {
    const problems = commands.flatMap(({ where, dockerfile, command }) =>
      imageCommandProblems(where, command, factsOf(dockerfile)),
    );
    expect(problems).toEqual([]);
  });
});

describe('the image command validator rejects broken ones', () => {
  const api = factsOf('api.Dockerfile');

  it('reads the workspace packages the pnpm filters select', () => {
    expect([...installedPackages('--filter pakati --filter-prod "@pakati/cli..."')].sort()).toEqual(
      expect.arrayContaining(['pakati', '@pakati/cli', '@pakati/client', '@pakati/db', '@pakati/platform']),
    );
    // Without `...` a filter selects the package alone, and devDependencies never pull packages in.
    expect([...installedPackages('--filter @pakati/cli')]).toEqual(['@pakati/cli']);
    expect(installedPackages('--filter-prod "@pakati/cli..."').has('@pakati/worker')).toBe(false);
  });

  it('a script that does not exist, as the API image saw the removed src/cli.ts', () => {
    expect(
      imageCommandProblems('migrate', ['node', '--import', 'tsx', 'src/cli.ts', 'migrate'], api),
    ).toEqual(['migrate: /app/apps/api/src/cli.ts does not exist (src/cli.ts from /app/apps/api)']);
    expect(imageCommandProblems('x', ['node', '../../../etc/x.mjs'], api)).toEqual([
      'x: ../../../etc/x.mjs is outside the repository copy',
    ]);
  });

  it('a script of a package the image does not install', () => {
    const withoutCli = {
      ...api,
      installed: installedPackages('--filter pakati --filter-prod "@pakati/api..."'),
    };
    const command = ['node', '--import', 'tsx', '/app/apps/cli/src/main.ts', 'migrate'];
    expect(imageCommandProblems('migrate', command, api)).toEqual([]);
    expect(imageCommandProblems('migrate', command, withoutCli)).toEqual([
      "migrate: /app/apps/cli/src/main.ts belongs to @pakati/cli, which the image's pnpm install does not select",
    ]);
  });
});
