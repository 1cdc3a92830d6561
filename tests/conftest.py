"""Shared fixtures. Nothing here reads the environment at import time."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from registry.store import Store

T = TypeVar("T")

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


def _virtuoso_url_or_skip() -> str:
    url = virtuoso_url()
    skip_unless_available(
        url is not None,
        'no test Virtuoso: run `eval "$(scripts/virtuoso.sh start)"` first',
    )
    assert url is not None
    return url


def _emptied(url: str) -> str:
    """`url` after wiping its server: one server serves every test, and each that asks
    for an empty store starts from an empty registry."""
    from registry.store.remote import RemoteStore

    with RemoteStore(url) as server:
        server.wipe()
    HELD.pop(url, None)
    return url


def _virtuoso_setting(tmp_path: Path) -> str:
    return _emptied(_virtuoso_url_or_skip())


def oxigraph_server_url() -> str | None:
    """The test Oxigraph server's query endpoint, or None when scripts/oxigraph-server.sh
    has not been started (read when a test runs, not at import)."""
    return os.environ.get("SCREG_TEST_OXIGRAPH_URL") or None


def _oxigraph_server_url_or_skip() -> str:
    url = oxigraph_server_url()
    skip_unless_available(
        url is not None,
        'no test Oxigraph server: run `eval "$(scripts/oxigraph-server.sh start)"` first',
    )
    assert url is not None
    return url


def _oxigraph_server_setting(tmp_path: Path) -> str:
    return _emptied(_oxigraph_server_url_or_skip())


STORE_BACKENDS = {
    "memory": _memory_setting,
    "oxigraph-disk": _oxigraph_disk_setting,
    "virtuoso": _virtuoso_setting,
    "oxigraph-server": _oxigraph_server_setting,
}
# The back ends that are one shared server: their tests run one at a time per server.
SHARED_SERVERS = {"virtuoso": "virtuoso", "oxigraph-server": "oxigraph_server"}
_SERVER_URLS = {"virtuoso": _virtuoso_url_or_skip, "oxigraph-server": _oxigraph_server_url_or_skip}


def server_url(backend: str) -> str:
    """The `store` setting of a shared server, credentials included, as it is (not
    emptied); skips, or fails under SCREG_REQUIRE_ALL=1, when it was not started."""
    return _SERVER_URLS[backend]()


# --- the worker pools of an app under test -------------------------------------------
# An app starts each pool's workers (upload readers, submission and `validate`
# validators) at its first task, every one of them importing its modules and building
# its validator, and replaces each after one task. The API suites send one request at a
# time and start an app per test: one worker per pool does the same work (in real
# limited worker processes) for about a quarter less CPU. How pools of several workers
# share the load and refuse the excess is tested in tests/security.
ONE_WORKER_EACH = {"upload_workers": 1, "validation_workers": 1, "validate_concurrency": 1}


# --- a seeded dataset kept on a shared server ---------------------------------------
# Loading the seeded examples into a remote server takes 1-2 s, and most tests of the
# HTTP suite only read. So the dataset a test asked for stays on the server after it,
# and the next test asking for the same dataset gets it as it is when nothing wrote
# since: every write of the registry moves the store's generation, a wipe drops it to
# 0, and a test that takes the emptied server (`_emptied`) forgets what it held; any
# of these reloads it. (Counting the quads as well cost 0.1-0.2 s per test and found
# nothing the generation did not.)
@dataclass(frozen=True)
class HeldDataset:
    """What a shared server held right after `dump` was loaded into it."""

    digest: str
    generation: int
    quads: int


HELD: dict[str, HeldDataset] = {}  # by server URL, in this pytest process
SEEDING = {"loaded": 0, "restored": 0, "kept": 0}  # reported at the end of the run
# What a server held right after the registry's own `load_dump` of a dataset, by
# (server URL, dump digest): loading it again is then a few plain INSERT DATA requests
# (0.15 s for the examples on Oxigraph's server) instead of the store's staged,
# published write (0.8-1.7 s), and a hundred reloads a run add up. The quads are the
# server's own, so the restored dataset is the one `load_dump` made.
IMAGES: dict[tuple[str, str], bytes] = {}
IMAGE_LINES_PER_REQUEST = 2000


def seeded_store(backend: str, dump: bytes, tmp_path: Path) -> Store:
    """An open store of `backend` holding exactly `dump` (N-Quads): a new one for an
    embedded back end; on a shared server, the dataset it holds when that is `dump`
    unchanged since it was loaded, else `dump` loaded into the emptied server."""
    from registry.store import open_store

    if backend not in SHARED_SERVERS:
        store = open_store(STORE_BACKENDS[backend](tmp_path))
        store.load_dump(dump, "nquads")
        return store
    url = server_url(backend)
    store = open_store(url)
    digest = hashlib.sha256(dump).hexdigest()
    held = HELD.get(url)
    if held is not None and held.digest == digest and store.generation() == held.generation:
        SEEDING["kept"] += 1
        return store
    HELD.pop(url, None)
    store.wipe()
    image = IMAGES.get((url, digest))
    if image is None:
        store.load_dump(dump, "nquads")
        image = store.dump("nquads")
        # Blank nodes cannot be split over requests (each INSERT DATA makes its own).
        if b"_:" not in image:
            IMAGES[(url, digest)] = image
        SEEDING["loaded"] += 1
    else:
        _insert_image(url, store.update_url, image)
        SEEDING["restored"] += 1
    HELD[url] = HeldDataset(digest, store.generation(), store.quad_count())
    if image is not None and HELD[url].quads != image.count(b"\n"):
        raise AssertionError(f"{url}: restoring the seeded dataset left {HELD[url].quads} quads")
    return store


def _insert_image(url: str, update_url: str, image: bytes) -> None:
    """Send the N-Quads `image` to an emptied server as INSERT DATA requests, graph by
    graph, each of at most IMAGE_LINES_PER_REQUEST quads."""
    from urllib.parse import unquote, urlsplit

    import httpx
    import pyoxigraph as ox

    by_graph: dict[str, list[str]] = {}
    for quad in ox.parse(image, format=ox.RdfFormat.N_QUADS):
        by_graph.setdefault(str(quad.graph_name), []).append(
            f"{quad.subject} {quad.predicate} {quad.object} ."
        )
    parts = urlsplit(url)
    # The test Virtuoso's credentials travel in its URL; it asks for Digest.
    auth = (
        httpx.DigestAuth(unquote(parts.username), unquote(parts.password or ""))
        if parts.username
        else None
    )
    requests: list[list[str]] = [[]]
    size = 0
    for graph, lines in by_graph.items():
        for start in range(0, len(lines), IMAGE_LINES_PER_REQUEST):
            chunk = lines[start : start + IMAGE_LINES_PER_REQUEST]
            if size and size + len(chunk) > IMAGE_LINES_PER_REQUEST:
                requests.append([])
                size = 0
            requests[-1].append(f"GRAPH {graph} {{\n" + "\n".join(chunk) + "\n}")
            size += len(chunk)
    with httpx.Client(auth=auth, timeout=120) as client:
        for request in requests:
            answer = client.post(
                update_url,
                content=("INSERT DATA {\n" + "\n".join(request) + "\n}").encode(),
                headers={"Content-Type": "application/sparql-update; charset=utf-8"},
            )
            answer.raise_for_status()


# What `dump_after` made, by the change and the dataset it changed: the modules that take
# another module's fixtures (tests/api/test_api.py's, test_pages.py's) each ran its
# module-scoped dataset fixture again, new tokens each time, so a shared server loaded a
# dataset it had never seen (1-2 s) instead of restoring, or keeping, the one before.
_MADE: dict[tuple[Callable[[Store], object], str], tuple[bytes, object]] = {}


def dump_after(dump: bytes, change: Callable[[Store], T]) -> tuple[bytes, T]:
    """The N-Quads of a memory store holding `dump` after `change` ran on it, and what
    `change` returned: a dataset prepared once (tokens made) for many tests to load.
    Made once per run for one function `change` (a module's own, not a closure, which
    is a new object at each call) and one `dump`."""
    from registry.store import open_store

    key = (change, hashlib.sha256(dump).hexdigest())
    if key not in _MADE:
        with open_store("memory") as store:
            store.load_dump(dump, "nquads")
            made = change(store)
            _MADE[key] = (store.dump("nquads"), made)
    return _MADE[key]  # type: ignore[return-value]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if any(SEEDING.values()):
        terminalreporter.write_line(
            f"seeded datasets on a shared server: {SEEDING['loaded']} loaded, "
            f"{SEEDING['restored']} restored from the quads loaded before, "
            f"{SEEDING['kept']} kept from the test before"
        )


@pytest.fixture(params=list(STORE_BACKENDS))
def store(request: pytest.FixtureRequest, tmp_path: Path):
    """An opened store on each back end, closed after the test: empty, or holding the
    seeded examples for the `registry` fixture below (no test takes both by name), so
    that a shared server keeps them between tests that do not write."""
    from registry.store import open_store

    if "registry" in request.fixturenames:
        opened = seeded_store(request.param, request.getfixturevalue("seeded_dump"), tmp_path)
    else:
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


def _seeded_quads(validator, automatic: bool) -> bytes:
    from registry.register.seed import seed_store
    from registry.store import open_store

    with open_store("memory") as seeded:
        seed_store(seeded, validator, "http://127.0.0.1:8000/id/", automatic=automatic)
        return seeded.dump("nquads")


@pytest.fixture(scope="session")
def seeded_dump(validator) -> bytes:
    """The quads of a store seeded with the ontology and the examples, made once."""
    return _seeded_quads(validator, automatic=False)


@pytest.fixture(scope="session")
def assessed_dump(validator) -> bytes:
    """The same seeded store with the seed's automatic conformity assessments, made once."""
    return _seeded_quads(validator, automatic=True)


@pytest.fixture
def store_path(tmp_path: Path, seeded_dump: bytes) -> str:
    """The folder of an embedded store holding the seeded examples, closed, for the
    command line's `--store` (modules testing other back ends define their own)."""
    from tests.servers import seeded_folder

    return str(seeded_folder(seeded_dump, tmp_path / "store"))


@pytest.fixture
def registry(store, validator):
    """A Registry over a store of each back end holding the seeded examples (`store`
    gives it seeded)."""
    from registry.config import Settings
    from registry.service import Registry

    service = Registry(Settings(store=store.location), validator=validator, store=store)
    yield service


@pytest.fixture
def memory_registry(seeded_dump: bytes, validator):
    """A Registry over a fresh memory store holding the seeded examples: for tests of
    what a document says, where `registry`'s run on every back end would add only time."""
    from registry.config import Settings
    from registry.service import Registry
    from registry.store import open_store

    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    with Registry(Settings(store="memory", seed=False), validator=validator, store=store) as r:
        yield r


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
    "tests.api.test_pages",
    "tests.api.test_list_pages",
    "tests.api.test_admin_pages",
    "tests.api.test_api_jobs",
    "tests.register.test_review",
    "tests.api.test_lists",
    "tests.api.test_submissions_list",
    "tests.api.test_tokens_api",
    "tests.api.test_admin_api",
    "tests.api.test_caching",
    "tests.api.test_catalog",
    "tests.api.test_conformity",
    "tests.api.test_entry_lookups",
    "tests.api.test_upload_formats",
    "tests.api.test_provisional",
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
    # Per module, so that a module's tests on one back end run together (a module that
    # starts a server, or builds an app, once per back end).
    metafunc.parametrize("api_backend", names, indirect=True, ids=names, scope="module")


@pytest.fixture(scope="module")
def api_backend(request: pytest.FixtureRequest) -> str:
    """The back end a module of the API suite runs on: `memory` unless `--api-store`
    names others."""
    return getattr(request, "param", "memory")


@pytest.fixture
def open_seeded(api_backend: str, tmp_path: Path) -> Callable[[bytes], Store]:
    """Opens a store of the back end the test runs on holding exactly the N-Quads it
    is given (`seeded_store`): the API suite's seeded stores come from here."""
    return lambda dump: seeded_store(api_backend, dump, tmp_path)


def hold_dataset(open_seeded: Callable[[bytes], Store], dump: bytes, api_backend: str) -> None:
    """On a shared server, which the other tests' stores use too, `dump` loaded again
    when another test changed or replaced it (a module-wide app reads it)."""
    if api_backend in SHARED_SERVERS:
        open_seeded(dump).close()


@contextmanager
def lent_for_reading(
    client: TestClient,
    store: Store,
    open_seeded: Callable[[bytes], Store],
    dump: bytes,
    api_backend: str,
) -> Iterator[TestClient]:
    """A module's shared app lent to one test that only reads: its dataset held
    (`hold_dataset`), the client a new visitor (no cookies: language, CSRF), and the
    store's generation the same after the test (a test that writes fails here)."""
    hold_dataset(open_seeded, dump, api_backend)
    client.cookies.clear()
    generation = store.generation()
    yield client
    assert store.generation() == generation, "a test of the shared app wrote"


def shared_app(
    dataset: str, make_app: Callable[[Store, Any], Any]
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The `shared` (one per module) and `reader` fixtures of an API test module: one
    app from `make_app(store, validator)` over a store holding the module's fixture
    `dataset` (its quads, or quads and what was made, as `dump_after` gives them), lent
    to each test that only reads (`lent_for_reading`). Assign them to module names:
    `shared, reader = shared_app("seeded_with_tokens", _app)`."""

    def quads(request: pytest.FixtureRequest) -> bytes:
        value = request.getfixturevalue(dataset)
        return value if isinstance(value, bytes) else value[0]

    @pytest.fixture(scope="module")
    def shared(
        api_backend: str,
        validator: Any,
        tmp_path_factory: pytest.TempPathFactory,
        request: pytest.FixtureRequest,
    ) -> Iterator[tuple[TestClient, Store]]:
        from fastapi.testclient import TestClient as Client

        store = seeded_store(api_backend, quads(request), tmp_path_factory.mktemp("shared"))
        with Client(make_app(store, validator), raise_server_exceptions=False) as client:
            yield client, store

    @pytest.fixture
    def reader(
        shared: tuple[TestClient, Store],
        open_seeded: Callable[[bytes], Store],
        api_backend: str,
        request: pytest.FixtureRequest,
    ) -> Iterator[TestClient]:
        with lent_for_reading(*shared, open_seeded, quads(request), api_backend) as client:
            yield client

    return shared, reader


@pytest.fixture(autouse=True)
def _api_store_backend(
    api_backend: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch
) -> None:
    if api_backend == "memory":
        return
    from registry.store import open_store

    def remote_for_memory(setting: str):
        if setting != "memory":
            return open_store(setting)
        return open_store(STORE_BACKENDS[api_backend](tmp_path))

    if hasattr(request.module, "open_store"):
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
    # On a shared server, the tests of the large generated registry (test_pages.py's,
    # which test_list_pages.py shares) run last, together, and a module's tests of a
    # shared app that only read (`reader`) before those that write (each test stands
    # alone): every switch between datasets reloads the server (the large one 3-12 s,
    # once per module when each module's ran among its own), and so does every reader
    # after a test that wrote.
    first: dict[Path, int] = {}
    for index, item in enumerate(items):
        first.setdefault(item.path, index)
    items.sort(
        key=lambda item: (
            _on_another_dataset(item),
            first[item.path],
            not _reads_on_a_server(item),
        )
    )


def _reads_on_a_server(item: pytest.Item) -> bool:
    """A test of a module's shared app that only reads (`reader`) on a shared server."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    on_server = any(isinstance(v, str) and v in SHARED_SERVERS for v in params.values())
    return on_server and "reader" in getattr(item, "fixturenames", ())


def _on_another_dataset(item: pytest.Item) -> bool:
    """A test of the large generated registry (test_pages.py) on a shared server."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    on_server = any(isinstance(v, str) and v in SHARED_SERVERS for v in params.values())
    return on_server and "large" in getattr(item, "fixturenames", ())


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
