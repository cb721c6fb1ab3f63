// F6 in a terminal: Tab belongs to the program in it, so this is the way out. Focus goes
// to the tab of the panel the terminal is in, else to the first control of its page.
export function leaveTerminal(from: Element): void {
  const panel = from.closest('[role="tabpanel"]');
  const tab = panel && document.getElementById(panel.getAttribute('aria-labelledby') ?? '');
  const target = tab ?? from.closest('.page, main')?.querySelector<HTMLElement>('button, input, select, a[href]');
  (target as HTMLElement | null)?.focus();
}
