// Tabs as ARIA tablist/tab/tabpanel: one tab in the Tab order (the selected one), Left/Right
// (wrapping), Home and End select and focus another tab (automatic activation). A pointer
// click selects without taking focus from the panel's content (a terminal keeps its keys).
// Only the selected panel is rendered; it is labelled by its tab.
import { useRef, type ReactNode } from 'react';
import { tabMove } from '../lib/roving';

export interface TabDef<T extends string> {
  id: T;
  label: ReactNode;
}

export const tabId = (group: string, id: string) => `${group}-tab-${id}`;
export const panelId = (group: string, id: string) => `${group}-panel-${id}`;

export function Tabs<T extends string>({
  group,
  label,
  tabs,
  value,
  onChange,
  className = 'tabs',
  children,
}: {
  group: string;
  label: string;
  tabs: Array<TabDef<T>>;
  value: T;
  onChange(t: T): void;
  className?: string;
  children: ReactNode;
}) {
  const list = useRef<HTMLDivElement>(null);
  const onKey = (e: React.KeyboardEvent) => {
    const i = tabs.findIndex((t) => t.id === value);
    const next = tabMove(e, i, tabs.length);
    if (next === undefined) return;
    e.preventDefault();
    onChange(tabs[next].id);
    list.current?.querySelector<HTMLElement>(`#${CSS.escape(tabId(group, tabs[next].id))}`)?.focus();
  };
  return (
    <>
      <div className={className} role="tablist" aria-label={label} ref={list} onKeyDown={onKey}>
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={tabId(group, t.id)}
            aria-selected={t.id === value}
            aria-controls={panelId(group, t.id)}
            tabIndex={t.id === value ? 0 : -1}
            data-tab={t.id}
            className={t.id === value ? 'tab active' : 'tab'}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => onChange(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <TabPanel group={group} id={value}>
        {children}
      </TabPanel>
    </>
  );
}

/** The panel of tab `id`; focusable itself so a keyboard user can reach panels without widgets. */
export function TabPanel({
  group,
  id,
  className = 'tab-body',
  children,
}: {
  group: string;
  id: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div role="tabpanel" id={panelId(group, id)} aria-labelledby={tabId(group, id)} tabIndex={0} className={className}>
      {children}
    </div>
  );
}

/** Moves focus to the selected tab of `group` once it is rendered (e.g. after opening a detail). */
export function focusSelectedTab(group: string, tries = 10): void {
  requestAnimationFrame(() => {
    const el = document.querySelector<HTMLElement>(`[role="tab"][id^="${group}-tab-"][aria-selected="true"]`);
    if (el) el.focus();
    else if (tries > 0) focusSelectedTab(group, tries - 1);
  });
}
