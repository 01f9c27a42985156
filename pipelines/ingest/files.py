"""Publishing a finished file under its final name without ever replacing an existing one."""

from __future__ import annotations

import os
from pathlib import Path


def publish_once(temporary: Path, target: Path) -> bool:
    """Make the complete file `temporary` visible as `target` unless `target` exists; True if it was published.

    A hard link is atomic and fails if the name is taken, so a file another process published in the meantime
    is never replaced. File systems without hard links fall back to a rename after an existence check.
    """
    try:
        os.link(temporary, target)
        return True
    except FileExistsError:
        return False
    except OSError:
        if target.exists():
            return False
        os.replace(temporary, target)
        return True
