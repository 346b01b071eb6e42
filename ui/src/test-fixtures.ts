import { afterEach, beforeEach, vi } from "vitest";
import type { Contact, Me } from "./api";

/** A signed-in account for component tests. */
export const ME: Me = {
  id: "u1",
  username: "ann",
  email: "ann@example.org",
  display_name: "Ann",
  about: "",
  status_text: "",
  phone: null,
  photo: null,
  privacy: {
    last_seen: "everyone",
    photo: "everyone",
    about: "everyone",
    read_receipts: true,
    groups: "everyone",
  },
  created_at: 0,
};

/** A contact for component tests: `@username`, id `id-<username>`, offline. */
export const contact = (username: string, display_name: string): Contact => ({
  user_id: `id-${username}`,
  username,
  display_name,
  about: "",
  status_text: "",
  photo: null,
  online: false,
  last_seen: null,
  added_at: 0,
});

/**
 * jsdom lays nothing out: for every test of the calling file, the timeline gets a window's
 * height and each row a line's, so the virtualised list has something to show.
 */
export function layOutTimeline() {
  beforeEach(() => {
    vi.spyOn(Element.prototype, "getBoundingClientRect").mockImplementation(function (
      this: Element,
    ) {
      const height = this.classList.contains("timeline") ? 600 : 40;
      return {
        x: 0,
        y: 0,
        top: 0,
        left: 0,
        right: 800,
        bottom: height,
        width: 800,
        height,
        toJSON: () => ({}),
      };
    });
    Object.defineProperty(HTMLElement.prototype, "clientHeight", {
      configurable: true,
      get(this: HTMLElement) {
        return this.classList.contains("timeline") ? 600 : 40;
      },
    });
    Object.defineProperty(HTMLElement.prototype, "clientWidth", {
      configurable: true,
      get: () => 800,
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    delete (HTMLElement.prototype as { clientHeight?: number }).clientHeight;
    delete (HTMLElement.prototype as { clientWidth?: number }).clientWidth;
    delete (HTMLElement.prototype as { offsetHeight?: number }).offsetHeight;
  });
}
