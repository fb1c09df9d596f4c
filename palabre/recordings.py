"""Recordings officials upload for a flow's prompts: checked, stored by content hash, never overwritten.

    INSTANCE_DIR/recordings/<flow id>/<sha256>.<wav|mp3>     one file per recording ever uploaded
    INSTANCE_DIR/recordings/<flow id>/index.json              {"<language>|<prompt key>": "<sha256>.<ext>"}

A new upload for a prompt points the index at a new file and leaves the old one: a call that was
given the old URL a moment ago still fetches it, so replacing a recording never breaks a call.
An upload wins over the flow file's own `audio:` for the same prompt and language.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

from flows.audio import audio_format, prompts
from flows.model import Flow
from palabre.private_files import private_folder

# A prompt is a sentence or two: a minute of 16-bit mono WAV at 16 kHz is under 2 MB.
MAX_RECORDING_BYTES = 2 * 1024 * 1024
_lock = threading.Lock()  # one writer of an index at a time in this process


class RecordingRefused(ValueError):
    """An upload that cannot be a prompt's recording; the message says why, for the official."""


def folder_of(instance_dir: str, flow_id: str) -> Path:
    return Path(instance_dir) / "recordings" / flow_id


def uploaded(instance_dir: str, flow_id: str) -> dict[tuple[str, str], Path]:
    """(prompt key, language) -> the file uploaded for it last."""
    folder = folder_of(instance_dir, flow_id)
    try:
        index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out = {}
    for name, file in index.items():
        language, _, key = name.partition("|")
        out[(key, language)] = folder / Path(file).name
    return out


def save_recording(instance_dir: str, flow: Flow, key: str, language: str, data: bytes) -> Path:
    """Check and store an uploaded recording for one prompt in one language; raise RecordingRefused."""
    known = {prompt.key: prompt for prompt in prompts(flow)}
    prompt = known.get(key)
    if prompt is None:
        raise RecordingRefused(f"unknown prompt {key!r}")
    if language not in (*flow.languages, *flow.voice_languages) or prompt.only not in (None, language):
        raise RecordingRefused(f"unknown language {language!r} for this prompt")
    if len(data) > MAX_RECORDING_BYTES:
        raise RecordingRefused("too large")
    kind = audio_format(data[:12])
    if kind is None:
        raise RecordingRefused("not WAV or MP3")
    folder = folder_of(instance_dir, flow.id)
    private_folder(folder.parent.parent)
    private_folder(folder.parent)
    private_folder(folder)
    path = folder / f"{hashlib.sha256(data).hexdigest()}.{kind}"
    if not path.exists():
        _write(path, data)
    with _lock:
        index_path = folder / "index.json"
        try:
            index = json.loads(index_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            index = {}
        index[f"{language}|{key}"] = path.name
        _write(index_path, json.dumps(index, indent=1, sort_keys=True).encode())
    return path


def _write(path: Path, data: bytes) -> None:
    """Write a whole file or nothing (a reader never sees half of it)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
