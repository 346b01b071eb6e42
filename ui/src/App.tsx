import { useCallback, useEffect, useLayoutEffect, useState } from "react";
import { useAccount } from "./account";
import AuthScreen from "./components/AuthScreen";
import Avatar from "./components/Avatar";
import { api, describeError, type Contact } from "./api";
import CallScreen from "./components/CallScreen";
import ConnectionBadge from "./components/ConnectionBadge";
import ContactsPanel, { type LinkToAdd } from "./components/ContactsPanel";
import type { SignedInProps } from "./components/SettingsPanel";
import Tabs from "./components/Tabs";
import WelcomePane from "./components/WelcomePane";
import { chatsApi } from "./features/chats/api";
import ChatList, { type OpenChat } from "./features/chats/ChatList";
import { isListed, useChats } from "./features/chats/hooks";
import NewChat from "./features/chats/NewChat";
import { JOIN_LINK_PREFIX } from "./features/groups/api";
import type { LinkToJoin } from "./features/groups/JoinDialog";
import { useAppliedAppearance } from "./features/appearance/hooks";
import { later, loadLaterScreens } from "./later";
import { useMessengerFeed } from "./messages";
import { applySavedZoom, LAYER, useEscape, useShortcuts, zoom } from "./shortcuts";
import { usePresenceFeed } from "./presence";
import { afterStart, firstScreenShown } from "./startup";

// Not on the first screen: loaded once it is painted (see later.tsx).
const CallsPanel = later(() => import("./components/CallsPanel"));
const Conversation = later(() => import("./features/conversation/Conversation"));
const JoinDialog = later(() => import("./features/groups/JoinDialog"));
const NewGroup = later(() => import("./features/groups/NewGroup"));
const QuickChat = later(() => import("./components/QuickChat"));
const SettingsPanel = later(() => import("./components/SettingsPanel"));
const StarredPanel = later(() => import("./features/starred/StarredPanel"));
const StatusPanel = later(() => import("./features/status/StatusPanel"));

const SECTIONS = [
  { id: "chats", label: "Chats" },
  { id: "status", label: "Status" },
  { id: "calls", label: "Calls" },
  { id: "settings", label: "Settings" },
] as const;
type Section = (typeof SECTIONS)[number]["id"];

/** Links the window acts on; mirrors proto's `CONTACT_LINK_PREFIX` (and `JOIN_LINK_PREFIX`,
 * a group's invite, in features/groups). */
const QUICK_LINK_PREFIX = "gkchat://quick/";
const CONTACT_LINK_PREFIX = "gkchat://add/";

export default function App() {
  const { account, signIn, setMe, chooseAppearance, reload, signOut } = useAccount();
  // My appearance, from the server (the same on all my devices), on the page at once.
  useAppliedAppearance(account.status === "signed-in" ? account.me.appearance : null);
  useEffect(() => {
    applySavedZoom();
  }, []);
  // The screens the start does not show, loaded once it is over.
  useEffect(() => {
    void afterStart(async () => loadLaterScreens());
  }, []);
  // The quick-chat screen (no account needed), with the link it was opened for, if any.
  const [quick, setQuick] = useState<{ link: string | null } | null>(null);

  // A chat to open (its notification was clicked).
  const [requestedChat, setRequestedChat] = useState<{ chatId: string } | null>(null);
  // A contact link to add; kept while signed out, added once signed in.
  const [linkToAdd, setLinkToAdd] = useState<LinkToAdd | null>(null);
  const linkTaken = useCallback(() => setLinkToAdd(null), []);
  // A group invite link to show the join dialog for; kept while signed out.
  const [linkToJoin, setLinkToJoin] = useState<LinkToJoin | null>(null);

  useEffect(() => {
    // Links given at launch or by a second launch of the app, and clicked notifications.
    api
      .watchRequests((request) => {
        if (request.type === "open_link" && request.link.startsWith(QUICK_LINK_PREFIX)) {
          setQuick({ link: request.link });
        } else if (request.type === "open_link" && request.link.startsWith(CONTACT_LINK_PREFIX)) {
          setQuick(null);
          setLinkToAdd({ link: request.link });
        } else if (request.type === "open_link" && request.link.startsWith(JOIN_LINK_PREFIX)) {
          setQuick(null);
          setLinkToJoin({ link: request.link });
        } else if (request.type === "open_chat") {
          setQuick(null);
          setRequestedChat({ chatId: request.chat_id });
        }
      })
      .catch((error) => console.error("watch_requests failed", error));
  }, []);

  // The sign-in screen, when it is the first: painted, the start is over.
  const signInShown = account.status === "signed-out" && !quick;
  useLayoutEffect(() => {
    if (signInShown) firstScreenShown("sign_in");
  }, [signInShown]);

  if (quick) {
    return (
      <QuickChat key={quick.link ?? ""} initialLink={quick.link} onClose={() => setQuick(null)} />
    );
  }

  const openQuickChat = () => setQuick({ link: null });
  switch (account.status) {
    case "loading":
      return (
        <div className="centered" data-testid="loading">
          <p className="hint">Starting…</p>
        </div>
      );
    case "error":
      return (
        <div className="centered">
          <p className="error" role="alert" data-testid="account-error">
            {account.message}
          </p>
          <button type="button" onClick={reload}>
            Try again
          </button>
        </div>
      );
    case "signed-out":
      return (
        <AuthScreen
          onSignedIn={signIn}
          onQuickChat={openQuickChat}
          notice={
            linkToAdd
              ? "Sign in to add the contact from your link."
              : linkToJoin
                ? "Sign in to join the group from your link."
                : null
          }
        />
      );
    case "signed-in":
      return (
        <Frame
          me={account.me}
          onMeChange={setMe}
          onChooseAppearance={chooseAppearance}
          onSignOut={signOut}
          onQuickChat={openQuickChat}
          requestedChat={requestedChat}
          linkToAdd={linkToAdd}
          onLinkTaken={linkTaken}
          linkToJoin={linkToJoin}
          onJoinLink={setLinkToJoin}
        />
      );
  }
}

/** The WhatsApp-like frame: a left column with tabs, and the pane on the right. */
function Frame({
  me,
  onMeChange,
  onChooseAppearance,
  onSignOut,
  onQuickChat,
  requestedChat,
  linkToAdd,
  onLinkTaken,
  linkToJoin,
  onJoinLink,
}: SignedInProps & {
  onQuickChat: () => void;
  requestedChat: { chatId: string } | null;
  linkToAdd: LinkToAdd | null;
  onLinkTaken: () => void;
  /** A group invite to show the join dialog for. */
  linkToJoin: LinkToJoin | null;
  /** Shows (a link) or closes (null) the join dialog. */
  onJoinLink: (link: LinkToJoin | null) => void;
}) {
  const [tab, setTab] = useState<Section>("chats");
  const [open, setOpen] = useState<OpenChat | null>(null);
  // Why a chat with a contact did not open (offline the first time, say).
  const [openError, setOpenError] = useState<string | null>(null);
  const show = (chat: OpenChat) => {
    setOpenError(null);
    setOpen(chat);
  };
  // The new-chat picker, or the new-group form, over the Chats tab.
  const [picking, setPicking] = useState(false);
  const [creatingGroup, setCreatingGroup] = useState(false);
  // My starred messages across chats, in place of the chat list.
  const [starredOpen, setStarredOpen] = useState(false);
  const showTab = (section: Section) => {
    setTab(section);
    setPicking(false);
    setCreatingGroup(false);
    setStarredOpen(false);
  };
  /** The Chats tab with one pane in place of the chat list (or none). */
  const showPane = (pane: "new-chat" | "new-group" | "starred") => {
    setTab("chats");
    setPicking(pane === "new-chat");
    setCreatingGroup(pane === "new-group");
    setStarredOpen(pane === "starred");
  };
  // A contact link is added in the contacts panel, which shows how it went.
  useEffect(() => {
    if (!linkToAdd) return;
    setTab("chats");
    setPicking(false);
    setCreatingGroup(false);
    setStarredOpen(false);
  }, [linkToAdd]);
  // Esc: back from another tab to Chats, and (last) closes the conversation.
  useEscape(tab !== "chats", LAYER.pane, () => showTab("chats"));
  useEscape(open !== null, LAYER.conversation, () => setOpen(null));
  useEffect(() => {
    if (!requestedChat) return;
    setTab("chats");
    setPicking(false);
    setCreatingGroup(false);
    setOpenError(null);
    setOpen({ chatId: requestedChat.chatId });
  }, [requestedChat]);
  const { chats } = useChats();
  useShortcuts((shortcut) => {
    const focus = (testId: string) =>
      requestAnimationFrame(() =>
        document.querySelector<HTMLElement>(`[data-testid=${testId}]`)?.focus(),
      );
    switch (shortcut) {
      case "search":
        showTab("chats");
        focus("chat-search");
        break;
      case "new-chat":
        showPane("new-chat");
        break;
      case "settings":
        showTab("settings");
        break;
      case "previous-chat":
      case "next-chat": {
        // Through the chats as the list shows them.
        const list = (chats ?? []).filter((chat) => !chat.archived && isListed(chat));
        const at = list.findIndex((chat) => chat.id === open?.chatId);
        const step = shortcut === "next-chat" ? 1 : -1;
        const next = at === -1 ? list[step === 1 ? 0 : list.length - 1] : list[at + step];
        if (next) show({ chatId: next.id });
        break;
      }
      case "zoom-in":
        zoom(1);
        break;
      case "zoom-out":
        zoom(-1);
        break;
      case "zoom-reset":
        zoom(0);
        break;
    }
  });
  useEffect(() => {
    // The desktop leaves the chat on screen out of notifications.
    api.setOpenChat(open?.chatId ?? null).catch(() => undefined);
  }, [open?.chatId]);
  usePresenceFeed();
  useMessengerFeed();
  // A chat with a contact has an id before its first message: found on this device, or opened
  // on the server (so the first time needs the connection).
  const openWith = (contact: Contact) => {
    setOpenError(null);
    return chatsApi
      .openDirectChat(contact.user_id)
      .then((chatId) => show({ chatId }))
      .catch((error) =>
        setOpenError(
          `Could not open the chat with ${contact.display_name}: ${describeError(error)}`,
        ),
      );
  };
  return (
    <div className="app">
      <aside className="sidebar">
        <header className="sidebar-header">
          <Avatar owner={{ kind: "user", id: me.id }} photo={me.photo} name={me.display_name} />
          <div className="me">
            <h1 className="app-title">GK Chat</h1>
            <span className="me-name" data-testid="me-name" title={me.display_name}>
              {me.display_name}
            </span>
            {me.status_text && (
              <span className="hint" data-testid="me-status" title={me.status_text}>
                {me.status_text}
              </span>
            )}
          </div>
          <button
            type="button"
            className="link-button"
            title="New chat (Ctrl+N)"
            data-testid="open-new-chat"
            onClick={() => showPane("new-chat")}
          >
            New chat
          </button>
          <button
            type="button"
            className="link-button"
            title="A group with your contacts"
            data-testid="new-group"
            onClick={() => showPane("new-group")}
          >
            New group
          </button>
          <button
            type="button"
            className="link-button"
            title="A chat with anyone, without accounts"
            data-testid="open-quick-chat"
            onClick={onQuickChat}
          >
            Quick chat
          </button>
          <button
            type="button"
            className="link-button"
            title="Your starred messages in all chats"
            data-testid="open-starred"
            onClick={() => showPane("starred")}
          >
            Starred
          </button>
          <ConnectionBadge />
        </header>
        <Tabs
          tabs={SECTIONS}
          current={tab}
          onSelect={showTab}
          label="Sections"
          testIdPrefix="tab-"
        />
        <section className="panel" aria-live="polite">
          {tab === "chats" && openError && (
            <p className="error panel-error" role="alert" data-testid="open-chat-error">
              {openError}
            </p>
          )}
          {tab === "chats" && picking && (
            <NewChat
              onPick={(contact) => {
                setPicking(false);
                void openWith(contact);
              }}
              onClose={() => setPicking(false)}
            />
          )}
          {tab === "chats" && creatingGroup && !picking && (
            <NewGroup
              onCreated={(chatId) => show({ chatId })}
              onClose={() => setCreatingGroup(false)}
            />
          )}
          {tab === "chats" && starredOpen && !picking && !creatingGroup && (
            <StarredPanel myId={me.id} onOpen={show} onClose={() => setStarredOpen(false)} />
          )}
          {tab === "chats" && !picking && !creatingGroup && !starredOpen && (
            <>
              <ChatList myId={me.id} selectedId={open?.chatId ?? null} onOpen={show} />
              <ContactsPanel
                onMessage={openWith}
                linkToAdd={linkToAdd}
                onLinkTaken={onLinkTaken}
                onOpenChat={(chatId) => show({ chatId })}
                onJoinLink={(link) => onJoinLink({ link })}
              />
            </>
          )}
          {tab === "status" && <StatusPanel me={me} />}
          {tab === "calls" && <CallsPanel />}
          {tab === "settings" && (
            <SettingsPanel
              me={me}
              onMeChange={onMeChange}
              onChooseAppearance={onChooseAppearance}
              onSignOut={onSignOut}
            />
          )}
        </section>
      </aside>
      <main className="main-pane">
        {open ? (
          <Conversation
            key={`${open.chatId}:${open.focus ?? ""}`}
            open={open}
            myId={me.id}
            defaultBackground={me.appearance.background}
            onClose={() => setOpen(null)}
            onOpenChat={(chatId) => show({ chatId })}
          />
        ) : (
          <WelcomePane />
        )}
      </main>
      {linkToJoin && (
        <JoinDialog
          key={linkToJoin.link}
          link={linkToJoin.link}
          onJoined={(chatId) => {
            onJoinLink(null);
            setTab("chats");
            setPicking(false);
            setCreatingGroup(false);
            show({ chatId });
          }}
          onClose={() => onJoinLink(null)}
        />
      )}
      <CallScreen chats={chats} />
    </div>
  );
}
