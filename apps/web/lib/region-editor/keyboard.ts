/** Maps a key press to an editor command, so the canvas can be driven without a pointer. */

export type EditorCommand =
  | { type: 'nudge'; dx: number; dy: number }
  | { type: 'delete' }
  | { type: 'cancel' }
  | { type: 'close' }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'raise' }
  | { type: 'lower' };

export interface KeyPress {
  key: string;
  shiftKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

export const NUDGE = 1;
export const NUDGE_LARGE = 10;

const ARROWS: Record<string, [number, number]> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
};

export function keyCommand(press: KeyPress): EditorCommand | null {
  const modifier = Boolean(press.ctrlKey || press.metaKey);
  const key = press.key.length === 1 ? press.key.toLowerCase() : press.key;
  if (modifier && !press.altKey) {
    if (key === 'z') return press.shiftKey ? { type: 'redo' } : { type: 'undo' };
    if (key === 'y' && !press.shiftKey) return { type: 'redo' };
    return null;
  }
  if (press.altKey || modifier) return null;
  const arrow = ARROWS[press.key];
  if (arrow) {
    const step = press.shiftKey ? NUDGE_LARGE : NUDGE;
    return { type: 'nudge', dx: arrow[0] * step, dy: arrow[1] * step };
  }
  switch (press.key) {
    case 'Delete':
    case 'Backspace':
      return { type: 'delete' };
    case 'Escape':
      return { type: 'cancel' };
    case 'Enter':
      return { type: 'close' };
    case ']':
      return { type: 'raise' };
    case '[':
      return { type: 'lower' };
    default:
      return null;
  }
}
