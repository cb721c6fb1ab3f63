import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xterm/xterm/css/xterm.css';
import './styles.css';
import { App } from './App';
import { boot } from './store/boot';
import { wireShell } from './lib/shell';
import { exposeStores } from './lib/storeProbe';

boot();
wireShell();
exposeStores();
createRoot(document.getElementById('root')!).render(<StrictMode><App /></StrictMode>);
