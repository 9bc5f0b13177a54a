"""Which centre a use case acts on, named before its transaction opens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Concatenate, ParamSpec, TypeVar

from queue_server.adapters.unit_of_work import UnitOfWork
from queue_server.queueing.errors import NotFound
from queue_server.queueing.model import Site
from queue_server.services.auth import Forbidden
from queue_server.services.unit_of_work import UnitOfWorkFactory, run

T = TypeVar("T")
P = ParamSpec("P")


@dataclass(frozen=True)
class SiteRef:
    """The caller's own centre (``site_id``, from their token), or one named by
    ``code``; with both, the code must be the caller's own centre."""

    site_id: int | None = None
    code: str | None = None

    def load(self, uow: UnitOfWork) -> Site:
        """The site's settings, to read (a use case that changes them reads the row)."""
        if self.site_id is not None:
            site = uow.repo.site_copy(self.site_id)
            if self.code and self.code != site.code:
                raise Forbidden(
                    "This token belongs to another centre.", "Mã truy cập thuộc trung tâm khác."
                )
            return site
        found = uow.repo.site(self.code or "")
        if found is None:
            raise NotFound(
                f"There is no centre {self.code!r}.", f"Không có trung tâm «{self.code}»."
            )
        return found


def run_with_site(
    uows: UnitOfWorkFactory,
    site: SiteRef,
    work: Callable[[UnitOfWork, Site], T],
    *,
    readonly: bool = False,
) -> T:
    """Run a one-step use case, ``work(uow, site)``, in its own transaction (:func:`run`)."""
    return run(uows, lambda uow: work(uow, site.load(uow)), readonly=readonly)



def run_step(
    uows: UnitOfWorkFactory,
    site: SiteRef,
    step: Callable[Concatenate[UnitOfWork, int, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """The use case made of one step ``step(uow, site_id, *args, **kwargs)``, run in
    its own transaction on the site's id (:func:`run`)."""
    return run(uows, lambda uow: step(uow, site.load(uow).id or 0, *args, **kwargs))
