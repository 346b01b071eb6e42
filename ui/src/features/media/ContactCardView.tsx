import { LetterAvatar } from "../../components/Avatar";
import type { ContactCard } from "./api";
import { useMediaActions } from "./MediaContext";

/** A shared contact: their name and @username, and Message when they are a GK Chat user. */
export default function ContactCardView({ card }: { card: ContactCard }) {
  const { messageUser, myId } = useMediaActions();
  const userId = card.user_id;
  return (
    <div className="contact-card" data-testid="contact-card">
      <div className="contact-card-person">
        <LetterAvatar name={card.display_name} />
        <span className="contact-card-text">
          <span className="contact-name">{card.display_name}</span>
          {card.username && <span className="hint">@{card.username}</span>}
        </span>
      </div>
      {userId && userId !== myId && messageUser && (
        <button
          type="button"
          className="contact-card-message"
          aria-label={`Message ${card.display_name}`}
          data-testid="contact-card-message"
          onClick={() => messageUser(userId)}
        >
          Message
        </button>
      )}
    </div>
  );
}
