import { beforeEach, describe, expect, it } from "vitest";
import { loadThemeChoice, resolveTheme, saveThemeChoice } from "./theme";

describe("theme", () => {
  beforeEach(() => localStorage.clear());

  it("follows the OS by default", () => {
    expect(loadThemeChoice()).toBe("system");
    expect(resolveTheme("system", true)).toBe("dark");
    expect(resolveTheme("system", false)).toBe("light");
  });

  it("keeps an explicit choice over the OS", () => {
    saveThemeChoice("dark");
    expect(loadThemeChoice()).toBe("dark");
    expect(resolveTheme("dark", false)).toBe("dark");
    expect(resolveTheme("light", true)).toBe("light");
  });

  it("ignores a corrupted saved value", () => {
    localStorage.setItem("gkchat.theme", "purple");
    expect(loadThemeChoice()).toBe("system");
  });
});
