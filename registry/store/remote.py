"""The remote store: any server speaking the SPARQL 1.1 Protocol (query + update),
optionally the Graph Store Protocol, tested against Virtuoso 7.

Reads are SPARQL queries with JSON results (CONSTRUCT as N-Triples). Writes are
the part that needs care, because on Virtuoso (measured, 7.2.5) an update
request of several operations is NOT atomic: when the second operation fails,
the first stays applied, and a process killed between two requests leaves
whatever it had sent. A single operation, though, is one transaction: a reader
counting a graph while one 100,000-triple `INSERT ... WHERE` ran saw 0 or
100,000, never anything in between (1,086 reads). So a write is:

1. **Stage.** The batch's triples to add and to remove go, in chunks of
   `chunk_triples`, into staging graphs `urn:screg:tx:<id>:part:<n>`, every
   IRI wrapped as `urn:screg:staged:<iri>` so that no query of the registry
   matches staged data. Each chunk is one INSERT DATA carrying its own entry in
   the transaction record `urn:screg:tx:<id>` (started, owner, its parts); the
   last one marks the record ready.
2. **Publish** with ONE update operation (`DELETE {...} INSERT {...} WHERE
   {...}`): it clears the graphs to clear, deletes the staged removals, inserts
   the staged additions (unwrapped with `IRI(STRAFTER(...))`), replaces the
   generation triple by N+1 and marks the record published, and it does so only
   if the generation is still N (compare-and-set: a write of another process in
   between makes the WHERE empty, and the publish is retried against the new
   generation) and the record is still started and ready.
3. **Clean up** the staging graphs. A process that dies before 2 leaves staged
   data no query sees; `clean_leftovers` (run when a store is opened) removes
   records that were published, and unpublished ones older than
   `stale_transaction_seconds`. It first deletes the record's `started` triple
   in one operation: a publish needs that triple, so a slow writer whose record
   was taken for dead can no longer publish part of its batch.

docs/deploy.md has the whole picture and the guarantees of each back end.
"""

from __future__ import annotations

import json
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox
from rdflib import Graph, URIRef

from registry.bilingual import Text
from registry.namespaces import GRAPH_CHANGES, PREFIXES
from registry.store.base import (
    GENERATION_GRAPH,
    GENERATION_PREDICATE,
    STORE_IRI,
    Bindings,
    DumpFormat,
    PreparedWrite,
    Row,
    Store,
    WriteBatch,
)
from registry.store.change_log import STAMP, log_since_triple, with_log
from registry.store.errors import (
    StoreClosedError,
    StoreError,
    StoreQueryError,
    StoreTimeoutError,
    StoreUnavailableError,
    StoreWriteError,
)
from registry.store.remote_servers import DIALECTS, dialect_for_server_header
from registry.store.remote_terms import (
    STAGED_PREFIX,
    TX_PREFIX,
    OxTerms,
    OxWriter,
    RemoteTermWriter,
    bind_inside,
    binding_terms,
    checked_iri,
    rows_of,
)
from registry.store.sparql_text import values_block

_TX = "urn:screg:tx#"  # the vocabulary of transaction records
_JSON = "application/sparql-results+json"
_NTRIPLES = "application/n-triples"
_DUMP_FORMATS: dict[str, ox.RdfFormat] = {
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}
_PUBLISH_ATTEMPTS = 100
_LOCK = f"{TX_PREFIX}lock"


@dataclass(frozen=True)
class RemoteOptions:
    """How to reach and use the server; from Settings (`RemoteOptions.from_settings`)."""

    update_url: str | None = None
    graph_store_url: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    auth: str = "auto"
    timeout_seconds: float = 60.0
    publish_timeout_seconds: float = 120.0
    chunk_triples: int = 1000
    stale_transaction_seconds: float = 3600.0
    # Graphs that are not the registry's beyond those the server's dialect knows.
    system_graphs: tuple[str, ...] = ()
    server: str = "auto"  # a key of remote_servers.DIALECTS, or auto (the Server header)

    @classmethod
    def from_settings(cls, settings: Any) -> RemoteOptions:
        password = settings.store_password
        return cls(
            update_url=settings.store_update_url,
            graph_store_url=settings.store_graph_store_url,
            user=settings.store_user,
            password=password.get_secret_value() if password is not None else None,
            auth=settings.store_auth,
            timeout_seconds=settings.store_timeout_seconds,
            publish_timeout_seconds=settings.store_publish_timeout_seconds,
            chunk_triples=settings.store_chunk_triples,
            stale_transaction_seconds=settings.store_stale_transaction_seconds,
            system_graphs=tuple(settings.store_system_graphs),
            server=settings.store_server,
        )


def open_remote(setting: str, settings: Any = None) -> RemoteStore:
    """The BACKENDS entry for http(s) settings: options from `settings` (the caller's
    Settings), else from the SCREG_STORE_* variables, read now, not at import."""
    if settings is None:
        from registry.config import load_settings

        settings = load_settings(store=setting)
    return RemoteStore(setting, RemoteOptions.from_settings(settings))


def _split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """The URL without `user:password@`, and the two (they win over the settings)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None, None
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return clean, parts.username, parts.password


def json_results(content: bytes) -> dict[str, Any]:
    """A server's SPARQL JSON results, read; StoreQueryError when they are not JSON."""
    try:
        return json.loads(content)
    except ValueError as exc:
        raise StoreQueryError(
            Text(
                zh=f"SPARQL 服务器没有返回 JSON 结果：{exc}",
                en=f"the SPARQL server sent no JSON results: {exc}",
            )
        ) from exc


def ntriples_results(data: bytes) -> Iterator[ox.Triple]:
    """A server's N-Triples answer, read as it is iterated; StoreQueryError when a line
    cannot be read."""
    try:
        yield from ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
    except SyntaxError as exc:
        raise StoreQueryError(
            Text(
                zh=f"SPARQL 服务器返回了无法读取的 N-Triples：{exc}",
                en=f"the SPARQL server sent unreadable N-Triples: {exc}",
            )
        ) from exc


class RemoteStore(Store):
    """A remote SPARQL 1.1 server. `url` is the query endpoint; credentials may be
    given in it (`http://user:password@host/sparql`) or in the options."""

    def __init__(self, url: str, options: RemoteOptions | None = None) -> None:
        options = options or RemoteOptions()
        self.query_url, url_user, url_password = _split_credentials(url)
        self.location = self.query_url
        self.options = options
        user = url_user if url_user is not None else options.user
        password = url_password if url_password is not None else options.password
        self._client: httpx.Client | None = self._new_client()
        # One unauthenticated question tells which server this is (its Server header)
        # and which authentication it wants (its challenge), when either is asked.
        probe = None
        if options.server == "auto" or (user is not None and options.auth == "auto"):
            probe = self._send("GET", self.query_url, params={"query": "ASK {}"}, auth=None)
        if options.server == "auto":
            assert probe is not None
            self.dialect = dialect_for_server_header(probe.headers.get("server"))
        else:
            self.dialect = DIALECTS[options.server]
        # What differs between servers comes from the dialect (remote_servers.py).
        self.update_url = _split_credentials(
            options.update_url or self.dialect.update_url(self.query_url)
        )[0]
        self.graph_store_url = options.graph_store_url or self.dialect.graph_store_url(
            self.query_url
        )
        self.finds_numbers_by_value = self.dialect.finds_numbers_by_value
        self._auth: httpx.Auth | None = None
        if user is not None:
            self._auth = self._choose_auth(options.auth, user, password or "", probe)
        self._credentials = (user, password or "")
        # One writer at a time inside this process (as on the embedded store); other
        # processes are kept apart by the compare-and-set of the publish.
        self._write_lock = threading.Lock()
        self._system = frozenset(options.system_graphs) | frozenset(self.dialect.system_graphs)
        self._owner = f"{socket.gethostname()}:{os.getpid()}"
        self._held = threading.local()
        # Claims of the writer lock this process made and could not withdraw (the
        # server went away mid-write): they are this process's and dead, so they are
        # removed before its next claim instead of holding every write for a lease.
        self._orphans: set[str] = set()
        self._orphans_lock = threading.Lock()
        self._orphan_sweeper: threading.Thread | None = None
        self._closed = threading.Event()
        self.clean_leftovers()

    # -- HTTP ------------------------------------------------------------------------

    def _new_client(self) -> httpx.Client:
        timeout = self.options.timeout_seconds
        return httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
            follow_redirects=False,
            headers={"User-Agent": "smartcity-registry"},
        )

    def _fresh_auth(self) -> httpx.Auth | None:
        """An auth of the same kind, with state of its own (Digest counts nonces), for
        a second connection used from another thread."""
        if self._auth is None:
            return None
        user, password = self._credentials
        if isinstance(self._auth, httpx.DigestAuth):
            return httpx.DigestAuth(user or "", password)
        return httpx.BasicAuth(user or "", password)

    def _choose_auth(
        self, kind: str, user: str, password: str, probe: httpx.Response | None
    ) -> httpx.Auth:
        if kind == "basic":
            return httpx.BasicAuth(user, password)
        if kind == "digest":
            return httpx.DigestAuth(user, password)
        # auto: answer the challenge the server made to the question asked without
        # credentials (Virtuoso's /sparql-auth wants Digest, a proxy in front of
        # Fuseki or Oxigraph usually Basic).
        assert probe is not None
        challenge = probe.headers.get("www-authenticate", "").lower()
        if challenge.startswith("digest"):
            return httpx.DigestAuth(user, password)
        return httpx.BasicAuth(user, password)

    def _live(self) -> httpx.Client:
        client = self._client
        if client is None:
            raise StoreClosedError(
                Text(
                    zh=f"{self.location} 处的存储已关闭",
                    en=f"the store at {self.location} is closed",
                )
            )
        return client

    def _send(
        self,
        method: str,
        url: str,
        *,
        auth: httpx.Auth | str | None = "default",
        timeout: float | None = None,
        client: httpx.Client | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        client = client or self._live()
        chosen = self._auth if auth == "default" else auth
        try:
            return client.request(
                method,
                url,
                auth=chosen if chosen is not None else httpx.USE_CLIENT_DEFAULT,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
                **kwargs,
            )
        except httpx.TimeoutException as exc:
            raise StoreTimeoutError(
                Text(
                    zh=f"{self.location} 处的 SPARQL 服务器未能及时响应",
                    en=f"the SPARQL server at {self.location} did not answer in time",
                ),
                details={"store": self.location},
            ) from exc
        except httpx.HTTPError as exc:
            # Refused, reset, closed mid-answer: the server is stopped or restarting.
            # The client's pool drops the broken connection; the next request
            # connects again.
            raise StoreUnavailableError(
                Text(
                    zh=(f"无法连接 {self.location} 处的 SPARQL 服务器：{type(exc).__name__}"),
                    en=(f"cannot reach the SPARQL server at {self.location}: {type(exc).__name__}"),
                ),
                details={"store": self.location},
            ) from exc

    def post_query(
        self,
        text: str,
        accept: str,
        *,
        timeout: float | None = None,
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """POST a query; `timeout` is this client's, `params` more form fields (the
        protocol's dataset, the server's own `timeout`, which must not be taken for
        this client's)."""
        response = self._send(
            "POST",
            self.query_url,
            data={"query": text, **(params or {})},
            headers={"Accept": accept},
            timeout=timeout,
        )
        if response.status_code != 200:
            raise _query_error(response)
        return response

    def _update(
        self,
        text: str,
        *,
        timeout: float | None = None,
        via: tuple[httpx.Client, httpx.Auth | None] | None = None,
    ) -> None:
        """Send an update; `via` is another (client, auth) to send it with."""
        client, auth = via if via is not None else (None, "default")
        response = self._send(
            "POST",
            self.update_url,
            content=text.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
            timeout=timeout,
            client=client,
            auth=auth,
        )
        if response.status_code in _UNAVAILABLE:
            raise _unavailable(response, self.location)
        if response.status_code not in (200, 201, 204):
            raise StoreWriteError(
                Text(
                    zh=(
                        f"SPARQL 服务器拒绝了更新（{response.status_code}）："
                        f"{_server_message(response)}"
                    ),
                    en=(
                        f"the SPARQL server refused an update ({response.status_code}): "
                        f"{_server_message(response)}"
                    ),
                ),
                details={"store": self.location, "status": response.status_code},
            )

    def _json(self, text: str) -> dict[str, Any]:
        response = self.post_query(text, _JSON, params=self.dialect.union_default_graph)
        return json_results(response.content)

    # -- reading ---------------------------------------------------------------------

    def _bound(self, query: str, bindings: Bindings | None) -> str:
        """The query with `bindings` as a VALUES block inside its WHERE group, terms
        escaped here (never pasted by callers)."""
        bindings = binding_terms(bindings)
        if not bindings:
            return query
        return bind_inside(query, values_block(bindings))

    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        results = self._json(self._bound(query, bindings))
        if "boolean" in results or "results" not in results:
            raise StoreQueryError(Text(zh="不是 SELECT 查询", en="not a SELECT query"))
        return rows_of(results)

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        results = self._json(self._bound(query, bindings))
        if "boolean" not in results:
            raise StoreQueryError(Text(zh="不是 ASK 查询", en="not an ASK query"))
        return bool(results["boolean"])

    def construct(self, query: str, bindings: Bindings | None = None) -> Graph:
        response = self.post_query(
            self._bound(query, bindings), _NTRIPLES, params=self.dialect.union_default_graph
        )
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if media not in (_NTRIPLES, "text/plain"):
            raise StoreQueryError(
                Text(zh="不是 CONSTRUCT 或 DESCRIBE 查询", en="not a CONSTRUCT or DESCRIBE query")
            )
        return _graph_of_ntriples(response.content)

    def read_graph(self, graph_iri: str) -> Graph:
        iri = _graph_name(graph_iri)
        if self.graph_store_url:
            response = self._send(
                "GET",
                self.graph_store_url,
                params={"graph": graph_iri},
                headers={"Accept": _NTRIPLES},
            )
            if response.status_code == 404:
                return Graph()
            if response.status_code == 200:
                return _graph_of_ntriples(response.content)
            raise StoreError(
                Text(
                    zh=f"图存储端点拒绝读取 {graph_iri}（{response.status_code}）",
                    en=(
                        f"the Graph Store endpoint refused to read {graph_iri} "
                        f"({response.status_code})"
                    ),
                ),
                details={"store": self.location, "graph": graph_iri},
            )
        return self.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri} {{ ?s ?p ?o }} }}")

    def graph_exists(self, graph_iri: str) -> bool:
        return self.ask(f"ASK {{ GRAPH {_graph_name(graph_iri)} {{ ?s ?p ?o }} }}")

    def _own(self, graph: str) -> bool:
        return graph not in self._system and not graph.startswith(TX_PREFIX)

    def list_graphs(self, prefix: str | None = None) -> list[str]:
        rows = self.select("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return sorted(
            str(row["g"])
            for row in rows
            if isinstance(row.get("g"), URIRef)
            and self._own(str(row["g"]))
            and (prefix is None or str(row["g"]).startswith(prefix))
        )

    def _own_graphs_filter(self) -> str:
        excluded = ", ".join(f"<{graph}>" for graph in sorted(self._system))
        condition = f'!STRSTARTS(STR(?g), "{TX_PREFIX}")'
        if excluded:
            condition += f" && ?g NOT IN ({excluded})"
        return f"FILTER({condition})"

    def quad_count(self) -> int:
        rows = self.select(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f"{self._own_graphs_filter()} }}"
        )
        return int(rows[0]["n"]) if rows else 0

    # -- writing ---------------------------------------------------------------------

    def write(self, batch: WriteBatch) -> int:
        return self._write(batch, None)

    def _write(self, batch: WriteBatch, generation: int | None) -> int:
        """Stage, publish, clean up; `generation` forces the new generation (load_dump).
        The change log's record is staged with the batch; its stamp, which depends on
        the generation the publish lands on, is part of the publishing operation."""
        # Built before anything is sent: a bad term refuses the batch here.
        staged = _StagedBatch.build(with_log(batch), self.options.chunk_triples)
        with self._write_lock:
            self._live()
            tx = f"{TX_PREFIX}{uuid.uuid4().hex}"
            try:
                self._stage(tx, staged)
                return self._publish(tx, staged, generation)
            finally:
                self._drop_transaction(tx, staged.parts_count)

    def prepare(self, batch: WriteBatch) -> PreparedWrite:
        """Stage the batch (module docstring, step 1) without the writer lock: only the
        publish needs it. A large submission's upload no longer holds every other
        process's writes."""
        staged = _StagedBatch.build(with_log(batch), self.options.chunk_triples)
        self._live()
        tx = f"{TX_PREFIX}{uuid.uuid4().hex}"
        try:
            self._stage(tx, staged)
        except BaseException:
            self._drop_transaction(tx, staged.parts_count)
            raise
        return _Staged(None, tx, staged)

    def commit(self, prepared: PreparedWrite) -> int:
        """Publish a staged batch (steps 2 and 3)."""
        if not isinstance(prepared, _Staged):
            return super().commit(prepared)
        with self._write_lock:
            self._live()
            try:
                return self._publish(prepared.tx, prepared.staged, None)
            finally:
                self._drop_transaction(prepared.tx, prepared.staged.parts_count)

    def discard(self, prepared: PreparedWrite) -> None:
        if isinstance(prepared, _Staged):
            self._drop_transaction(prepared.tx, prepared.staged.parts_count)
        super().discard(prepared)

    def _stage_only(self, batch: WriteBatch) -> tuple[str, _StagedBatch]:
        """Stage a batch and stop, as a writer killed before publishing would (tests)."""
        staged = _StagedBatch.build(batch, self.options.chunk_triples)
        tx = f"{TX_PREFIX}{uuid.uuid4().hex}"
        self._stage(tx, staged)
        return tx, staged

    def _stage(self, tx: str, staged: _StagedBatch) -> None:
        record = (
            f"<{tx}> a <{_TX}Transaction> ; <{_TX}started> {int(time.time())} ; "
            f"<{_TX}owner> {json.dumps(self._owner)} ."
        )
        parts = list(staged.parts(tx))
        if not parts:
            self._update(f"INSERT DATA {{ GRAPH <{tx}> {{ {record} <{tx}> <{_TX}ready> 0 . }} }}")
            return
        # Parts are packed into requests of about `chunk_triples` lines (a registry
        # batch has many small graphs: one per new version); each request is one
        # INSERT DATA, so a part and its entry in the record arrive together.
        requests: list[list[tuple[str, str, str, list[str]]]] = [[]]
        size = 0
        for part in parts:
            if size and size + len(part[3]) > self.options.chunk_triples:
                requests.append([])
                size = 0
            requests[-1].append(part)
            size += len(part[3])
        for index, request in enumerate(requests):
            entries = [
                f"<{part}> <{_TX}{kind}> <{STAGED_PREFIX}{target}> ; <{_TX}partOf> <{tx}> ."
                for part, kind, target, _lines in request
            ]
            if index == 0:
                entries.insert(0, record)
            if index == len(requests) - 1:
                # Ready only once every earlier request was acknowledged: they are
                # sent one after the other.
                entries.append(f"<{tx}> <{_TX}ready> {len(parts)} .")
            graphs = "\n".join(
                f"GRAPH <{part}> {{\n{chr(10).join(lines)}\n}}" for part, _k, _t, lines in request
            )
            self._update(
                f"INSERT DATA {{\nGRAPH <{tx}> {{\n{chr(10).join(entries)}\n}}\n{graphs}\n}}"
            )

    def _publish(self, tx: str, staged: _StagedBatch, forced: int | None) -> int:
        with self.exclusive():
            return self._publish_locked(tx, staged, forced)

    def _publish_locked(self, tx: str, staged: _StagedBatch, forced: int | None) -> int:
        for _ in range(_PUBLISH_ATTEMPTS):
            expected = self.generation()
            new = forced if forced is not None else expected + 1
            try:
                self._update(
                    _publish_operation(tx, staged.clear, expected, new, staged.change),
                    timeout=self.options.publish_timeout_seconds,
                )
            except StoreError as exc:
                # A deadlock with another writer (Virtuoso: SQL state 40001), or the
                # answer was lost on the way: the record says whether it took effect.
                transient = not isinstance(exc, StoreWriteError) or self.dialect.is_conflict(
                    exc.message.en  # the server's own words are in this half
                )
                if self._published(tx, new):
                    return new
                if transient and self._record_alive(tx):
                    continue
                raise
            if self._published(tx, new):
                return new
            if not self._record_alive(tx):
                raise StoreError(
                    Text(
                        zh=(
                            "写入已放弃：其暂存记录因过期被移除（未发布任何内容）；请调大 "
                            "store_stale_transaction_seconds"
                        ),
                        en=(
                            "the write was abandoned: its staging record was removed as "
                            "stale (nothing of it was published); raise "
                            "store_stale_transaction_seconds"
                        ),
                    ),
                    details={"store": self.location},
                )
            # The generation moved between reading it and publishing: another
            # process wrote. Publish again on top of its write.
        raise StoreError(
            Text(
                zh=(f"尝试 {_PUBLISH_ATTEMPTS} 次后仍无法发布写入：其他写入方不断修改存储"),
                en=(
                    f"could not publish a write after {_PUBLISH_ATTEMPTS} attempts: "
                    "other writers kept changing the store"
                ),
            ),
            details={"store": self.location},
        )

    # -- the server-side lock -------------------------------------------------------

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the store's writer lock, shared by every process over this server.

        Measured on Virtuoso 7.2: two processes publishing at once both passed
        the compare-and-set of one `DELETE/INSERT ... WHERE` (its reads are read
        committed), and 2 x 25 writes left generation 44. So publishing takes this
        lock. It needs only single-operation atomicity: each contender inserts
        a claim of its own, then reads every claim; it holds the lock when its
        claim is the only live one, else it withdraws and tries again after a
        random pause. Of two claims, the one inserted second always sees the
        first, so two holders are impossible. A claim older than the publish
        timeout belongs to a dead process and is ignored and removed.

        Reentrant within a thread, so a caller may hold it around a whole
        read-validate-write (Registry.submit) and write() inside it."""
        depth = getattr(self._held, "depth", 0)
        if depth:
            self._held.depth = depth + 1
            try:
                yield
            finally:
                self._held.depth -= 1
            return
        claim = self._acquire()
        claimant = claim.split(" ", 1)[0]
        stop = threading.Event()
        renewal = threading.Thread(
            target=self._renew, args=(claim, stop), name="screg-lock-lease", daemon=True
        )
        renewal.start()
        self._held.depth = 1
        try:
            yield
        finally:
            self._held.depth = 0
            stop.set()
            renewal.join()
            self._withdraw([claimant])

    def _withdraw(self, claimants: list[str]) -> None:
        """Remove these claims of this process; those the server does not take now (it
        is away) are kept in `_orphans` and removed before the next claim. Without
        that, a write cut off by a store restart left its claim to expire by itself,
        and every write after the restart waited out the lease (120 s by default), past
        any client's timeout."""
        try:
            self._delete_claims(claimants)
        except StoreError:
            with self._orphans_lock:
                self._orphans.update(claimants)
            self._sweep_orphans_later()
            return
        with self._orphans_lock:
            self._orphans.difference_update(claimants)

    # How often a process retries removing its dead claims while the server is away.
    ORPHAN_RETRY_SECONDS = 2.0

    def _sweep_orphans_later(self) -> None:
        """Remove this process's dead claims as soon as the server answers again, not at
        its own next claim: other processes' writes waited out the lease (66-72 s after
        a restart of Oxigraph's server) while this one had nothing to write."""
        with self._orphans_lock:
            running = self._orphan_sweeper is not None and self._orphan_sweeper.is_alive()
            if running or not self._orphans:
                return
            self._orphan_sweeper = threading.Thread(
                target=self._sweep_orphans, name="screg-lock-orphans", daemon=True
            )
            self._orphan_sweeper.start()

    def _sweep_orphans(self) -> None:
        while not self._closed.wait(self.ORPHAN_RETRY_SECONDS):
            with self._orphans_lock:
                orphans = sorted(self._orphans)
            if not orphans:
                return
            with suppress(StoreError):
                self._delete_claims(orphans)
                with self._orphans_lock:
                    self._orphans.difference_update(orphans)

    def _delete_claims(self, claimants: list[str]) -> None:
        self._update(
            " ;\n".join(
                f"DELETE {{ GRAPH <{_LOCK}> {{ {claimant} ?p ?o }} }} "
                f"WHERE {{ GRAPH <{_LOCK}> {{ {claimant} ?p ?o }} }}"
                for claimant in claimants
            )
        )

    def _renew(self, claim: str, stop: threading.Event) -> None:
        """Keep a held claim live while its holder works (a validation may outlast the
        lease): every third of the lease, add a fresh stamp, then remove the old one.
        The claim always has a live stamp, so a contender never sees the lock free;
        a killed holder stops renewing and its claim expires as before. Runs on a
        connection of its own: the holder's may be busy with a long request."""
        subject_predicate = claim.rpartition(" ")[0]
        stamped = claim
        client = self._new_client()
        via = (client, self._fresh_auth())
        try:
            while not stop.wait(self._lease / 3):
                fresh = f"{subject_predicate} {time.time()!r}"
                with suppress(StoreError):  # the next round tries again
                    self._update(f"INSERT DATA {{ GRAPH <{_LOCK}> {{ {fresh} }} }}", via=via)
                    self._update(f"DELETE DATA {{ GRAPH <{_LOCK}> {{ {stamped} }} }}", via=via)
                    stamped = fresh
        finally:
            client.close()

    @property
    def _lease(self) -> float:
        return self.options.publish_timeout_seconds

    def _acquire(self) -> str:
        lease = self._lease
        deadline = time.monotonic() + lease + self.options.timeout_seconds
        with self._orphans_lock:
            orphans = sorted(self._orphans)
        if orphans:
            self._withdraw(orphans)
        while True:
            stamp = time.time()
            claimant = f"<{_LOCK}:{uuid.uuid4().hex}>"
            claim = f"{claimant} <{_TX}claimed> {stamp!r}"
            try:
                if self._claimed(claim, lease):
                    return claim
            except StoreError:
                # The server went away with the claim taken, or took it and lost only
                # the answer: it is this process's, and dead.
                with self._orphans_lock:
                    self._orphans.add(claimant)
                raise
            if time.monotonic() > deadline:
                raise StoreError(
                    Text(
                        zh="存储的写入锁一直被占用；另一个写入方持有它",
                        en="the store's writer lock stayed taken; another writer holds it",
                    ),
                    details={"store": self.location},
                )
            time.sleep(random.uniform(0.005, 0.05))  # back off, not a readiness wait

    def _claimed(self, claim: str, lease: float) -> bool:
        """Insert `claim`, read every claim: True when it is the only live one (the
        lock is held), else withdrawn. Claims older than `lease` are removed."""
        self._update(f"INSERT DATA {{ GRAPH <{_LOCK}> {{ {claim} }} }}")
        rows = self.select(f"SELECT ?c ?at WHERE {{ GRAPH <{_LOCK}> {{ ?c <{_TX}claimed> ?at }} }}")
        now = time.time()
        live = [r for r in rows if now - float(r["at"]) < lease]
        expired = [r for r in rows if now - float(r["at"]) >= lease]
        if expired:
            dead = " ".join(
                f"{checked_tx(str(r['c']))} <{_TX}claimed> {r['at'].n3()} ." for r in expired
            )
            self._update(f"DELETE DATA {{ GRAPH <{_LOCK}> {{ {dead} }} }}")
        if len(live) == 1 and claim.startswith(f"<{live[0]['c']}>"):
            return True
        self._update(f"DELETE DATA {{ GRAPH <{_LOCK}> {{ {claim} }} }}")
        return False

    def _published(self, tx: str, generation: int) -> bool:
        return self.ask(f"ASK {{ GRAPH <{tx}> {{ <{tx}> <{_TX}published> {int(generation)} }} }}")

    def _record_alive(self, tx: str) -> bool:
        return self.ask(f"ASK {{ GRAPH <{tx}> {{ <{tx}> <{_TX}started> ?t ; <{_TX}ready> ?r }} }}")

    def _drop_transaction(self, tx: str, parts: int) -> None:
        """Remove a transaction's staging graphs and record. Best effort: what stays
        is invisible, and clean_leftovers removes it later."""
        drops = [f"DROP SILENT GRAPH <{tx}:part:{n}>" for n in range(parts)]
        drops.append(f"DROP SILENT GRAPH <{tx}>")  # the record last: it lists the parts
        try:
            for start in range(0, len(drops), 200):
                self._update(" ;\n".join(drops[start : start + 200]))
        except StoreError:
            pass

    def clean_leftovers(self, stale_seconds: float | None = None) -> int:
        """Remove the staging data of writes that were published but not cleaned up, and
        of unpublished writes older than `stale_seconds` (default: the option), which
        belong to processes that died. Returns how many transactions were removed."""
        stale = self.options.stale_transaction_seconds if stale_seconds is None else stale_seconds
        rows = self.select(
            f"SELECT ?tx ?started ?published WHERE {{ GRAPH ?tx {{ ?tx a <{_TX}Transaction> "
            f"OPTIONAL {{ ?tx <{_TX}started> ?started }} "
            f"OPTIONAL {{ ?tx <{_TX}published> ?published }} }} }}"
        )
        now = time.time()
        removed = 0
        # Claims of the writer lock left by dead processes (killed while publishing).
        claims = self.select(
            f"SELECT ?c ?at WHERE {{ GRAPH <{_LOCK}> {{ ?c <{_TX}claimed> ?at }} }}"
        )
        dead = [r for r in claims if now - float(r["at"]) >= min(stale, self._lease)]
        if dead:
            text = " ".join(
                f"{checked_tx(str(r['c']))} <{_TX}claimed> {r['at'].n3()} ." for r in dead
            )
            self._update(f"DELETE DATA {{ GRAPH <{_LOCK}> {{ {text} }} }}")
        for row in rows:
            tx = str(row["tx"])
            if not tx.startswith(TX_PREFIX):
                continue
            started = row.get("started")
            if "published" not in row and started is not None and now - int(started) < stale:
                continue  # a write in progress, perhaps in another process
            if started is not None:
                # The claim: without `started` the record can never be published, so
                # dropping its parts below cannot expose half of a batch.
                self._update(f"DELETE WHERE {{ GRAPH <{tx}> {{ <{tx}> <{_TX}started> ?t }} }}")
            parts = self.select(
                f"SELECT ?part WHERE {{ GRAPH <{tx}> {{ ?part <{_TX}partOf> <{tx}> }} }}"
            )
            drops = [f"DROP SILENT GRAPH {checked_tx(str(r['part']))}" for r in parts]
            drops.append(f"DROP SILENT GRAPH <{tx}>")
            for start in range(0, len(drops), 200):
                self._update(" ;\n".join(drops[start : start + 200]))
            removed += 1
        return removed

    def wipe(self) -> None:
        """Drop every graph of the registry (not the server's own system graphs) and
        every staging leftover. For tests and for re-importing an export."""
        with self._write_lock:
            rows = self.select("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            graphs = [str(r["g"]) for r in rows if str(r["g"]) not in self._system]
            drops = [f"DROP SILENT GRAPH <{graph}>" for graph in graphs]
            for start in range(0, len(drops), 200):
                self._update(" ;\n".join(drops[start : start + 200]))

    # -- backup ----------------------------------------------------------------------

    def _own_quads(self) -> Iterator[tuple[Any, Any, Any, Any]]:
        results = self._json(
            f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._own_graphs_filter()} }}"
        )
        for row in rows_of(results):
            yield row["s"], row["p"], row["o"], row["g"]

    def dump(self, fmt: DumpFormat = "nquads") -> bytes:
        if fmt not in _DUMP_FORMATS:
            raise StoreError(
                Text(
                    zh=f"未知的转储格式 {fmt!r}；可用 {sorted(_DUMP_FORMATS)}",
                    en=(f"unknown dump format {fmt!r}; use one of {sorted(_DUMP_FORMATS)}"),
                )
            )
        convert = OxWriter()
        quads = [
            ox.Quad(convert(s), convert(p), convert(o), convert(g))
            for s, p, o, g in self._own_quads()
        ]
        prefixes = {name: str(ns) for name, ns in PREFIXES.items()} if fmt == "trig" else None
        data = ox.serialize(quads, format=_DUMP_FORMATS[fmt], prefixes=prefixes)
        return data or b""

    def load_dump(self, data: bytes, fmt: DumpFormat = "nquads") -> int:
        if fmt not in _DUMP_FORMATS:
            raise StoreError(
                Text(
                    zh=f"未知的转储格式 {fmt!r}；可用 {sorted(_DUMP_FORMATS)}",
                    en=(f"unknown dump format {fmt!r}; use one of {sorted(_DUMP_FORMATS)}"),
                )
            )
        count = self.quad_count()
        if count:
            raise StoreError(
                Text(
                    zh=(f"load_dump 须在空的存储中进行；{self.location} 已有 {count} 个四元组"),
                    en=(f"load_dump needs an empty store; {self.location} holds {count} quads"),
                )
            )
        try:
            quads = list(ox.parse(data, format=_DUMP_FORMATS[fmt]))
        except (SyntaxError, ValueError) as exc:
            raise StoreWriteError(
                Text(
                    zh=f"无法读取转储文件，未载入任何内容：{exc}",
                    en=f"cannot read the dump, nothing loaded: {exc}",
                )
            ) from exc
        convert = OxTerms()
        batch = WriteBatch(change=None)  # the dump brings its own log, or none
        generation = 0
        by_graph: dict[str, list] = {}
        for quad in quads:
            if not isinstance(quad.graph_name, ox.NamedNode):
                raise StoreWriteError(
                    Text(
                        zh="转储文件的默认图中有三元组；未载入任何内容",
                        en="the dump has triples in the default graph; nothing loaded",
                    )
                )
            if (
                quad.predicate.value == GENERATION_PREDICATE
                and isinstance(quad.subject, ox.NamedNode)
                and quad.subject.value == STORE_IRI
            ):
                generation = max(generation, int(quad.object.value))
                continue
            by_graph.setdefault(quad.graph_name.value, []).append(
                (convert(quad.subject), convert(quad.predicate), convert(quad.object))
            )
        for graph, triples in by_graph.items():
            batch.add_triples(graph, triples)
        if not quads:
            return self.generation()
        # No earlier generation of whatever a reader held before can be patched forward
        # from the dump's log.
        batch.add_triples(GRAPH_CHANGES, [log_since_triple(generation or 1)])
        return self._write(batch, generation or 1)

    # -- what the public SPARQL endpoint needs (registry/sparql/remote.py) ----------

    def public_named_graphs(self, hidden: frozenset[str]) -> list[str]:
        """The graphs `GRAPH ?g` may reach in a public query, listed once per generation."""
        generation = self.generation()
        cached = getattr(self, "_named_cache", None)
        if cached is None or cached[0] != generation or cached[1] != hidden:
            graphs = [g for g in self.list_graphs() if g not in hidden]
            cached = (generation, hidden, graphs)
            self._named_cache = cached
        return cached[2]

    # -- life cycle ------------------------------------------------------------------

    def close(self) -> None:
        self._closed.set()
        with self._write_lock:
            client, self._client = self._client, None
            if client is not None:
                client.close()


@dataclass
class _StagedBatch:
    """A batch turned into text before anything is sent, so a bad term refuses the
    whole batch with the store untouched."""

    clear: list[str]
    chunks: list[tuple[str, str, list[str]]]  # (kind, target graph, lines)
    change: str | None = None  # the change log record to stamp at publish

    @classmethod
    def build(cls, batch: WriteBatch, chunk: int) -> _StagedBatch:
        writer = RemoteTermWriter(staged=True)
        clear = [checked_iri(graph)[1:-1] for graph in batch.clear]
        chunks: list[tuple[str, str, list[str]]] = []
        for kind, graphs, allow_bnode in (
            ("removes", batch.remove, False),
            ("adds", batch.add, True),
        ):
            for graph, triples in graphs.items():
                if not triples:
                    continue
                target = checked_iri(graph)[1:-1]
                lines = writer.lines(triples, allow_bnode=allow_bnode)
                for start in range(0, len(lines), chunk):
                    chunks.append((kind, target, lines[start : start + chunk]))
        change = checked_iri(batch.change)[1:-1] if batch.change is not None else None
        return cls(clear, chunks, change)

    @property
    def parts_count(self) -> int:
        return len(self.chunks)

    def parts(self, tx: str) -> Iterator[tuple[str, str, str, list[str]]]:
        for n, (kind, target, lines) in enumerate(self.chunks):
            yield f"{tx}:part:{n}", kind, target, lines


@dataclass
class _Staged(PreparedWrite):
    """A batch staged on the server under transaction `tx`, waiting to be published."""

    tx: str
    staged: _StagedBatch


def checked_tx(iri: str) -> str:
    if not iri.startswith(TX_PREFIX):
        raise StoreError(Text(zh=f"不是暂存图：{iri!r}", en=f"not a staging graph: {iri!r}"))
    return f"<{iri}>"


def _publish_operation(
    tx: str, clear: list[str], expected: int, new: int, change: str | None = None
) -> str:
    """The one update operation that makes a staged batch visible (module docstring),
    stamping its change log record `change` with the new generation."""
    reg, store, gen = f"<{GENERATION_GRAPH}>", f"<{STORE_IRI}>", f"<{GENERATION_PREDICATE}>"
    stamp = (
        f"GRAPH <{GRAPH_CHANGES}> {{ <{change}> <{STAMP}> {int(new)} }} "
        if change is not None
        else ""
    )
    staged = json.dumps(STAGED_PREFIX)

    def unwrap(source: str, target: str) -> str:
        return f"BIND(IRI(STRAFTER(STR({source}), {staged})) AS {target})"

    def unwrap_object(source: str, target: str) -> str:
        return (
            f"BIND(IF(isIRI({source}), IRI(STRAFTER(STR({source}), {staged})), {source}) "
            f"AS {target})"
        )

    branches = ["{ BIND(1 AS ?always) }"]  # a row even for an empty batch: the generation moves
    if clear:
        graphs = " ".join(f"<{graph}>" for graph in clear)
        branches.append(f"{{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }} }}")
    branches.append(
        f"{{ GRAPH <{tx}> {{ ?rpart <{_TX}removes> ?rg }} GRAPH ?rpart {{ ?rs ?rp ?ro }} "
        f"{unwrap('?rg', '?g')} {unwrap('?rs', '?s')} {unwrap('?rp', '?p')} "
        f"{unwrap_object('?ro', '?o')} }}"
    )
    branches.append(
        f"{{ GRAPH <{tx}> {{ ?apart <{_TX}adds> ?ag0 }} GRAPH ?apart {{ ?as0 ?ap0 ?ao0 }} "
        f"{unwrap('?ag0', '?ag')} {unwrap('?as0', '?as')} {unwrap('?ap0', '?ap')} "
        f"{unwrap_object('?ao0', '?ao')} }}"
    )
    return (
        f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} GRAPH {reg} {{ {store} {gen} ?n }} }}\n"
        f"INSERT {{ GRAPH ?ag {{ ?as ?ap ?ao }} GRAPH {reg} {{ {store} {gen} {int(new)} }} {stamp}"
        f"GRAPH <{tx}> {{ <{tx}> <{_TX}published> {int(new)} }} }}\n"
        f"WHERE {{\n  GRAPH <{tx}> {{ <{tx}> <{_TX}started> ?started ; <{_TX}ready> ?ready }}\n"
        f"  OPTIONAL {{ GRAPH {reg} {{ {store} {gen} ?n }} }}\n"
        f"  FILTER(COALESCE(?n, 0) = {int(expected)})\n  {{\n    "
        + "\n    UNION ".join(branches)
        + "\n  }\n}"
    )


def _graph_name(graph_iri: str) -> str:
    try:
        return checked_iri(str(graph_iri))
    except StoreWriteError as exc:
        raise StoreQueryError(
            Text(zh=f"不是有效的图 IRI：{graph_iri!r}", en=f"not a valid graph IRI: {graph_iri!r}")
        ) from exc


def _graph_of_ntriples(data: bytes) -> Graph:
    convert = OxTerms()
    graph = Graph()
    add = graph.add
    for triple in ntriples_results(data):
        add((convert(triple.subject), convert(triple.predicate), convert(triple.object)))
    return graph


def _server_message(response: httpx.Response) -> str:
    # The first line names the error (Virtuoso: "Virtuoso 37000 Error SP030: ...");
    # the rest echoes the whole query, which helps nobody reading a log.
    text = response.text.strip().splitlines()
    return text[0][:300] if text else response.reason_phrase


# A proxy in front of a stopped server, or a server starting or overloaded, answers so.
_UNAVAILABLE = frozenset({502, 503, 504})


def _unavailable(response: httpx.Response, location: str) -> StoreUnavailableError:
    retry = response.headers.get("retry-after", "")
    return StoreUnavailableError(
        Text(
            zh=f"{location} 处的 SPARQL 服务器不可用（{response.status_code}）",
            en=(f"the SPARQL server at {location} is unavailable ({response.status_code})"),
        ),
        details={"store": location, "status": response.status_code},
        retry_after=int(retry) if retry.isdigit() and 0 < int(retry) <= 3600 else None,
    )


def _query_error(response: httpx.Response) -> StoreError:
    if response.status_code in _UNAVAILABLE:
        return _unavailable(response, str(response.request.url.copy_with(query=None)))
    message = _server_message(response)
    if response.status_code in (400, 500) and ("SP0" in message or "syntax" in message.lower()):
        return StoreQueryError(Text(zh=f"查询失败：{message}", en=f"query failed: {message}"))
    if response.status_code in (400, 406):
        # 406: the server has no answer of the kind asked for (a SELECT read as a
        # graph): the query is not of that kind.
        return StoreQueryError(Text(zh=f"查询失败：{message}", en=f"query failed: {message}"))
    return StoreError(
        Text(
            zh=f"SPARQL 服务器出错（{response.status_code}）：{message}",
            en=f"the SPARQL server failed ({response.status_code}): {message}",
        ),
        details={"status": response.status_code},
    )
