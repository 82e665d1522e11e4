'use client';

import type { RegionDraft, RegionFields } from '../../lib/region-editor/editor-state';
import type { FieldErrors, RegionFieldName } from '../../lib/region-editor/region-fields';
import { MAX_FEATHER, MAX_SEED, parseSeedInput } from '../../lib/region-editor/region-fields';
import type { SaveError } from '../../lib/region-editor/save-error';
import { describeRejection, type ShapeProblem } from '../../lib/region-editor/shape-validity';

export interface ModelOption {
  name: string;
  available: boolean;
}

export interface RegionFormProps {
  region: RegionDraft;
  label: string;
  models: readonly ModelOption[];
  errors: FieldErrors;
  saveError: SaveError | null;
  problem: ShapeProblem | null;
  onChange(patch: Partial<RegionFields>): void;
  /** Typing edits no undo step per key: the whole edit of a field becomes one step when it loses focus. */
  onEditStart(): void;
  onEditEnd(): void;
}

function FieldMessage({ id, text, code }: { id: string; text: string | undefined; code?: string }) {
  if (!text) return null;
  return (
    <span id={id} className="error" role="alert">
      {text}
      {code ? <code className="error-code"> {code}</code> : null}
    </span>
  );
}

export function RegionForm(props: RegionFormProps) {
  const { region, label, models, errors, saveError, problem, onChange, onEditStart, onEditEnd } = props;
  const id = (field: string) => `region-${region.key}-${field}`;
  const message = (field: RegionFieldName) =>
    errors[field] ?? (saveError?.field === field ? saveError.message : undefined);
  const code = (field: RegionFieldName) =>
    !errors[field] && saveError?.field === field ? saveError.code : undefined;
  const described = (field: RegionFieldName) => (message(field) ? id(`${field}-error`) : undefined);
  const editing = { onFocus: onEditStart, onBlur: onEditEnd };
  const knownModel = region.model === '' || models.some((m) => m.name === region.model);

  return (
    <fieldset className="card" aria-label={`${label} settings`}>
      <legend>{label}</legend>
      {problem || saveError?.field === 'points' ? (
        <p className="error" role="alert">
          Shape: {problem ? `${describeRejection(problem.reason)}. ${problem.message}` : saveError?.message}
        </p>
      ) : null}
      <div className="field">
        <label htmlFor={id('prompt')}>Prompt</label>
        <textarea
          id={id('prompt')}
          value={region.prompt}
          rows={3}
          aria-invalid={Boolean(message('prompt'))}
          aria-describedby={described('prompt')}
          onChange={(e) => onChange({ prompt: e.target.value })}
          {...editing}
        />
        <FieldMessage id={id('prompt-error')} text={message('prompt')} code={code('prompt')} />
      </div>
      <div className="field">
        <label htmlFor={id('negativePrompt')}>Negative prompt</label>
        <textarea
          id={id('negativePrompt')}
          value={region.negativePrompt}
          rows={2}
          aria-invalid={Boolean(message('negativePrompt'))}
          aria-describedby={described('negativePrompt')}
          onChange={(e) => onChange({ negativePrompt: e.target.value })}
          {...editing}
        />
        <FieldMessage
          id={id('negativePrompt-error')}
          text={message('negativePrompt')}
          code={code('negativePrompt')}
        />
      </div>
      <div className="field">
        <label htmlFor={id('model')}>Backend</label>
        <select
          id={id('model')}
          value={region.model}
          aria-invalid={Boolean(message('model'))}
          aria-describedby={described('model')}
          onChange={(e) => onChange({ model: e.target.value })}
          {...editing}
        >
          <option value="">Automatic (the selector chooses)</option>
          {models.map((m) => (
            <option key={m.name} value={m.name}>
              {m.available ? m.name : `${m.name} (unavailable)`}
            </option>
          ))}
          {knownModel ? null : <option value={region.model}>{region.model} (not enabled)</option>}
        </select>
        <FieldMessage id={id('model-error')} text={message('model')} code={code('model')} />
      </div>
      <div className="row">
        <div className="field">
          <label htmlFor={id('seed')}>Seed</label>
          <input
            id={id('seed')}
            type="number"
            min={0}
            max={MAX_SEED}
            step={1}
            placeholder="from the run seed"
            value={region.seed === null || Number.isNaN(region.seed) ? '' : region.seed}
            aria-invalid={Boolean(message('seed'))}
            aria-describedby={described('seed')}
            onChange={(e) => onChange({ seed: parseSeedInput(e.target.value) })}
            {...editing}
          />
          <FieldMessage id={id('seed-error')} text={message('seed')} code={code('seed')} />
        </div>
        <div className="field">
          <label htmlFor={id('feather')}>Feather (px)</label>
          <input
            id={id('feather')}
            type="number"
            min={0}
            max={MAX_FEATHER}
            step={1}
            value={Number.isNaN(region.feather) ? '' : region.feather}
            aria-invalid={Boolean(message('feather'))}
            aria-describedby={described('feather')}
            onChange={(e) =>
              onChange({ feather: e.target.value === '' ? Number.NaN : Number(e.target.value) })
            }
            {...editing}
          />
          <FieldMessage id={id('feather-error')} text={message('feather')} code={code('feather')} />
        </div>
      </div>
      {saveError && saveError.field === null ? (
        <p className="error" role="alert">
          {saveError.message} <code className="error-code">{saveError.code}</code>
        </p>
      ) : null}
    </fieldset>
  );
}
