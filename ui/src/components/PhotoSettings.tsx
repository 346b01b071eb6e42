import { api, type Me } from "../api";
import Avatar from "./Avatar";
import PhotoEditor from "./PhotoEditor";

/** My profile photo: pick a file, drag and zoom the square, save; or remove it. */
export default function PhotoSettings({ me, onSaved }: { me: Me; onSaved: (me: Me) => void }) {
  return (
    <section className="settings-section" data-testid="photo-settings">
      <h2>Photo</h2>
      <PhotoEditor
        current={
          <Avatar
            owner={{ kind: "user", id: me.id }}
            photo={me.photo}
            name={me.display_name}
            size="full"
            large
          />
        }
        hasPhoto={me.photo !== null}
        noun="photo"
        testIdPrefix="photo"
        onSave={async (image, crop) => onSaved(await api.setPhoto(image, crop))}
        onRemove={async () => onSaved(await api.removePhoto())}
      />
    </section>
  );
}
