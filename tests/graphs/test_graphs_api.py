"""The dependency-graph API (through create_app) and CLI (through click's runner)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import networkx as nx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api import create_app
from api.routers.graphs import router
from registry.cli import main
from registry.config import Settings
from registry.graphs import dot_available
from registry.service import Registry
from tests.conftest import skip_unless_available
from tests.graphs.test_graphs import standard_ttl, submit

STD = "http://127.0.0.1:8000/id/standard/"
PI_2017 = STD + "GB-T-35273-2017"


@pytest.fixture
def client(open_seeded, seeded_dump: bytes, validator) -> Iterator[TestClient]:
    store = open_seeded(seeded_dump)
    app = create_app(Settings(store="memory", seed=False), store=store, validator=validator)
    # The lead includes the router in create_app; until then the test includes it.
    if not any(getattr(r, "path", "") == "/api/v1/cycles" for r in app.routes):
        app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    return body["error"]


def test_graph_json_by_identifier_with_slash(client: TestClient) -> None:
    response = client.get("/api/v1/graph/GB/T 35273-2017", params={"direction": "dependents"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    data = response.json()
    back = nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")
    assert STD + "GB-T-38664.2-2020" in back and STD + "GB-T-35273-2020" not in back
    assert data["graph"]["direction"] == "dependents"


def test_graph_formats_by_query_and_accept(client: TestClient) -> None:
    path = "/api/v1/graph/" + quote("GB/T 38664.2-2020", safe="")
    graphml = client.get(path, params={"format": "graphml", "depth": 1})
    assert graphml.headers["content-type"].startswith("application/graphml+xml")
    assert ET.fromstring(graphml.content).tag.endswith("graphml")
    dot = client.get(path, headers={"Accept": "text/vnd.graphviz"})
    assert dot.headers["content-type"].startswith("text/vnd.graphviz")
    assert dot.text.startswith("digraph")
    assert_error(client.get(path, headers={"Accept": "image/png"}), 406, "not_acceptable")
    if dot_available():
        svg = client.get(path, headers={"Accept": "image/svg+xml"})
        assert svg.status_code == 200 and ET.fromstring(svg.content).tag.endswith("svg")


def test_graph_as_of_and_errors(client: TestClient) -> None:
    early = client.get("/api/v1/graph/GB/T 35273-2017", params={"as_of": "2019-06-01"}).json()
    statuses = {n["id"]: n.get("status") for n in early["nodes"]}
    assert statuses[PI_2017] == "current"
    gone = client.get("/api/v1/graph/GB/T 35273-2020", params={"as_of": "2019-06-01"})
    assert_error(gone, 404, "not_found")
    assert_error(client.get("/api/v1/graph/GB/T 99999-2099"), 404, "not_found")
    bad = client.get("/api/v1/graph/GB/T 35273-2017", params={"direction": "sideways"})
    assert_error(bad, 422, "invalid_request")
    assert_error(client.get("/api/v1/graph/GB/T 35273-2017?depth=-1"), 422, "invalid_request")
    assert_error(client.get("/api/v1/coverage?as_of=yesterday"), 422, "invalid_request")


def test_coverage_lists_are_paged_and_unknown_parameters_refused(client: TestClient) -> None:
    """At 50,000 resources the whole report was 13 MB of JSON (49,412 resources without
    an interface), built and sent on every visit: its lists are paged."""
    whole = client.get("/api/v1/coverage", params={"limit": 10_000}).json()
    listed = whole["flagged_references"]
    assert len(listed) >= 2
    page = client.get("/api/v1/coverage", params={"offset": 1, "limit": 1}).json()
    assert page["flagged_references"] == listed[1:2]
    assert page["pages"]["flagged_references"] == {
        "total": len(listed),
        "offset": 1,
        "limit": 1,
        "next_offset": 2 if len(listed) > 2 else None,
    }
    assert page["categories"] == whole["categories"]
    unknown = client.get("/api/v1/coverage", params={"page": 2})
    assert_error(unknown, 400, "invalid_input")
    assert "limit" in unknown.json()["error"]["details"]["allowed"]
    assert_error(client.get("/api/v1/coverage?limit=0"), 422, "invalid_request")
    assert_error(client.get("/api/v1/coverage?limit=10001"), 422, "invalid_request")


def test_cycles_are_grouped_and_paged(open_seeded, seeded_dump: bytes, validator) -> None:
    """The cycles' answer at 50,000 resources was 83 MB (1,000 of the cycles of one
    group of 5,016 standards, the longest 1,649): groups with one shortest cycle each,
    paged."""
    store = open_seeded(seeded_dump)
    settings = Settings(store="memory", seed=False)
    registry = Registry(settings, validator=validator, store=store)
    submit(
        registry,
        standard_ttl("DB21/T 9101-2024", dated="DB21-T-9102-2024"),
        standard_ttl("DB21/T 9102-2024", dated="DB21-T-9103-2024", undated="DB21-T-9101-2024"),
        standard_ttl("DB21/T 9103-2024", dated="DB21-T-9101-2024"),
        standard_ttl("DB21/T 9104-2024", dated="DB21-T-9105-2024"),
        standard_ttl("DB21/T 9105-2024", dated="DB21-T-9104-2024"),
    )
    app = create_app(settings, store=store, validator=validator)
    with TestClient(app, raise_server_exceptions=False) as client:
        first = client.get("/api/v1/cycles", params={"limit": 1}).json()
        second = client.get("/api/v1/cycles", params={"limit": 1, "offset": 1}).json()
    assert (first["total"], first["next_offset"], second["next_offset"]) == (2, 1, None)
    [three], [two] = first["groups"], second["groups"]
    assert three == {  # 9101 and 9102 cite each other: a shortest cycle of the three
        "size": 3,
        "members": [STD + f"DB21-T-910{n}-2024" for n in (1, 2, 3)],
        "cycle": [STD + "DB21-T-9101-2024", STD + "DB21-T-9102-2024"],
    }
    assert two["size"] == 2
    assert two["cycle"] == [STD + "DB21-T-9104-2024", STD + "DB21-T-9105-2024"]
    assert first["cycles"] == [three["cycle"]]


def test_impact_cycles_coverage_chain_path(client: TestClient) -> None:
    impact = client.get("/api/v1/impact/GB/T35273—2017").json()
    assert impact["successor"] == STD + "GB-T-35273-2020"
    assert {a["iri"] for a in impact["affected"] if a["direct"]} >= {
        STD + "GB-T-37932-2019",
        STD + "GB-T-38664.2-2020",
    }
    abolished = client.get("/api/v1/impact/GB/T 35295-2017", params={"change": "abolished"})
    assert abolished.json()["successor"] is None and abolished.json()["affected"]
    assert_error(
        client.get("/api/v1/impact/GB/T 35273-2017?change=renamed"), 422, "invalid_request"
    )
    assert client.get("/api/v1/cycles").json() == {
        "total": 0,
        "offset": 0,
        "limit": 100,
        "next_offset": None,
        "groups": [],
        "cycles": [],
    }
    assert_error(client.get("/api/v1/cycles?depth=2"), 400, "invalid_input")
    assert_error(client.get("/api/v1/cycles?limit=0"), 422, "invalid_request")
    assert_error(client.get("/api/v1/cycles?offset=-1"), 422, "invalid_request")
    coverage = client.get("/api/v1/coverage").json()
    assert coverage["targets"]["national"]["target"] == 200
    assert "4.1" in coverage["categories_without_current"]
    assert coverage["pages"]["resources_without_interface"]["limit"] == 100
    chain = client.get("/api/v1/replacements/GB/T 33356-2022").json()["editions"]
    assert [e["identifier"] for e in chain] == ["GB/T 33356-2016", "GB/T 33356-2022"]
    path = client.get("/api/v1/path", params={"from": "203001/000001", "to": "GB/T 35273-2017"})
    assert path.json()["relation"] == "needs" and len(path.json()["path"]) == 3


def test_graph_over_the_node_limit_is_refused_before_drawing(
    open_seeded, seeded_dump: bytes, validator
) -> None:
    store = open_seeded(seeded_dump)
    settings = Settings(store="memory", seed=False, graph_max_nodes=3)
    app = create_app(settings, store=store, validator=validator)
    with TestClient(app, raise_server_exceptions=False) as small:
        path = "/api/v1/graph/GB/T 35273-2017"
        error = assert_error(small.get(path), 400, "graph_too_large")
        assert error["details"]["max_nodes"] == 3 and error["details"]["nodes"] > 3
        near = small.get(path, params={"direction": "dependencies", "depth": 0})
        assert near.status_code == 200 and len(near.json()["nodes"]) == 1


def test_impact_is_paged_and_pages_add_up(client: TestClient) -> None:
    path = "/api/v1/impact/GB/T 35273-2017"
    whole = client.get(path).json()
    assert whole["total"] == len(whole["affected"]) == 5 and whole["next_offset"] is None
    assert whole["limit"] == 1000 and whole["offset"] == 0
    pages, offset = [], 0
    while offset is not None:
        page = client.get(path, params={"limit": 2, "offset": offset}).json()
        assert page["total"] == 5 and page["counts"] == whole["counts"]
        assert len(page["affected"]) <= 2
        pages.extend(page["affected"])
        offset = page["next_offset"]
    assert pages == whole["affected"]
    for bad in ({"limit": 0}, {"limit": 10_001}, {"offset": -1}, {"limit": "x"}):
        assert_error(client.get(path, params=bad), 422, "invalid_request")


# -- CLI ------------------------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_graph_formats(tmp_path: Path, store_path: str) -> None:
    out = tmp_path / "g.graphml"
    result = run(
        "graph",
        "GB/T 38664.2-2020",
        "--depth",
        "1",
        "--format",
        "graphml",
        "-o",
        str(out),
        "--store",
        store_path,
    )
    assert result.exit_code == 0, result.output
    assert PI_2017 in nx.read_graphml(out)
    result = run(
        "graph",
        "GB/T35273-2017",
        "--direction",
        "dependents",
        "--as-of",
        "2020-11-01",
        "--store",
        store_path,
    )
    data = json.loads(result.output)
    assert {n["id"]: n["status"] for n in data["nodes"]}[PI_2017] == "superseded"
    if dot_available():
        svg = tmp_path / "g.svg"
        assert (
            run(
                "graph", "GB/T 35273-2017", "--format", "svg", "-o", str(svg), "--store", store_path
            ).exit_code
            == 0
        )
        assert ET.parse(svg).getroot().tag.endswith("svg")
    else:
        skip_unless_available(False, "Graphviz dot is not installed")


def test_cli_impact_cycles_coverage(store_path: str) -> None:
    text = run("impact", "GB/T 35273-2017", "--store", store_path)
    assert text.exit_code == 0 and "GB/T 38664.2-2020" in text.output
    data = json.loads(run("impact", "GB/T 35273-2017", "--json", "--store", store_path).output)
    assert data["counts"] == {"resource": 3, "standard": 2}
    cycles = run("cycles", "--store", store_path)
    assert cycles.exit_code == 0 and cycles.output.startswith("0 reference cycle")
    coverage = json.loads(run("coverage", "--json", "--store", store_path).output)
    assert coverage["targets"]["local"] == {
        "levels": ["local", "group"],
        "count": 0,
        "target": 100,
        "ratio": 0.0,
        "missing": 100,
    }


def test_cli_impact_pages(store_path: str) -> None:
    text = run("impact", "GB/T 35273-2017", "--limit", "2", "--store", store_path)
    assert text.exit_code == 0
    assert "5 affected" in text.output and "listing 1-2 of 5" in text.output
    assert text.output.count("path:") == 2
    data = json.loads(
        run("impact", "GB/T 35273-2017", "--json", "--offset", "4", "--store", store_path).output
    )
    assert data["total"] == 5 and len(data["affected"]) == 1 and data["next_offset"] is None
    assert run("impact", "GB/T 35273-2017", "--limit", "0", "--store", store_path).exit_code == 2


def test_cli_exit_2_on_unknown_id_or_bad_option(store_path: str) -> None:
    unknown = run("impact", "GB/T 99999-2099", "--store", store_path)
    # The message is in the locale's language (tests/cli/test_cli_language.py); the id in both.
    assert unknown.exit_code == 2 and "id: GB/T 99999-2099" in unknown.output
    assert run("graph", "GB/T 35273-2017", "--depth", "-1", "--store", store_path).exit_code == 2
    assert run("graph", "GB/T 35273-2017", "--format", "png", "--store", store_path).exit_code == 2
    assert run("impact", "GB/T 35273-2017", "--change", "x", "--store", store_path).exit_code == 2
    missing = run("graph", "GB/T 35273-2020", "--as-of", "2019-01-01", "--store", store_path)
    assert missing.exit_code == 2


def test_impact_of_an_abolished_standard_was_assessed_as_superseded(
    store_path: str, validator
) -> None:
    """Asked without a change, impact took every standard as superseded: an abolished
    one answered "nothing affected" and sent its undated citer to a successor that does
    not exist. The standard's own status now decides, on the API, the page and the CLI."""
    from registry.register.submission import REGISTRAR

    abolished, current = "GB/T 38664.1-2020", "GB/T 35273-2017"
    with Registry(Settings(store=store_path, seed=False), validator=validator) as registry:
        root = registry.resolve(abolished)
        registry.change_status(root, "retired", REGISTRAR, reason="abolished")
        asked = registry.impact(root, "abolished").as_dict()
    assert asked["total"] > 0 and asked["successor"] is None
    settings = Settings(store=store_path, seed=False)
    with TestClient(create_app(settings, validator=validator)) as client:
        found = client.get(f"/api/v1/impact/{abolished}").json()
        assert (found["change"], found["total"]) == ("abolished", asked["total"])
        assert found["follows"] == []
        assert client.get(f"/api/v1/impact/{current}").json()["change"] == "superseded"
        page = client.get("/impact", params={"standard": abolished}).text
        assert '<option value="abolished" selected>' in page
        assert "没有受影响的条目" not in page
    said = run("--lang", "en", "impact", abolished, "--store", store_path).output
    assert f"if {abolished} is abolished" in said, said


def test_a_whole_number_as_of_was_read_as_seconds_since_1970(client: TestClient) -> None:
    """`as_of=86400` answered the coverage of 1970-01-02: a day is YYYY-MM-DD only."""
    for bad in ("0", "86400", "2024-1-5", "yesterday"):
        assert_error(client.get("/api/v1/coverage", params={"as_of": bad}), 422, "invalid_request")
    assert client.get("/api/v1/coverage", params={"as_of": "2024-01-05"}).json()["as_of"] == (
        "2024-01-05"
    )
