// The bulk bar of a resource view: how many rows are checked, remove them (after a confirmation), clear.
/** "3 selected · Remove… · Clear" over a view's checked rows. */
export function SelectionBar({
  n,
  what,
  onRemove,
  onClear,
}: {
  n: number;
  what: string;
  onRemove(): void;
  onClear(): void;
}) {
  if (!n) return null;
  return (
    <div className="bulk" data-testid="bulk" role="group" aria-label={`selected ${what}`}>
      <b>{n} selected</b>
      <button type="button" className="danger" onClick={onRemove}>
        Remove…
      </button>
      <button type="button" className="link" onClick={onClear}>
        Clear
      </button>
    </div>
  );
}
