import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { later, loadLaterScreens } from "./later";

function Hello({ name }: { name: string }) {
  return <p>Hello {name}</p>;
}

describe("a screen loaded later", () => {
  it("shows once its chunk is in, and at once (no fallback) once loaded", async () => {
    const load = vi.fn(async () => ({ default: Hello }));
    const Screen = later(load);
    expect(load).not.toHaveBeenCalled();
    const first = render(<Screen name="Ann" />);
    expect(await screen.findByText("Hello Ann")).toBeTruthy();
    first.unmount();
    render(<Screen name="Bo" />);
    expect(screen.getByText("Hello Bo")).toBeTruthy();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("is loaded by loadLaterScreens, before it is first shown", async () => {
    const load = vi.fn(async () => ({ default: Hello }));
    const Screen = later(load);
    loadLaterScreens();
    expect(load).toHaveBeenCalledTimes(1);
    await new Promise((resolve) => setTimeout(resolve, 0));
    render(<Screen name="Cy" />);
    expect(screen.getByText("Hello Cy")).toBeTruthy();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("offers to try again when its chunk fails to load, the rest of the page shown", async () => {
    const load = vi
      .fn<() => Promise<{ default: typeof Hello }>>()
      .mockRejectedValueOnce(new Error("Importing a module script failed"))
      .mockResolvedValue({ default: Hello });
    const Screen = later(load);
    // React reports the failure the boundary caught.
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    render(
      <>
        <p>The chat list</p>
        <Screen name="Di" />
      </>,
    );
    const retry = await screen.findByRole("button", { name: "Retry" });
    expect(screen.getByText("Could not load this screen")).toBeTruthy();
    expect(screen.getByText("The chat list")).toBeTruthy();
    error.mockRestore();
    fireEvent.click(retry);
    expect(await screen.findByText("Hello Di")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Retry" })).toBeNull();
    expect(load).toHaveBeenCalledTimes(2);
  });

  it("is loaded anew when shown after loading it in the background failed", async () => {
    const load = vi
      .fn<() => Promise<{ default: typeof Hello }>>()
      .mockRejectedValueOnce(new Error("Importing a module script failed"))
      .mockResolvedValue({ default: Hello });
    const Screen = later(load);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    loadLaterScreens();
    await new Promise((resolve) => setTimeout(resolve, 0));
    warn.mockRestore();
    render(<Screen name="Ed" />);
    expect(await screen.findByText("Hello Ed")).toBeTruthy();
    expect(load).toHaveBeenCalledTimes(2);
  });
});
