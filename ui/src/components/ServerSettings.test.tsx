import { fireEvent, render, screen } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";
import { invoke } from "../test-ipc";

import ServerSettings from "./ServerSettings";

describe("ServerSettings", () => {
  beforeEach(() => {
    invoke.mockImplementation(async (command: string, args?: { url?: string }) => {
      switch (command) {
        case "get_settings":
          return { server_url: "http://127.0.0.1:8787/", source: "default" };
        case "server_info":
          return { name: "gkchat-server", version: "0.1.0", protocol: 1, instance_id: "abc" };
        case "set_server_url":
          if (args?.url === "nonsense") {
            throw { code: "invalid_url", message: '"nonsense" is not a URL' };
          }
          return { server_url: args?.url, source: "saved" };
      }
      throw new Error(`unexpected command ${command}`);
    });
  });

  it("shows the current server and where it came from", async () => {
    render(<ServerSettings />);
    const field = await screen.findByDisplayValue("http://127.0.0.1:8787/");
    expect(field).toBeTruthy();
    expect(await screen.findByText(/built-in default/)).toBeTruthy();
    expect((await screen.findByTestId("server-instance")).textContent).toBe("abc");
  });

  it("shows the server's error in words with its code", async () => {
    render(<ServerSettings />);
    const field = await screen.findByDisplayValue("http://127.0.0.1:8787/");
    fireEvent.change(field, { target: { value: "nonsense" } });
    fireEvent.click(screen.getByTestId("save-server-url"));
    const error = await screen.findByTestId("settings-error");
    expect(error.textContent).toBe('"nonsense" is not a URL (invalid_url)');
  });

  it("saves a good address", async () => {
    render(<ServerSettings />);
    const field = await screen.findByDisplayValue("http://127.0.0.1:8787/");
    fireEvent.change(field, { target: { value: "https://chat.example.org/" } });
    fireEvent.click(screen.getByTestId("save-server-url"));
    expect(await screen.findByText(/Saved in your settings/)).toBeTruthy();
    expect(invoke).toHaveBeenCalledWith("set_server_url", { url: "https://chat.example.org/" });
  });
});
