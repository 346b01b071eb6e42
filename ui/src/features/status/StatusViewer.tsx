import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { describeError, type ChatPeer } from "../../api";
import Avatar from "../../components/Avatar";
import Confirm from "../../components/Confirm";
import { CloseIcon, MoreIcon } from "../../components/Icon";
import { LAYER, useEscape } from "../../shortcuts";
import type { NameOf } from "../groups/words";
import { mediaUrl, playableUrl, type Attachment } from "../media/api";
import ThumbHashPlaceholder from "../media/ThumbHashPlaceholder";
import { statusApi, type StatusFeed, type StatusPrefs } from "./api";
import { EyeIcon, TrashIcon } from "./icons";
import TextCard from "./TextCard";
import ViewersList from "./ViewersList";
import {
  DURATIONS,
  firstUnseen,
  livePosts,
  myOwner,
  postDuration,
  statusTime,
  type Durations,
  type Owner,
} from "./words";
import "./status.css";

/** Where the viewer starts, and whose posts it goes through after. */
export interface ViewerStart {
  /** The owners in the order the viewer goes through them (mine by my user id). */
  order: string[];
  ownerId: string;
  /** The post to show first; else the owner's first I have not seen. */
  postId?: string;
}

/** The quick reactions offered under someone's post. */
export const REACTIONS = ["😂", "😮", "😢", "🙏", "👏", "❤️", "🔥", "😍"];
/** How often the progress moves. */
export const TICK_MS = 100;
/** A press longer than this pauses and is no tap. */
export const HOLD_MS = 250;
/** How long "Sent" shows after a reply. */
export const SENT_MS = 2000;

interface Cursor {
  ownerId: string;
  postId: string;
}

/** The owners in `order` with live posts (those taken down here left out). */
function ownersOf(
  feed: StatusFeed,
  me: ChatPeer,
  order: string[],
  removed: ReadonlySet<string>,
  now: number,
): Owner[] {
  const owners: Owner[] = [];
  for (const id of order) {
    let owner: Owner | null = null;
    if (id === me.user_id) {
      owner = myOwner(feed, me, now);
    } else {
      const other = feed.others.find((o) => o.owner.user_id === id);
      if (other) {
        owner = {
          peer: other.owner,
          posts: livePosts(other.posts, now),
          muted: other.muted,
          notify: other.notify,
          mine: false,
        };
      }
    }
    if (!owner) continue;
    const posts = owner.posts.filter((post) => !removed.has(post.id));
    if (posts.length > 0) owners.push({ ...owner, posts });
  }
  return owners;
}

/** Where the cursor is among the owners: its own place, or (its post gone) the one that took
 * it; null when nothing is left. */
function place(
  owners: Owner[],
  cursor: Cursor,
  last: { owner: number; post: number },
): { owner: number; post: number } | null {
  const owner = owners.findIndex((o) => o.peer.user_id === cursor.ownerId);
  if (owner >= 0) {
    const post = owners[owner]!.posts.findIndex((p) => p.id === cursor.postId);
    if (post >= 0) return { owner, post };
    return { owner, post: Math.min(last.post, owners[owner]!.posts.length - 1) };
  }
  if (last.owner < owners.length) return { owner: last.owner, post: 0 };
  return null;
}

/**
 * Status posts full screen, one after another: a progress bar per post across the top, each post
 * for its time (held down: paused), a click on the left or right third (or ← →) for the
 * previous or next, the next owner after the last post, closed after the last owner (or Esc).
 * Someone's post is marked seen when shown, and can be answered (a reply into our chat, a quick
 * reaction) or muted; mine show who viewed them and can be deleted. The feed may change while it
 * is open: the viewer stays on its post unless that one went.
 */
export default function StatusViewer({
  feed,
  me,
  start,
  nameOf,
  onClose,
  onChanged,
  durations = DURATIONS,
}: {
  feed: StatusFeed;
  me: ChatPeer;
  start: ViewerStart;
  /** Names for the viewers list. */
  nameOf: NameOf;
  onClose: () => void;
  /** Something changed on the server (a view, a reaction, a deletion): read the feed again. */
  onChanged: () => void;
  durations?: Durations;
}) {
  const [removed, setRemoved] = useState<ReadonlySet<string>>(() => new Set());
  const owners = ownersOf(feed, me, start.order, removed, Date.now());
  const [cursor, setCursor] = useState<Cursor>(() => {
    const owner = owners.find((o) => o.peer.user_id === start.ownerId) ?? owners[0];
    const post =
      owner?.posts.find((p) => p.id === start.postId) ??
      owner?.posts[firstUnseen(owner?.posts ?? [])];
    return { ownerId: owner?.peer.user_id ?? start.ownerId, postId: post?.id ?? "" };
  });
  const last = useRef({ owner: 0, post: 0 });
  const spot = place(owners, cursor, last.current);
  const owner = spot ? owners[spot.owner]! : null;
  const post = spot && owner ? owner.posts[spot.post]! : null;

  const [elapsed, setElapsed] = useState(0);
  const [ended, setEnded] = useState(false);
  const [held, setHeld] = useState(false);
  const [replying, setReplying] = useState(false);
  const [reply, setReply] = useState("");
  const [menuOpen, setMenuOpen] = useState(false);
  const [viewersOpen, setViewersOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [reactions, setReactions] = useState<ReadonlyMap<string, string | null>>(() => new Map());
  const [prefs, setPrefs] = useState<ReadonlyMap<string, StatusPrefs>>(() => new Map());
  const press = useRef<number | null>(null);
  const replyBox = useRef<HTMLInputElement>(null);
  const frame = useRef<HTMLDivElement>(null);
  // The media post whose picture or video is in (or failed): its time runs from then.
  const [ready, setReady] = useState<string | null>(null);

  const close = useCallback(() => {
    if (ended) return;
    setEnded(true);
    onClose();
  }, [ended, onClose]);

  // Nothing left (the last post went): closed. Its post gone: on the one that took its place.
  const shownOwner = owner?.peer.user_id ?? null;
  const shownPost = post?.id ?? null;
  const spotOwner = spot?.owner ?? -1;
  const spotPost = spot?.post ?? -1;
  useEffect(() => {
    if (shownOwner === null || shownPost === null) {
      close();
      return;
    }
    last.current = { owner: spotOwner, post: spotPost };
    if (shownOwner !== cursor.ownerId || shownPost !== cursor.postId) {
      setCursor({ ownerId: shownOwner, postId: shownPost });
      setElapsed(0);
    }
  }, [shownOwner, shownPost, spotOwner, spotPost, cursor.ownerId, cursor.postId, close]);

  const show = (next: Owner, at: number) => {
    const target = next.posts[at];
    if (!target) return;
    setCursor({ ownerId: next.peer.user_id, postId: target.id });
    setElapsed(0);
    setMenuOpen(false);
    setViewersOpen(false);
    setConfirming(false);
    setError(null);
  };
  /** One post on (or back); past the owner's last, the next owner; past the last owner, closed. */
  const go = (step: 1 | -1) => {
    if (!spot || !owner) return;
    const at = spot.post + step;
    if (at >= 0 && at < owner.posts.length) {
      show(owner, at);
    } else if (step > 0) {
      const next = owners[spot.owner + 1];
      if (next) show(next, firstUnseen(next.posts));
      else close();
    } else {
      const previous = owners[spot.owner - 1];
      if (previous) show(previous, previous.posts.length - 1);
      else setElapsed(0);
    }
  };
  const latestGo = useRef(go);
  latestGo.current = go;

  const duration = post ? postDuration(post, durations) : 0;
  const loading = post !== null && post.content.kind === "media" && ready !== post.id;
  const paused =
    ended ||
    !post ||
    loading ||
    held ||
    replying ||
    reply !== "" ||
    menuOpen ||
    viewersOpen ||
    confirming ||
    busy;
  const postId = shownPost;
  useEffect(() => {
    if (paused) return;
    let then = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      const step = Math.min(Math.max(now - then, 0), 1000);
      then = now;
      setElapsed((e) => e + step);
    }, TICK_MS);
    return () => clearInterval(timer);
  }, [paused, postId]);
  useEffect(() => {
    if (postId !== null && duration > 0 && elapsed >= duration) latestGo.current(1);
  }, [elapsed, duration, postId]);

  // Someone's post is seen once shown (once per post while open).
  const viewed = useRef(new Set<string>());
  const unseenOther = post !== null && owner !== null && !owner.mine && !post.seen;
  useEffect(() => {
    if (!unseenOther || postId === null || viewed.current.has(postId)) return;
    viewed.current.add(postId);
    statusApi
      .view(postId)
      .then(onChanged)
      .catch((e) => console.warn("view_status failed", e));
  }, [unseenOther, postId, onChanged]);

  useEscape(true, LAYER.overlay, close);
  useEscape(menuOpen, LAYER.overlay, () => setMenuOpen(false));
  useEscape(confirming, LAYER.overlay, () => setConfirming(false));

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target;
      if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) return;
      if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
        event.preventDefault();
        latestGo.current(event.key === "ArrowRight" ? 1 : -1);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  useEffect(() => frame.current?.focus(), []);
  useEffect(() => {
    if (!sent) return;
    const timer = setTimeout(() => setSent(false), SENT_MS);
    return () => clearTimeout(timer);
  }, [sent]);

  if (!owner || !post || !spot) return null;

  const tap = (step: 1 | -1) => {
    const long = press.current !== null && Date.now() - press.current >= HOLD_MS;
    press.current = null;
    // A tap beside the open menu closes it.
    if (menuOpen) setMenuOpen(false);
    else if (!long) go(step);
  };
  const release = () => setHeld(false);

  const myReaction = reactions.has(post.id)
    ? (reactions.get(post.id) ?? null)
    : (post.my_reaction ?? null);
  const react = (emoji: string) => {
    const next = myReaction === emoji ? null : emoji;
    const target = post.id;
    setReactions((map) => new Map(map).set(target, next));
    setError(null);
    statusApi
      .react(target, next)
      .then(onChanged)
      .catch((e) => {
        setReactions((map) => {
          const back = new Map(map);
          back.delete(target);
          return back;
        });
        setError(`Could not react: ${describeError(e)}`);
      });
  };

  const ownerPrefs = prefs.get(owner.peer.user_id) ?? { muted: owner.muted, notify: owner.notify };
  const changePrefs = (next: StatusPrefs) => {
    const ownerId = owner.peer.user_id;
    setPrefs((map) => new Map(map).set(ownerId, next));
    setMenuOpen(false);
    setError(null);
    statusApi
      .setPrefs(ownerId, next)
      .then(onChanged)
      .catch((e) => {
        setPrefs((map) => {
          const back = new Map(map);
          back.delete(ownerId);
          return back;
        });
        setError(`Could not change it: ${describeError(e)}`);
      });
  };

  const sendReply = async (event: FormEvent) => {
    event.preventDefault();
    const text = reply.trim();
    if (text === "" || busy) return;
    setBusy(true);
    setError(null);
    try {
      await statusApi.reply(post.id, text);
      setReply("");
      setSent(true);
      replyBox.current?.blur();
      setReplying(false);
    } catch (e) {
      setError(`Could not send the reply: ${describeError(e)}`);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    const target = post.id;
    setBusy(true);
    setError(null);
    try {
      await statusApi.delete(target);
      setConfirming(false);
      setRemoved((set) => new Set(set).add(target));
      onChanged();
    } catch (e) {
      setError(`Could not delete it: ${describeError(e)}`);
    } finally {
      setBusy(false);
    }
  };

  const content = post.content;
  const name = owner.mine ? "My status" : owner.peer.display_name;
  return (
    <div
      ref={frame}
      tabIndex={-1}
      className="status-viewer"
      role="dialog"
      aria-modal="true"
      aria-label={`Status of ${owner.mine ? "mine" : owner.peer.display_name}`}
      data-testid="status-viewer"
      data-owner-id={owner.peer.user_id}
      data-post-id={post.id}
      data-paused={paused ? "true" : "false"}
      data-loading={loading ? "true" : "false"}
    >
      <div className="status-progress-row" aria-hidden="true">
        {owner.posts.map((p, i) => {
          const fill =
            i < spot.post ? 1 : i > spot.post ? 0 : Math.min(1, elapsed / Math.max(duration, 1));
          return (
            <span
              key={p.id}
              className="status-progress"
              data-testid="status-progress"
              data-state={i < spot.post ? "done" : i > spot.post ? "todo" : "current"}
            >
              <span className="status-progress-fill" style={{ width: `${fill * 100}%` }} />
            </span>
          );
        })}
      </div>
      <header className="status-viewer-bar">
        <Avatar
          owner={{ kind: "user", id: owner.peer.user_id }}
          photo={owner.peer.photo}
          name={owner.peer.display_name}
        />
        <span className="status-viewer-who">
          <span className="status-viewer-name" data-testid="status-viewer-name">
            {name}
          </span>
          <span className="status-viewer-time">{statusTime(post.posted_at)}</span>
        </span>
        {owner.mine ? (
          <button
            type="button"
            className="status-icon-button"
            aria-label="Delete this post"
            title="Delete"
            data-testid="status-delete"
            onClick={() => setConfirming(true)}
          >
            <TrashIcon size={20} />
          </button>
        ) : (
          <span className="status-menu-anchor">
            <button
              type="button"
              className="status-icon-button"
              aria-label="More"
              aria-haspopup="menu"
              aria-expanded={menuOpen}
              data-testid="status-menu"
              onClick={() => setMenuOpen(!menuOpen)}
            >
              <MoreIcon size={20} />
            </button>
            {menuOpen && (
              <div className="menu status-menu" role="menu">
                <button
                  type="button"
                  role="menuitem"
                  data-testid="status-mute"
                  onClick={() => changePrefs({ ...ownerPrefs, muted: !ownerPrefs.muted })}
                >
                  {ownerPrefs.muted ? "Unmute" : "Mute"}
                </button>
                <button
                  type="button"
                  role="menuitemcheckbox"
                  aria-checked={ownerPrefs.notify}
                  data-testid="status-notify"
                  onClick={() => changePrefs({ ...ownerPrefs, notify: !ownerPrefs.notify })}
                >
                  {ownerPrefs.notify ? "✓ " : ""}Notify me of new posts
                </button>
              </div>
            )}
          </span>
        )}
        <button
          type="button"
          className="status-icon-button"
          aria-label="Close"
          title="Close (Esc)"
          data-testid="status-close"
          onClick={close}
        >
          <CloseIcon size={22} />
        </button>
      </header>
      <div
        className="status-stage"
        onPointerDown={() => {
          press.current = Date.now();
          setHeld(true);
        }}
        onPointerUp={release}
        onPointerCancel={release}
        onPointerLeave={release}
      >
        {content.kind === "text" ? (
          <TextCard
            text={content.text}
            background={content.background}
            font={content.font}
            testId="status-text-post"
          />
        ) : (
          <StatusMedia
            key={post.id}
            attachment={content.attachment}
            paused={paused}
            onReady={() => setReady(post.id)}
            onEnded={() => latestGo.current(1)}
          />
        )}
        {content.kind === "media" && content.caption && (
          <p className="status-caption-shown" data-testid="status-caption-shown">
            {content.caption}
          </p>
        )}
        <button
          type="button"
          className="status-tap previous"
          aria-label="Previous"
          data-testid="status-prev"
          onClick={() => tap(-1)}
        />
        <button
          type="button"
          className="status-tap next"
          aria-label="Next"
          data-testid="status-next"
          onClick={() => tap(1)}
        />
      </div>
      {error && (
        <p className="error status-viewer-error" role="alert" data-testid="status-viewer-error">
          {error}
        </p>
      )}
      <footer className="status-viewer-foot">
        {owner.mine ? (
          <button
            type="button"
            className="status-views"
            aria-label={`Seen by ${post.view_count ?? 0}`}
            data-testid="status-view-count"
            onClick={() => setViewersOpen(true)}
          >
            <EyeIcon size={18} />
            <span>{post.view_count ?? 0}</span>
          </button>
        ) : (
          <>
            <div className="status-reactions" role="group" aria-label="Quick reactions">
              {REACTIONS.map((emoji) => (
                <button
                  key={emoji}
                  type="button"
                  className={emoji === myReaction ? "status-react chosen" : "status-react"}
                  aria-pressed={emoji === myReaction}
                  aria-label={`React ${emoji}`}
                  data-testid="status-react"
                  data-emoji={emoji}
                  onClick={() => react(emoji)}
                >
                  {emoji}
                </button>
              ))}
            </div>
            <form className="status-reply-row" onSubmit={sendReply}>
              <input
                ref={replyBox}
                type="text"
                className="status-reply-input"
                placeholder={`Reply to ${owner.peer.display_name}`}
                aria-label="Reply"
                data-testid="status-reply"
                value={reply}
                onChange={(event) => setReply(event.target.value)}
                onFocus={() => setReplying(true)}
                onBlur={() => setReplying(false)}
              />
              <button
                type="submit"
                data-testid="status-reply-send"
                disabled={busy || reply.trim() === ""}
              >
                Send
              </button>
              {sent && (
                <span className="status-reply-sent" role="status" data-testid="status-reply-sent">
                  Sent
                </span>
              )}
            </form>
          </>
        )}
      </footer>
      {viewersOpen && (
        <ViewersList postId={post.id} nameOf={nameOf} onClose={() => setViewersOpen(false)} />
      )}
      {confirming && (
        <div className="status-confirm">
          <Confirm
            label="Delete"
            testId="status-delete-confirm"
            busy={busy}
            onConfirm={() => void remove()}
            onCancel={() => setConfirming(false)}
          >
            Delete this status update? It goes for everyone who could see it.
          </Confirm>
        </div>
      )}
    </div>
  );
}

/** A post's picture (over its placeholder) or video (playing with sound, paused with the
 * viewer), filling the screen. */
function StatusMedia({
  attachment,
  paused,
  onReady,
  onEnded,
}: {
  attachment: Attachment;
  paused: boolean;
  /** Its picture or video is in, or will not come: the post's time may run. */
  onReady: () => void;
  onEnded: () => void;
}) {
  const video = attachment.kind === "video";
  const [src, setSrc] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const player = useRef<HTMLVideoElement>(null);
  const latestReady = useRef(onReady);
  latestReady.current = onReady;
  useEffect(() => {
    if (!video) return;
    let gone = false;
    playableUrl(attachment.media_id)
      .then((url) => !gone && setSrc(url))
      .catch((e) => {
        console.warn("playable_url failed", e);
        if (!gone) latestReady.current();
      });
    return () => {
      gone = true;
    };
  }, [video, attachment.media_id]);
  useEffect(() => {
    const element = player.current;
    if (!element) return;
    if (paused) element.pause();
    else element.play()?.catch(() => undefined);
  }, [paused, src]);
  const poster = attachment.thumbs?.[attachment.thumbs.length - 1]?.media_id;
  return (
    <div className="status-media" data-testid={video ? "status-video" : "status-image"}>
      {!loaded && <ThumbHashPlaceholder hash={attachment.thumbhash} />}
      {video ? (
        src && (
          <video
            ref={player}
            className="status-media-fill"
            src={src}
            poster={poster ? mediaUrl(poster) : undefined}
            autoPlay
            playsInline
            onLoadedData={() => {
              setLoaded(true);
              onReady();
            }}
            onError={onReady}
            onEnded={onEnded}
          />
        )
      ) : (
        <img
          className="status-media-fill"
          src={mediaUrl(attachment.media_id)}
          alt=""
          draggable={false}
          onLoad={() => {
            setLoaded(true);
            onReady();
          }}
          onError={onReady}
        />
      )}
    </div>
  );
}
