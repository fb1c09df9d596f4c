"""Files holding citizens' phone numbers or keys (the embedded database, the generated secrets): owner only."""

from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path) -> None:
    """Create a folder only its owner can open; an existing folder is left as the operator set it."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(mode=FOLDER_MODE, exist_ok=True)


def private_file(path: Path) -> bool:
    """Create an empty file only its owner can read, unless it exists; return whether it was created."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        return False
    return True
