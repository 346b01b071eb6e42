import type { PhotoSize } from "../api";
import { usePhoto } from "../photos";

/** A round photo, or the name's first letter while there is none to show. */
export default function Avatar({
  userId,
  photo,
  name,
  size = "thumb",
  large = false,
}: {
  userId: string;
  photo: string | null;
  name: string;
  size?: PhotoSize;
  large?: boolean;
}) {
  const url = usePhoto(userId, photo, size);
  const className = large ? "avatar avatar-large" : "avatar";
  if (url) {
    return <img className={className} src={url} alt="" data-testid="avatar-photo" />;
  }
  return (
    <div className={className} aria-hidden="true">
      {name.slice(0, 1).toUpperCase()}
    </div>
  );
}
