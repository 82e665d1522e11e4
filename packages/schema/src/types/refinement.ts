import { REFINEMENT_STRATEGIES } from '@pakati/core';
import {
  type AnalysisRecord,
  ITERATION_STATUSES,
  type RefinementEvidence,
  type RefinementIteration,
} from '@pakati/db';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';

export const RefinementStrategyEnum = builder.enumType('RefinementStrategy', {
  description:
    'CONSERVATIVE: gentle (intensity 0.3), in-place edits only, regions below target. AGGRESSIVE: intensity 1.5, every region, regeneration allowed. ADAPTIVE: starts at 0.7 and keeps adapting to each outcome. TARGETED: full intensity on the worst third of the regions.',
  values: REFINEMENT_STRATEGIES,
});
const IterationStatusEnum = builder.enumType('RefinementIterationStatus', { values: ITERATION_STATUSES });

interface Delta {
  name: string;
  value: number | null;
}
const DeltaRef = builder.objectRef<Delta>('Delta').implement({
  description:
    'A measured difference to the references: signed *_delta values are target minus current in [-1, 1]; *_distance values are in [0, 1], 0 = identical.',
  fields: (t) => ({
    name: t.exposeString('name'),
    value: t.float({ nullable: true, resolve: (d) => d.value }),
  }),
});
const deltasOf = (record: Record<string, unknown> | undefined): Delta[] =>
  Object.entries(record ?? {}).map(([name, value]) => ({
    name,
    value: typeof value === 'number' ? value : null,
  }));

interface FiredRule {
  ruleIndex: number;
  line: number;
  text: string;
  degree: number;
}
const FiredRuleRef = builder.objectRef<FiredRule>('FiredRule').implement({
  description:
    'A rule that fired, with the degree its consequent was clipped at; line points into the rule text.',
  fields: (t) => ({
    line: t.exposeInt('line'),
    text: t.exposeString('text'),
    degree: t.exposeFloat('degree'),
  }),
});

interface Recommendation {
  regionId: string;
  output: string;
  value: number;
  fired: FiredRule[];
}
const RecommendationRef = builder.objectRef<Recommendation>('Recommendation').implement({
  description: 'A defuzzified output that drove an action, and the rules behind it.',
  fields: (t) => ({
    regionId: t.id({ resolve: (r) => encodeGlobalID('Region', r.regionId) }),
    output: t.exposeString('output'),
    value: t.exposeFloat('value'),
    firedRules: t.field({ type: [FiredRuleRef], resolve: (r) => r.fired }),
  }),
});

interface PlannedAction {
  regionId: string;
  kind: string;
  parameters: Record<string, unknown>;
  applied: boolean | null;
  note: string | null;
}
const PlannedActionRef = builder.objectRef<PlannedAction>('RefinementAction').implement({
  description: 'One edit to a region (regenerate, inpaint, color-transfer, adjust, warmth, sharpen, soften).',
  fields: (t) => ({
    regionId: t.id({ resolve: (a) => encodeGlobalID('Region', a.regionId) }),
    kind: t.exposeString('kind'),
    parameters: t.string({
      description: 'JSON: strengths and factors.',
      resolve: (a) => JSON.stringify(a.parameters),
    }),
    applied: t.boolean({ nullable: true, resolve: (a) => a.applied }),
    note: t.string({ nullable: true, resolve: (a) => a.note }),
  }),
});

type RegionRow = Record<string, unknown>;
const RegionResultRef = builder.objectRef<RegionRow>('RefinementRegionResult').implement({
  fields: (t) => ({
    regionId: t.id({ resolve: (r) => encodeGlobalID('Region', String(r.regionId)) }),
    score: t.float({
      description: '1 - weighted mean delta to the references.',
      resolve: (r) => Number(r.score),
    }),
    scoreBefore: t.float({
      nullable: true,
      resolve: (r) => (typeof r.scoreBefore === 'number' ? r.scoreBefore : null),
    }),
    attributeDelta: t.float({
      description: 'Mean magnitude of the colour, lighting, contrast, sharpness and texture deltas.',
      resolve: (r) => Number(r.attributeDelta),
    }),
    hashDistance: t.int({
      nullable: true,
      description: 'Perceptual-hash bits between the region and its nearest reference (copies are rejected).',
      resolve: (r) => (typeof r.hashDistance === 'number' ? r.hashDistance : null),
    }),
    deltas: t.field({ type: [DeltaRef], resolve: (r) => deltasOf(r.deltas as Record<string, unknown>) }),
  }),
});

const AnalysisRecordRef = builder.objectRef<AnalysisRecord>('AnalysisRecord').implement({
  description: 'One analysis of one image against the regions’ references.',
  fields: (t) => ({
    id: t.id({ resolve: (a) => encodeGlobalID('AnalysisRecord', a.id) }),
    iteration: t.exposeInt('iteration'),
    kernel: t.exposeString('kernel', {
      description: 'What ran the filters: sharp, tfjs-tensorflow, tfjs-wasm or js.',
    }),
    cacheHit: t.exposeBoolean('cacheHit'),
    imageHash: t.exposeString('imageHash'),
    durationMs: t.exposeInt('durationMs'),
    regions: t.string({
      description: 'JSON: per region, combined deltas and the deltas per reference.',
      resolve: (a) => JSON.stringify(a.regions),
    }),
    semanticFindings: t.string({
      description: 'JSON: findings of the optional semantic analyzers and the vision judge.',
      resolve: (a) => JSON.stringify(a.semantic),
    }),
  }),
});

const EvidenceRef = builder.objectRef<RefinementEvidence>('RefinementEvidence').implement({
  description:
    'Why a recommendation was made: the rules that fired, the measured inputs they read, and the analysis.',
  fields: (t) => ({
    regionId: t.id({ resolve: (e) => encodeGlobalID('Region', e.regionId) }),
    output: t.exposeString('output'),
    value: t.float({ resolve: (e) => Number(e.value) }),
    firedRules: t.field({ type: [FiredRuleRef], resolve: (e) => e.fired }),
    inputs: t.field({ type: [DeltaRef], resolve: (e) => deltasOf(e.inputs) }),
    referenceIds: t.idList({ resolve: (e) => e.referenceIds.map((id) => encodeGlobalID('Reference', id)) }),
    analysis: t.field({
      type: AnalysisRecordRef,
      nullable: true,
      resolve: (e, _args, ctx) =>
        ctx.platform.refinement.analysis(typeof e.analysis === 'string' ? e.analysis : e.analysis.id),
    }),
  }),
});

interface StoredPlan {
  regionId: string;
  variant: number;
  steps: ({ kind: string } & Record<string, unknown>)[];
  recommendations: Omit<Recommendation, 'regionId'>[];
}

export const RefinementIterationRef = builder
  .objectRef<RefinementIteration>('RefinementIteration')
  .implement({
    description:
      'One pass of a REFINE run. Iteration 0 is the baseline. A REJECTED iteration scored below the best so far (or copied a reference) and is kept for the record; the run continues from the best accepted image.',
    fields: (t) => ({
      index: t.exposeInt('index'),
      status: t.field({ type: IterationStatusEnum, resolve: (i) => i.status }),
      score: t.float({ nullable: true, resolve: (i) => (i.score == null ? null : Number(i.score)) }),
      bestScore: t.float({
        nullable: true,
        resolve: (i) => (i.bestScore == null ? null : Number(i.bestScore)),
      }),
      rejection: t.string({ nullable: true, resolve: (i) => i.rejection ?? null }),
      imageUrl: t.string({
        nullable: true,
        resolve: (i, _args, ctx) => (i.imageKey ? ctx.platform.images.signedUrl(i.imageKey) : null),
      }),
      strategy: t.string({
        description: 'JSON: intensity, focus and the rule set the plans were made with.',
        resolve: (i) => JSON.stringify(i.strategy),
      }),
      regions: t.field({ type: [RegionResultRef], resolve: (i) => i.regions }),
      recommendations: t.field({
        type: [RecommendationRef],
        resolve: (i) =>
          (i.plans as unknown as StoredPlan[]).flatMap((p) =>
            p.recommendations.map((r) => ({ ...r, regionId: p.regionId })),
          ),
      }),
      actions: t.field({
        type: [PlannedActionRef],
        resolve: (i) =>
          (i.plans as unknown as StoredPlan[]).flatMap((p) => {
            const outcome = (i.regions as RegionRow[]).find((r) => r.regionId === p.regionId);
            const applied =
              (outcome?.steps as { kind: string; applied: boolean; note?: string }[] | undefined) ?? [];
            return p.steps.map(({ kind, ...parameters }, n) => ({
              regionId: p.regionId,
              kind,
              parameters,
              applied: applied[n]?.applied ?? null,
              note: applied[n]?.note ?? null,
            }));
          }),
      }),
      evidence: t.field({
        type: [EvidenceRef],
        args: { regionId: t.arg.globalID() },
        resolve: (i, { regionId }, ctx) => ctx.platform.refinement.evidence(i.id, regionId?.id ?? null),
      }),
      durationMs: t.int({ nullable: true, resolve: (i) => i.durationMs ?? null }),
      createdAt: t.field({ type: 'DateTime', resolve: (i) => i.createdAt }),
      decidedAt: t.field({ type: 'DateTime', nullable: true, resolve: (i) => i.decidedAt ?? null }),
    }),
  });
