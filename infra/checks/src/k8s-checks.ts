import path from 'node:path';
import { unpinnedImageProblem } from './dockerfile-checks.ts';
import { kedaProblems } from './keda-schema.ts';
import { unknownEnvNames } from './known-env.ts';
import { QUEUE_NAMES, waitingJobKeys } from './queue-keys.ts';
import {
  at,
  isRecord,
  type Json,
  listFiles,
  parseYamlDocuments,
  readRepoFile,
  repoPath,
} from './repo-files.ts';
import { type AppName, appOf, httpCheckProblems } from './served-paths.ts';

export interface K8sObject {
  file: string;
  object: Json;
}

export const k8sDir = repoPath('infra/k8s');

/** Every object in every YAML file under infra/k8s except the kustomization itself. */
export function loadK8sObjects(): K8sObject[] {
  return listFiles(k8sDir, (n) => /\.ya?ml$/.test(n) && n !== 'kustomization.yaml').flatMap((file) =>
    parseK8s(readRepoFile(path.relative(repoPath(''), file)), path.relative(k8sDir, file)),
  );
}

export function parseK8s(text: string, file: string): K8sObject[] {
  return parseYamlDocuments(text, file)
    .filter((object): object is Json => object !== null && object !== undefined)
    .map((object) => {
      if (!isRecord(object)) throw new Error(`${file}: a document is not an object`);
      return { file, object };
    });
}

const label = ({ file, object }: K8sObject) =>
  `${file} ${String(object.kind)}/${String(at(object, 'metadata', 'name'))}`;

/**
 * Validates one object: a keda.sh object against our KEDA schema, anything else with the kubernetes-models class of
 * its apiVersion and kind (an apiVersion/kind it does not have is a problem: a typo would be applied as nothing).
 */
export async function modelProblems(item: K8sObject): Promise<string[]> {
  const { apiVersion, kind } = item.object;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return [`${item.file}: no apiVersion/kind`];
  if (apiVersion.startsWith('keda.sh/')) return kedaProblems(item.object).map((p) => `${label(item)}: ${p}`);
  let Model: new (data: unknown) => { validate(): void };
  try {
    const module = (await import(`kubernetes-models/${apiVersion}/${kind}`)) as Record<string, unknown>;
    Model = module[kind] as typeof Model;
    if (typeof Model !== 'function') throw new Error('no model class');
  } catch {
    return [`${label(item)}: kubernetes-models has no ${apiVersion} ${kind}`];
  }
  try {
    new Model(item.object).validate();
    return [];
  } catch (error) {
    return [`${label(item)}: ${(error as Error).message}`];
  }
}

// --- cross references ---------------------------------------------------------------------------------------------

const byKind = (items: K8sObject[], kind: string) => items.filter((i) => i.object.kind === kind);
const nameOf = (item: K8sObject) => String(at(item.object, 'metadata', 'name'));
const record = (value: unknown): Record<string, string> =>
  isRecord(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)])) : {};

/** Workloads and the pod templates they run. */
function podTemplates(items: K8sObject[]): { item: K8sObject; template: Json }[] {
  return items.flatMap((item) => {
    const template = at(item.object, 'spec', 'template');
    return ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(String(item.object.kind)) &&
      isRecord(template)
      ? [{ item, template }]
      : [];
  });
}

const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

const containersOf = (template: Json) => (at(template, 'spec', 'containers') as Json[] | undefined) ?? [];

/** The environment a container starts with: its envFrom ConfigMaps/Secrets, then its own env values. */
function containerEnv(container: Json, items: K8sObject[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of (container.envFrom as Json[] | undefined) ?? []) {
    const ref = (at(source, 'configMapRef', 'name') ?? at(source, 'secretRef', 'name')) as string | undefined;
    const kind = at(source, 'configMapRef') ? 'ConfigMap' : 'Secret';
    const found = byKind(items, kind).find((i) => nameOf(i) === ref);
    Object.assign(env, record(at(found?.object, 'data')), record(at(found?.object, 'stringData')));
  }
  for (const entry of (container.env as Json[] | undefined) ?? [])
    env[String(entry.name)] = String(entry.value ?? '');
  return env;
}

const containerPort = (container: Json, port: unknown): number | null => {
  if (typeof port === 'number') return port;
  const named = ((container.ports as Json[] | undefined) ?? []).find((p) => p.name === port);
  return named ? Number(named.containerPort) : null;
};

export interface K8sContext {
  knownEnv: Set<string>;
  /** PAKATI_SHUTDOWN_GRACE_MS when a pod does not set it (config.ts's default). */
  defaultShutdownGraceMs: number;
}

/**
 * What schemas cannot see: selectors and targets that name nothing, references to ConfigMaps, Secrets and claims
 * that do not exist, settings no code reads, probes and scrape annotations on paths or ports the app does not serve,
 * grace periods shorter than the workers' shutdown grace, missing limits or hardening, unpinned images, and KEDA
 * triggers that do not watch exactly the waiting jobs of the queues their workers consume.
 */
export function k8sCrossReferenceProblems(items: K8sObject[], ctx: K8sContext): string[] {
  const problems: string[] = [];
  const pods = podTemplates(items);
  const deployments = pods.filter((p) => p.item.object.kind === 'Deployment');
  const podLabels = (template: Json) => record(at(template, 'metadata', 'labels'));
  const named = (kind: string, name: unknown) => byKind(items, kind).some((i) => nameOf(i) === name);

  const namespaces = byKind(items, 'Namespace').map(nameOf);
  for (const item of items.filter((i) => i.object.kind !== 'Namespace')) {
    const namespace = at(item.object, 'metadata', 'namespace');
    if (!namespaces.includes(String(namespace)))
      problems.push(`${label(item)}: namespace ${String(namespace)} is not ours`);
  }

  for (const { item, template } of deployments) {
    const selector = record(at(item.object, 'spec', 'selector', 'matchLabels'));
    if (!selects(selector, podLabels(template)))
      problems.push(`${label(item)}: selector does not match its pods`);
  }

  for (const kind of ['Service', 'PodDisruptionBudget']) {
    for (const item of byKind(items, kind)) {
      const selector = record(
        kind === 'Service'
          ? at(item.object, 'spec', 'selector')
          : at(item.object, 'spec', 'selector', 'matchLabels'),
      );
      const targets = pods.filter((p) => selects(selector, podLabels(p.template)));
      if (targets.length === 0) {
        problems.push(`${label(item)}: selects no pods`);
        continue;
      }
      if (kind !== 'Service') continue;
      for (const port of (at(item.object, 'spec', 'ports') as Json[] | undefined) ?? []) {
        const target = port.targetPort ?? port.port;
        const served = targets.some((t) =>
          containersOf(t.template).some((c) => containerPort(c, target) !== null),
        );
        if (!served) problems.push(`${label(item)}: targetPort ${String(target)} is no container port`);
      }
    }
  }

  const scaledTargets = new Map<string, string>();
  for (const item of [...byKind(items, 'HorizontalPodAutoscaler'), ...byKind(items, 'ScaledObject')]) {
    const target = String(at(item.object, 'spec', 'scaleTargetRef', 'name'));
    if (!deployments.some((d) => nameOf(d.item) === target)) {
      problems.push(`${label(item)}: scaleTargetRef names no Deployment '${target}'`);
    }
    const other = scaledTargets.get(target);
    if (other) problems.push(`${label(item)}: ${target} is already scaled by ${other}`);
    scaledTargets.set(target, label(item));
  }

  for (const item of byKind(items, 'Ingress')) {
    const backends = ((at(item.object, 'spec', 'rules') as Json[] | undefined) ?? []).flatMap(
      (rule) => (at(rule, 'http', 'paths') as Json[] | undefined) ?? [],
    );
    for (const backend of backends) {
      const service = byKind(items, 'Service').find(
        (s) => nameOf(s) === at(backend, 'backend', 'service', 'name'),
      );
      const port = at(backend, 'backend', 'service', 'port');
      const ports = (at(service?.object, 'spec', 'ports') as Json[] | undefined) ?? [];
      if (!service) problems.push(`${label(item)}: ${String(backend.path)} goes to no Service`);
      else if (!ports.some((p) => p.name === at(port, 'name') || p.port === at(port, 'number'))) {
        problems.push(
          `${label(item)}: ${String(backend.path)} goes to a port ${nameOf(service)} does not have`,
        );
      }
    }
  }

  for (const item of byKind(items, 'TriggerAuthentication')) {
    for (const ref of (at(item.object, 'spec', 'secretTargetRef') as Json[] | undefined) ?? []) {
      const secret = byKind(items, 'Secret').find((s) => nameOf(s) === ref.name);
      const keys = { ...record(at(secret?.object, 'data')), ...record(at(secret?.object, 'stringData')) };
      if (!secret || !(String(ref.key) in keys))
        problems.push(`${label(item)}: no Secret ${ref.name} key ${ref.key}`);
    }
  }

  for (const { item, template } of pods) problems.push(...podProblems(item, template, items, ctx, named));
  problems.push(...kedaQueueProblems(items, deployments));
  return problems;
}

function podProblems(
  item: K8sObject,
  template: Json,
  items: K8sObject[],
  ctx: K8sContext,
  named: (kind: string, name: unknown) => boolean,
): string[] {
  const problems: string[] = [];
  const where = label(item);
  const spec = (template.spec ?? {}) as Json;
  for (const volume of (spec.volumes as Json[] | undefined) ?? []) {
    const claim = at(volume, 'persistentVolumeClaim', 'claimName');
    if (claim && !named('PersistentVolumeClaim', claim))
      problems.push(`${where}: no PersistentVolumeClaim ${claim}`);
  }
  const podNonRoot = at(spec, 'securityContext', 'runAsNonRoot') === true;
  const annotations = record(at(template, 'metadata', 'annotations'));

  for (const container of containersOf(template)) {
    const image = String(container.image);
    const app = appOf(image);
    const cwhere = `${where} container ${String(container.name)}`;
    const pinned = unpinnedImageProblem(image);
    if (pinned) problems.push(`${cwhere}: ${pinned}`);
    for (const source of (container.envFrom as Json[] | undefined) ?? []) {
      const cm = at(source, 'configMapRef', 'name');
      const secret = at(source, 'secretRef', 'name');
      if (cm && !named('ConfigMap', cm)) problems.push(`${cwhere}: no ConfigMap ${cm}`);
      if (secret && !named('Secret', secret)) problems.push(`${cwhere}: no Secret ${secret}`);
    }
    const env = containerEnv(container, items);
    if (app) {
      for (const unknown of unknownEnvNames(Object.keys(env), ctx.knownEnv)) {
        problems.push(`${cwhere}: sets ${unknown}, which no runtime code reads`);
      }
    }

    const security = (container.securityContext ?? {}) as Json;
    if (!podNonRoot && security.runAsNonRoot !== true) problems.push(`${cwhere}: not runAsNonRoot`);
    // The namespace enforces the restricted Pod Security Standard, which asks for a seccomp profile.
    if (!at(spec, 'securityContext', 'seccompProfile', 'type') && !at(security, 'seccompProfile', 'type')) {
      problems.push(`${cwhere}: no seccomp profile`);
    }
    if (security.allowPrivilegeEscalation !== false)
      problems.push(`${cwhere}: allowPrivilegeEscalation not false`);
    if (!((at(security, 'capabilities', 'drop') as string[] | undefined) ?? []).includes('ALL')) {
      problems.push(`${cwhere}: capabilities not dropped`);
    }
    if (app && security.readOnlyRootFilesystem !== true)
      problems.push(`${cwhere}: root filesystem is writable`);
    for (const kind of ['requests', 'limits']) {
      if (!at(container, 'resources', kind, 'memory')) problems.push(`${cwhere}: no memory ${kind}`);
    }
    if (!at(container, 'resources', 'requests', 'cpu')) problems.push(`${cwhere}: no cpu request`);

    if (!app) continue;
    problems.push(...probeProblems(cwhere, app, container, env, item.object.kind === 'Job'));
    if (annotations['prometheus.io/scrape'] === 'true' && app !== 'web') {
      const port = Number(annotations['prometheus.io/port']);
      if (!((container.ports as Json[] | undefined) ?? []).some((p) => p.containerPort === port)) {
        problems.push(`${cwhere}: prometheus.io/port ${port} is no container port`);
      }
      problems.push(
        ...httpCheckProblems(
          `${cwhere} scrape`,
          app,
          port,
          annotations['prometheus.io/path'] ?? '/metrics',
          env,
          true,
        ),
      );
    }
    if (app !== 'web' && item.object.kind !== 'Job') {
      const graceSeconds = Number(spec.terminationGracePeriodSeconds ?? 30);
      const shutdownMs = Number(env.PAKATI_SHUTDOWN_GRACE_MS ?? ctx.defaultShutdownGraceMs);
      if (graceSeconds * 1000 <= shutdownMs) {
        problems.push(
          `${where}: terminationGracePeriodSeconds ${graceSeconds} is not above ${shutdownMs} ms`,
        );
      }
    }
    if (/worker-gpu/.test(image)) {
      if (!at(container, 'resources', 'limits', 'nvidia.com/gpu'))
        problems.push(`${cwhere}: no nvidia.com/gpu limit`);
      const placed = JSON.stringify([spec.nodeSelector ?? {}, spec.tolerations ?? [], spec.affinity ?? {}]);
      if (!placed.includes('nvidia.com/gpu')) problems.push(`${where}: not placed on GPU nodes`);
    }
  }
  return problems;
}

/** Long-running containers of ours get all three probes, on paths their app serves and ports it listens on. */
function probeProblems(
  where: string,
  app: AppName,
  container: Json,
  env: Record<string, string>,
  isJob: boolean,
) {
  if (isJob) return [];
  const problems: string[] = [];
  for (const kind of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
    const probe = container[kind];
    const get = at(probe, 'httpGet');
    if (!isRecord(get)) {
      problems.push(`${where}: no HTTP ${kind}`);
      continue;
    }
    const port = containerPort(container, get.port);
    if (port === null) problems.push(`${where}: ${kind} port ${String(get.port)} is no container port`);
    else problems.push(...httpCheckProblems(`${where} ${kind}`, app, port, String(get.path), env, true));
  }
  return problems;
}

/**
 * Each ScaledObject on a worker watches exactly the waiting-job keys (BullMQ's layout, our queue prefix) of the
 * queues that worker consumes; its formula uses exactly its triggers; and the workers together consume every queue.
 */
function kedaQueueProblems(items: K8sObject[], deployments: { item: K8sObject; template: Json }[]): string[] {
  const problems: string[] = [];
  const consumed = new Set<string>();
  for (const scaled of byKind(items, 'ScaledObject')) {
    const target = deployments.find(
      (d) => nameOf(d.item) === at(scaled.object, 'spec', 'scaleTargetRef', 'name'),
    );
    const container = target && containersOf(target.template)[0];
    if (!container || appOf(String(container.image)) !== 'worker') continue;
    const env = containerEnv(container, items);
    const queues = env.PAKATI_WORKER_QUEUES
      ? env.PAKATI_WORKER_QUEUES.split(',').map((q) => q.trim())
      : [...QUEUE_NAMES];
    for (const queue of queues) consumed.add(queue);
    const prefix = env.PAKATI_QUEUE_PREFIX ?? 'pakati';
    const triggers = (at(scaled.object, 'spec', 'triggers') as Json[] | undefined) ?? [];
    const watched = triggers
      .filter((t) => t.type === 'redis')
      .map((t) => String(at(t, 'metadata', 'listName')));
    const expected = queues.flatMap((q) => waitingJobKeys(prefix, q));
    const missing = expected.filter((key) => !watched.includes(key));
    const extra = watched.filter((key) => !expected.includes(key));
    if (missing.length) problems.push(`${label(scaled)}: does not watch ${missing.join(', ')}`);
    if (extra.length)
      problems.push(`${label(scaled)}: watches ${extra.join(', ')}, which its workers do not consume`);

    const formula = at(scaled.object, 'spec', 'advanced', 'scalingModifiers', 'formula');
    if (typeof formula === 'string') {
      const used = new Set(formula.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
      const names = triggers.map((t) => String(t.name));
      const unused = names.filter((n) => !used.has(n));
      const undefinedNames = [...used].filter((n) => !names.includes(n));
      if (unused.length) problems.push(`${label(scaled)}: formula leaves out ${unused.join(', ')}`);
      if (undefinedNames.length)
        problems.push(`${label(scaled)}: formula names no trigger ${undefinedNames.join(', ')}`);
    }
    const min = Number(at(scaled.object, 'spec', 'minReplicaCount') ?? 0);
    const max = Number(at(scaled.object, 'spec', 'maxReplicaCount') ?? 100);
    if (min > max) problems.push(`${label(scaled)}: minReplicaCount ${min} > maxReplicaCount ${max}`);
  }
  const unserved = QUEUE_NAMES.filter((q) => !consumed.has(q));
  if (unserved.length) problems.push(`no scaled worker consumes ${unserved.join(', ')}`);
  return problems;
}
