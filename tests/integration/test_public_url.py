"""A printed ticket's tracking QR must open on a visitor's phone: never a
loopback address; without MOTCUA_PUBLIC_URL, the address the caller used, and the
admin and fleet pages say so until it is set."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from server_fixtures import Api
from test_web_admin import admin_session

from drivers.printer.profiles import paper_profile
from drivers.printer.ticket_layout import QrOp, TicketData, ticket_ops


def issue(api: Api, host: str, **headers: str) -> dict[str, Any]:
    response = api.call(
        "POST", "/tickets", "kiosk", json={"service": "ho-tich"},
        headers={"Host": host, **headers}, environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert response.status_code == 201
    return response.json


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "0.0.0.0"])
def test_a_loopback_address_is_never_the_tracking_url(api: Api, host: str) -> None:
    assert issue(api, host)["track_url"] is None


def test_unset_public_url_takes_the_address_the_visitor_used(api: Api) -> None:
    ticket = issue(api, "motcua.gialai.local", **{"X-Forwarded-Proto": "https"})
    assert ticket["track_url"] == f"https://motcua.gialai.local/t/{ticket['track_token']}"


def test_a_configured_public_url_wins(api: Api) -> None:
    api.runtime.settings = api.runtime.settings.model_copy(
        update={"public_url": "https://hcc.example.vn/"}
    )
    ticket = issue(api, "10.0.0.5:8000")
    assert ticket["track_url"] == f"https://hcc.example.vn/t/{ticket['track_token']}"


def test_a_ticket_without_a_public_address_prints_no_qr() -> None:
    data = TicketData(
        centre_name="Bộ phận Một cửa", service_name="Hộ tịch", number="A001",
        issued_at=datetime(2026, 11, 25, 2, 0, tzinfo=UTC), tracking_url=None,
    )
    assert not any(isinstance(op, QrOp) for op in ticket_ops(data, paper_profile(80)))
    with_url = replace(data, tracking_url="https://hcc.example.vn/t/abc")
    printed = ticket_ops(with_url, paper_profile(80))
    assert [op.payload for op in printed if isinstance(op, QrOp)] == ["https://hcc.example.vn/t/abc"]


ADMIN_PAGES = ["/admin", "/admin/devices"]


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_pages_warn_while_the_public_url_is_unset(api: Api, page: str) -> None:
    admin_session(api)
    text = api.client.get(page).get_data(as_text=True)
    assert 'id="public-url-warning"' in text
    assert "Chưa đặt MOTCUA_PUBLIC_URL" in text
    assert "MOTCUA_PUBLIC_URL is not set" in text


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_pages_warn_when_the_public_url_is_this_machine_only(
    api: Api, page: str
) -> None:
    api.runtime.settings = api.runtime.settings.model_copy(
        update={"public_url": "http://127.0.0.1:8000"}
    )
    admin_session(api)
    text = api.client.get(page).get_data(as_text=True)
    assert "MOTCUA_PUBLIC_URL chỉ trỏ tới chính máy chủ này" in text
    assert "MOTCUA_PUBLIC_URL names this machine only" in text


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_pages_do_not_warn_once_the_public_url_is_set(api: Api, page: str) -> None:
    api.runtime.settings = api.runtime.settings.model_copy(
        update={"public_url": "https://hcc.example.vn"}
    )
    admin_session(api)
    page_text = api.client.get(page)
    assert page_text.status_code == 200
    assert "public-url-warning" not in page_text.get_data(as_text=True)
    assert "MOTCUA_PUBLIC_URL" not in page_text.get_data(as_text=True)
