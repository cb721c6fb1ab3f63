// Messages between the engine and its pty host process (pty-host.ts). One host runs every host shell; each
// message names its pty by the id the engine chose. Types only, so the host's bundle shares no code with the engine.

export interface PtySpawn { shell: string; args: string[]; cols: number; rows: number; cwd: string; env: Record<string, string> }

export type ToHost =
  | { t: 'spawn'; id: number; o: PtySpawn }
  | { t: 'write'; id: number; data: string }
  | { t: 'resize'; id: number; cols: number; rows: number }
  | { t: 'kill'; id: number; signal: string }
  | { t: 'pause'; id: number }
  | { t: 'resume'; id: number };

export type FromHost =
  | { t: 'ready'; pid: number }
  | { t: 'spawned'; id: number; pid: number }
  | { t: 'failed'; id: number; message: string }
  | { t: 'data'; id: number; data: string }
  | { t: 'exit'; id: number; code: number; signal?: number };
