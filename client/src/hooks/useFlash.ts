import { useRef } from 'react';

/**
 * Which way a number last moved, for a brief highlight: 'flash-up' or 'flash-down' with a key
 * that changes on every move (use it as the element's React key so the animation replays), or
 * '' before the first change. Moves smaller than `epsilon` are ignored.
 */
export function useFlash(value: number, epsilon = 1e-9): { className: string; key: number } {
  const state = useRef({ value, className: '', key: 0 });
  const s = state.current;
  if (Math.abs(value - s.value) > epsilon) {
    s.className = value > s.value ? 'flash-up' : 'flash-down';
    s.key += 1;
    s.value = value;
  }
  return { className: s.className, key: s.key };
}
