"""Two registries over one remote store, as two API processes behind a load balancer:
a write through one reaches the other's read model through the change log in the
store, by applying the entries it changed, without a rebuild (issue 15)."""

from __future__ import annotations

from registry.config import Settings
from registry.register.submission import REGISTRAR
from registry.service import Registry

STANDARD = "http://127.0.0.1:8000/id/standard/GB-T-34678-2017"


def test_a_write_through_one_registry_is_applied_by_the_others_read_model(
    remote_url: str,
) -> None:
    url = remote_url
    with (
        Registry(Settings(store=url, seed=True)) as writer,
        Registry(Settings(store=url, seed=False)) as reader,
    ):
        writer.reader()  # seeds the store
        model = reader.reader()
        before = model.generation()
        assert before == writer.store.generation()
        assert model.record(STANDARD)["register"]["status"] == "valid"  # type: ignore[index]

        writer.change_status(STANDARD, "deprecated", REGISTRAR)

        assert reader.store.changes_since(before) is not None
        model = reader.reader()
        assert model.generation() == writer.store.generation() == before + 1
        # The model's log of rewrites reaches back past the write: it was applied,
        # not rebuilt (a rebuild starts that log again at its own generation).
        fields = model.entry_fields(["$.register.status"], since=before)
        assert fields.changed is not None and STANDARD in fields.changed
        assert model.record(STANDARD)["register"]["status"] == "deprecated"  # type: ignore[index]
