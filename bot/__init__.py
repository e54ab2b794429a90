"""leakbot: a Slack bot for the first hours after a personal-data leak."""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _installed_version


def version() -> str:
    """leakbot's version, from the installed package's metadata (what `leakbot --version` and
    `leakbot_build_info` say)."""
    try:
        return _installed_version("leakbot")
    except PackageNotFoundError:
        return "unknown (not installed)"
