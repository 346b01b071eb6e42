import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from "react";
import { api, describeError, type LocalMessage } from "../../api";
import { openLink } from "../../links";
import { chatsApi } from "../chats/api";
import { mediaApi, type Attachment } from "./api";
import MediaViewer from "./MediaViewer";
import { fileName } from "./words";
import "./media.css";

/** My contacts as shared cards need them: who is one already, and adding someone. */
export interface ContactBook {
  /** My contacts' user ids; null until `load` has brought them. */
  ids: ReadonlySet<string> | null;
  /** Loads my contacts (once for the conversation, again only after a failure). */
  load: () => void;
  /** Adds a person by their username and says so in the notice; rejects with the failure. */
  add: (username: string) => Promise<void>;
}

/** What a message's media can ask of the conversation around it. */
export interface MediaActions {
  /** Opens the viewer on one of a message's pictures or videos. */
  view: (local: LocalMessage, mediaId: string) => void;
  /** Saves an attachment into Downloads and says where. */
  save: (attachment: Attachment) => void;
  /** Opens an attachment with the system's app for its type. */
  open: (attachment: Attachment) => void;
  /** Opens a link in a message: a web address in the browser, a `gkchat:` one in the app. */
  openLink: (url: string) => void;
  /** A short notice at the conversation's foot. */
  notify: (text: string) => void;
  /** My direct chat with a person (a contact card's Message); null where there is none. */
  messageUser: ((userId: string) => void) | null;
  /** Who I am (no Message on my own card). */
  myId: string | null;
  /** My contacts (a card's Add); null outside a conversation. */
  contacts: ContactBook | null;
}

const NONE: MediaActions = {
  view: () => undefined,
  save: () => undefined,
  open: () => undefined,
  openLink: () => undefined,
  notify: () => undefined,
  messageUser: null,
  myId: null,
  contacts: null,
};

const MediaContext = createContext<MediaActions>(NONE);

/** The actions of the conversation a bubble is in (no-ops outside one). */
export function useMediaActions(): MediaActions {
  return useContext(MediaContext);
}

/** How long a notice stays. */
const NOTICE_MS = 5000;

/**
 * A conversation's media around its timeline: the viewer (one at a time, over the window), a
 * notice for what was saved or went wrong, my contacts (loaded when a shared card first asks),
 * and what bubbles call for all three.
 */
export function MediaProvider({
  chatId,
  myId,
  onOpenChat,
  children,
}: {
  chatId: string;
  myId: string;
  /** Opens a chat by its id; null where no other chat can open. */
  onOpenChat: ((chatId: string) => void) | null;
  children: ReactNode;
}) {
  const [viewing, setViewing] = useState<{ local: LocalMessage; mediaId: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    if (notice === null) return;
    const timer = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);
  const save = useCallback((attachment: Attachment) => {
    mediaApi
      .saveMedia(attachment.media_id, fileName(attachment))
      .then((path) => setNotice(`Saved to ${path}`))
      .catch((e) => setNotice(`Could not save it: ${describeError(e)}`));
  }, []);
  const [contactIds, setContactIds] = useState<ReadonlySet<string> | null>(null);
  const contactsAsked = useRef(false);
  const loadContacts = useCallback(() => {
    if (contactsAsked.current) return;
    contactsAsked.current = true;
    api
      .listContacts()
      .then((list) => setContactIds(new Set(list.map((c) => c.user_id))))
      .catch((e) => {
        contactsAsked.current = false;
        console.warn("list_contacts failed", e);
      });
  }, []);
  const addContact = useCallback(async (username: string) => {
    const added = await api.addContact(username);
    setContactIds((ids) => new Set(ids).add(added.user_id));
    setNotice(`${added.display_name} (@${added.username}) is in your contacts.`);
  }, []);
  const actions = useMemo<MediaActions>(
    () => ({
      view: (local, mediaId) => setViewing({ local, mediaId }),
      save,
      open: (attachment) => {
        mediaApi
          .openMedia(attachment.media_id, fileName(attachment))
          .catch((e) => setNotice(`Could not open it: ${describeError(e)}`));
      },
      openLink: (url) => {
        openLink(url).catch((e) => setNotice(`Could not open the link: ${describeError(e)}`));
      },
      notify: setNotice,
      messageUser: onOpenChat
        ? (userId) =>
            chatsApi
              .openDirectChat(userId)
              .then(onOpenChat)
              .catch((e) => setNotice(`Could not open the chat: ${describeError(e)}`))
        : null,
      myId,
      contacts: { ids: contactIds, load: loadContacts, add: addContact },
    }),
    [save, onOpenChat, myId, contactIds, loadContacts, addContact],
  );
  return (
    <MediaContext.Provider value={actions}>
      {children}
      {notice && (
        <p className="media-notice" role="status" data-testid="media-notice">
          {notice}
        </p>
      )}
      {viewing && (
        <MediaViewer
          chatId={chatId}
          local={viewing.local}
          mediaId={viewing.mediaId}
          onSave={save}
          onClose={() => setViewing(null)}
        />
      )}
    </MediaContext.Provider>
  );
}
