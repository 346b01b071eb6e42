/** A row of tabs; `testIdPrefix` + id names each for tests. */
export default function Tabs<T extends string>({
  tabs,
  current,
  onSelect,
  label,
  testIdPrefix,
}: {
  tabs: readonly { id: T; label: string }[];
  current: T;
  onSelect: (tab: T) => void;
  label: string;
  testIdPrefix: string;
}) {
  return (
    <nav className="tabs" role="tablist" aria-label={label}>
      {tabs.map(({ id, label: text }) => (
        <button
          key={id}
          type="button"
          role="tab"
          data-testid={`${testIdPrefix}${id}`}
          aria-selected={current === id}
          className={current === id ? "tab tab-active" : "tab"}
          onClick={() => onSelect(id)}
        >
          {text}
        </button>
      ))}
    </nav>
  );
}
