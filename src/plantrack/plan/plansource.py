"""Where the plan file comes from: --plan, ./objectives.toml or the embedded Hetao plan."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from plantrack.errors import PlantrackError


@dataclass(frozen=True)
class PlanSource:
    """A plan file's text, where it came from and its sha256."""

    path: str
    text: str
    sha256: str


def embedded_plan_path() -> Path:
    """The packaged Hetao plan (the repository's objectives.toml, copied in at build time)."""
    packaged = Path(__file__).resolve().parents[1] / "objectives.toml"
    if packaged.is_file():
        return packaged
    # Running from a source checkout without building the wheel.
    return Path(__file__).resolve().parents[3] / "objectives.toml"


def default_plan_path(explicit: str | None) -> Path:
    """``--plan``/``PLANTRACK_PLAN``, else ./objectives.toml, else the embedded plan."""
    if explicit:
        return Path(explicit)
    local = Path("objectives.toml")
    if local.is_file():
        return local
    return embedded_plan_path()


MAX_PLAN = 64 * 2**20  # bytes: far more than any plan file, far less than /dev/zero


def read_source(path: Path) -> PlanSource:
    import hashlib
    import stat

    try:
        info = path.stat()
        if not stat.S_ISDIR(info.st_mode) and not stat.S_ISREG(info.st_mode):
            raise PlantrackError(f"plan file {str(path)!r} is not a regular file", hint="name a .toml file")
        if info.st_size > MAX_PLAN:
            raise PlantrackError(
                f"plan file {str(path)!r} is {info.st_size:,} bytes; a plan is at most {MAX_PLAN:,}",
                hint="check the path or --plan",
            )
        data = path.read_bytes()
    except FileNotFoundError as e:
        raise PlantrackError(
            f"plan file {str(path)!r} does not exist", hint="check the path or --plan"
        ) from e
    except IsADirectoryError as e:
        raise PlantrackError(f"plan file {str(path)!r} is a directory", hint="name a .toml file") from e
    except OSError as e:
        raise PlantrackError(f"cannot read plan file {str(path)!r}: {e.strerror}") from e
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise PlantrackError(f"plan file {str(path)!r} is not UTF-8 text", hint="save it as UTF-8") from e
    return PlanSource(str(path), text, hashlib.sha256(data).hexdigest())
