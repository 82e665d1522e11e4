import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type K8sContext,
  type K8sObject,
  k8sCrossReferenceProblems,
  k8sDir,
  loadK8sObjects,
  modelProblems,
  parseK8s,
} from '../src/k8s-checks.ts';
import { kedaProblems } from '../src/keda-schema.ts';
import { configDefault, knownEnvNames } from '../src/known-env.ts';
import { at, listFiles, parseYamlDocuments, readRepoFile } from '../src/repo-files.ts';

const objects = loadK8sObjects();
let ctx: K8sContext;
beforeAll(() => {
  ctx = { knownEnv: knownEnvNames(), defaultShutdownGraceMs: configDefault('PAKATI_SHUTDOWN_GRACE_MS') };
});

/** A deep copy of the manifests with one object changed. */
function edited(kind: string, name: string, change: (object: Record<string, unknown>) => void): K8sObject[] {
  const copy = structuredClone(objects);
  const target = copy.find((o) => o.object.kind === kind && at(o.object, 'metadata', 'name') === name);
  if (!target) throw new Error(`no ${kind}/${name}`);
  change(target.object);
  return copy;
}

const firstContainer = (deployment: Record<string, unknown>) =>
  (at(deployment, 'spec', 'template', 'spec', 'containers') as Record<string, unknown>[])[0] as Record<
    string,
    unknown
  >;

describe('Kubernetes manifests', () => {
  it('holds every object the deployment needs', () => {
    const kinds = objects.map((o) => `${o.object.kind}/${at(o.object, 'metadata', 'name')}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'Namespace/pakati',
        'ConfigMap/pakati-config',
        'Secret/pakati-secrets',
        'Deployment/pakati-api',
        'Service/pakati-api',
        'HorizontalPodAutoscaler/pakati-api',
        'PodDisruptionBudget/pakati-api',
        'Deployment/pakati-worker',
        'ScaledObject/pakati-worker',
        'PodDisruptionBudget/pakati-worker',
        'Deployment/pakati-worker-gpu',
        'ScaledObject/pakati-worker-gpu',
        'Deployment/pakati-web',
        'Service/pakati-web',
        'Ingress/pakati',
        'Job/pakati-migrate',
      ]),
    );
  });

  it.each(objects.map((o) => [`${o.file} ${o.object.kind}/${at(o.object, 'metadata', 'name')}`, o] as const))(
    '%s is valid for its apiVersion and kind',
    async (_name, item) => {
      expect(await modelProblems(item)).toEqual([]);
    },
  );

  it('has consistent selectors, references, probes, scrape targets, grace periods, hardening and KEDA triggers', () => {
    expect(k8sCrossReferenceProblems(objects, ctx)).toEqual([]);
  });

  it('kustomization.yaml lists every manifest but the secret example and the migration job', () => {
    const kustomization = parseYamlDocuments(readRepoFile('infra/k8s/kustomization.yaml'))[0] as {
      resources: string[];
      images: { name: string }[];
    };
    for (const resource of kustomization.resources)
      expect(existsSync(path.join(k8sDir, resource)), resource).toBe(true);
    const files = listFiles(k8sDir, (n) => n.endsWith('.yaml'))
      .map((f) => path.relative(k8sDir, f))
      .filter((f) => !['kustomization.yaml', 'secret.example.yaml'].includes(f) && !f.startsWith('jobs/'));
    expect(files.sort()).toEqual([...kustomization.resources].sort());
    const images = new Set(
      objects.flatMap((o) =>
        (
          (at(o.object, 'spec', 'template', 'spec', 'containers') as { image: string }[] | undefined) ?? []
        ).map((c) => c.image.split(':')[0]),
      ),
    );
    expect(new Set(kustomization.images.map((i) => i.name))).toEqual(images);
  });
});

describe('the Kubernetes validators reject broken manifests', () => {
  it('kubernetes-models: a Deployment without a selector, a wrong type, an unknown kind', async () => {
    const [broken] = parseK8s(
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replicas: two\n  template:\n    spec:\n      containers: [{name: c, image: i}]\n',
      'broken.yaml',
    );
    const problems = (await modelProblems(broken as K8sObject)).join('\n');
    expect(problems).toMatch(/selector/);
    const [unknown] = parseK8s('apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: x}\n', 'typo.yaml');
    expect(await modelProblems(unknown as K8sObject)).toEqual([
      'typo.yaml Deploymnet/x: kubernetes-models has no apps/v1 Deploymnet',
    ]);
    expect(() => parseK8s('kind: [unclosed', 'bad.yaml')).toThrow(/bad.yaml/);
  });

  it('KEDA schema: a numeric listLength, a misspelt field, no triggers', () => {
    const scaled = objects.find((o) => o.object.kind === 'ScaledObject')?.object as Record<string, unknown>;
    const copy = structuredClone(scaled) as {
      spec: Record<string, unknown> & { triggers: { metadata: object }[] };
    };
    (copy.spec.triggers[0] as { metadata: Record<string, unknown> }).metadata.listLength = 8;
    copy.spec.minReplicas = 1;
    const problems = kedaProblems(copy).join('\n');
    expect(problems).toContain('listLength: must be string');
    expect(problems).toContain('must NOT have additional properties');
    expect(
      kedaProblems({ ...copy, spec: { scaleTargetRef: { name: 'x' }, triggers: [] } }).join('\n'),
    ).toMatch(/fewer than 1 items/);
    expect(kedaProblems({ kind: 'ScaledJob' })).toEqual(['keda.sh kind ScaledJob has no schema here']);
  });

  it('selectors and targets that name nothing', () => {
    const problems = [
      ...k8sCrossReferenceProblems(
        edited('Service', 'pakati-api', (s) => {
          (s.spec as Record<string, unknown>).selector = { 'app.kubernetes.io/name': 'pakati-apii' };
        }),
        ctx,
      ),
      ...k8sCrossReferenceProblems(
        edited('PodDisruptionBudget', 'pakati-worker', (p) => {
          (p.spec as Record<string, unknown>).selector = { matchLabels: { app: 'nothing' } };
        }),
        ctx,
      ),
      ...k8sCrossReferenceProblems(
        edited('HorizontalPodAutoscaler', 'pakati-api', (h) => {
          (h.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name = 'pakati-apı';
        }),
        ctx,
      ),
      ...k8sCrossReferenceProblems(
        edited('Service', 'pakati-web', (s) => {
          (s.spec as { ports: { targetPort: string }[] }).ports[0]!.targetPort = 'web';
        }),
        ctx,
      ),
    ].join('\n');
    expect(problems).toContain('Service/pakati-api: selects no pods');
    expect(problems).toContain('PodDisruptionBudget/pakati-worker: selects no pods');
    expect(problems).toContain("scaleTargetRef names no Deployment 'pakati-apı'");
    const elsewhere = k8sCrossReferenceProblems(
      edited('ConfigMap', 'pakati-web-config', (c) => {
        (c.metadata as Record<string, unknown>).namespace = undefined;
      }),
      ctx,
    );
    expect(elsewhere).toContain(
      'configmap.yaml ConfigMap/pakati-web-config: namespace undefined is not ours',
    );
    expect(problems).toContain('Service/pakati-web: targetPort web is no container port');
  });

  it('probes and scrape annotations on paths or ports the app does not serve', () => {
    const problems = k8sCrossReferenceProblems(
      edited('Deployment', 'pakati-worker', (d) => {
        const container = firstContainer(d);
        (container.readinessProbe as { httpGet: { path: string } }).httpGet.path = '/ready';
        (container.ports as { containerPort: number }[])[0]!.containerPort = 9000;
        const template = (d.spec as { template: { metadata: { annotations: Record<string, string> } } })
          .template;
        template.metadata.annotations['prometheus.io/path'] = '/prometheus';
      }),
      ctx,
    ).join('\n');
    expect(problems).toContain('worker does not serve /ready');
    expect(problems).toContain('checks port 9000, but worker listens on 9464');
    expect(problems).toContain('prometheus.io/port 9464 is no container port');
    expect(problems).toContain('worker does not serve /prometheus');
  });

  it('a grace period within the shutdown grace, an unknown setting, a missing Secret, a root container', () => {
    const problems = k8sCrossReferenceProblems(
      edited('Deployment', 'pakati-worker-gpu', (d) => {
        const spec = (d.spec as { template: { spec: Record<string, unknown> } }).template.spec;
        spec.terminationGracePeriodSeconds = 20;
        spec.securityContext = {};
        spec.nodeSelector = {};
        spec.tolerations = [];
        const container = firstContainer(d);
        (container.env as { name: string; value: string }[]).push({ name: 'PAKATI_GPU_TURBO', value: '1' });
        (container.envFrom as { secretRef?: { name: string } }[])[1] = {
          secretRef: { name: 'pakati-secret' },
        };
        (container.resources as { limits: Record<string, unknown> }).limits = { memory: '1Gi' };
        container.image = 'registry.example.com/pakati/worker-gpu:latest';
      }),
      ctx,
    ).join('\n');
    expect(problems).toContain('terminationGracePeriodSeconds 20 is not above 20000 ms');
    expect(problems).toContain('sets PAKATI_GPU_TURBO, which no runtime code reads');
    expect(problems).toContain('no Secret pakati-secret');
    expect(problems).toContain('not runAsNonRoot');
    expect(problems).toContain('no seccomp profile');
    expect(problems).toContain('no nvidia.com/gpu limit');
    expect(problems).toContain('not placed on GPU nodes');
    expect(problems).toContain(':latest is not pinned');
  });

  it('KEDA triggers that miss a queue, watch a wrong key, or drift from the formula', () => {
    const problems = k8sCrossReferenceProblems(
      edited('ScaledObject', 'pakati-worker', (s) => {
        const triggers = (s.spec as { triggers: { name: string; metadata: { listName: string } }[] })
          .triggers;
        triggers.splice(
          triggers.findIndex((t) => t.name === 'webhooks_prioritized'),
          1,
        );
        triggers[0]!.metadata.listName = 'bull:generation:wait';
      }),
      ctx,
    ).join('\n');
    expect(problems).toContain('does not watch pakati:generation:wait, pakati:webhooks:prioritized');
    expect(problems).toContain('watches bull:generation:wait, which its workers do not consume');
    expect(problems).toContain('formula names no trigger webhooks_prioritized');

    const noGpu = structuredClone(objects).filter(
      (o) => !(o.object.kind === 'ScaledObject' && at(o.object, 'metadata', 'name') === 'pakati-worker-gpu'),
    );
    expect(k8sCrossReferenceProblems(noGpu, ctx)).toContain('no scaled worker consumes generation-gpu');
  });
});
