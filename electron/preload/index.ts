// The preload: sandboxed, context-isolated, bundled to one CommonJS file by electron-vite.
// Exposes exactly one global, window.pier (see api.ts), and nothing of Electron itself.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { createPierApi, type PreloadIpc } from './api';
import { INVOKE_CHANNELS, PUSH_CHANNELS, SEND_CHANNELS } from '../common/channels';

const ipc: PreloadIpc = {
  invoke(channel, arg) {
    if (!INVOKE_CHANNELS.includes(channel)) return Promise.reject(new Error(`channel "${channel}" is not allowed`));
    return ipcRenderer.invoke(channel, arg);
  },
  send(channel, arg) {
    if (!SEND_CHANNELS.includes(channel)) throw new Error(`channel "${channel}" is not allowed`);
    ipcRenderer.send(channel, arg);
  },
  on(channel, listener) {
    if (!PUSH_CHANNELS.includes(channel)) throw new Error(`channel "${channel}" is not allowed`);
    // the IpcRendererEvent stays here: only the payload reaches the page
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => { ipcRenderer.removeListener(channel, wrapped); };
  },
  getPathForFile(file) {
    try { return webUtils.getPathForFile(file as File); } catch { return ''; }
  },
};

contextBridge.exposeInMainWorld('pier', createPierApi(ipc));

// A file dropped outside the app's drop zones must never navigate the window to it.
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => e.preventDefault());
