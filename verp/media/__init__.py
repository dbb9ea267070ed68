"""PyAV jobs (probe, prepare, cut, still, thumbnails, transcode), the recorder, and clip preparation."""
