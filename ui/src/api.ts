// The one door between the UI and Rust. Every `invoke` and channel goes through `call` here,
// typed with the bindings generated from the Rust types (src/bindings, never edited by hand).
// The shared commands live in `api`; a feature's own commands in its folder's `api.ts` slice
// (features/chats, features/conversation), built on the same `call`.
import { Channel, invoke, type InvokeArgs, type InvokeOptions } from "@tauri-apps/api/core";
import type { BlockedUser } from "./bindings/BlockedUser";
import type { CallDirection } from "./bindings/CallDirection";
import type { CallKind } from "./bindings/CallKind";
import type { CallLogEntry } from "./bindings/CallLogEntry";
import type { CallOutcome } from "./bindings/CallOutcome";
import type { CallPhase } from "./bindings/CallPhase";
import type { CallSettings } from "./bindings/CallSettings";
import type { CallSettingsView } from "./bindings/CallSettingsView";
import type { CallView } from "./bindings/CallView";
import type { ChatPeer } from "./bindings/ChatPeer";
import type { ChatSettingsUpdate } from "./bindings/ChatSettingsUpdate";
import type { ChatMember } from "./bindings/ChatMember";
import type { ChatSummary } from "./bindings/ChatSummary";
import type { LocalChat } from "./bindings/LocalChat";
import type { LocalMessage } from "./bindings/LocalMessage";
import type { Message } from "./bindings/Message";
import type { MessageAction } from "./bindings/MessageAction";
import type { MemberRole } from "./bindings/MemberRole";
import type { MessageInfo } from "./bindings/MessageInfo";
import type { MessengerEvent } from "./bindings/MessengerEvent";
import type { SearchHit } from "./bindings/SearchHit";
import type { CommandError } from "./bindings/CommandError";
import type { ConnectionState } from "./bindings/ConnectionState";
import type { Contact } from "./bindings/Contact";
import type { ContactCode } from "./bindings/ContactCode";
import type { DeviceSession } from "./bindings/DeviceSession";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { Me } from "./bindings/Me";
import type { PhoneCodeSent } from "./bindings/PhoneCodeSent";
import type { PhotoCrop } from "./bindings/PhotoCrop";
import type { PhotoSize } from "./bindings/PhotoSize";
import type { QuickCreatedView } from "./bindings/QuickCreatedView";
import type { QuickEvent } from "./bindings/QuickEvent";
import type { QuickInviteView } from "./bindings/QuickInviteView";
import type { QuickLandingView } from "./bindings/QuickLandingView";
import type { QuickMessage } from "./bindings/QuickMessage";
import type { NotificationSettings } from "./bindings/NotificationSettings";
import type { DesktopSettings } from "./bindings/DesktopSettings";
import type { WindowRequest } from "./bindings/WindowRequest";
import type { Presence } from "./bindings/Presence";
import type { Privacy } from "./bindings/Privacy";
import type { WhoCanMessage } from "./bindings/WhoCanMessage";
import type { ProfileUpdate } from "./bindings/ProfileUpdate";
import type { ServerInfo } from "./bindings/ServerInfo";
import type { SettingsView } from "./bindings/SettingsView";
import type { SignUpForm } from "./bindings/SignUpForm";
import type { StartupMark } from "./bindings/StartupMark";
import type { Visibility } from "./bindings/Visibility";

export type {
  BlockedUser,
  CallDirection,
  CallKind,
  CallLogEntry,
  CallOutcome,
  CallPhase,
  CallSettings,
  CallSettingsView,
  CallView,
  ChatPeer,
  ChatMember,
  ChatSettingsUpdate,
  ChatSummary,
  LocalChat,
  LocalMessage,
  MemberRole,
  Message,
  MessageAction,
  MessageInfo,
  MessengerEvent,
  SearchHit,
  ConnectionState,
  Contact,
  ContactCode,
  DeviceSession,
  ErrorCode,
  Me,
  PhoneCodeSent,
  PhotoCrop,
  PhotoSize,
  Presence,
  QuickCreatedView,
  QuickEvent,
  QuickInviteView,
  QuickLandingView,
  QuickMessage,
  NotificationSettings,
  DesktopSettings,
  WindowRequest,
  Privacy,
  WhoCanMessage,
  ProfileUpdate,
  ServerInfo,
  SettingsView,
  SignUpForm,
  StartupMark,
  Visibility,
};

/** A failed command, carrying the stable code from gkchat-proto. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

function isCommandError(value: unknown): value is CommandError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as CommandError).code === "string" &&
    typeof (value as CommandError).message === "string"
  );
}

/** Runs a Tauri command; a failure becomes an `ApiError` with its stable code. */
export async function call<T>(
  command: string,
  args?: InvokeArgs,
  options?: InvokeOptions,
): Promise<T> {
  try {
    return await (options ? invoke<T>(command, args, options) : invoke<T>(command, args));
  } catch (error) {
    if (isCommandError(error)) throw new ApiError(error.code, error.message);
    throw new ApiError("internal", String(error));
  }
}

export const api = {
  getSettings: () => call<SettingsView>("get_settings"),
  setServerUrl: (url: string) => call<SettingsView>("set_server_url", { url }),
  serverInfo: () => call<ServerInfo>("server_info"),
  retryConnection: () => call<void>("retry_connection"),
  /** Streams connection states (the current one first) until the page goes away. */
  watchConnection: (onState: (state: ConnectionState) => void) => {
    const channel = new Channel<ConnectionState>();
    channel.onmessage = onState;
    return call<void>("watch_connection", { onState: channel });
  },
  /** Streams the signed-in user's id (null when signed out, also from another device). */
  watchAccount: (onChange: (userId: string | null) => void) => {
    const channel = new Channel<string | null>();
    channel.onmessage = onChange;
    return call<void>("watch_account", { onChange: channel });
  },
  currentAccount: () => call<Me | null>("current_account"),
  signUp: (form: SignUpForm) => call<Me>("sign_up", { form }),
  signIn: (login: string, password: string) => call<Me>("sign_in", { login, password }),
  signOut: () => call<void>("sign_out"),
  requestSignInCode: (phone: string) => call<PhoneCodeSent>("request_sign_in_code", { phone }),
  signInWithCode: (phone: string, code: string) => call<Me>("sign_in_with_code", { phone, code }),
  requestPhoneVerification: (phone: string) =>
    call<PhoneCodeSent>("request_phone_verification", { phone }),
  verifyPhone: (phone: string, code: string) => call<Me>("verify_phone", { phone, code }),
  updateProfile: (update: ProfileUpdate) => call<Me>("update_profile", { update }),
  /** Sends the image file's bytes as they are (raw IPC); the server crops and scales. */
  setPhoto: (image: Uint8Array, crop: PhotoCrop | null) =>
    call<Me>(
      "set_photo",
      image,
      crop ? { headers: { "x-crop": `${crop.x},${crop.y},${crop.size}` } } : undefined,
    ),
  removePhoto: () => call<Me>("remove_photo"),
  /** A `data:` URL, or null when there is no photo I may see. */
  userPhoto: (userId: string, size: PhotoSize) =>
    call<string | null>("user_photo", { userId, size }),
  /** Streams contacts' presence changes as they happen. */
  watchPresence: (onPresence: (presence: Presence) => void) => {
    const channel = new Channel<Presence>();
    channel.onmessage = onPresence;
    return call<void>("watch_presence", { onPresence: channel });
  },
  listContacts: () => call<Contact[]>("list_contacts"),
  /** `who`: a username, a `+` phone number or a `gkchat://add/…` link. */
  addContact: (who: string) => call<Contact>("add_contact", { who }),
  myContactCode: () => call<ContactCode>("my_contact_code"),
  resetContactCode: () => call<ContactCode>("reset_contact_code"),
  removeContact: (userId: string) => call<void>("remove_contact", { userId }),
  listBlocked: () => call<BlockedUser[]>("list_blocked"),
  blockUser: (userId: string) => call<void>("block_user", { userId }),
  unblockUser: (userId: string) => call<void>("unblock_user", { userId }),
  /** `includeMessages`: attach the last messages of our chat (the server keeps their text). */
  reportUser: (userId: string, reason: string, block: boolean, includeMessages: boolean) =>
    call<string>("report_user", { userId, reason, block, includeMessages }),
  deleteAccount: (password: string) => call<void>("delete_account", { password }),
  listDevices: () => call<DeviceSession[]>("list_devices"),
  signOutDevice: (sessionId: string) => call<void>("sign_out_device", { sessionId }),
  signOutOtherDevices: () => call<void>("sign_out_other_devices"),
  /** Streams chat and message changes as they happen. */
  watchMessages: (onEvent: (event: MessengerEvent) => void) => {
    const channel = new Channel<MessengerEvent>();
    channel.onmessage = onEvent;
    return call<void>("watch_messages", { onEvent: channel });
  },
  /** Quick chats (no account): start one on this app's server for two names. */
  quickCreate: (names: [string, string]) => call<QuickCreatedView>("quick_create", { names }),
  /** A quick-chat link (browser or gkchat:// form): "Hello <name>", and whether to ask the code. */
  quickOpen: (link: string) => call<QuickLandingView>("quick_open", { link }),
  quickJoin: (link: string, name: string, code: string) =>
    call<void>("quick_join", { link, name, code }),
  /** Enters the room: its events stream until it ends or the window leaves it. */
  quickEnter: (link: string, onEvent: (event: QuickEvent) => void) => {
    const channel = new Channel<QuickEvent>();
    channel.onmessage = onEvent;
    return call<void>("quick_enter", { link, onEvent: channel });
  },
  quickSay: (text: string) => call<void>("quick_say", { text }),
  quickLeave: () => call<void>("quick_leave"),
  quickEnd: () => call<void>("quick_end"),
  /** What the desktop asks of the window: open a gkchat:// link (given at launch or by a
   * second launch), open a chat (a clicked notification). */
  watchRequests: (onRequest: (request: WindowRequest) => void) => {
    const channel = new Channel<WindowRequest>();
    channel.onmessage = onRequest;
    return call<void>("watch_requests", { onRequest: channel });
  },
  /** The chat on screen (no notifications for it while the window has the focus). */
  setOpenChat: (chatId: string | null) => call<void>("set_open_chat", { chatId }),
  getDesktopSettings: () => call<DesktopSettings>("get_desktop_settings"),
  setDesktopSettings: (settings: DesktopSettings) =>
    call<DesktopSettings>("set_desktop_settings", { settings }),
  getNotificationSettings: () => call<NotificationSettings>("get_notification_settings"),
  setNotificationSettings: (settings: NotificationSettings) =>
    call<NotificationSettings>("set_notification_settings", { settings }),
  /** Streams the current call's changes (the current one first); `ended` means it is over. */
  watchCalls: (onEvent: (call: CallView) => void) => {
    const channel = new Channel<CallView>();
    channel.onmessage = onEvent;
    return call<void>("watch_calls", { onEvent: channel });
  },
  /** Streams call pictures as binary messages (see VideoCanvas.tsx's `decodeFrame`). */
  watchCallVideo: (onFrame: (frame: ArrayBuffer | Uint8Array | number[]) => void) => {
    const channel = new Channel<ArrayBuffer | Uint8Array | number[]>();
    channel.onmessage = onFrame;
    return call<void>("watch_call_video", { onFrame: channel });
  },
  currentCall: () => call<CallView | null>("current_call"),
  /** Calls someone; returns the call id. */
  startCall: (calleeId: string, kind: CallKind) => call<string>("start_call", { calleeId, kind }),
  acceptCall: () => call<void>("accept_call"),
  declineCall: () => call<void>("decline_call"),
  hangUpCall: () => call<void>("hang_up_call"),
  setCallMuted: (muted: boolean) => call<void>("set_call_muted", { muted }),
  setCallCamera: (on: boolean) => call<void>("set_call_camera", { on }),
  /** Between voice and video, without dropping the call. */
  switchCall: (kind: CallKind) => call<void>("switch_call", { kind }),
  /** The far side's loudness, 0–2. */
  setCallVolume: (volume: number) => call<void>("set_call_volume", { volume }),
  /** My call log, newest first; `before` (a start time) pages back. */
  callLog: (before: number | null, limit: number) =>
    call<CallLogEntry[]>("call_log", { before, limit }),
  getCallSettings: () => call<CallSettingsView>("get_call_settings"),
  setCallSettings: (settings: CallSettings) =>
    call<CallSettings>("set_call_settings", { settings }),
  /** Records a moment of the page's start (ms since the process started; the first of a name
   * counts). Sent through startup.ts, which sends each once and only in a started page. */
  startupMark: (name: string) => call<void>("startup_mark", { name }),
  /** The start's moments so far, the desktop's and the page's, in the order they happened. */
  startupMarks: () => call<StartupMark[]>("startup_marks"),
};

/** "message (code)": how every form shows a failure. */
export function describeError(error: unknown): string {
  const failure = error instanceof ApiError ? error : new ApiError("internal", String(error));
  return `${failure.message} (${failure.code})`;
}
