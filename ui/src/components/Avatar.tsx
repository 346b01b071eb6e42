import type { PhotoSize } from "../api";
import { usePhoto, type PhotoOwner } from "../photos";

/** A round photo (a person's, a group's, an invite's), or the name's first letter while there is
 * none to show. */
export default function Avatar({
  owner,
  photo,
  name,
  size = "thumb",
  large = false,
  blurred = false,
}: {
  owner: PhotoOwner;
  /** The photo's id; null: none. */
  photo: string | null;
  name: string;
  size?: PhotoSize;
  large?: boolean;
  /** Blurred until I choose (the photo of someone whose message request I have not accepted). */
  blurred?: boolean;
}) {
  const url = usePhoto(owner, photo, size);
  if (url) {
    const classes = ["avatar", large && "avatar-large", blurred && "avatar-blurred"];
    return (
      <img
        className={classes.filter(Boolean).join(" ")}
        src={url}
        alt=""
        data-testid="avatar-photo"
        data-blurred={blurred || undefined}
      />
    );
  }
  return <LetterAvatar name={name} large={large} />;
}

/** The circle with a name's first letter, where there is no photo (yet). */
export function LetterAvatar({ name, large = false }: { name: string; large?: boolean }) {
  return (
    <div className={large ? "avatar avatar-large" : "avatar"} aria-hidden="true">
      {name.slice(0, 1).toUpperCase()}
    </div>
  );
}
