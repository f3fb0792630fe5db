"""Named SQL: every statement the gateway sends lives in a ``.sql`` file in this package.

``load("tickets_page")`` returns the text of ``queries/tickets_page.sql``. Files are read once and
cached. Query files may contain ``{placeholder}`` markers for identifiers chosen from a closed
set (an ordering column, a comparison direction); :func:`render` fills them and refuses anything
outside that set, so no caller-controlled text ever becomes SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources

_ALLOWED_FRAGMENT_CHARS = set("abcdefghijklmnopqrstuvwxyz_.,<> ()0123456789':*")


@cache
def load(name: str) -> str:
    """The text of ``sql/queries/<name>.sql``; :class:`FileNotFoundError` if there is none."""
    if not name.replace("_", "").isalnum():
        raise ValueError(f"invalid query name {name!r}")
    return resources.files(__name__).joinpath("queries", f"{name}.sql").read_text("utf-8")


@cache
def shim() -> str:
    """The Supabase compatibility shim applied to plain Postgres before migrations."""
    return resources.files(__name__).joinpath("supabase_shim.sql").read_text("utf-8")


def render(name: str, fragments: Mapping[str, str]) -> str:
    """``load(name)`` with ``{key}`` placeholders replaced by trusted identifier fragments.

    Fragments must come from code constants (enum → column maps); they are checked against a
    conservative character set as a second line of defence.
    """
    text = load(name)
    for key, value in fragments.items():
        if not set(value) <= _ALLOWED_FRAGMENT_CHARS:
            raise ValueError(f"unsafe SQL fragment for {key!r}: {value!r}")
        text = text.replace("{" + key + "}", value)
    return text
