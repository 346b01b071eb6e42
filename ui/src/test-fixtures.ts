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
