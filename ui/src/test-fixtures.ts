import type { Me } from "./api";

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
  privacy: { last_seen: "everyone", photo: "everyone", about: "everyone", read_receipts: true },
  created_at: 0,
};
