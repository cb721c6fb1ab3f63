// An xterm.js view of one engine session. Bytes go straight from the transport into
// xterm (never through React or zustand), acknowledged as xterm parses them so the
// engine pauses the session's source while this view lags (FLOW watermarks). WebGL
// renderer when the GPU is real, DOM otherwise or on context loss. Size
// follows the element through a ResizeObserver → one fit per frame → sessions.resize.
// Unmounting only stops watching: the session lives on in the engine, and watching it
// again replays its scrollback.
import { useEffect, useRef, useState } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { WebglAddon } from '@xterm/addon-webgl';
import { FLOW } from '../../../electron/common/contract';
import { api } from '../api/client';
import { watchSession } from '../api/sessions';
import { registerTerminal } from '../lib/termProbe';
import { TerminalSearch } from './TerminalSearch';
import { preferWebgl } from '../lib/gpu';
import { useSettings } from '../store/settings';
import { leaveTerminal } from '../lib/leaveTerminal';

function keyboardFocus(): boolean {
  try { return !!document.activeElement?.matches(':focus-visible'); } catch { return false; }
}

export interface TerminalPaneProps { session: string; onEnd?: (exitCode?: number) => void; readOnly?: boolean }

export function TerminalPane({ session, onEnd, readOnly }: TerminalPaneProps) {
  const host = useRef<HTMLDivElement>(null);
  const [term, setTerm] = useState<{ t: Terminal; search: SearchAddon }>();
  const [renderer, setRenderer] = useState<'webgl' | 'dom'>('dom');
  const [searching, setSearching] = useState(false);
  const screenReaderMode = useSettings((s) => s.screenReaderMode);
  const onEndRef = useRef(onEnd);
  onEndRef.current = onEnd;

  useEffect(() => {
    const el = host.current!;
    const t = new Terminal({
      cursorBlink: true, scrollback: 10000, fontSize: 13, allowProposedApi: true, disableStdin: !!readOnly,
      screenReaderMode: useSettings.getState().screenReaderMode,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, monospace',
      theme: { background: '#11151c', foreground: '#d8dee9', selectionBackground: '#3b4b63' },
    });
    const fit = new FitAddon();
    const search = new SearchAddon();
    t.loadAddon(fit); t.loadAddon(search); t.loadAddon(new WebLinksAddon((_e, uri) => window.open(uri, '_blank', 'noopener,noreferrer')));
    t.open(el);
    if (preferWebgl()) {
      try {
        const gl = new WebglAddon();
        gl.onContextLoss(() => { gl.dispose(); setRenderer('dom'); });
        t.loadAddon(gl);
        setRenderer('webgl');
      } catch { setRenderer('dom'); }
    }
    const unprobe = registerTerminal(session, t);
    let disposed = false;

    // copy / paste / search keys; everything else goes to the process
    t.attachCustomKeyEventHandler((e) => {
      if (e.type !== 'keydown') return true;
      const k = e.key.toLowerCase();
      if (e.ctrlKey && e.shiftKey && k === 'c') { void navigator.clipboard?.writeText(t.getSelection()); return false; }
      if (e.ctrlKey && e.shiftKey && k === 'v') { navigator.clipboard?.readText().then((s) => t.paste(s), () => undefined); return false; }
      if (e.ctrlKey && e.shiftKey && k === 'f') { setSearching(true); return false; }
      if (e.key === 'F6' && !e.ctrlKey && !e.altKey) { leaveTerminal(el); return false; }
      return true;
    });

    // flow control: acknowledge parsed bytes in ACK_EVERY batches (the engine pauses the
    // session's source while more than FLOW.HIGH_WATERMARK bytes are unacknowledged)
    let parsed = 0;
    const stop = watchSession(session, {
      data(d) {
        const n = d.byteLength;
        t.write(d, () => {
          parsed += n;
          if (parsed >= FLOW.ACK_EVERY && !disposed) {
            const bytes = parsed; parsed = 0;
            api().call('sessions.ack', { session, bytes }).catch(() => undefined);
          }
        });
      },
      end(code) {
        t.write(`\r\n\x1b[2m[session ended${code !== undefined ? `, exit code ${code}` : ''}]\x1b[0m\r\n`);
        onEndRef.current?.(code);
      },
    }, () => {
      // force the current size through even if unchanged, so the process redraws
      api().call('sessions.resize', { session, rows: t.rows, cols: t.cols }).catch(() => undefined);
    }, (e) => { t.write(`\x1b[31m${e.message}\x1b[0m\r\n`); onEndRef.current?.(undefined); });

    const sendInput = t.onData((data) => { api().call('sessions.write', { session, data }).catch((e) => t.write(`\r\n\x1b[31m${(e as Error).message}\x1b[0m\r\n`)); });
    // onBinary: one character per byte (mouse reports ≥ 0x80); sent as those bytes, not UTF-8
    const sendBinary = t.onBinary((data) => { api().call('sessions.write', { session, data, binary: true }).catch(() => undefined); });
    const sendResize = t.onResize(({ rows, cols }) => { api().call('sessions.resize', { session, rows, cols }).catch(() => undefined); });

    // resize: observer → one fit per animation frame, skipped while hidden
    let raf = 0;
    const ro = new ResizeObserver(() => {
      if (raf) return;
      raf = requestAnimationFrame(() => {
        raf = 0;
        if (!el.isConnected || el.clientWidth === 0 || el.clientHeight === 0) return;
        try { fit.fit(); } catch { /* not measurable yet */ }
      });
    });
    ro.observe(el);
    try { fit.fit(); } catch { /* hidden */ }

    // take the focus, unless a keyboard user has it somewhere (a tab, the grid, a dialog's opener)
    if (!readOnly && !keyboardFocus()) t.focus();
    setTerm({ t, search });

    return () => {
      disposed = true;
      cancelAnimationFrame(raf);
      ro.disconnect();
      sendInput.dispose(); sendBinary.dispose(); sendResize.dispose();
      stop();
      unprobe();
      t.dispose();
    };
  }, [session, readOnly]);

  useEffect(() => { if (term) term.t.options.screenReaderMode = screenReaderMode; }, [term, screenReaderMode]);

  return (
    <div className="terminal-pane" data-session={session} data-renderer={renderer}>
      {searching && term && <TerminalSearch search={term.search} onClose={() => { setSearching(false); term.t.focus(); }} />}
      <div className="terminal-host" ref={host} />
    </div>
  );
}
