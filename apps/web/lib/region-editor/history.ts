/**
 * Bounded undo/redo over immutable states. A drag changes the present many times with `replace` and
 * ends with one `commit`, so a whole drag undoes in one step.
 */
export interface History<S> {
  past: readonly S[];
  present: S;
  future: readonly S[];
  limit: number;
}

export const DEFAULT_HISTORY_LIMIT = 100;

export function createHistory<S>(present: S, limit = DEFAULT_HISTORY_LIMIT): History<S> {
  return { past: [], present, future: [], limit: Math.max(1, Math.floor(limit)) };
}

/** A new present that undo can leave; anything that was undone is dropped. */
export function push<S>(history: History<S>, next: S): History<S> {
  if (next === history.present) return history;
  return commit({ ...history, present: next }, history.present);
}

/** Changes the present without an undo step (selection, a drag in progress). */
export function replace<S>(history: History<S>, next: S): History<S> {
  return next === history.present ? history : { ...history, present: next };
}

/** Records `before` (the state a drag started from) as the step that undo returns to. */
export function commit<S>(history: History<S>, before: S): History<S> {
  if (before === history.present) return history;
  const past = [...history.past, before];
  return { ...history, past: past.slice(Math.max(0, past.length - history.limit)), future: [] };
}

export function canUndo<S>(history: History<S>): boolean {
  return history.past.length > 0;
}

export function canRedo<S>(history: History<S>): boolean {
  return history.future.length > 0;
}

export function undo<S>(history: History<S>): History<S> {
  const previous = history.past.at(-1);
  if (previous === undefined) return history;
  return {
    ...history,
    past: history.past.slice(0, -1),
    present: previous,
    future: [history.present, ...history.future],
  };
}

export function redo<S>(history: History<S>): History<S> {
  const [next, ...rest] = history.future;
  if (next === undefined) return history;
  return { ...history, past: [...history.past, history.present], present: next, future: rest };
}
