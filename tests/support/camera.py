"""Generated WebRTC-like camera and microphone frames, for recorder and capture tests."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np

T0 = 1000.0  # an arbitrary monotonic clock reading for the first frame


def camera_frame(t: float, width: int = 161, height: int = 121, rtp_offset: int = 77_000) -> av.VideoFrame:
    """A WebRTC-like frame: odd size, 90 kHz timestamps that do not start at zero."""
    shade = int(t * 60) % 255
    array = np.full((height, width, 3), shade, np.uint8)
    frame = av.VideoFrame.from_ndarray(array, format="rgb24").reformat(format="yuv420p")
    frame.pts, frame.time_base = rtp_offset + round(t * 90_000), Fraction(1, 90_000)
    return frame


def microphone_frame(n: int) -> av.AudioFrame:
    samples = (np.sin(np.arange(960) / 7) * 8000).astype(np.int16)
    frame = av.AudioFrame.from_ndarray(
        np.stack([samples, samples]).reshape(1, -1), format="s16", layout="stereo"
    )
    frame.sample_rate = 48_000
    frame.pts, frame.time_base = 5_000 + n * 960, Fraction(1, 48_000)
    return frame
