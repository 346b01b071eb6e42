import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
// The design tokens and shared rules first: each feature's stylesheet (imported with its
// components) comes after them and wins over them.
import "./theme.css";
import App from "./App";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
