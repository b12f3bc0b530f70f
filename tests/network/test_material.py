"""What counts as material, and where a file sits on a phone."""

from __future__ import annotations

from tantalio.network.camera import folder_kind, taken_epoch
from tantalio.network.material import is_material, kind_of_code, media_kind, preferred_kind


def test_kind_from_the_strongest_evidence_first() -> None:
    assert media_kind({"sticker"}, "image/webp", {"image/webp"}, {"message_type=20"}) == "sticker"
    assert media_kind({"media"}, "audio/ogg", set(), {"message_type=1"}) == "audio"          # sniffed bytes win
    assert media_kind({"media"}, None, {"audio/ogg; codecs=opus"}, set()) == "audio"           # the DB's MIME
    assert media_kind({"media"}, None, set(), {"media_wa_type=9; status=0"}) == "document"    # the DB's type code
    assert media_kind({"media"}, None, set(), {"ZMESSAGETYPE=2"}) == "video"
    assert media_kind({"media"}, "image/jpeg", {"image/jpeg"}, {"message_type=9"}) == "image"  # a photo sent as document
    assert media_kind({"media"}, None, set(), set()) is None                                  # nothing says: not counted
    assert [is_material(k) for k in ("image", "video", "audio", "sticker", "document", None)] == [
        True, True, False, False, False, False]
    assert kind_of_code("message_type=13") == "video" and preferred_kind(None, "image") == "image"


def test_folders_tell_camera_rolls_from_received_files() -> None:
    assert folder_kind("sdcard/DCIM/Camera/IMG_20170301_201500.jpg") == "camera"
    assert folder_kind("DCIM/100APPLE/IMG_0001.JPG") == "camera"
    for received in ("sdcard/WhatsApp/Media/WhatsApp Images/Sent/IMG-20170301-WA0001.jpg",
                     "sdcard/WhatsApp/Media/WhatsApp Documents/IMG_20170301_201500.jpg",
                     "sdcard/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images/x.jpg",
                     "sdcard/Download/IMG_1.jpg", "sdcard/Telegram/Telegram Images/1.jpg"):
        assert folder_kind(received) == "received", received
    assert folder_kind("WhatsApp Chat - Sala.zip!/00000012-PHOTO-2017-03-01.jpg", "export_attachment") == "received"
    assert folder_kind("sdcard/Pictures/Edited/IMG_1.jpg") == "other"


def test_exif_time_in_utc_or_in_the_exhibits_zone() -> None:
    assert taken_epoch("2017-03-01T20:00:00Z", None) == 1488398400.0
    assert taken_epoch("2017:03:01 21:00:00", "Europe/Madrid") == 1488398400.0
    assert taken_epoch("not a date", "UTC") is None and taken_epoch(None, "UTC") is None
