"""The filters of the lists: what each kind's list can be filtered by, the column of the
read model each reads, and the code list its values must come from.

The read model (registry.read.model) filters with them, the API and the pages offer
the ones that apply to a list (`KIND_FILTERS`), and a download names its columns with
the same labels: one place, so a filter known to one is known to all.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from registry.namespaces import SCS
from registry.read.queries import CATEGORY_SCHEME


@dataclass(frozen=True)
class Filter:
    name: str  # the query parameter and the read model's keyword
    # The column of the read model's entries table; None for the category, which is
    # matched through entry_categories with its sub-categories.
    column: str | None
    # The code list a value must be a code of; None: matched as given (a credit code).
    scheme: URIRef | None
    zh: str
    en: str


CATEGORY = Filter("category", None, CATEGORY_SCHEME, "标准体系分类", "Category")
STATUS = Filter("status", "status", SCS.StandardStatuses, "标准状态", "Standard status")
LEVEL = Filter("level", "level", SCS.StandardLevels, "标准层级", "Level")
REGISTER_STATUS = Filter(
    "register_status", "register_status", SCS.RegisterStatuses, "登记状态", "Register status"
)
DEPARTMENT = Filter(
    "department", "publisher_id", None, "提供方（部门统一社会信用代码）", "Department (credit code)"
)
RESOURCE_CLASS = Filter(
    "resource_class", "resource_class", SCS.ResourceClasses, "信息资源分类", "Resource class"
)
SHARING_TYPE = Filter("sharing_type", "sharing_type", SCS.SharingTypes, "共享类型", "Sharing type")
OPENNESS = Filter("openness", "openness", SCS.OpennessTypes, "开放属性", "Openness")
UPDATE_CYCLE = Filter("update_cycle", "update_cycle", SCS.UpdateCycles, "更新周期", "Update cycle")

FILTERS = {
    f.name: f
    for f in (
        CATEGORY,
        STATUS,
        LEVEL,
        REGISTER_STATUS,
        DEPARTMENT,
        RESOURCE_CLASS,
        SHARING_TYPE,
        OPENNESS,
        UPDATE_CYCLE,
    )
}

# The filters each kind's list offers, in the order their values are checked (an
# unknown category is reported before an unknown status, as it always was).
KIND_FILTERS: dict[str, tuple[Filter, ...]] = {
    "standard": (CATEGORY, STATUS, LEVEL, REGISTER_STATUS),
    "resource": (DEPARTMENT, RESOURCE_CLASS, SHARING_TYPE, OPENNESS, UPDATE_CYCLE, REGISTER_STATUS),
    "interface": (DEPARTMENT, REGISTER_STATUS),
    "department": (REGISTER_STATUS,),
    "assessment": (DEPARTMENT, REGISTER_STATUS),
}

# The resource's code-list fields the read model keeps in columns of their own (its
# other filtered columns existed before): the record field is the column's name.
CODE_COLUMNS = ("sharing_type", "openness", "update_cycle", "resource_class")
