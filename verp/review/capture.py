"""From a camera recording to one of the person's clips, exactly once, whoever finishes it first.

A recording can end three ways: the person presses Stop (the page notices), the browser goes away (the
stream's "ended" callback fires on a WebRTC thread), or the time limit is reached. Each calls
``save_take``; the first does the work and the others get the same answer, so nothing is saved twice
and nothing recorded is lost when a tab closes mid-recording.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime

from verp.core.errors import VerpError
from verp.core.store import Store
from verp.media.recorder import Recorder, Recording, remux_to_mp4
from verp.review import clips
from verp.review.clips import ClipView

LOGGER = logging.getLogger(__name__)

NOTHING_RECORDED = (
    "Nothing was recorded: no picture reached the app from your camera. "
    "Please try again, or add a clip from this device on My clips instead."
)


class CaptureError(VerpError):
    """A recording that did not become a clip, worded for a teacher."""


@dataclass
class Take:
    """One press of Start: its recorder, whose it is, and (once saved) the clip it became."""

    store: Store
    owner_id: int
    recorder: Recorder
    started: bool = False  # the page saw the camera stream begin
    clip: ClipView | None = None
    error: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _saved: bool = False

    @property
    def saved(self) -> bool:
        return self._saved


def new_take(store: Store, owner_id: int, audio: bool = True) -> Take:
    """A fresh recorder writing to the data folder's tmp area, limited to the configured length.

    When the stream ends on its own (tab closed, connection lost) the take saves itself in the
    background, so the recording is waiting in My clips next time.
    """
    path = store.temporary_path(".mkv")
    take = Take(store, owner_id, recorder=None)  # type: ignore[arg-type]  # set just below

    def finished(_recording: Recording) -> None:
        threading.Thread(target=_save_quietly, args=(take,), name="verp-save-take", daemon=True).start()

    take.recorder = Recorder(path, store.settings.max_recording_s, audio=audio, on_finished=finished)
    return take


def _save_quietly(take: Take) -> None:
    try:
        save_take(take)
    except CaptureError:
        pass  # kept on the take for the page to show
    except Exception:
        LOGGER.exception("capture: saving a recording failed")


def save_take(take: Take) -> ClipView:
    """Finish the recording and add it to the owner's clips (once). Raises ``CaptureError``."""
    with take._lock:
        if not take._saved:
            try:
                take.clip = _to_clip(take)
            except CaptureError as exc:
                take.error = str(exc)
            except clips.ClipError as exc:
                take.error = f"The recording could not be saved: {exc}"
            finally:
                take._saved = True
        if take.clip is None:
            raise CaptureError(take.error or NOTHING_RECORDED)
        return take.clip


def _to_clip(take: Take) -> ClipView:
    recording = take.recorder.finish()
    if recording.path is None:
        raise CaptureError(NOTHING_RECORDED)
    name = datetime.now().strftime("Recording %d %b %Y %H.%M.%S")
    mp4 = recording.path.with_suffix(".mp4")
    source = mp4 if remux_to_mp4(recording.path, mp4) else recording.path
    try:
        with source.open("rb") as stream:
            return clips.add_clip(take.store, take.owner_id, name + source.suffix, stream, how="capture")
    finally:
        recording.path.unlink(missing_ok=True)
        mp4.unlink(missing_ok=True)
