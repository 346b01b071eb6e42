const EMOJI = [
  "😀",
  "😂",
  "😊",
  "😍",
  "😎",
  "🤔",
  "😴",
  "😢",
  "😡",
  "👍",
  "👎",
  "👏",
  "🙏",
  "💪",
  "🎉",
  "❤️",
  "🔥",
  "✨",
  "☕",
  "🍕",
  "⚽",
  "🎵",
  "📷",
  "✅",
];

/** The emoji above the composer; a pick is added to what is being typed. */
export default function EmojiPicker({ onPick }: { onPick: (emoji: string) => void }) {
  return (
    <div className="emoji-picker" data-testid="emoji-picker">
      {EMOJI.map((e) => (
        <button key={e} type="button" className="link-button" onClick={() => onPick(e)}>
          {e}
        </button>
      ))}
    </div>
  );
}
