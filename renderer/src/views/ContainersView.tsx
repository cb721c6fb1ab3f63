import { useContainers } from '../store/containers';
import { useUi } from '../store/ui';
import { Toolbar } from '../components/Toolbar';
import { ContainerList } from '../components/ContainerList';
import { EmptyState } from '../components/EmptyState';
import { ContainerDetail } from './ContainerDetail';

export function ContainersView() {
  const loaded = useContainers((s) => s.loaded);
  const loadError = useContainers((s) => s.loadError);
  const empty = useContainers((s) => s.order.length === 0);
  const selected = useUi((s) => s.selected);
  const exists = useContainers((s) => !!selected && !!s.byId[selected]);
  return (
    <div className={`containers-view${exists ? ' with-detail' : ''}`}>
      <section className="list-pane">
        <Toolbar />
        {!loaded ? <div className="muted pad">Loading containers…</div>
          : loadError ? <div className="error-line" role="alert">Could not list containers: {loadError}</div>
          : empty ? <EmptyState /> : <ContainerList />}
      </section>
      {exists && selected && <ContainerDetail key={selected} id={selected} />}
    </div>
  );
}
