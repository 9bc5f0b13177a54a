"""The centre every use-case test starts from, on the fake unit of work."""

from __future__ import annotations

import pytest
from fake_unit_of_work import FakeUnitOfWork

from queue_server.queueing.model import Counter, PriorityPolicy, Service, Site


@pytest.fixture
def uow() -> FakeUnitOfWork:
    """A centre (site 1) with two services, strict ``ho-tich`` (id 2, prefix A) and
    interleaved ``dat-dai`` (id 3, prefix B), and a counter for each (ids 4 and 5)."""
    fake = FakeUnitOfWork()
    repo = fake.repo
    repo.add(Site(code="hcm", name_vi="Trung tâm"))
    repo.add(Service(site_id=1, code="ho-tich", prefix="A", name_vi="Hộ tịch"))
    repo.add(
        Service(
            site_id=1,
            code="dat-dai",
            prefix="B",
            name_vi="Đất đai",
            priority_policy=PriorityPolicy.INTERLEAVED,
            interleave_every=2,
        )
    )
    repo.add(Counter(site_id=1, number=1, name="Quầy 1"))
    repo.add(Counter(site_id=1, number=2, name="Quầy 2"))
    repo.counter_services = {4: [2], 5: [3]}
    return fake
