import { useUi } from './store/ui';
import { Sidebar } from './components/Sidebar';
import { ContainersView } from './views/ContainersView';
import { ImagesView } from './views/ImagesView';
import { SystemView } from './views/SystemView';
import { HostTerminalView } from './views/HostTerminalView';
import { StacksView } from './views/StacksView';
import { NetworksView } from './views/NetworksView';
import { VolumesView } from './views/VolumesView';
import { CommitDialog } from './components/CommitDialog';
import { BuildDialog } from './components/BuildDialog';
import { FolderDrop } from './components/FolderDrop';
import { SettingsView } from './views/SettingsView';
import { CreateDialog } from './components/CreateDialog';
import { CommandPalette } from './components/CommandPalette';
import { ConfirmRemove } from './components/ConfirmRemove';
import { ConfirmDialog } from './components/ConfirmDialog';
import { Toasts } from './components/Toasts';
import { useShortcuts } from './lib/shortcuts';

export function App() {
  const view = useUi((s) => s.view);
  const dialog = useUi((s) => s.dialog);
  useShortcuts();
  return (
    <div className="app" data-view={view}>
      <Sidebar />
      <main className="main">
        {view === 'containers' && <ContainersView />}
        {view === 'images' && <ImagesView />}
        {view === 'system' && <SystemView />}
        {view === 'host' && <HostTerminalView />}
        {view === 'stacks' && <StacksView />}
        {view === 'networks' && <NetworksView />}
        {view === 'volumes' && <VolumesView />}
        {view === 'settings' && <SettingsView />}
      </main>
      {dialog?.kind === 'create' && <CreateDialog image={dialog.image} />}
      {dialog?.kind === 'palette' && <CommandPalette />}
      {dialog?.kind === 'confirm-remove' && <ConfirmRemove ids={dialog.ids} />}
      {dialog?.kind === 'confirm' && <ConfirmDialog spec={dialog.spec} />}
      {dialog?.kind === 'commit' && <CommitDialog id={dialog.id} />}
      {dialog?.kind === 'build' && <BuildDialog context={dialog.context} dockerfile={dialog.dockerfile} note={dialog.note} />}
      <FolderDrop />
      <Toasts />
    </div>
  );
}
