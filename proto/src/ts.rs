//! TypeScript bindings for the UI, generated from the Rust types with ts-rs.
//!
//! Each crate that owns UI-facing types has one test that calls [`check_bindings`] for them:
//! it fails when `ui/src/bindings/*.ts` differ from what the Rust types generate, and rewrites
//! them when run with `GKCHAT_BLESS=1`. Nobody edits the generated files by hand.

use std::path::{Path, PathBuf};

use ts_rs::{Config, TS};

/// Where the generated files live, relative to the workspace root.
pub const BINDINGS_DIR: &str = "ui/src/bindings";

/// One type's generated file: its path and its contents.
pub fn render<T: TS + 'static + ?Sized>(workspace_root: &Path) -> (PathBuf, String) {
    // JSON numbers are JavaScript numbers; our u64 ids stay below 2^53.
    let cfg = Config::new().with_large_int("number").with_out_dir(workspace_root.join(BINDINGS_DIR));
    let path =
        workspace_root.join(BINDINGS_DIR).join(T::output_path().expect("bindings are generated for named types only"));
    let text = T::export_to_string(&cfg).expect("ts-rs renders the type");
    (path, text)
}

/// Compares (or, with `GKCHAT_BLESS=1`, rewrites) the generated files; returns the stale ones.
pub fn check_bindings(files: Vec<(PathBuf, String)>) -> Vec<PathBuf> {
    let bless = std::env::var("GKCHAT_BLESS").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for (path, text) in files {
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == text {
            continue;
        }
        if bless {
            std::fs::create_dir_all(path.parent().expect("bindings dir")).expect("create bindings dir");
            std::fs::write(&path, text).expect("write binding");
        } else {
            stale.push(path);
        }
    }
    stale
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{
        BlockedUser, Contact, DeviceInfo, DeviceSession, Me, PhoneCodeSent, PhotoCrop, PhotoSize, Presence, Privacy,
        ProfileUpdate, SignUpRequest, Visibility,
    };
    use crate::chat;
    use crate::{ApiError, ClientFrame, ErrorCode, ErrorFrame, Hello, ServerFrame, ServerInfo, Welcome};

    #[test]
    fn ui_bindings_are_fresh() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let stale = check_bindings(vec![
            render::<ErrorCode>(&root),
            render::<ApiError>(&root),
            render::<ClientFrame>(&root),
            render::<Hello>(&root),
            render::<ServerFrame>(&root),
            render::<Welcome>(&root),
            render::<ErrorFrame>(&root),
            render::<ServerInfo>(&root),
            render::<Me>(&root),
            render::<Privacy>(&root),
            render::<Visibility>(&root),
            render::<ProfileUpdate>(&root),
            render::<DeviceSession>(&root),
            render::<DeviceInfo>(&root),
            render::<SignUpRequest>(&root),
            render::<Contact>(&root),
            render::<BlockedUser>(&root),
            render::<Presence>(&root),
            render::<PhotoCrop>(&root),
            render::<PhotoSize>(&root),
            render::<chat::Content>(&root),
            render::<crate::media::Attachment>(&root),
            render::<crate::media::AttachmentKind>(&root),
            render::<crate::media::Thumb>(&root),
            render::<crate::media::LinkPreview>(&root),
            render::<crate::media::ContactCard>(&root),
            render::<crate::media::MediaState>(&root),
            render::<crate::media::MediaInfo>(&root),
            render::<crate::poll::Poll>(&root),
            render::<crate::poll::Vote>(&root),
            render::<crate::event::Event>(&root),
            render::<crate::status::StatusFont>(&root),
            render::<crate::status::StatusContent>(&root),
            render::<crate::status::NewStatus>(&root),
            render::<crate::status::StatusPost>(&root),
            render::<crate::status::StatusOwner>(&root),
            render::<crate::status::StatusFeed>(&root),
            render::<crate::status::StatusPrefs>(&root),
            render::<crate::status::StatusReaction>(&root),
            render::<crate::status::StatusViewer>(&root),
            render::<crate::status::StatusViewers>(&root),
            render::<crate::status::StatusAudienceMode>(&root),
            render::<crate::status::StatusAudience>(&root),
            render::<crate::status::StatusQuote>(&root),
            render::<crate::status::StatusEvent>(&root),
            render::<crate::event::Rsvp>(&root),
            render::<crate::event::Answer>(&root),
            render::<crate::event::EventField>(&root),
            render::<chat::NewMessage>(&root),
            render::<chat::Ack>(&root),
            render::<chat::Reaction>(&root),
            render::<chat::Message>(&root),
            render::<chat::ChatPeer>(&root),
            render::<chat::ChatKind>(&root),
            render::<chat::MemberRole>(&root),
            render::<chat::ChatMember>(&root),
            render::<chat::ChatMembers>(&root),
            render::<chat::OpenDirectChat>(&root),
            render::<crate::group::NewGroup>(&root),
            render::<crate::group::MembersAdded>(&root),
            render::<crate::group::AddRefusal>(&root),
            render::<crate::group::AddMembers>(&root),
            render::<crate::group::RoleChange>(&root),
            render::<crate::group::GroupInfo>(&root),
            render::<crate::group::GroupSettings>(&root),
            render::<crate::group::GroupInfoUpdate>(&root),
            render::<crate::group::SystemEvent>(&root),
            render::<crate::group::InviteLink>(&root),
            render::<crate::group::InvitePreview>(&root),
            render::<crate::group::JoinOutcome>(&root),
            render::<crate::group::JoinRequest>(&root),
            render::<crate::group::JoinDecision>(&root),
            render::<crate::account::GroupAdd>(&root),
            render::<crate::account::WhoCanMessage>(&root),
            render::<crate::group::GroupAddExceptions>(&root),
            render::<chat::ChatSummary>(&root),
            render::<chat::ChatSettingsUpdate>(&root),
            render::<chat::SyncRequest>(&root),
            render::<chat::SyncResponse>(&root),
            render::<chat::HistoryPage>(&root),
            render::<chat::ReceiptKind>(&root),
            render::<chat::ReceiptUpdate>(&root),
            render::<chat::TypingUpdate>(&root),
            render::<chat::MessageAction>(&root),
            render::<chat::MessageInfo>(&root),
            render::<chat::MemberReceipt>(&root),
            render::<crate::quick::CreateQuickChat>(&root),
            render::<crate::quick::QuickInvite>(&root),
            render::<crate::quick::QuickChatCreated>(&root),
            render::<crate::quick::QuickLanding>(&root),
            render::<crate::quick::QuickJoin>(&root),
            render::<crate::quick::QuickSession>(&root),
            render::<crate::quick::QuickMessage>(&root),
            render::<crate::quick::QuickClientFrame>(&root),
            render::<crate::quick::QuickServerFrame>(&root),
            render::<PhoneCodeSent>(&root),
            render::<crate::call::CallKind>(&root),
            render::<crate::call::CallOutcome>(&root),
            render::<crate::call::IceServer>(&root),
            render::<crate::call::CallSignal>(&root),
            render::<crate::call::CallAction>(&root),
            render::<crate::call::CallInfo>(&root),
            render::<crate::call::CallEvent>(&root),
            render::<crate::call::CallDirection>(&root),
            render::<crate::call::CallLogEntry>(&root),
            render::<crate::appearance::Appearance>(&root),
            render::<crate::appearance::Theme>(&root),
            render::<crate::appearance::TextSize>(&root),
            render::<crate::appearance::Pattern>(&root),
            render::<crate::appearance::Background>(&root),
            render::<crate::appearance::ChatBackground>(&root),
        ]);
        assert!(stale.is_empty(), "stale TypeScript bindings (run with GKCHAT_BLESS=1): {stale:?}");
    }
}
