import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectWithRegion, type Stack, startStack } from './harness.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false });
});
afterAll(async () => {
  await stack?.stop();
});

const RULE_SET = `query($projectId: ID) { ruleSet(projectId: $projectId) { text source version } }`;
const UPDATE = `mutation($input: UpdateRuleSetInput!) { updateRuleSet(input: $input) { ruleSet { text source version } } }`;
const RESET = `mutation($input: ResetRuleSetInput!) { resetRuleSet(input: $input) { ruleSet { source } } }`;

type RuleSetData = { text: string; source: string; version: number };

describe('fuzzy rule sets as data', () => {
  it('falls back project -> organization -> default, validates before storing, and resets', async () => {
    const gql = stack.alpha.gql;
    const { projectId } = await projectWithRegion(gql);
    const initial = await gql<{ ruleSet: RuleSetData }>(RULE_SET, { projectId });
    expect(initial.data!.ruleSet).toMatchObject({ source: 'default', version: 0 });
    const defaultText = initial.data!.ruleSet.text;
    const firstRule = defaultText.split('\n').find((l) => l.trim().startsWith('IF'))!;

    const org = await gql<{ updateRuleSet: { ruleSet: RuleSetData } }>(UPDATE, {
      input: { text: firstRule },
    });
    expect(org.errors).toBeUndefined();
    expect(org.data!.updateRuleSet.ruleSet).toMatchObject({
      source: 'organization',
      version: 1,
      text: firstRule,
    });
    const inherited = await gql<{ ruleSet: RuleSetData }>(RULE_SET, { projectId });
    expect(inherited.data!.ruleSet.source).toBe('organization');

    const own = await gql<{ updateRuleSet: { ruleSet: RuleSetData } }>(UPDATE, {
      input: { projectId, text: defaultText },
    });
    expect(own.data!.updateRuleSet.ruleSet.source).toBe('project');

    // A broken set is refused with its position, and the working one stays.
    const broken = await gql(UPDATE, {
      input: { projectId, text: `${firstRule}\nIF brightness_delta IS purple THEN sharpen IS high` },
    });
    expect(broken.errors?.[0]?.extensions?.code).toBe('INVALID_RULES');
    expect(broken.errors?.[0]?.extensions?.line).toBe(2);
    const still = await gql<{ ruleSet: RuleSetData }>(RULE_SET, { projectId });
    expect(still.data!.ruleSet).toMatchObject({ source: 'project', text: defaultText, version: 1 });

    // Another organization cannot read or write this project's rules.
    const foreign = await stack.beta.gql(RULE_SET, { projectId });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const betaDefault = await stack.beta.gql<{ ruleSet: RuleSetData }>(RULE_SET, {});
    expect(betaDefault.data!.ruleSet.source).toBe('default');

    const reset = await gql<{ resetRuleSet: { ruleSet: { source: string } } }>(RESET, {
      input: { projectId },
    });
    expect(reset.data!.resetRuleSet.ruleSet.source).toBe('organization');
  });
});
