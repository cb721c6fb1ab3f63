// A DOM for renderer unit tests (happy-dom): installs window, document and the globals
// React DOM and the renderer's modules use, before they are imported. No layout engine:
// sizes are zero and nothing is painted, so tests here check structure, focus and renders.
import { Window } from 'happy-dom';

export function installDom(): Window {
  const win = new Window({ url: 'http://127.0.0.1/', width: 1400, height: 860 });
  const g = globalThis as Record<string, unknown>;
  for (const k of [
    'window',
    'document',
    'navigator',
    'localStorage',
    'HTMLElement',
    'HTMLInputElement',
    'Element',
    'Node',
    'Text',
    'Event',
    'KeyboardEvent',
    'FocusEvent',
    'MouseEvent',
    'MutationObserver',
    'ResizeObserver',
    'getComputedStyle',
    'requestAnimationFrame',
    'cancelAnimationFrame',
    'CSS',
    'SVGElement',
    'DocumentFragment',
    'customElements',
  ]) {
    const v = (win as unknown as Record<string, unknown>)[k];
    if (v !== undefined && !(k in g && k === 'navigator'))
      g[k] = typeof v === 'function' && /^[a-z]/.test(k) ? (v as (...a: unknown[]) => unknown).bind(win) : v;
  }
  if (!('navigator' in g) || !g.navigator) g.navigator = win.navigator;
  g.IS_REACT_ACT_ENVIRONMENT = true;
  return win;
}
