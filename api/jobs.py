"""The answer to work accepted as a job (a large validation or submission, a re-run of
the automatic assessments): 202 with where to poll it."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from registry.register.jobs import Job


def accepted_job(job: Job) -> JSONResponse:
    """202 with the job to poll at /api/v1/jobs/{id} (its `Location`)."""
    href = f"/api/v1/jobs/{job.id}"
    return JSONResponse(
        {**job.as_dict(), "href": href}, status_code=202, headers={"Location": href}
    )
