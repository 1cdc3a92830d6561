"""The documented shapes of the read answers: entries, list pages and the submissions
list, as /openapi.json shows them to a client generator.

They document, they do not build: the read model builds each answer once
(registry.read), JSON-ready, and the routes send it as it is (no response model walking
a resource's data items again). So that the two cannot drift, a test validates the
answers of every entry and list of the example registry against these schemas
(tests/api/test_openapi_document.py). Every model allows fields it does not name: a
field added later is not a break for a client generated from an older document.
Nullable fields are those the register may leave empty.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Labels = dict[str, str]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Code(_Open):
    """A concept of a code list or of the category tree."""

    code: str = Field(description="Its notation, e.g. `national`, `3.2`.")
    iri: str
    label: Labels = Field(description="Its names by language (`zh`, `en`).")


class Link(_Open):
    """Another entry this one names, or that names it. Only `iri` when what is named is
    not a register entry (an assessment's subject described in the assessment itself)."""

    iri: str
    kind: str | None = Field(
        None, description="standard, resource, interface, department or assessment."
    )
    id: str | None = Field(None, description="Its identifier or code, as people write it.")
    href: str | None = Field(None, description="Its answer in this API.")
    label: Labels | None = Field(None, description="Its title or name by language.")
    status: str | None = Field(
        None, description="A cited standard's status code (`current`, `superseded`, ...)."
    )
    by: list[str] | None = Field(
        None, description="In `referenced_by`: the fields of the other entry that name it."
    )


class RegisterRecord(_Open):
    status: str = Field(description="Register status of the current version.")
    version: int = Field(description="The current version's number.")
    time: str = Field(description="When it was registered (xsd:dateTime with its offset).")


class _Entry(_Open):
    iri: str
    id: str = Field(description="Its identifier or code, as people write it.")
    href: str = Field(description="This answer's path.")
    # Aliased: `register` would shadow BaseModel.register (an ABC's class method).
    register_record: RegisterRecord = Field(alias="register")


class StandardItem(_Entry):
    identifier: str
    title: Labels
    level: Code | None = None
    nature: Code | None = None
    status: Code | None = None
    categories: list[Code] = []
    issued: str | None = Field(None, description="Issue date, YYYY-MM-DD.")
    in_force_from: str | None = Field(None, description="Implementation date, YYYY-MM-DD.")
    withdrawn_on: str | None = None
    replaces: list[Link] = []
    replaced_by: list[Link] = []
    ics: list[str] = []
    ccs: list[str] = []
    adoption_degree: Code | None = None
    adopted_from: str | None = None
    dated_references: list[Link] = []
    undated_references: list[Link] = []
    in_force: bool | None = Field(None, description="In force today (status and dates).")


class Standard(StandardItem):
    referenced_by: list[Link] = []


class DataItem(_Open):
    iri: str
    position: int | None = None
    name: Labels | None = None
    code: str | None = None
    data_type: Code | None = None
    length: int | None = None


class ResourceItem(_Entry):
    code: str = Field(description="Resource code, e.g. `101001/000001`.")
    title: Labels
    publisher: Link | None = None
    description: Labels | None = None
    resource_class: Code | None = None
    format: Code | None = None
    format_detail: str | None = None
    sharing_type: Code | None = None
    sharing_condition: str | None = None
    sharing_basis: str | None = None
    sharing_methods: list[Code] = []
    openness: Code | None = None
    open_condition: str | None = None
    update_cycle: Code | None = None
    issued: str | None = None
    related: list[Link] = []
    conforms_to: list[Link] = []
    data_item_count: int | None = None


class Resource(ResourceItem):
    data_items: list[DataItem] = []


class InterfaceItem(_Entry):
    code: str
    title: Labels
    publisher: Link | None = None
    endpoint_url: str | None = None
    protocol: str | None = None
    serves: list[Link] = []
    conforms_to: list[Link] = []
    version: str | None = None
    auth_method: str | None = None
    endpoint_description_chars: int | None = None


class Interface(InterfaceItem):
    endpoint_description: str | None = Field(
        None, description="The OpenAPI document it was registered from, as text."
    )


class Provides(_Open):
    resources: int
    interfaces: int


class Department(_Entry):
    name: Labels
    credit_code: str
    provides: Provides | None = None


class Assessment(_Entry):
    code: str
    title: Labels | None = None
    publisher: Link | None = None
    subject: Link | None = None
    test: Link | None = Field(None, description="The standard assessed against.")
    clause: str | None = None
    asserted_by: Link | None = None
    mode: Code | None = None
    outcome: Code | None = None
    date: str | None = None
    valid_until: str | None = None
    rules_version: str | None = None
    description: Labels | None = None
    evidence: list[Any] = []
    assessor_name: Labels | None = None


class _Page(_Open):
    total: int = Field(description="Every entry the filters choose.")
    limit: int
    offset: int


class StandardPage(_Page):
    items: list[StandardItem]


class ResourcePage(_Page):
    items: list[ResourceItem]


class InterfacePage(_Page):
    items: list[InterfaceItem]


class DepartmentPage(_Page):
    items: list[Department]


class AssessmentPage(_Page):
    items: list[Assessment]


class SubmissionItem(_Open):
    id: str
    iri: str
    agent: str | None = None
    started: str | None = None
    outcome: str | None = None
    entries: int | None = None


class SubmissionPage(_Page):
    items: list[SubmissionItem]
