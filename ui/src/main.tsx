import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
// The design tokens and shared rules first: each feature's stylesheet (imported with its
// components) comes after them and wins over them.
import "./theme.css";
import { askAccountAtStart } from "./account";
import App from "./App";
import { beginStart } from "./startup";

// First, before React: the `ui_start` mark, then who is signed in (and their tiles) asked for
// while React renders its first screen.
beginStart();
askAccountAtStart();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
