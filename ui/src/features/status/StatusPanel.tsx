import { useCallback, useMemo, useState } from "react";
import { createPortal } from "react-dom";
import type { ChatPeer, Me } from "../../api";
import Avatar from "../../components/Avatar";
import { useNames } from "../groups/hooks";
import type { NameOf } from "../groups/words";
import { useStatusFeed } from "./hooks";
import { PlusIcon } from "./icons";
import StatusComposer from "./StatusComposer";
import StatusRing from "./StatusRing";
import StatusViewer, { type ViewerStart } from "./StatusViewer";
import { feedSections, myOwner, newestTime, type Owner } from "./words";
import "./status.css";

/**
 * The Status tab: my status on top (add a post, or watch mine), then others' posts in three
 * sections — those with something new, those seen, and the muted apart — each with a ring
 * split per post. A click opens the viewer; the composer makes a post. The feed is read again
 * when the messenger says a post changed, the viewer staying on its post.
 */
export default function StatusPanel({ me }: { me: Me }) {
  const { feed, error, reload, reloadSoon } = useStatusFeed();
  const [composing, setComposing] = useState(false);
  const [viewing, setViewing] = useState<ViewerStart | null>(null);
  const peer: ChatPeer = useMemo(
    () => ({
      user_id: me.id,
      username: me.username,
      display_name: me.display_name,
      photo: me.photo,
    }),
    [me.id, me.username, me.display_name, me.photo],
  );
  const now = Date.now();
  const sections = feed ? feedSections(feed.others, now) : null;
  const mine = feed ? myOwner(feed, peer, now) : null;
  const groupNames = useNames();
  const nameOf = useCallback<NameOf>(
    (userId) =>
      feed?.others.find((o) => o.owner.user_id === userId)?.owner.display_name ??
      groupNames(userId),
    [feed, groupNames],
  );

  const open = (section: Owner[], owner: Owner) =>
    setViewing({ order: section.map((o) => o.peer.user_id), ownerId: owner.peer.user_id });
  const hasMine = (mine?.posts.length ?? 0) > 0;
  const openMine = () => {
    const first = mine?.posts[0];
    if (first) setViewing({ order: [me.id], ownerId: me.id, postId: first.id });
    else setComposing(true);
  };
  const others = sections
    ? sections.recent.length + sections.viewed.length + sections.muted.length
    : 0;

  return (
    <div className="status-panel" data-testid="status-panel">
      {/* The whole row opens mine (or, with none, the composer); its button is the keyboard's. */}
      <div className="status-row my-status" data-testid="my-status" onClick={openMine}>
        <button type="button" className="status-row-main" data-testid="my-status-open">
          {hasMine ? (
            <StatusRing seen={mine!.posts.map(() => true)}>
              <Avatar owner={{ kind: "user", id: me.id }} photo={me.photo} name={me.display_name} />
            </StatusRing>
          ) : (
            <span className="status-ring-wrap">
              <span className="status-ring-face">
                <Avatar
                  owner={{ kind: "user", id: me.id }}
                  photo={me.photo}
                  name={me.display_name}
                />
              </span>
            </span>
          )}
          <span className="status-row-text">
            <span className="status-row-name">My status</span>
            <span className="hint">
              {hasMine ? newestTime(mine!, now) : "Add a status update, for 24 hours"}
            </span>
          </span>
        </button>
        <button
          type="button"
          className="status-add"
          aria-label="Add a status update"
          title="Add a status update"
          data-testid="status-add"
          onClick={(event) => {
            event.stopPropagation();
            setComposing(true);
          }}
        >
          <PlusIcon size={18} />
        </button>
      </div>
      {error && (
        <p className="error panel-error" role="alert" data-testid="status-feed-error">
          Could not read the status updates: {error}
        </p>
      )}
      {!feed && !error && (
        <p className="hint status-loading" data-testid="status-loading">
          Loading…
        </p>
      )}
      {sections && (
        <>
          <Section
            title="Recent updates"
            id="recent"
            owners={sections.recent}
            now={now}
            onOpen={(o) => open(sections.recent, o)}
          />
          <Section
            title="Viewed updates"
            id="viewed"
            owners={sections.viewed}
            now={now}
            onOpen={(o) => open(sections.viewed, o)}
          />
          <Section
            title="Muted updates"
            id="muted"
            owners={sections.muted}
            now={now}
            muted
            onOpen={(o) => open(sections.muted, o)}
          />
          {others === 0 && (
            <div className="empty-panel" data-testid="status-empty">
              <p className="empty-title">No status updates</p>
              <p className="empty-body">
                Status updates from your contacts show here and disappear after 24 hours.
              </p>
            </div>
          )}
        </>
      )}
      {/* Over the whole window (out of the sidebar's live region). */}
      {composing &&
        createPortal(
          <StatusComposer
            onPosted={() => {
              setComposing(false);
              reload();
            }}
            onClose={() => setComposing(false)}
          />,
          document.body,
        )}
      {viewing &&
        feed &&
        createPortal(
          <StatusViewer
            feed={feed}
            me={peer}
            start={viewing}
            nameOf={nameOf}
            onChanged={reloadSoon}
            onClose={() => {
              setViewing(null);
              reload();
            }}
          />,
          document.body,
        )}
    </div>
  );
}

/** One section of the list; nothing when nobody is in it. */
function Section({
  title,
  id,
  owners,
  now,
  muted = false,
  onOpen,
}: {
  title: string;
  id: string;
  owners: Owner[];
  now: number;
  muted?: boolean;
  onOpen: (owner: Owner) => void;
}) {
  if (owners.length === 0) return null;
  return (
    <section
      className={muted ? "status-section muted" : "status-section"}
      data-testid={`status-section-${id}`}
      aria-label={title}
    >
      <h3 className="status-section-title">{title}</h3>
      <ul className="status-list">
        {owners.map((owner) => {
          const face = (
            <Avatar
              owner={{ kind: "user", id: owner.peer.user_id }}
              photo={owner.peer.photo}
              name={owner.peer.display_name}
            />
          );
          return (
            <li key={owner.peer.user_id}>
              <button
                type="button"
                className="status-row status-row-main"
                data-testid="status-owner"
                data-user-id={owner.peer.user_id}
                onClick={() => onOpen(owner)}
              >
                {muted ? (
                  <span className="status-ring-wrap">
                    <span className="status-ring-face">{face}</span>
                  </span>
                ) : (
                  <StatusRing seen={owner.posts.map((post) => post.seen)}>{face}</StatusRing>
                )}
                <span className="status-row-text">
                  <span className="status-row-name">{owner.peer.display_name}</span>
                  <span className="hint" data-testid="status-owner-time">
                    {newestTime(owner, now)}
                  </span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
