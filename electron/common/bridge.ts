// window.pier: what the Electron preload exposes to the renderer (implemented in
// electron/preload/api.ts, consumed by renderer/src/api). Declared once, here.
//
// Contract: every promise resolves with an Envelope and never rejects. Electron's
// contextBridge rebuilds a rejected Error in the page from its message alone, so an error's
// code would be lost on the way; as data, {code, message} arrives intact. Synchronous
// misuse (an unknown topic, a path given to startDrag) throws in the caller.
import type { MethodName, Params, Result, Topic, streams } from './contract';
import type { EngineEvent } from './types';
import type {
  ChosenFolder,
  DropResult,
  EngineChoiceDto,
  Envelope,
  NavigateTarget,
  Notice,
  ShellInfo,
} from './channels';

export type { ChosenFolder, DropResult, Envelope, NavigateTarget, Notice, ShellInfo };
export type StreamKind = keyof typeof streams;

export interface PierBridge {
  /** Calls one contract method. Unknown methods and malformed params are refused here and again in main. */
  invoke<M extends MethodName>(method: M, params?: Params<M>): Promise<Envelope<Result<M>>>;
  /** Contract method names (for the renderer's own checks and tests). */
  methods: readonly MethodName[];
  on(topic: Topic, listener: (payload: EngineEvent) => void): () => void;
  onStream<K extends StreamKind>(kind: K, listener: (payload: (typeof streams)[K]) => void): () => void;
  onNavigate(listener: (target: NavigateTarget) => void): () => void;
  onNotice(listener: (notice: Notice) => void): () => void;
  /** Call from dragstart (after preventDefault): main starts the native drag of the archive file. */
  startDrag(archiveId: string): void;
  /** "Export…": a save dialog, then the archive is copied there. The saved path, or null (cancelled). */
  exportArchive(archiveId: string): Promise<Envelope<string | null>>;
  /** Restores dropped checkpoint archives / loads dropped image archives; a dropped folder comes back as kind folder. */
  drop(paths: string[], opts?: { name?: string }): Promise<Envelope<DropResult[]>>;
  /** The filesystem path of a dropped File ('' for files not from disk). */
  getPathForFile(file: object): string;
  openExternal(url: string): Promise<Envelope<void>>;
  shellInfo(): Promise<Envelope<ShellInfo>>;
  /** switch engines: saves the choice; the app restarts on the new one */
  setEngine(choice: EngineChoiceDto): Promise<Envelope<void>>;
  /** the native folder picker; null when cancelled */
  chooseFolder?(): Promise<Envelope<ChosenFolder | null>>;
}

/** The error side of an Envelope as a thrown Error carrying `code` (for callers that prefer throw). */
export class BridgeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BridgeError';
  }
}

/** The result of an Envelope, or its error thrown as a BridgeError with the same code. */
export function unwrap<T>(e: Envelope<T> | undefined): T {
  if (e && e.ok === true) return e.result;
  if (e && e.ok === false) throw new BridgeError(e.error.code, e.error.message);
  throw new BridgeError('EIPC', 'malformed reply from the main process');
}
