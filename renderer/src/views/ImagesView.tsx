// Images: list with sizes, pull with per-layer progress, remove (confirmed), run, inspect. The list is an ARIA grid
// (components/ResourceGrid): Enter inspects the image, Space checks it, Delete asks to remove it.
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { useImages } from '../store/images';
import { useUi } from '../store/ui';
import type { ImageSummary } from '../../../electron/common/contract';
import { ErrorLine, ListError } from '../components/ErrorLine';
import { PullProgress } from '../components/PullProgress';
import { BuildProgress } from '../components/BuildProgress';
import { ResourceGrid, type Column } from '../components/ResourceGrid';
import { DetailPanel } from '../components/DetailPanel';
import { SelectionBar } from '../components/SelectionBar';
import { forEach } from '../components/ConfirmDialog';
import { JsonView } from '../components/JsonView';
import { useBuilds } from '../store/builds';
import { useChecked } from '../lib/useChecked';
import { bytes, ago, shortId } from '../lib/format';

const nameOf = (im: ImageSummary) => im.repoTags[0] ?? shortId(im.id);

/** Asks before removing images (by id); the engine's refusal (in use…) is shown in the dialog. */
export function confirmRemoveImages(images: ImageSummary[]): void {
  const one = images.length === 1;
  useUi.getState().openDialog({
    kind: 'confirm',
    spec: {
      title: one ? 'Remove image' : 'Remove images',
      message:
        `Remove ${one ? nameOf(images[0]) : `${images.length} images (${images.map(nameOf).join(', ')})`}? ` +
        `To create containers from ${one ? 'it' : 'them'} again, pull or build ${one ? 'it' : 'them'} again.`,
      action: 'Remove',
      run: async () => {
        await forEach(images, (im) => api().call('images.remove', { ref: im.id }), nameOf);
        await useImages.getState().refresh();
      },
    },
  });
}

const COLUMNS: Column<ImageSummary>[] = [
  {
    head: 'Repository:tag',
    cell: (im) => (im.repoTags.length ? im.repoTags.join(', ') : <span className="muted">&lt;none&gt;</span>),
  },
  { head: 'Id', cell: (im) => <code>{shortId(im.id)}</code> },
  { head: 'Size', cell: (im) => bytes(im.size) },
  {
    head: 'Created',
    cell: (im) => ago(im.created),
    title: (im) => (im.created ? new Date(im.created).toLocaleString() : undefined),
  },
];

function Inspect({ id, name }: { id: string; name: string }) {
  const [data, setData] = useState<unknown>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    api()
      .call('images.inspect', { ref: id })
      .then(
        (d) => {
          if (live) setData(d);
        },
        (e) => {
          if (live) setError(`inspect ${name}: ${(e as Error).message}`);
        },
      );
    return () => {
      live = false;
    };
  }, [id, name]);
  return (
    <>
      {error ? (
        <ErrorLine text={error} />
      ) : data === undefined ? (
        <p className="muted">Loading…</p>
      ) : (
        <JsonView value={data} />
      )}
    </>
  );
}

export function ImagesView() {
  const list = useImages((s) => s.list);
  const loaded = useImages((s) => s.loaded);
  const error = useImages((s) => s.error);
  const pulls = useImages((s) => s.pulls);
  const builds = useBuilds((s) => s.byTask);
  const [ref, setRef] = useState('');
  const [busy, setBusy] = useState(false);
  const [pullError, setPullError] = useState<string>();
  const [open, setOpen] = useState<string>();
  const sel = useChecked(list.map((im) => im.id));
  useEffect(() => {
    void useImages.getState().refresh();
  }, []);
  const pull = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!ref.trim()) {
      setPullError('Enter an image reference, e.g. 127.0.0.1:5000/library/busybox:latest');
      return;
    }
    setBusy(true);
    setPullError(undefined);
    try {
      await api().call('images.pull', { ref: ref.trim() });
      setRef('');
      await useImages.getState().refresh();
    } catch (err) {
      setPullError(`pull ${ref}: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  const unavailable = error?.includes('not available');
  const active = Object.values(pulls).slice(-3).reverse();
  const opened = list.find((im) => im.id === open);
  const columns: Column<ImageSummary>[] = [
    ...COLUMNS,
    {
      head: 'Actions',
      className: 'rg-actions',
      cell: (im) => (
        <>
          <button
            onClick={() => useUi.getState().openDialog({ kind: 'create', image: nameOf(im) })}
            aria-label={`Run ${nameOf(im)}`}
          >
            Run…
          </button>
          <button
            onClick={() => setOpen(open === im.id ? undefined : im.id)}
            data-action="inspect"
            aria-label={`Inspect ${nameOf(im)}`}
          >
            Inspect
          </button>
          <button
            className="danger"
            onClick={() => confirmRemoveImages([im])}
            data-action="remove"
            aria-label={`Remove ${nameOf(im)}`}
          >
            Remove…
          </button>
        </>
      ),
    },
  ];
  return (
    <div className="page" data-testid="images-view">
      <h1>Images</h1>
      <form className="toolbar" onSubmit={pull}>
        <input
          value={ref}
          onChange={(e) => setRef(e.target.value)}
          placeholder="Image to pull, e.g. 127.0.0.1:5000/library/busybox:latest"
          aria-label="Image reference"
          disabled={unavailable}
        />
        <button className="primary" disabled={busy || unavailable}>
          {busy ? 'Pulling…' : 'Pull'}
        </button>
        <button
          type="button"
          onClick={() => useUi.getState().openDialog({ kind: 'build' })}
          disabled={unavailable}
          data-action="build"
        >
          Build…
        </button>
        <SelectionBar
          n={sel.keys.length}
          what="images"
          onClear={() => sel.set([])}
          onRemove={() => confirmRemoveImages(list.filter((im) => sel.checked[im.id]))}
        />
      </form>
      <ErrorLine text={pullError} onDismiss={() => setPullError(undefined)} />
      {active.map((p) => (
        <PullProgress key={p.task} task={p} />
      ))}
      {Object.values(builds)
        .filter((b) => !b.done)
        .map((b) => (
          <BuildProgress key={b.task} task={b.task} showLog={false} />
        ))}
      <ListError error={error} unavailable={unavailable} />
      {loaded && !unavailable && !list.length && (
        <div className="empty small-empty" data-testid="images-empty">
          <h2>No images yet</h2>
          <p>
            An image is the filesystem a container starts from. Pull one above, build one from a folder (<b>Build…</b>,
            or drop the folder onto the window), or load an archive with <code>docker load</code> against Pier's API.
          </p>
        </div>
      )}
      {list.length > 0 && (
        <ResourceGrid
          label="Images"
          items={list}
          keyOf={(im) => im.id}
          nameOf={nameOf}
          columns={columns}
          checked={sel.checked}
          toggle={sel.toggle}
          setChecked={sel.set}
          current={open}
          onOpen={(im) => setOpen(im.id)}
          onDelete={(im) => confirmRemoveImages([im])}
          rowAttrs={(im) => ({ 'data-image': nameOf(im) })}
        />
      )}
      {opened && (
        <DetailPanel label={`Image ${nameOf(opened)}`} onClose={() => setOpen(undefined)} testId="image-inspect">
          <Inspect key={opened.id} id={opened.id} name={nameOf(opened)} />
        </DetailPanel>
      )}
    </div>
  );
}
