import { useEffect, useState, type FormEvent } from "react";
import { api, type PhotoCrop } from "../../api";
import { LetterAvatar } from "../../components/Avatar";
import { CloseIcon } from "../../components/Icon";
import PhotoEditor, { CroppedImage } from "../../components/PhotoEditor";
import { LAYER, useEscape } from "../../shortcuts";
import { useLoaded } from "../../useLoaded";
import { groupsApi } from "./api";
import ContactPicker from "./ContactPicker";
import { refusalLines } from "./refusals";
import { groupErrorText } from "./words";
import "./groups.css";

/** Mirrors proto's group name and description limits. */
const NAME_MAX = 100;
const DESCRIPTION_MAX = 500;

/** The photo chosen for the group before it exists: sent once it is made. */
interface ChosenPhoto {
  bytes: Uint8Array;
  crop: PhotoCrop;
  /** For the preview; revoked when replaced or the form goes. */
  url: string;
}

/** What a made group could not get: who could not be added and why, and its photo's refusal. */
interface Shortfall {
  refusals: string[];
  photoError: string | null;
}

/**
 * A new group: members ticked from my contacts, a name (required), a description and a photo.
 * Made, it opens at once; who could not be added, or a photo that could not be set, is said
 * here, without holding the group back.
 */
export default function NewGroup({
  onCreated,
  onClose,
}: {
  /** The group is made: open its conversation. */
  onCreated: (chatId: string) => void;
  onClose: () => void;
}) {
  const { data: contacts, error: loadError } = useLoaded(api.listContacts);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [photo, setPhoto] = useState<ChosenPhoto | null>(null);
  /** Made, but not all of it: said before closing. */
  const [shortfall, setShortfall] = useState<Shortfall | null>(null);
  useEscape(true, LAYER.menu, onClose);
  useEffect(
    () => () => {
      if (photo) URL.revokeObjectURL(photo.url);
    },
    [photo],
  );

  const create = async (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === "" || busy) return;
    setBusy(true);
    setError(null);
    try {
      const made = await groupsApi.createGroup(name.trim(), description.trim(), [...selected]);
      // The group stands whatever becomes of its photo.
      let photoError: string | null = null;
      if (photo) {
        try {
          await groupsApi.setGroupPhoto(made.chat.id, photo.bytes, photo.crop);
        } catch (e) {
          photoError = groupErrorText(e);
        }
      }
      const refusals = await refusalLines(
        made.refused,
        (id) => contacts?.find((c) => c.user_id === id)?.display_name,
      );
      onCreated(made.chat.id);
      if (refusals.length > 0 || photoError) setShortfall({ refusals, photoError });
      else onClose();
    } catch (e) {
      setError(groupErrorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section
      className="contacts new-group"
      role="dialog"
      aria-label="New group"
      data-testid="new-group-form"
    >
      <div className="row new-chat-header">
        <h2 className="contacts-title">New group</h2>
        <button type="button" className="link-button" aria-label="Close" onClick={onClose}>
          <CloseIcon />
        </button>
      </div>
      {shortfall ? (
        <div className="group-refusals" role="status" data-testid="group-refusals">
          <p>The group was created.</p>
          {shortfall.refusals.length > 0 && (
            <>
              <p>Some people could not be added:</p>
              <ul>
                {shortfall.refusals.map((line) => (
                  <li key={line} data-testid="group-refusal">
                    {line}
                  </li>
                ))}
              </ul>
            </>
          )}
          {shortfall.photoError && (
            <p className="error" data-testid="new-group-photo-error">
              Its photo could not be set: {shortfall.photoError}
            </p>
          )}
          <div className="row">
            <button type="button" data-testid="group-refusals-done" onClick={onClose}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <form className="new-group-form" onSubmit={create}>
          <label className="field">
            Group name
            <input
              type="text"
              data-testid="group-name"
              required
              autoFocus
              maxLength={NAME_MAX}
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
          </label>
          <label className="field">
            Description (optional)
            <textarea
              data-testid="group-description"
              rows={2}
              maxLength={DESCRIPTION_MAX}
              value={description}
              onChange={(event) => setDescription(event.target.value)}
            />
          </label>
          <PhotoEditor
            current={
              photo ? (
                <CroppedImage
                  url={photo.url}
                  crop={photo.crop}
                  side={96}
                  alt="The group's photo"
                  className="crop-frame crop-chosen"
                  data-testid="new-group-photo-chosen"
                />
              ) : (
                <LetterAvatar name={name.trim() || "?"} large />
              )
            }
            hasPhoto={photo !== null}
            noun="group photo"
            saveLabel="Use this photo"
            testIdPrefix="new-group-photo"
            onSave={async (bytes, crop) =>
              setPhoto({ bytes, crop, url: URL.createObjectURL(new Blob([bytes.slice()])) })
            }
            onRemove={async () => setPhoto(null)}
          />
          <h3 className="contacts-title">
            Members{selected.size > 0 ? ` (${selected.size} picked)` : ""}
          </h3>
          {loadError && (
            <p className="error" role="alert">
              {loadError}
            </p>
          )}
          {contacts?.length === 0 && (
            <p className="hint">No contacts yet: you can make the group and add people later.</p>
          )}
          {contacts && contacts.length > 0 && (
            <ContactPicker
              contacts={contacts}
              selected={selected}
              onChange={setSelected}
              testIdPrefix="group-member-"
              searchTestId="group-members-search"
              label="Members of the new group"
            />
          )}
          {error && (
            <p className="error" role="alert" data-testid="new-group-error">
              {error}
            </p>
          )}
          <div className="row new-group-actions">
            <button type="submit" data-testid="create-group" disabled={busy || name.trim() === ""}>
              {busy ? "Creating…" : "Create"}
            </button>
            <button type="button" className="link-button" onClick={onClose}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
