// The event commands: planning one, a chat's upcoming ones, and how long before its start this
// device reminds me.
// Answers, changes and cancelling go through the conversation's `act_on_message` (`rsvp`,
// `update_event`, `cancel_event`), like any change to a message.
import { call, type LocalMessage } from "../../api";
import type { Answer } from "../../bindings/Answer";
import type { Event } from "../../bindings/Event";
import type { EventField } from "../../bindings/EventField";
import type { Rsvp } from "../../bindings/Rsvp";

export type { Answer, Event, EventField, Rsvp };

export const eventsApi = {
  /** An event as a new message, shown at once as pending; a refused one answers `bad_request`. */
  sendEvent: (chatId: string, event: Event) => call<LocalMessage>("send_event", { chatId, event }),
  /**
   * A chat's events still to come or going on (not cancelled), soonest first, at most 50: from
   * the store's index of events, not its messages.
   */
  upcomingEvents: (chatId: string) => call<LocalMessage[]>("upcoming_events", { chatId }),
  /** How long before the event's start this device reminds me, in ms; null: it does not. */
  reminder: (messageId: string) => call<number | null>("event_reminder", { messageId }),
  /** Sets how long before the start this device reminds me (null: not at all). */
  setReminder: (messageId: string, leadMs: number | null) =>
    call<void>("set_event_reminder", { messageId, leadMs }),
};
