"""Shared fixtures. Nothing here reads the environment at import time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def skip_unless_available(available: bool, reason: str) -> None:
    """Skip when a real component is missing, unless SCREG_REQUIRE_ALL=1 makes that a failure."""
    if available:
        return
    if os.environ.get("SCREG_REQUIRE_ALL") == "1":
        pytest.fail(f"required component missing (SCREG_REQUIRE_ALL=1): {reason}")
    pytest.skip(reason)


@pytest.fixture
def root() -> Path:
    return ROOT


# --- store back ends ---------------------------------------------------------
# Each back end maps to a function giving the `open_store` setting for one test
# (or skipping it when its server is not configured). A later "virtuoso" entry
# reads its URL from the environment inside that function, never at import.
def _memory_setting(tmp_path: Path) -> str:
    return "memory"


def _oxigraph_disk_setting(tmp_path: Path) -> str:
    return str(tmp_path / "store")


def virtuoso_url() -> str | None:
    """The test Virtuoso's query endpoint with its credentials in it, or None when
    scripts/virtuoso.sh has not been started (read when a test runs, not at import)."""
    from urllib.parse import quote, urlsplit

    url = os.environ.get("SCREG_TEST_VIRTUOSO_URL")
    if not url:
        return None
    user = os.environ.get("SCREG_TEST_VIRTUOSO_USER")
    if not user:
        return url
    password = os.environ.get("SCREG_TEST_VIRTUOSO_PASSWORD", "")
    parts = urlsplit(url)
    return parts._replace(netloc=f"{quote(user)}:{quote(password)}@{parts.netloc}").geturl()


def _virtuoso_setting(tmp_path: Path) -> str:
    url = virtuoso_url()
    skip_unless_available(
        url is not None,
        'no test Virtuoso: run `eval "$(scripts/virtuoso.sh start)"` first',
    )
    assert url is not None
    from registry.store.remote import RemoteStore

    # One server serves every test: each starts from an empty registry.
    with RemoteStore(url) as server:
        server.wipe()
    return url


def oxigraph_server_url() -> str | None:
    """The test Oxigraph server's query endpoint, or None when scripts/oxigraph-server.sh
    has not been started (read when a test runs, not at import)."""
    return os.environ.get("SCREG_TEST_OXIGRAPH_URL") or None


def _oxigraph_server_setting(tmp_path: Path) -> str:
    url = oxigraph_server_url()
    skip_unless_available(
        url is not None,
        'no test Oxigraph server: run `eval "$(scripts/oxigraph-server.sh start)"` first',
    )
    assert url is not None
    from registry.store.remote import RemoteStore

    with RemoteStore(url) as server:
        server.wipe()
    return url


STORE_BACKENDS = {
    "memory": _memory_setting,
    "oxigraph-disk": _oxigraph_disk_setting,
    "virtuoso": _virtuoso_setting,
    "oxigraph-server": _oxigraph_server_setting,
}
# The back ends that are one shared server: their tests run one at a time per server.
SHARED_SERVERS = {"virtuoso": "virtuoso", "oxigraph-server": "oxigraph_server"}


@pytest.fixture(params=list(STORE_BACKENDS))
def store(request: pytest.FixtureRequest, tmp_path: Path):
    """An opened, empty store on each back end, closed after the test."""
    from registry.store import open_store

    opened = open_store(STORE_BACKENDS[request.param](tmp_path))
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def store_factory(request: pytest.FixtureRequest, tmp_path: Path):
    """Opens further empty stores of the same back end as `store` (memory otherwise)."""
    from registry.store import open_store

    backend = getattr(request, "param", None) or request.node.callspec.params.get("store", "memory")
    opened = []

    def factory():
        setting = STORE_BACKENDS[backend](tmp_path / f"extra-{len(opened)}")
        opened.append(open_store(setting))
        return opened[-1]

    yield factory
    for s in opened:
        s.close()


# --- a seeded registry ---------------------------------------------------------
@pytest.fixture(scope="session")
def validator():
    """The trusted shapes and vocabulary, parsed once for the whole run."""
    from registry.validation.validator import Validator

    return Validator()


@pytest.fixture(scope="session")
def seeded_dump(validator) -> bytes:
    """The quads of a store seeded with the ontology and the examples, made once."""
    from registry.register.seed import seed_store
    from registry.store import open_store

    with open_store("memory") as seeded:
        seed_store(seeded, validator, "http://127.0.0.1:8000/id/")
        return seeded.dump("nquads")


@pytest.fixture
def registry(store, validator, seeded_dump):
    """A Registry over a fresh store of each back end, holding the seeded examples."""
    from registry.config import Settings
    from registry.service import Registry

    store.load_dump(seeded_dump, "nquads")
    service = Registry(Settings(store=store.location), validator=validator, store=store)
    yield service


@pytest.fixture(params=list(SHARED_SERVERS))
def remote_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The query URL of each test SPARQL server (Virtuoso, Oxigraph server), emptied;
    skips, or fails under SCREG_REQUIRE_ALL=1, when that server was not started."""
    return STORE_BACKENDS[request.param](tmp_path)


# --- the API suites on another store back end -------------------------------------
# The API tests build their stores with `open_store("memory")`. With
# `--api-store=virtuoso,oxigraph-server` (or SCREG_TEST_API_STORE) every test of the
# API test modules runs once per back end named, its `open_store("memory")` calls
# opening that emptied test server instead, so the same tests run unchanged against
# the remote store: `pytest tests/api/test_api.py --api-store=oxigraph-server`.
API_TEST_MODULES = (
    "tests.api.test_api",
    "tests.api.test_changes",
    "tests.api.test_sparql_backends",
    "tests.cli.test_api_cli",
    "tests.graphs.test_graphs_api",
)


def _api_stores(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in STORE_BACKENDS]
    if unknown:
        raise pytest.UsageError(f"--api-store: unknown back end(s) {unknown}")
    return names


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--api-store",
        default=None,
        help="store back ends behind the API tests' memory stores, comma-separated "
        f"(of {', '.join(STORE_BACKENDS)}; default: memory)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.module.__name__ not in API_TEST_MODULES:
        return
    value = metafunc.config.getoption("--api-store") or os.environ.get("SCREG_TEST_API_STORE")
    if not value:
        return
    names = _api_stores(value)
    if "api_backend" in metafunc.fixturenames:  # a module that starts a server once
        metafunc.parametrize("api_backend", names, indirect=True, ids=names, scope="module")
    elif "_api_store_backend" in metafunc.fixturenames:
        metafunc.parametrize("_api_store_backend", names, indirect=True, ids=names)


@pytest.fixture(scope="module")
def api_backend(request: pytest.FixtureRequest) -> str:
    """The back end a module of the API suite runs on, for a module that builds its
    store once (a real server): `memory` unless `--api-store` names others."""
    return getattr(request, "param", "memory")


@pytest.fixture(autouse=True)
def _api_store_backend(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch) -> None:
    backend = getattr(request, "param", None)
    if backend in (None, "memory"):
        return
    from registry.store import open_store

    def remote_for_memory(setting: str):
        if setting != "memory":
            return open_store(setting)
        return open_store(STORE_BACKENDS[backend](tmp_path))

    monkeypatch.setattr(request.module, "open_store", remote_for_memory)


# --- one shared server, one test at a time ----------------------------------------
# Every test on a shared server starts by wiping it, so two tests on one server must
# not run at once: they carry the server's mark (`virtuoso`, `oxigraph_server`), and
# `make test` runs each server's tests in a serial pytest of its own (the two side by
# side) after the parallel run of everything else. (xdist's `loadgroup` would do it in
# one run, but pytest-xdist 3.8 cannot tag node ids under pytest 9: every group is lost.)
SERVER_MODULES = ("test_multiprocess.py", "test_catch_up_remote.py")


@pytest.hookimpl(tryfirst=True)  # before `-m` selects on the mark
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        servers = {
            SHARED_SERVERS[v] for v in params.values() if isinstance(v, str) and v in SHARED_SERVERS
        }
        if not servers and item.path.name in SERVER_MODULES:
            servers = {"virtuoso"}  # a test naming no server uses the Virtuoso
        for mark in servers:
            item.add_marker(getattr(pytest.mark, mark))


@pytest.fixture(scope="module")
def worker_dataset(seeded_dump: bytes):
    """The SPARQL query worker's dataset over the seeded registry (ontology + examples),
    in memory, as the worker opens it."""
    from registry.sparql import worker
    from registry.sparql.dataset import HIDDEN_GRAPHS, PUBLIC_DEFAULT_GRAPHS

    return worker._Dataset(
        {
            "kind": "memory",
            "dump": seeded_dump,
            "generation": 1,
            "default_graphs": list(PUBLIC_DEFAULT_GRAPHS),
            "hidden_graphs": sorted(HIDDEN_GRAPHS),
        }
    )
