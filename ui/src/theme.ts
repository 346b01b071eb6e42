// Light and dark themes from design tokens (theme.css); "system" follows the OS. The choice is
// part of my appearance on the server (features/appearance); the key below is what this device
// kept before that, read only when it has shown no appearance yet.
export type ThemeChoice = "system" | "light" | "dark";
const KEY = "gkchat.theme";

export function loadThemeChoice(): ThemeChoice {
  const saved = localStorage.getItem(KEY);
  return saved === "light" || saved === "dark" ? saved : "system";
}

export function saveThemeChoice(choice: ThemeChoice): void {
  localStorage.setItem(KEY, choice);
}

export function resolveTheme(choice: ThemeChoice, osPrefersDark: boolean): "light" | "dark" {
  if (choice === "system") return osPrefersDark ? "dark" : "light";
  return choice;
}
