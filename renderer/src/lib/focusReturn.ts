// Where focus goes when a dialog closes: back to its opener while that is still in the
// document; otherwise (the opener's row was removed) to the grid's current roving stop
// (tabIndex 0), which the grid has already moved to the neighbouring row.

export function returnFocusTarget(opener: Element | null, grid: Element | null): HTMLElement | undefined {
  if (opener && opener.isConnected && opener !== opener.ownerDocument.body) return opener as HTMLElement;
  if (grid && grid.isConnected) return grid.querySelector<HTMLElement>('[tabindex="0"]') ?? undefined;
  return undefined;
}
