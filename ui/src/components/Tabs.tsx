export type Tab = "chats" | "status" | "calls" | "settings";

const TABS: { id: Tab; label: string }[] = [
  { id: "chats", label: "Chats" },
  { id: "status", label: "Status" },
  { id: "calls", label: "Calls" },
  { id: "settings", label: "Settings" },
];

export default function Tabs({
  current,
  onSelect,
}: {
  current: Tab;
  onSelect: (tab: Tab) => void;
}) {
  return (
    <nav className="tabs" role="tablist" aria-label="Sections">
      {TABS.map(({ id, label }) => (
        <button
          key={id}
          type="button"
          role="tab"
          data-testid={`tab-${id}`}
          aria-selected={current === id}
          className={current === id ? "tab tab-active" : "tab"}
          onClick={() => onSelect(id)}
        >
          {label}
        </button>
      ))}
    </nav>
  );
}
