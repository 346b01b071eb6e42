import Avatar from "../../components/Avatar";
import PhotoEditor from "../../components/PhotoEditor";
import { groupsApi, type GroupInfo } from "./api";
import { groupErrorText } from "./words";

/** A group's photo atop its info; whoever may edit the info may change or remove it. */
export default function GroupPhoto({
  chatId,
  photo,
  name,
  canEdit,
  onChanged,
}: {
  chatId: string;
  /** The photo's id; null: none. */
  photo: string | null;
  name: string;
  canEdit: boolean;
  /** The group's info after a change. */
  onChanged: (info: GroupInfo) => void;
}) {
  const avatar = (
    <Avatar owner={{ kind: "chat", id: chatId }} photo={photo} name={name} size="full" large />
  );
  if (!canEdit) return avatar;
  return (
    <PhotoEditor
      current={avatar}
      hasPhoto={photo !== null}
      noun="group photo"
      testIdPrefix="group-photo"
      describe={groupErrorText}
      onSave={async (image, crop) => onChanged(await groupsApi.setGroupPhoto(chatId, image, crop))}
      onRemove={async () => onChanged(await groupsApi.removeGroupPhoto(chatId))}
    />
  );
}
