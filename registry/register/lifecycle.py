"""One lifecycle for a standard: how its register status and its own status meet.

A standard has two statuses. Its register status (ISO 19135: submitted, valid,
deprecated, superseded, retired, invalid) says what the registry vouches for; its own
status (scs:standardStatus: current, forthcoming, superseded, abolished) is a fact
about the standard as its publisher issued it. They meet in two places only:

- A registrar's register decision that ends a standard implies its own status, and
  the writer records that in the new version's content, so that every reader (REST,
  pages, SPARQL, graphs, impact, as-of, coverage) reads the same fact and none derives
  it: `superseded` makes it `superseded` (and the successor its dct:isReplacedBy),
  `retired` makes it `abolished` (IMPLIED_STANDARD_STATUS).
- "In force" (`in_force`) needs both: valid in the register and current by its own
  status. A forthcoming standard is not in force yet; a deprecated, submitted or
  invalid one is not vouched for. Coverage's plan targets count only standards in
  force; an undated reference leads to the edition in force.
"""

from __future__ import annotations

# The register statuses that end a standard, and the own status each implies.
IMPLIED_STANDARD_STATUS: dict[str, str] = {"superseded": "superseded", "retired": "abolished"}

IN_FORCE_REGISTER_STATUS = "valid"
IN_FORCE_STANDARD_STATUS = "current"


def in_force(standard_status: str | None, register_status: str | None) -> bool:
    """Whether a standard with these statuses (codes) is in force."""
    return (
        register_status == IN_FORCE_REGISTER_STATUS and standard_status == IN_FORCE_STANDARD_STATUS
    )
