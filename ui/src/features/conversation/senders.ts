// Who said what in a group: each member's name in a colour of their own, the same on every
// device and every run (a hash of their user id into a small palette; conversation.css has the
// palette for the light and the dark theme).

/** How many sender colours the palette has (`.sender-0` … in conversation.css). */
export const SENDER_COLORS = 8;

/** The palette index of `userId`'s colour: a stable FNV-1a hash of the id. */
export function senderColor(userId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % SENDER_COLORS;
}
