"""REST pull against the mock one-stop system: incremental, retried, and harmless when down."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from dossier_fixtures import site_id
from server_fixtures import Api

from queue_server.dossiers.connectors.pull import PullClient, PullOptions
from queue_server.mock_upstream import MockUpstream, UpstreamStore, demo_dossiers
from queue_server.services.dossier_feeds import mirror_rows, pull_dossiers

TOKEN = "upstream-test-token"


@pytest.fixture
def upstream(api: Api) -> Iterator[MockUpstream]:
    store = UpstreamStore(demo_dossiers(25, api.runtime.clock(), seed=11))
    with MockUpstream(store, token=TOKEN) as mock:
        yield mock


def client(mock: MockUpstream, retries: int = 0) -> PullClient:
    return PullClient(
        PullOptions(
            mock.url, auth_value=f"Bearer {TOKEN}", page_size=10, retries=retries, backoff_s=0
        )
    )


def status_of(api: Api, code: str) -> int:
    response = api.call("GET", "/dossiers/lookup", query_string={"q": code})
    assert response.status_code == 200
    return response.json["status"]["code"]


def test_pull_is_incremental(api: Api, upstream: MockUpstream) -> None:
    site = site_id(api.runtime)
    with client(upstream) as pull:
        first = pull_dossiers(api.runtime, site, pull)
        assert (first.rows, first.pages, first.error) == (25, 3, None)
        rows = demo_dossiers(25, api.runtime.clock(), seed=11)
        later = api.runtime.clock() + timedelta(minutes=5)
        upstream.store.update(rows[3]["MaHoSo"], later, TrangThai="Đã trả kết quả")
        upstream.store.update(rows[7]["MaHoSo"], later, TrangThai="Chờ bổ sung")
        upstream.store.requests = 0
        second = pull_dossiers(api.runtime, site, pull)
    assert (second.rows, second.pages) == (2, 1)
    assert upstream.store.requests == 1
    assert status_of(api, rows[3]["MaHoSo"]) == 10
    assert status_of(api, rows[7]["MaHoSo"]) == 5


def test_transient_upstream_errors_are_retried(api: Api, upstream: MockUpstream) -> None:
    upstream.store.failures_left = 2
    with client(upstream, retries=3) as pull:
        report = pull_dossiers(api.runtime, site_id(api.runtime), pull)
    assert (report.rows, report.error) == (25, None)
    assert upstream.store.requests == 3 + 2


def test_upstream_down_lookups_still_answer_with_the_data_age(
    api: Api, upstream: MockUpstream
) -> None:
    site = site_id(api.runtime)
    code = demo_dossiers(1, api.runtime.clock(), seed=11)[0]["MaHoSo"]
    with client(upstream) as pull:
        assert pull_dossiers(api.runtime, site, pull).error is None
    upstream.stop()
    api.runtime.clock.advance(hours=3)
    with client(upstream, retries=1) as pull:
        report = pull_dossiers(api.runtime, site, pull)
    assert report.rows == 0 and "not reachable" in (report.error or "")
    answer = api.call("GET", "/dossiers/lookup", query_string={"q": code})
    assert answer.status_code == 200
    assert answer.json["data_age_s"] == 3 * 3600
    feeds = {f["source"]: f for f in api.call("GET", "/dossiers/feeds", "admin").json}
    assert feeds["pull"]["age_s"] == 3 * 3600
    assert "not reachable" in feeds["pull"]["last_error"]


def test_wrong_token_is_reported_not_retried(api: Api, upstream: MockUpstream) -> None:
    options = PullOptions(upstream.url, auth_value="Bearer wrong", retries=3, backoff_s=0)
    with PullClient(options) as pull:
        report = pull_dossiers(api.runtime, site_id(api.runtime), pull)
    assert report.error == "Upstream answered HTTP 401"
    assert upstream.store.requests == 1


def test_a_bad_upstream_row_is_skipped_and_the_rest_mirrored(
    api: Api, upstream: MockUpstream
) -> None:
    row = demo_dossiers(26, api.runtime.clock(), seed=11)[25]
    upstream.store.put({**row, "TrangThai": "trạng thái lạ"})
    with client(upstream) as pull:
        report = pull_dossiers(api.runtime, site_id(api.runtime), pull)
    assert (report.rows, report.skipped) == (25, 1)


def test_a_page_holding_null_or_bare_values_skips_them_and_mirrors_the_rest(
    api: Api,
) -> None:
    """An upstream page of ``[null, "x", {...}]`` is no crash loop on one cursor: the
    two are skipped as rows, counted for the admin page, and the record is mirrored."""
    row = demo_dossiers(1, api.runtime.clock(), seed=11)[0]
    with api.runtime.uow() as uow:
        result = mirror_rows(
            uow, site_id(api.runtime), enumerate([None, "x", row], start=1), "pull",
            api.runtime.clock(), all_or_nothing=False, id_key=api.runtime.id_key,
        )
        uow.commit()
    assert (result.rows, result.skipped) == (1, 2)
    status_of(api, row["MaHoSo"])  # the lookup finds the mirrored record (asserts a 200)
