"""Owners come from the register (issue 16): a submitter of one department could
overwrite another department's entry by uploading it with its own provider code (a CSV
row with another department's resource code answered 201 and the entry changed
hands), because only the upload's publisher was checked. Now every way in is refused
whole (403, each entry named with its owner) and nothing is written."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from openpyxl import Workbook
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from api import create_app
from registry.cli import main
from registry.config import Settings
from registry.errors import ConflictError, ForbiddenError
from registry.inputs.document import Document
from registry.register.submission import Principal
from registry.register.tokens import create_token
from registry.service import Registry
from registry.store import Store, open_store

BASE = "http://127.0.0.1:8000/id/"
OWNER = "11210100EXAMPLE01N"  # the Big Data Bureau: owns resource 101001/000001
ATTACKER = "11210100EXAMPLE02R"
RESOURCE = f"{BASE}resource/101001-000001"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def takeover_turtle(registry: Registry) -> bytes:
    """The owner's resource as registered, its provider changed to the attacker."""
    graph: Graph = registry.show(RESOURCE)
    graph.set((URIRef(RESOURCE), DCTERMS.publisher, URIRef(f"{BASE}department/{ATTACKER}")))
    return graph.serialize(format="turtle").encode()


def takeover_csv() -> bytes:
    """The owner's row of the example catalogue, provider code changed to the attacker's."""
    text = (EXAMPLES / "catalogue-valid.csv").read_bytes().decode("gb18030")
    header, *rows = text.splitlines()
    row = next(r for r in rows if "101001/000001" in r)
    return "\n".join([header, row.replace(OWNER, ATTACKER)]).encode("gb18030")


def documents(registry: Registry) -> dict[str, Document]:
    turtle = takeover_turtle(registry)
    graph = Graph().parse(data=turtle, format="turtle")
    return {
        "turtle": Document("takeover.ttl", turtle),
        "json-ld": Document("takeover.jsonld", graph.serialize(format="json-ld").encode()),
        "rdf/xml": Document("takeover.rdf", graph.serialize(format="xml").encode()),
        "csv": Document("takeover.csv", takeover_csv()),
    }


def owner_of(store: Store) -> set[str]:
    found = store.match("urn:screg:graph:current", URIRef(RESOURCE), DCTERMS.publisher)
    return {str(o) for _s, _p, o in found}


@pytest.mark.parametrize("way", ["turtle", "json-ld", "rdf/xml", "csv"])
def test_a_submitter_cannot_take_another_departments_entry(registry: Registry, way: str) -> None:
    store = registry.store
    generation = store.generation()
    attacker = Principal("submitter", URIRef(f"{BASE}department/{ATTACKER}"), "attacker")
    with pytest.raises(ForbiddenError) as refused:
        registry.submit([documents(registry)[way]], attacker)
    named = refused.value.details["entries"]
    assert {e["entry"] for e in named} == {RESOURCE}
    assert named[0]["owner"] == [f"{BASE}department/{OWNER}"]
    assert store.generation() == generation  # nothing written
    assert owner_of(store) == {f"{BASE}department/{OWNER}"}


def test_the_owner_may_change_it_and_a_registrar_may_not_move_it(registry: Registry) -> None:
    owner = Principal("submitter", URIRef(f"{BASE}department/{OWNER}"), "owner")
    graph: Graph = registry.show(RESOURCE)
    own = Document("own.ttl", graph.serialize(format="turtle").encode())
    assert registry.submit([own], owner).accepted
    # A registrar writes any entry, but moving it to another department is a transfer
    # (tests/register/test_transfer.py), never a side effect of a submission.
    registrar = Principal("registrar", None, "registrar")
    generation = registry.store.generation()
    with pytest.raises(ConflictError) as refused:
        registry.submit([documents(registry)["turtle"]], registrar)
    assert refused.value.details["entries"][0]["owner"] == [f"{BASE}department/{OWNER}"]
    assert registry.store.generation() == generation
    assert owner_of(registry.store) == {f"{BASE}department/{OWNER}"}


def test_over_http_the_takeover_is_403_and_nothing_is_written(
    seeded_dump: bytes, validator
) -> None:
    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    secret = create_token(store, "submitter", ATTACKER, "attacker")[1]
    app = create_app(Settings(store="memory", seed=False), store=store, validator=validator)
    with TestClient(app, raise_server_exceptions=False) as client:
        registry: Registry = client.app.state.registry
        generation = store.generation()
        for body, media in (
            (takeover_turtle(registry), "text/turtle"),
            (takeover_csv(), "text/csv"),
        ):
            response = client.post(
                "/api/v1/submissions",
                content=body,
                headers={"Content-Type": media, "Authorization": f"Bearer {secret}"},
            )
            assert response.status_code == 403, response.text
            error = response.json()["error"]
            assert error["code"] == "forbidden"
            assert RESOURCE in error["message"]
            assert error["details"]["entries"][0]["owner"] == [f"{BASE}department/{OWNER}"]
        assert store.generation() == generation
        assert client.get("/api/v1/resources/101001-000001").json()["publisher"]["id"] == OWNER


def test_the_cli_with_a_department_is_refused(tmp_path: Path, seeded_dump: bytes) -> None:
    path = tmp_path / "store"
    with open_store(str(path)) as store:
        store.load_dump(seeded_dump, "nquads")
    (tmp_path / "takeover.csv").write_bytes(takeover_csv())
    result = CliRunner().invoke(
        main,
        [
            "register",
            str(tmp_path / "takeover.csv"),
            "--department",
            ATTACKER,
            "--store",
            str(path),
        ],
    )
    assert result.exit_code == 2, result.output
    assert RESOURCE in result.output
    with open_store(str(path)) as store:
        assert owner_of(store) == {f"{BASE}department/{OWNER}"}


# -- the other ways in: XLSX, OpenAPI, DCAT, the web form, the job API -------------------------


def takeover_xlsx() -> bytes:
    """The takeover CSV row as a clerk's workbook."""
    book = Workbook()
    sheet = book.active
    for row in csv.reader(io.StringIO(takeover_csv().decode("gb18030"))):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def takeover_openapi() -> Document:
    """The example OpenAPI description given the code of the Big Data Bureau's
    registered interface SY-DSJ-API-001, imported for the attacker's department."""
    text = (EXAMPLES / "openapi" / "population-verify.yaml").read_text("utf-8")
    text = text.replace("SY-DSJ-API-003", "SY-DSJ-API-001")
    options = {"department": ATTACKER, "serves": [], "conforms_to": []}
    return Document("takeover.yaml", text.encode(), "openapi", options)


TAKEOVER_DCAT = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<https://portal.example.org/catalog> a dcat:Catalog ;
    dct:title "目录"@zh ;
    dct:publisher <https://portal.example.org/org/scjg> ;
    dcat:dataset <https://portal.example.org/dataset/population> .
<https://portal.example.org/org/scjg> a foaf:Agent ; foaf:name "沈阳市市场监督管理局" .
<https://portal.example.org/dataset/population> a dcat:Dataset ;
    dct:identifier "101001/000001" ;
    dct:title "人口基础信息"@zh ;
    dct:description "被冒用的资源。"@zh ;
    dct:publisher <https://portal.example.org/org/scjg> .
"""


@pytest.mark.parametrize("way", ["xlsx", "openapi", "dcat"])
def test_a_submitter_cannot_take_an_entry_through_a_mapped_format(
    registry: Registry, way: str
) -> None:
    store = registry.store
    generation = store.generation()
    attacker = Principal("submitter", URIRef(f"{BASE}department/{ATTACKER}"), "attacker")
    document, entry = {
        "xlsx": (Document("takeover.xlsx", takeover_xlsx()), RESOURCE),
        "openapi": (takeover_openapi(), f"{BASE}interface/SY-DSJ-API-001"),
        "dcat": (
            Document("takeover.ttl", TAKEOVER_DCAT.encode(), "dcat", {"department": ATTACKER}),
            RESOURCE,
        ),
    }[way]
    with pytest.raises(ForbiddenError) as refused:
        registry.submit([document], attacker)
    named = refused.value.details["entries"]
    assert entry in {e["entry"] for e in named}
    assert store.generation() == generation  # nothing written
    assert owner_of(store) == {f"{BASE}department/{OWNER}"}


def test_the_web_form_and_the_job_api_refuse_the_takeover(seeded_dump: bytes, validator) -> None:
    store = open_store("memory")
    store.load_dump(seeded_dump, "nquads")
    secret = create_token(store, "submitter", ATTACKER, "attacker")[1]
    app = create_app(Settings(store="memory", seed=False), store=store, validator=validator)
    with TestClient(app, raise_server_exceptions=False) as client:
        # The web form, signed in with the attacker's token.
        page = client.get("/register")
        csrf = client.cookies.get("screg_csrf")
        assert page.status_code == 200 and csrf
        signed = client.post(
            "/register/sign-in",
            data={"token": secret, "csrf_token": csrf},
            follow_redirects=False,
        )
        assert signed.status_code == 303
        generation = store.generation()  # after the sign-in, which writes its session
        form = client.post(
            "/register",
            data={"csrf_token": csrf, "format": ""},
            files={"file": ("takeover.csv", takeover_csv(), "text/csv")},
        )
        assert form.status_code == 403, form.text[:500]
        assert RESOURCE in form.text
        # The job API: accepted as a job, which fails with the 403 error body.
        queued = client.post(
            "/api/v1/submissions?job=true",
            content=takeover_csv(),
            headers={"Content-Type": "text/csv", "Authorization": f"Bearer {secret}"},
        )
        assert queued.status_code == 202, queued.text
        job = client.get(queued.headers["location"]).json()
        for _ in range(200):
            if job["status"] in ("done", "failed"):
                break
            time.sleep(0.05)
            job = client.get(queued.headers["location"]).json()
        assert job["status"] == "failed", job
        assert job["error"]["status"] == 403
        assert store.generation() == generation
        assert owner_of(store) == {f"{BASE}department/{OWNER}"}


def test_an_entry_transferred_while_its_submission_validated_is_not_taken_back(
    registry: Registry,
) -> None:
    """Validation runs before the writer lock is taken (Registry.submit). Here the
    registrar transfers the resource to another department while its old owner's
    re-submission validates: the decision, made on the register before the transfer,
    is made again under the lock, and the old owner is refused (it would otherwise
    have written its version over the new owner's resource, its publisher with it)."""
    owner = Principal("submitter", URIRef(f"{BASE}department/{OWNER}"), "owner")
    registrar = Principal("registrar", None, "registrar")
    graph: Graph = registry.show(RESOURCE)
    graph.set((URIRef(RESOURCE), DCTERMS.description, Literal("旧提供方修改后的摘要", lang="zh")))
    own = Document("own.ttl", graph.serialize(format="turtle").encode())
    transferred: list[str] = []

    def transfer_meanwhile(done: int, total: int) -> None:
        if not transferred:
            transferred.append(registry.transfer(RESOURCE, ATTACKER, registrar, "机构调整").item)

    with pytest.raises(ForbiddenError) as refused:
        registry.submit([own], owner, progress=transfer_meanwhile)
    assert transferred == [RESOURCE]
    assert {e["entry"] for e in refused.value.details["entries"]} == {RESOURCE}
    assert owner_of(registry.store) == {f"{BASE}department/{ATTACKER}"}


def test_a_mistyped_provider_code_was_called_another_departments_entry(
    registry: Registry,
) -> None:
    """A new entry whose provider code names no department (a typo in the sheet) was
    refused as "entries of another department": the clerk looked for the wrong mistake,
    where validating the same file named the cell. It is no other department's: the
    report refuses it, at the provider."""
    from tests import documents

    owner = Principal("submitter", URIRef(f"{BASE}department/{OWNER}"), "owner")
    body = documents.resource_ttl("101001/004401", title="提供方有误", description="测试。")
    typo = body.replace(b"11210100EXAMPLE01N", b"11210100EXAMPLE01X")
    generation = registry.store.generation()
    for provisional in (False, True):
        result = registry.submit([Document("typo.ttl", typo)], owner, provisional=provisional)
        assert not result.accepted
        refused = [r for r in result.report.results if r.severity == "Violation"]
        assert {r.path for r in refused} == {str(DCTERMS.publisher)}, refused
    assert registry.store.generation() == generation
    # A registered other department is still "another department's".
    other = body.replace(b"11210100EXAMPLE01N", f"{ATTACKER}".encode())
    with pytest.raises(ForbiddenError) as foreign:
        registry.submit([Document("other.ttl", other)], owner)
    assert "属于其他部门" in foreign.value.message.zh


def test_a_blank_provider_was_called_another_departments_entry(registry: Registry) -> None:
    """A CSV row left blank under a merged provider cell has no provider: the register
    answered 403 "entries of another department" with `provider: []`, where validating
    the same file named each blank cell. Now the report says it; and a provisional
    registration does not take an entry without a provider (it would be nobody's)."""
    from tests import documents

    owner = Principal("submitter", URIRef(f"{BASE}department/{OWNER}"), "owner")
    body = documents.resource_ttl("101001/004402", title="提供方为空", description="测试。")
    lines = [line for line in body.decode().splitlines() if "dct:publisher" not in line]
    blank = "\n".join(lines).encode()
    assert b"11210100EXAMPLE01N" not in blank
    generation = registry.store.generation()
    for provisional in (False, True):
        result = registry.submit([Document("blank.ttl", blank)], owner, provisional=provisional)
        assert not result.accepted
        refused = [r for r in result.report.results if r.severity == "Violation"]
        assert [r.path for r in refused] == [str(DCTERMS.publisher)], refused
    assert registry.store.generation() == generation


def test_a_refused_row_of_another_department_was_named_by_its_iri_only(
    registry: Registry,
) -> None:
    """The clerk probe's 403 named http://.../resource/101009-000001 and nothing else: the
    clerk looked for the row by hand. Each refused entry read from a spreadsheet carries
    its sheet and row, in the details and in the message."""
    attacker = Principal("submitter", URIRef(f"{BASE}department/{ATTACKER}"), "attacker")
    with pytest.raises(ForbiddenError) as refused:
        registry.submit([Document("takeover.xlsx", takeover_xlsx())], attacker)
    [named] = [e for e in refused.value.details["entries"] if e["entry"] == RESOURCE]
    assert (named["location"]["sheet"], named["location"]["row"]) == ("Sheet", 2)
    assert f"{RESOURCE}(工作表“Sheet”第 2 行)" in refused.value.message.zh
    assert f"{RESOURCE} (sheet 'Sheet' row 2)" in refused.value.message.en
