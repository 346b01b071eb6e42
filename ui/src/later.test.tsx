import { render, screen } from "@testing-library/react";
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
});
