"""A flow's recordings as Twilio fetches them: content-addressed URLs, /voice/audio/<sha256>.<wav|mp3>.

The name is the SHA-256 of the file's bytes: long and unguessable without the recording, cacheable
for ever (a new recording is a new URL), and only files a flow may reference (.wav and .mp3 under
FLOWS_DIR, where the flows and their `recordings/` folders live, or uploaded by officials under
INSTANCE_DIR/recordings/) are ever found under it.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from flows.model import Audio, Flow
from flows.voice_rules import AUDIO_SUFFIXES

MIMETYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg"}
AUDIO_PATH = "/voice/audio/"

_digests: dict[tuple[str, int, int], str] = {}  # (path, mtime_ns, size) -> sha256: a file is hashed once
_files: dict[str, Path] = {}  # sha256 -> path, for serving
_lock = threading.Lock()


def digest_of(path: Path) -> str | None:
    """The SHA-256 of a recording, hashed once per version of the file; None when it is missing."""
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _lock:
        known = _digests.get(key)
    if known is None:
        known = hashlib.sha256(path.read_bytes()).hexdigest()
        with _lock:
            _digests[key] = known
            _files[known] = path
    return known


def find_recording(folder: Path, digest: str, suffix: str) -> Path | None:
    """The recording under `folder` whose bytes hash to `digest`, if any (a scan the first time it is asked)."""
    if suffix not in AUDIO_SUFFIXES:
        return None
    with _lock:
        path = _files.get(digest)
    if path is None or digest_of(path) != digest:
        for candidate in folder.rglob(f"*{suffix}"):
            if candidate.is_file():
                digest_of(candidate)
        with _lock:
            path = _files.get(digest)
    if path is None or path.suffix.lower() != suffix or not path.resolve().is_relative_to(folder.resolve()):
        return None
    return path if digest_of(path) == digest else None


class FlowRecordings:
    """A flow's recordings as URLs Twilio can <Play> (see bots/voice_twiml.Recordings)."""

    def __init__(self, flow: Flow, folder: Path, base_url: str, uploaded: dict[tuple[str, str], Path] | None = None):
        self.flow, self.folder, self.base_url = flow, folder, base_url
        self.uploaded = uploaded or {}  # officials' uploads (palabre/recordings.py) win over the flow file's

    def url(self, key: str, language: str) -> str | None:
        path = self.uploaded.get((key, language))
        if path is None:
            file = self._files(key).get(language)
            if not file:
                return None
            path = self.folder / file
        digest = digest_of(path)
        return f"{self.base_url}{AUDIO_PATH}{digest}{path.suffix.lower()}" if digest else None

    def spoken_only(self, language: str) -> bool:
        return language in self.flow.voice_languages

    def _files(self, key: str) -> Audio:
        kind, _, rest = key.partition(":")
        try:
            if kind == "question":
                return self.flow.question(rest).audio
            if kind == "choice":
                qid, code = rest.split(":", 1)
                choice = self.flow.question(qid).choice(code)
                return choice.audio if choice else {}
        except KeyError:
            return {}
        return self.flow.audio.get(key, {})
