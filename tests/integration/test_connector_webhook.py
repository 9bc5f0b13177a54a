"""Signed pushes: mirrored when signed and fresh; bad signature, stale or replayed refused."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from dossier_fixtures import site_id
from server_fixtures import Api
from sqlalchemy import select

from queue_server.adapters.tables import events
from queue_server.dossiers.connectors.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from queue_server.mock_upstream import demo_dossiers
from queue_server.services.dossier_settings import (
    DossierSection,
    WebhookSection,
    save_dossier_settings,
)

SECRET = "bi-mat-chia-se-voi-he-thong-mot-cua"


@pytest.fixture
def hooked(api: Api, monkeypatch: pytest.MonkeyPatch) -> Api:
    monkeypatch.setenv("MOTCUA_TEST_WEBHOOK_SECRET", SECRET)
    section = DossierSection(webhook=WebhookSection(secret_env="MOTCUA_TEST_WEBHOOK_SECRET"))
    with api.runtime.uow() as uow:
        save_dossier_settings(uow, site_id(api.runtime), section, api.runtime.clock())
        uow.commit()
    return api


def push(api: Api, body: bytes, timestamp: int, signature: str | None = None) -> Any:
    headers = {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature or sign(SECRET.encode(), str(timestamp), body),
        "Content-Type": "application/json",
    }
    return api.call("POST", "/dossiers/webhook", headers=headers, data=body)


def refusals(api: Api) -> list[str]:
    with api.runtime.uow(readonly=True) as uow:
        rows = uow.session.execute(
            select(events.c.payload).where(events.c.kind == "dossiers.push_refused")
        )
        return [r.payload["reason"] for r in rows]


def body_of(api: Api, count: int = 3) -> tuple[bytes, list[dict[str, Any]]]:
    rows = demo_dossiers(count, api.runtime.clock(), seed=7)
    return json.dumps({"dossiers": rows}, ensure_ascii=False).encode(), rows


def test_signed_push_is_mirrored(hooked: Api) -> None:
    body, rows = body_of(hooked)
    now = int(hooked.runtime.clock().timestamp())
    response = push(hooked, body, now)
    assert response.status_code == 200, response.json
    assert response.json == {"mirrored": 3}
    found = hooked.call("GET", "/dossiers/lookup", query_string={"q": rows[1]["MaHoSo"]})
    assert found.json["status"]["code"] == 2


def test_bad_signature_stale_and_replay_are_refused_and_logged(
    hooked: Api, caplog: pytest.LogCaptureFixture
) -> None:
    body, rows = body_of(hooked)
    now = int(hooked.runtime.clock().timestamp())
    caplog.set_level(logging.WARNING, logger="queue_server.api.dossiers")

    forged = push(hooked, body, now, signature=sign(b"wrong secret", str(now), body))
    tampered_body = body.replace(rows[0]["TrangThai"].encode(), "Đã trả KQ".encode())
    tampered = push(hooked, tampered_body, now, signature=sign(SECRET.encode(), str(now), body))
    stale = push(hooked, body, now - 301)
    assert push(hooked, body, now).status_code == 200
    replay = push(hooked, body, now)

    for response in (forged, tampered, stale, replay):
        assert response.status_code == 401
        assert response.json["error"]["code"] == "webhook_refused"
    assert refusals(hooked) == ["bad_signature", "bad_signature", "stale_timestamp", "replay"]
    logged = [r.getMessage() for r in caplog.records if "webhook refused" in r.getMessage()]
    assert [m.split("(")[1].split(")")[0] for m in logged] == [
        "bad_signature",
        "bad_signature",
        "stale_timestamp",
        "replay",
    ]
    assert not any(rows[0]["SoCCCD"] in r.getMessage() for r in caplog.records)


def test_push_with_a_bad_row_mirrors_nothing(hooked: Api) -> None:
    rows = demo_dossiers(3, hooked.runtime.clock(), seed=9)
    rows[2]["TrangThai"] = "không rõ"
    body = json.dumps({"dossiers": rows}).encode()
    response = push(hooked, body, int(hooked.runtime.clock().timestamp()))
    assert response.status_code == 422
    assert response.json["error"]["details"][0]["row"] == 3
    missing = hooked.call("GET", "/dossiers/lookup", query_string={"q": rows[0]["MaHoSo"]})
    assert missing.status_code == 404


def test_push_is_refused_when_no_secret_is_configured(api: Api) -> None:
    body, _ = body_of(api)
    response = push(api, body, int(api.runtime.clock().timestamp()))
    assert response.status_code == 401
    assert refusals(api) == ["no_secret"]
