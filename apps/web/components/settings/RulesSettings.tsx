'use client';

import { useEffect, useId, useRef, useState } from 'react';
import { graphqlRulesApi, type RuleProject, type RuleSet, type RulesApi } from '../../lib/settings/rules-api';
import {
  caretLine,
  lineNumbers,
  lineText,
  type RuleError,
  ruleErrorOf,
  ruleSourceLabel,
} from '../../lib/settings/rules-errors';
import { type DisplayError, ErrorMessage, toDisplayError } from '../ErrorMessage';
import { useSignInRedirect } from '../shell/use-sign-in-redirect';
import styles from './RulesSettings.module.css';

const ORGANIZATION = '';

/**
 * The fuzzy rules editor: the organization-wide set, or a project's own. A refused save shows the
 * parser's verdict next to the editor and puts the caret on the offending line.
 */
export function RulesSettings({ api = graphqlRulesApi }: { api?: RulesApi }) {
  const id = useId();
  const [projectId, setProjectId] = useState(ORGANIZATION);
  const [projects, setProjects] = useState<RuleProject[]>([]);
  const [ruleSet, setRuleSet] = useState<RuleSet | null>(null);
  const [text, setText] = useState('');
  const [caret, setCaret] = useState(0);
  const [ruleError, setRuleError] = useState<RuleError | null>(null);
  const [error, setError] = useState<DisplayError | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmReset, setConfirmReset] = useState(false);
  const [saved, setSaved] = useState(false);
  const editor = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLPreElement>(null);
  const toSignIn = useSignInRedirect();
  const scope = projectId === ORGANIZATION ? null : projectId;

  useEffect(() => {
    let live = true;
    api
      .projects()
      .then((list) => live && setProjects(list))
      // The picker is a convenience: without it the organization-wide set is still editable.
      .catch((e: unknown) => toSignIn(e));
    return () => {
      live = false;
    };
  }, [api, toSignIn]);

  useEffect(() => {
    let live = true;
    setRuleSet(null);
    setRuleError(null);
    setSaved(false);
    setConfirmReset(false);
    api
      .ruleSet(scope)
      .then((loaded) => {
        if (!live) return;
        setRuleSet(loaded);
        setText(loaded.text);
        setError(null);
      })
      .catch((e: unknown) => {
        if (live && !toSignIn(e)) setError(toDisplayError(e));
      });
    return () => {
      live = false;
    };
  }, [api, scope, toSignIn]);

  const loaded = (next: RuleSet) => {
    setRuleSet(next);
    setText(next.text);
    setRuleError(null);
  };

  const pointAt = (line: number) => {
    const area = editor.current;
    if (!area) return;
    const start =
      text
        .split('\n')
        .slice(0, line - 1)
        .join('\n').length + (line > 1 ? 1 : 0);
    area.focus();
    area.setSelectionRange(start, start + (lineText(text, line)?.length ?? 0));
    setCaret(start);
  };

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setRuleError(null);
    setSaved(false);
    try {
      await action();
    } catch (e) {
      if (toSignIn(e)) return;
      const refused = ruleErrorOf(e);
      if (refused) {
        setRuleError(refused);
        if (refused.line) pointAt(refused.line);
      } else setError(toDisplayError(e));
    } finally {
      setBusy(false);
    }
  };

  const save = () =>
    run(async () => {
      loaded(await api.update(scope, text));
      setSaved(true);
    });

  const reset = () =>
    run(async () => {
      setConfirmReset(false);
      loaded(await api.reset(scope));
    });

  const lines = lineNumbers(text);
  const errorLine = ruleError?.line ?? null;

  return (
    <section className="card stack" aria-labelledby={`${id}-title`}>
      <div className="card-head">
        <h2 id={`${id}-title`}>Fuzzy rules</h2>
        {projects.length > 0 ? (
          <label className="field">
            <span>Rules of</span>
            <select value={projectId} onChange={(e) => setProjectId(e.target.value)}>
              <option value={ORGANIZATION}>The whole organization</option>
              {projects.map((project) => (
                <option key={project.id} value={project.id}>
                  Project {project.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </div>
      <p className="muted small">
        One rule per line:{' '}
        <code>IF &lt;var&gt; IS [hedge] &lt;term&gt; … THEN &lt;var&gt; IS &lt;term&gt; [WITH w]</code>.{' '}
        <code>#</code> starts a comment.
      </p>
      <ErrorMessage error={error} testId="rules-error" prefix="Rules:" />
      {ruleSet === null && !error ? <p className="muted">Loading rules…</p> : null}
      {ruleSet ? (
        <>
          <p data-testid="rules-source">
            {ruleSourceLabel(ruleSet.source)} · version {ruleSet.version}
            {ruleSet.updatedAt ? ` · saved ${new Date(ruleSet.updatedAt).toLocaleString()}` : ''}
          </p>
          <div className={styles.editor}>
            <pre ref={gutter} className={styles.gutter} aria-hidden="true">
              {lines.map((n) => (
                <span key={n} className={n === errorLine ? styles.errorLine : undefined}>
                  {n}
                  {'\n'}
                </span>
              ))}
            </pre>
            <textarea
              ref={editor}
              className={styles.textarea}
              aria-label="Rules"
              aria-invalid={ruleError ? true : undefined}
              aria-describedby={ruleError ? `${id}-rule-error` : undefined}
              spellCheck={false}
              wrap="off"
              rows={Math.min(Math.max(lines.length, 8), 30)}
              value={text}
              onChange={(e) => {
                setText(e.target.value);
                setCaret(e.target.selectionStart);
                setSaved(false);
              }}
              onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
              onScroll={(e) => {
                if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
              }}
            />
          </div>
          <p className="muted small" data-testid="rules-caret">
            Line {caretLine(text, caret)} of {lines.length}
          </p>
          {ruleError ? <RuleErrorNotice id={`${id}-rule-error`} error={ruleError} text={text} /> : null}
          {saved ? (
            <p className="success-inline" role="status">
              Saved as version {ruleSet.version}.
            </p>
          ) : null}
          <div className="actions">
            <button type="button" onClick={save} disabled={busy || text === ruleSet.text}>
              {busy ? 'Saving…' : 'Save rules'}
            </button>
            <button type="button" className="secondary" disabled={busy} onClick={() => setConfirmReset(true)}>
              Reset to default
            </button>
          </div>
          {confirmReset ? (
            <div className="confirm" role="alertdialog" aria-labelledby={`${id}-confirm`}>
              <p id={`${id}-confirm`}>
                {scope
                  ? "Drop this project's own rules? It then follows the organization's rules."
                  : "Drop the organization's rules? Projects without their own then use the shipped default."}
              </p>
              <div className="actions">
                <button type="button" disabled={busy} onClick={reset}>
                  Reset for good
                </button>
                <button type="button" className="secondary" onClick={() => setConfirmReset(false)}>
                  Keep them
                </button>
              </div>
            </div>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

function RuleErrorNotice({ id, error, text }: { id: string; error: RuleError; text: string }) {
  const source = error.line ? lineText(text, error.line) : null;
  return (
    <div id={id} className="error" role="alert" data-testid="rules-invalid" data-error-code="INVALID_RULES">
      <strong>
        {error.line
          ? `Line ${error.line}${error.column ? `, column ${error.column}` : ''}`
          : 'The rule set was refused'}
        {error.token ? ` at '${error.token}'` : ''}:
      </strong>{' '}
      <span className="error-message">{error.message}</span>
      {error.reason ? <code className="error-code"> {error.reason}</code> : null}
      {source !== null && error.column ? (
        <pre className={styles.pointer}>
          {source}
          {'\n'}
          {`${' '.repeat(error.column - 1)}^`}
        </pre>
      ) : null}
    </div>
  );
}
