"""Public dossier lookup: by code and by receipt QR, errors, data age, rate limits."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from dossier_fixtures import seed_mirror
from server_fixtures import Api

from device_kit.contract.dossier_codes import DossierCode

LOOKUP = "/dossiers/lookup"


def lookup(api: Api, q: str, who: str | None = None, address: str = "10.0.0.1") -> Any:
    return api.call(
        "GET", LOOKUP, who, query_string={"q": q}, environ_base={"REMOTE_ADDR": address}
    )


def canonical(code: str) -> str:
    return str(DossierCode.parse(code))


def test_lookup_by_code_shows_status_procedure_due_and_collect_place(api: Api) -> None:
    row = next(r for r in seed_mirror(api.runtime) if r["TrangThai"] == "Đang xử lý")
    response = lookup(api, row["MaHoSo"].lower().replace("-", " "))
    assert response.status_code == 200
    body = response.json
    assert body["code"] == canonical(row["MaHoSo"])
    assert body["status"]["code"] == 4
    assert body["status"]["label_vi"] == "Đang xử lý"
    assert body["procedure"] == {"code": row["MaTTHC"], "name": row["TenTTHC"]}
    assert body["collect_at"] == row["NoiTraKetQua"]
    assert body["due_at"] is not None and body["timeliness"]["label_vi"] in {
        "Đúng hạn",
        "Trễ hạn",
    }
    assert [s["name"] for s in body["steps"]] == [s["NoiDung"] for s in row["QuaTrinhXuLy"]]
    assert body["data_age_s"] == 0


@pytest.mark.parametrize(
    "payload",
    [
        "https://dichvucong.gialai.gov.vn/tra-cuu-ho-so?MHS={code}&cccd=064201012345",
        '{{"id": "{code}", "secret": "A7F3K9"}}',
        "  {code}\r\n",
    ],
)
def test_lookup_by_qr_payload_finds_the_same_dossier(api: Api, payload: str) -> None:
    row = seed_mirror(api.runtime, 10)[3]
    response = lookup(api, payload.format(code=row["MaHoSo"]))
    assert response.status_code == 200
    assert response.json["code"] == canonical(row["MaHoSo"])
    assert "064201012345" not in response.get_data(as_text=True)


def test_unknown_code_is_404_and_not_a_code_is_400_with_the_error_shape(api: Api) -> None:
    seed_mirror(api.runtime, 5)
    unknown = lookup(api, "000.00.06.H56-240101-9999")
    assert unknown.status_code == 404
    assert unknown.json["error"]["code"] == "dossier_not_found"
    assert "Không tìm thấy hồ sơ" in unknown.json["error"]["message_vi"]
    refused = lookup(api, "xin chao 079201001234")
    assert refused.status_code == 400
    error = refused.json["error"]
    assert error["code"].startswith("dossier_") or error["code"] == "invalid_dossier_code"
    assert "000.00.06.H56-231027-0361" in error["message_vi"]
    assert "079201001234" not in refused.get_data(as_text=True)


def test_lookups_are_limited_per_address_with_retry_after(api: Api) -> None:
    code = seed_mirror(api.runtime, 3)[0]["MaHoSo"]
    answers = [lookup(api, code, address="10.0.0.7").status_code for _ in range(20)]
    assert answers == [200] * 20
    limited = lookup(api, "000.00.06.H56-240101-0001", address="10.0.0.7")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert set(limited.json["error"]) >= {"code", "message", "message_vi"}
    assert limited.json["error"]["code"] == "too_many_lookups"
    assert lookup(api, code, address="10.0.0.8").status_code == 200
    api.runtime.clock.advance(seconds=int(limited.headers["Retry-After"]))
    assert lookup(api, code, address="10.0.0.7").status_code == 200


def test_visitors_behind_the_proxy_are_limited_one_by_one(api: Api) -> None:
    """GIVEN two phones reaching the server through the local reverse proxy
    WHEN one of them floods the lookup
    THEN only that phone is refused; the other and a fresh visitor still get answers,
    and a LAN client cannot escape its own limit by forging X-Forwarded-For."""
    code = seed_mirror(api.runtime, 3)[0]["MaHoSo"]

    def via_proxy(visitor: str, peer: str = "127.0.0.1") -> int:
        return api.call(
            "GET", LOOKUP, query_string={"q": code},
            headers={"X-Forwarded-For": f"198.51.100.77, {visitor}"},
            environ_base={"REMOTE_ADDR": peer},
        ).status_code

    flood = [via_proxy("203.0.113.10") for _ in range(25)]
    assert flood[:20] == [200] * 20 and flood[20:] == [429] * 5
    assert [via_proxy("203.0.113.20") for _ in range(20)] == [200] * 20
    assert via_proxy("203.0.113.10") == 429
    forged = [via_proxy(f"203.0.113.{n}", peer="10.0.0.50") for n in range(30, 51)]
    assert forged[:20] == [200] * 20 and forged[20] == 429


def test_kiosk_token_has_its_own_larger_budget(api: Api) -> None:
    code = seed_mirror(api.runtime, 3)[0]["MaHoSo"]
    for _ in range(20):
        lookup(api, code, address="10.0.0.9")
    assert lookup(api, code, address="10.0.0.9").status_code == 429
    kiosk = [lookup(api, code, who="kiosk", address="10.0.0.9").status_code for _ in range(120)]
    assert kiosk == [200] * 120
    assert lookup(api, code, who="kiosk", address="10.0.0.9").status_code == 429


def test_data_age_grows_while_no_feed_succeeds(api: Api) -> None:
    code = seed_mirror(api.runtime, 3)[0]["MaHoSo"]
    mirrored_at = api.runtime.clock()
    api.runtime.clock.advance(hours=2)
    body = lookup(api, code).json
    assert body["data_age_s"] == 7200
    assert datetime.fromisoformat(body["data_as_of"]) == mirrored_at


def test_lookup_route_is_in_the_openapi_document(api: Api) -> None:
    document = json.loads(api.call("GET", "/openapi.json").get_data())
    assert "get" in document["paths"]["/api/v1/dossiers/lookup"]
    assert "post" in document["paths"]["/api/v1/dossiers/webhook"]
