"""The store layer: one protocol (`Store`), its back ends, and `open_store`, the one
place where a setting becomes a back end.

    with open_store("memory") as store:
        generation = store.write(WriteBatch().add_triples(GRAPH_CURRENT, graph))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from registry.bilingual import Text
from registry.store.base import (
    GENERATION_GRAPH,
    GENERATION_PREDICATE,
    STORE_IRI,
    Bindings,
    DumpFormat,
    Row,
    Store,
    Triple,
    WriteBatch,
)
from registry.store.errors import (
    StoreClosedError,
    StoreError,
    StoreLockedError,
    StoreQueryError,
    StoreTimeoutError,
    StoreUnavailableError,
    StoreWriteError,
)
from registry.store.oxigraph import OxigraphStore
from registry.store.remote import RemoteOptions, RemoteStore, open_remote

if TYPE_CHECKING:
    from registry.config import Settings

__all__ = [
    "BACKENDS",
    "GENERATION_GRAPH",
    "GENERATION_PREDICATE",
    "STORE_IRI",
    "Bindings",
    "DumpFormat",
    "OxigraphStore",
    "RemoteOptions",
    "RemoteStore",
    "Row",
    "Store",
    "StoreClosedError",
    "StoreError",
    "StoreLockedError",
    "StoreQueryError",
    "StoreTimeoutError",
    "StoreUnavailableError",
    "StoreWriteError",
    "Triple",
    "WriteBatch",
    "backend_kind",
    "open_store",
]


# The one mapping from the kind of setting to the back end that serves it; each opener
# takes the setting and the Settings it came from (None: read them when needed).
BACKENDS: dict[str, Callable[[str, Settings | None], Store]] = {
    "memory": lambda setting, settings: OxigraphStore(),
    "http": open_remote,
    "https": open_remote,
    "path": lambda setting, settings: OxigraphStore(setting),
}


def backend_kind(setting: str) -> str:
    """The key of BACKENDS that serves `setting`: "memory", a URL scheme, or "path"."""
    if setting == "memory":
        return "memory"
    scheme = urlsplit(setting).scheme.lower()
    if "://" in setting and scheme:
        if scheme not in BACKENDS:
            raise StoreError(
                Text(
                    zh=(
                        f"存储地址 {setting!r} 中的协议 {scheme!r} 未知；"
                        "请用文件夹路径、'memory' 或 http(s) SPARQL 端点"
                    ),
                    en=(
                        f"unknown store URL scheme {scheme!r} in {setting!r}; use a "
                        "folder path, 'memory' or an http(s) SPARQL endpoint"
                    ),
                ),
                details={"store": setting},
            )
        return scheme
    return "path"


def open_store(setting: str, settings: Settings | None = None) -> Store:
    """Open the store a setting names: "memory" (in memory, for tests), an http(s)
    SPARQL endpoint URL, or a folder path for the embedded store (created if missing).
    A remote store takes its options (update URL, credentials, timeouts) from
    `settings`; without them, from the SCREG_STORE_* variables.

    Raises StoreLockedError when the folder is already open in another process."""
    if not setting or not setting.strip():
        raise StoreError(
            Text(
                zh="存储设置为空；请用文件夹路径或 'memory'",
                en="the store setting is empty; use a folder path or 'memory'",
            )
        )
    return BACKENDS[backend_kind(setting)](setting, settings)
