import { useState } from "react";
import ConnectionBadge from "./components/ConnectionBadge";
import EmptyPanel from "./components/EmptyPanel";
import SettingsPanel from "./components/SettingsPanel";
import Tabs, { type Tab } from "./components/Tabs";
import WelcomePane from "./components/WelcomePane";
import { useTheme } from "./hooks";

/** The WhatsApp-like frame: a left column with tabs, and the pane on the right. */
export default function App() {
  const [tab, setTab] = useState<Tab>("chats");
  const [theme, setTheme] = useTheme();

  return (
    <div className="app">
      <aside className="sidebar">
        <header className="sidebar-header">
          <h1 className="app-title">GK Chat</h1>
          <ConnectionBadge />
        </header>
        <Tabs current={tab} onSelect={setTab} />
        <section className="panel" aria-live="polite">
          {tab === "chats" && (
            <EmptyPanel
              title="No chats yet"
              body="Your conversations will appear here once you start one."
            />
          )}
          {tab === "status" && (
            <EmptyPanel
              title="No status updates"
              body="Status updates from your contacts disappear after 24 hours."
            />
          )}
          {tab === "calls" && (
            <EmptyPanel title="No calls yet" body="Voice and video calls you make show up here." />
          )}
          {tab === "settings" && <SettingsPanel theme={theme} onThemeChange={setTheme} />}
        </section>
      </aside>
      <main className="main-pane">
        <WelcomePane />
      </main>
    </div>
  );
}
