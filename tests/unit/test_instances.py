"""Several app instances share one data folder: starting one must not break another's writes."""

import os
import socket
import subprocess
import sys
import time

from verp.core.store import STALE_TEMP_S, Store


def _leftover(store: Store, name: str, age_s: float = 0) -> str:
    path = store.settings.tmp_dir / name
    path.write_bytes(b"part of an upload")
    os.utime(path, (time.time() - age_s, time.time() - age_s))
    return name


def test_starting_an_instance_keeps_the_temp_files_of_writers_that_may_still_be_running(store):
    host = socket.gethostname()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    try:
        kept = {
            _leftover(store, f"p{alive.pid}-aaaa1111@{host}@x1.part"),  # a live process here
            _leftover(store, "p1-bbbb2222@another-instance@x2.part"),  # another machine, recently written
        }
        _leftover(store, f"p{gone.pid}-cccc3333@{host}@x3.part")  # a process here that died
        _leftover(store, f"p{os.getpid()}-dddd4444@{host}@x4.part")  # an earlier life of this pid
        _leftover(store, "p1-eeee5555@another-instance@x5.part", age_s=STALE_TEMP_S + 60)  # long abandoned
        _leftover(store, "upload.part")  # from an older version
        Store.open(store.settings)
        assert {p.name for p in store.settings.tmp_dir.iterdir()} == kept
    finally:
        alive.kill()
        alive.wait()


def test_a_second_instance_starting_mid_upload_does_not_break_the_upload(store):
    class Upload:
        chunks = 3

        def read(self, _size=-1):
            if self.chunks == 2:
                Store.open(store.settings)  # another instance starts while this one is writing
            if not self.chunks:
                return b""
            self.chunks -= 1
            return b"data"

    store.write_file("abc/original.mp4", Upload())
    assert store.clip_path("abc/original.mp4").read_bytes() == b"data" * 3
