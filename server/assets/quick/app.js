// GK Chat quick chat in any browser: start a room, land on a link, join with the code, chat.
// No framework, no build step; everything is built with DOM calls (no innerHTML).
"use strict";

const app = document.getElementById("app");

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "testid") node.dataset.testid = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node[key] = value;
  }
  for (const child of children) node.append(child);
  return node;
}

function show(...nodes) {
  app.replaceChildren(...nodes);
}

async function api(method, path, body) {
  const response = await fetch(`/api/v1/quick${path}`, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = response.status === 204 ? null : await response.json();
  if (!response.ok) throw Object.assign(new Error(data.message), { code: data.code });
  return data;
}

function words(error) {
  return error.code ? `${error.message} (${error.code})` : String(error.message ?? error);
}

function time(ms) {
  return new Date(ms).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

// Start page: two names → two links, QR codes and codes.
function startPage() {
  const first = el("input", { testid: "name-0", required: true, maxLength: 40 });
  const second = el("input", { testid: "name-1", required: true, maxLength: 40 });
  const error = el("p", { className: "error", testid: "start-error" });
  const form = el(
    "form",
    {
      onsubmit: async (event) => {
        event.preventDefault();
        error.textContent = "";
        try {
          created(await api("POST", "", { names: [first.value, second.value] }));
        } catch (e) {
          error.textContent = words(e);
        }
      },
    },
    el("label", {}, "Your name", first),
    el("label", {}, "The other person's name", second),
    el("button", { type: "submit", testid: "create" }, "Start a quick chat"),
  );
  show(el("h1", {}, "Quick chat"), el("p", { className: "hint" }, "Two people, no accounts. The chat is destroyed when one of you ends it or after a while without activity."), form, error);
}

function created(room) {
  const cards = room.invites.map((invite, i) => {
    const link = `${location.origin}${invite.path}`;
    const copy = (text) => () => navigator.clipboard?.writeText(text);
    return el(
      "section",
      { className: "invite", testid: `invite-${i}` },
      el("strong", {}, `For ${invite.name}`),
      el("a", { href: link, testid: `link-${i}` }, link),
      el("img", { src: `/api/v1/quick${invite.path.slice(2)}/qr.svg`, alt: `QR code of ${invite.name}'s link` }),
      el("a", { href: `/api/v1/quick${invite.path.slice(2)}/qr.png`, download: `quick-chat-${i + 1}.png` }, "QR code as PNG"),
      el("div", {}, "Secret code: ", el("span", { className: "code", testid: `code-${i}` }, invite.code)),
      el("div", { className: "row" }, el("button", { className: "plain", onclick: copy(link) }, "Copy link"), el("button", { className: "plain", onclick: copy(invite.code) }, "Copy code")),
    );
  });
  show(
    el("h1", {}, "Your quick chat is ready"),
    el("p", { className: "hint" }, `Give each person their link and code. The codes are shown only now. Idle chats end after ${Math.round(room.idle_secs / 60)} minutes.`),
    ...cards,
  );
}

// Landing: "Hello <name>", then the code.
async function landingPage(room, token) {
  let landing;
  try {
    landing = await api("GET", `/${room}/${token}`);
  } catch (e) {
    show(el("h1", { testid: "ended" }, e.code === "quick_chat_ended" ? "This chat has ended." : "This link does not work."), el("p", { className: "hint" }, words(e)));
    return;
  }
  if (landing.resume) {
    // This browser joined before (its HttpOnly cookie): straight back into the chat.
    chatPage(room, token);
    return;
  }
  const name = el("input", { testid: "join-name", value: "" });
  const code = el("input", { testid: "join-code", autocomplete: "off" });
  const error = el("p", { className: "error", testid: "join-error" });
  show(
    el("h1", { testid: "hello" }, `Hello ${landing.name}`),
    el("p", { className: "hint" }, `A quick chat with ${landing.other_name}. Type your name and your secret code.`),
    el(
      "form",
      {
        onsubmit: async (event) => {
          event.preventDefault();
          error.textContent = "";
          try {
            // The answer also sets this link's session cookie (HttpOnly), used from now on.
            await api("POST", `/${room}/${token}/join`, { name: name.value, code: code.value });
            chatPage(room, token);
          } catch (e) {
            error.textContent = words(e);
          }
        },
      },
      el("label", {}, "Your name", name),
      el("label", {}, "Secret code", code),
      el("button", { type: "submit", testid: "join" }, "Open the chat"),
    ),
    error,
    el("p", { className: "hint" }, el("a", { href: appLink(room, token), testid: "open-in-app" }, "Open in the GK Chat app")),
  );
}

// The same link for the desktop app, which needs to be told the server.
function appLink(room, token) {
  return `gkchat://quick/${room}/${token}?server=${encodeURIComponent(location.origin)}`;
}

function chatPage(room, token) {
  const header = el("h1", { testid: "chat-with" });
  const status = el("p", { className: "hint", testid: "other-status" });
  const timeline = el("div", { className: "timeline", testid: "timeline" });
  const input = el("textarea", { rows: 1, testid: "say", placeholder: "Type a message" });
  const error = el("p", { className: "error", testid: "chat-error" });
  let me = 0;
  let socket = null;
  let ended = false;
  let retries = 0;
  const add = (message) => {
    timeline.append(el("div", { className: message.from === me ? "bubble mine" : "bubble", testid: "message" }, message.text, el("div", { className: "meta" }, time(message.at))));
    timeline.scrollTop = timeline.scrollHeight;
  };
  const finish = (reason) => {
    ended = true;
    show(el("h1", { testid: "ended" }, "This chat has ended."), el("p", { className: "hint" }, reason));
  };
  const send = () => {
    const text = input.value;
    if (text.trim() === "") return;
    if (socket?.readyState !== WebSocket.OPEN) {
      error.textContent = "Not connected yet; your message is still in the box.";
      return;
    }
    socket.send(JSON.stringify({ type: "send", text }));
    input.value = "";
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      send();
    }
  });
  const end = el("button", {
    className: "plain",
    testid: "end",
    onclick: async () => {
      try {
        // The session cookie goes along (same origin); the answer clears it.
        await api("POST", `/${room}/${token}/end`);
      } catch (e) {
        error.textContent = words(e);
      }
    },
  }, "End chat");
  // The session travels as this link's HttpOnly cookie, never in the URL.
  const connect = () => {
    socket = new WebSocket(`${location.origin.replace(/^http/, "ws")}/api/v1/quick/${room}/${token}/live`);
    socket.addEventListener("message", (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === "joined") {
        retries = 0;
        error.textContent = "";
        me = frame.me;
        header.textContent = frame.names[1 - me];
        status.textContent = frame.other_here ? "is here" : "is away";
        timeline.replaceChildren();
        frame.messages.forEach(add);
      } else if (frame.type === "message") {
        add(frame);
      } else if (frame.type === "presence") {
        status.textContent = frame.other_here ? "is here" : "is away";
      } else if (frame.type === "ended") {
        finish(frame.reason);
      } else if (frame.type === "error") {
        error.textContent = `${frame.message} (${frame.code})`;
      }
    });
    socket.addEventListener("close", async () => {
      if (ended) return;
      error.textContent = "Connection lost; reconnecting…";
      // Ask the link what it is now: ended, or my session no longer good (code again).
      try {
        const landing = await api("GET", `/${room}/${token}`);
        if (!landing.resume) return landingPage(room, token);
      } catch (e) {
        if (e.code === "quick_chat_ended") return finish("This chat has ended.");
        if (e.code === "not_found") return finish("This chat no longer exists.");
      }
      retries += 1;
      setTimeout(connect, Math.min(10000, 500 * 2 ** Math.min(retries, 5)));
    });
  };
  connect();
  show(el("div", { className: "row" }, header, end), status, timeline, el("div", { className: "row" }, input, el("button", { testid: "send", onclick: send }, "Send")), error);
}

const parts = location.pathname.split("/").filter(Boolean);
if (parts.length === 3 && parts[0] === "q") landingPage(parts[1], parts[2]);
else startPage();
