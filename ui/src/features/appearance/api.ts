// Appearance's commands: my appearance goes with my profile (`api.updateProfile`, the whole
// `Appearance` at once); a chat's background, and a picture to use as one, are set here.
import { api, call } from "../../api";
import type { Appearance } from "../../bindings/Appearance";
import type { Background } from "../../bindings/Background";
import type { MediaSource } from "../media/api";

export const appearanceApi = {
  /** Saves my whole appearance; the server sends the new `Me` to all my devices too. */
  saveAppearance: (appearance: Appearance) => api.updateProfile({ appearance }),
  /**
   * My background for a chat (`null`: none of my own), or with `forEveryone` a group's for all
   * its members (admins only: else refused with `admins_only`; the timeline announces it).
   * `chats_changed` follows with the chat's new background.
   */
  setChatBackground: (chatId: string, background: Background | null, forEveryone: boolean) =>
    call<void>("set_chat_background", { chatId, background, forEveryone }),
  /** Uploads a staged picture to use as a background; answers its media id. */
  uploadBackground: (source: MediaSource) => call<string>("upload_background", { source }),
};
