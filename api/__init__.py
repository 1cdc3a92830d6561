"""The HTTP layer: `create_app(settings)` builds the whole application.

Nothing is built at import: the CLI (`screg serve`), uvicorn's factory mode
(`uvicorn --factory api:create_app`) and the tests all call `create_app`.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from registry import __version__
from registry.config import Settings, load_settings
from registry.register.jobs import JobQueue
from registry.runtime.collector import collector_paused
from registry.runtime.foreground import in_background, wait_until_idle
from registry.runtime.heap import give_back_freed_memory
from registry.service import Registry
from registry.store import Store
from registry.validation.validator import Validator

DESCRIPTION = """
The metadata registry of the city's smart-city standard system (智慧城市标准登记库).

Reading is public. Writing needs a bearer token made with `screg token create`:
`Authorization: Bearer <token>`. Tokens expire; admins list and revoke them under
/api/v1/tokens. Too many failed token checks from one address are answered 429
with `Retry-After`. Every failure answers one body,
`{"error": {"code", "message", "details"}}`; a submission that does not conform
is 422 with the validation report in `details`.
"""


logger = logging.getLogger(__name__)


def assemble_graph(registry: Registry) -> None:
    """The dependency graph, its coverage and its walks' index, made ahead of the first
    page that needs them (the server's background thread at start)."""
    # Assembling the graph at 50,000 resources makes millions of objects, and each full
    # collection of the cyclic garbage collector scans all of them while it holds the
    # interpreter: requests answered meanwhile stalled for seconds (a lookup's p99 went
    # to 3.5 s in the first seconds after a start). The collector is off while the
    # graph is built, and what it built is frozen before the collector comes back:
    # made during the pause, all of it is in the youngest generation, which the first
    # collection after would scan whole (and the next ones again as it is promoted).
    # The pause is the one a submission's reading takes (registry.runtime.collector): one
    # that ends first does not turn the collector back on under the other.
    # It steps aside while requests are answered (registry.runtime.foreground), which
    # then run with the collector paused too: their cyclic garbage would be frozen with
    # the graph and never freed (+35-40 MB in the API process after the pages of
    # bench/read_side_bench.py at 50,000 resources). So one collection before the
    # freeze, when no request is being answered: 0.6 s at that size.
    try:
        with in_background(), collector_paused():
            try:
                # The walks' index too, which the first impact page would otherwise
                # build (0.5 s at 50,000 resources, with numpy's and scipy's imports).
                registry.prepare_graph()
            finally:
                wait_until_idle(IDLE_WAIT_SECONDS)
                gc.collect()
                gc.freeze()
    except Exception:  # the store closed under it at shutdown; a page builds it then
        logger.warning("the dependency graph was not assembled in advance", exc_info=True)


def take_up_graph(registry: Registry) -> bool:
    """The dependency graph kept at the last stop taken up (`Registry.load_graph`), with
    its coverage and its walks' index, before the server answers: then no work is left
    for the background after a start (~1 s at 50,000 resources, where assembling the
    graph is ~3 s of Python that the pages share the interpreter with). Made with the
    collector paused, then frozen, as an assembled graph is: hundreds of thousands of
    objects, none of them garbage, so the one collection comes first, while there are
    few to scan (what the start left: 0.2-0.3 s less than after). False, with nothing
    taken up, when no kept graph could be: assemble_graph then."""
    path = registry.graph_file()
    if path is None or not path.exists():
        return False
    gc.collect()
    try:
        with collector_paused():
            if not registry.load_graph():
                return False
            registry.prepare_graph()
    except Exception:  # a file of the right stamp but the wrong shape: assemble instead
        logger.warning("the kept dependency graph was not taken up", exc_info=True)
        registry.forget_graph()
        return False
    gc.freeze()
    return True


def keep_graph(registry: Registry) -> None:
    """`Registry.save_graph`, which must not stop a start or a stop: a disk full or a
    folder not writable costs the next start its assembly, no more."""
    try:
        registry.save_graph()
    except Exception:
        logger.exception("the dependency graph was not kept for the next start")


# The name of the thread assemble_graph runs in at a start (tests wait for it).
GRAPH_THREAD = "screg-graph"

# How long the graph's assembly waits for a moment with no request before its one
# collection (assemble_graph).
IDLE_WAIT_SECONDS = 2.0

# How often the API process gives the C heap's freed memory back (registry.runtime.heap).
TRIM_EVERY_SECONDS = 10.0


async def _give_back_memory_now_and_then() -> None:
    # Answers and writes free memory in the middle of the C heap after the answer is
    # sent, where glibc keeps it for later: at 50,000 resources the API process held
    # ~30 MB more after every page and a write than after a trim. A trim takes a few
    # milliseconds, off the event loop.
    while True:
        await asyncio.sleep(TRIM_EVERY_SECONDS)
        await run_in_threadpool(give_back_freed_memory)


def create_app(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    validator: Validator | None = None,
    on_stop: Callable[[Registry], None] | None = None,
) -> FastAPI:
    """The application for `settings` (from SCREG_* variables when None).

    `store` and `validator` let a caller (the tests) hand in ones already made; the
    app then owns the store and closes it on shutdown. `on_stop` runs at shutdown while
    the store is still open (`screg serve` revokes its local credential there: uvicorn
    ends the process by the signal it caught once the app has stopped)."""
    from fastapi.staticfiles import StaticFiles

    from api import apidocs, documented, errors
    from api.answering import AnsweringMiddleware
    from api.caching import HttpCachingMiddleware
    from api.hardening import HardeningHeadersMiddleware
    from api.head import HeadAsGetMiddleware
    from api.limits import BodyLimitMiddleware
    from api.pages import browse, forms, home, render
    from api.pages import departments as department_pages
    from api.pages import reviews as review_pages
    from api.pages import tokens as token_pages
    from api.ratelimit import ClientSlots, FailedAuthLimiter, RequestRateLimiter
    from api.routers import (
        catalog,
        catalogue,
        changes,
        conformity,
        departments,
        entities,
        graphs,
        openapi_import,
        registration,
        reviews,
        sparql,
        tokens,
    )
    from api.slashes import TrailingSlashMiddleware

    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Parsing the shapes and opening (and, the first time, seeding) the store
        # block for seconds: off the event loop, once, before the first request.
        def build() -> Registry:
            registry = Registry(settings, validator=validator, store=store)
            registry.store  # noqa: B018 - opens the store and seeds an empty one
            return registry

        registry = await run_in_threadpool(build)
        # Uploads from the network are read in limited worker processes.
        await run_in_threadpool(registry.isolate_uploads)
        app.state.registry = registry
        app.state.jobs = JobQueue(max_queued_bytes=settings.jobs_max_queued_bytes)
        # The read model is caught up before the first request: from its file at the
        # store's generation (nothing to do), the writes since, or a rebuild.
        rebuilt = await run_in_threadpool(registry.catch_up)
        # The dependency graph and its coverage, which the home page, a standard's page
        # and impact read, are assembled from the read model in the background (4 s at
        # 50,000 resources): the server answers meanwhile, and a page that needs the
        # graph before it is done waits for this build rather than starting another.
        # Kept at the last stop (registry.graphs.saved), they are taken up before the
        # first request instead: ~1 s at that size, all of it before the first answer.
        if await run_in_threadpool(take_up_graph, registry):
            pass  # kept at the last stop
        elif rebuilt and registry.graph_file() is not None:
            # This start rebuilt the read model (a first start, a lost or outdated file: a
            # minute at 50,000 resources). It assembles and keeps the graph as well before
            # it answers, as `screg read-model rebuild` does: seconds more on such a start,
            # and neither this run's first impact page nor the next start waits for it.
            await run_in_threadpool(assemble_graph, registry)
            await run_in_threadpool(keep_graph, registry)
        else:
            threading.Thread(
                target=assemble_graph, args=(registry,), name=GRAPH_THREAD, daemon=True
            ).start()
        # Automatic assessments made under other shapes or rules than these are run
        # again in the background: the answers show them as outdated meanwhile.
        registry.reassess_in_background()
        sparql.start(app)  # a warm worker, so the first public query does not wait ~1 s
        trimming = asyncio.create_task(_give_back_memory_now_and_then())
        try:
            yield
        finally:
            trimming.cancel()
            sparql.close(app)
            await run_in_threadpool(app.state.jobs.close)
            await run_in_threadpool(keep_graph, registry)
            if on_stop is not None:
                try:
                    await run_in_threadpool(on_stop, registry)
                except Exception:  # the store must still be closed
                    logger.exception("the shutdown hook failed")
            await run_in_threadpool(registry.close)

    app = FastAPI(
        title="smartcity-registry",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        # Served by api.apidocs from installed assets: FastAPI's own load from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    # Per app, so per process: each API process counts its own clients' failures.
    app.state.auth_limiter = FailedAuthLimiter(
        settings.auth_max_failures, settings.auth_failure_window_seconds
    )
    # Validations without a token: a rate and a number at once per client address.
    app.state.validate_rate = RequestRateLimiter(settings.validate_rate_per_minute, 60.0)
    app.state.validate_slots = ClientSlots(settings.validate_per_client)
    # Public SPARQL queries running per client address (api/routers/sparql.py).
    app.state.sparql_slots = ClientSlots(settings.sparql_per_client)
    # All clients together: what validation holds in the API process is then bounded.
    app.state.validate_running = ClientSlots(settings.validate_concurrency)
    errors.install_error_handlers(app)
    errors.document_error_model(app)
    documented.install(app)  # answers from around the routes, the filters' codes
    app.add_middleware(
        BodyLimitMiddleware,
        max_body_bytes=settings.max_body_bytes,
        body_timeout=settings.body_timeout_seconds,
    )
    # /api/v1/standards/ is the list, not the standard '' (api/slashes.py).
    app.add_middleware(TrailingSlashMiddleware)
    # Outermost but one: a revalidated read is answered 304 before anything else runs.
    app.add_middleware(HttpCachingMiddleware, state=app.state)
    # Outermost but HEAD: every request counts while it is answered, 304s too.
    app.add_middleware(AnsweringMiddleware)
    # Outermost: HEAD goes through everything as the GET it stands for (api/head.py).
    app.add_middleware(HeadAsGetMiddleware)
    # Around everything: every answer, a HEAD's and an error's too (api/hardening.py).
    app.add_middleware(HardeningHeadersMiddleware)
    # Before the catalogue: /standards/{id}/conformity is not a standard's identifier.
    app.include_router(conformity.router)
    app.include_router(catalogue.router)
    app.include_router(changes.router)
    app.include_router(catalog.router)
    app.include_router(registration.router)
    app.include_router(reviews.router)
    app.include_router(tokens.router)
    app.include_router(departments.router)
    app.include_router(openapi_import.router)
    app.include_router(graphs.router)
    app.include_router(entities.router)
    app.include_router(sparql.router)
    app.include_router(home.router)
    app.include_router(render.router)
    app.include_router(browse.router)
    app.include_router(forms.router)
    app.include_router(review_pages.router)
    app.include_router(token_pages.router)
    app.include_router(department_pages.router)
    apidocs.install(app)  # before /static, which would otherwise answer its assets' paths
    app.mount("/static", StaticFiles(directory=render.STATIC_DIR), name="static")
    return app
