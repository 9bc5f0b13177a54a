"""Reading the public lookup answer into what the kiosk shows."""

from __future__ import annotations

from datetime import date

from kiosk_app.dossier_view import DossierView

ANSWER = {
    "code": "000.00.06.H56-231027-0361",
    "procedure": {"code": "1.001193", "name": "Đăng ký khai sinh"},
    "agency": "UBND phường",
    "applicant": "Nguyễn V** A*",
    "status": {
        "code": 9,
        "label_vi": "Đã xử lý xong",
        "label_en": "Processed",
        "explain_vi": "Hồ sơ đã có kết quả.",
        "explain_en": "The result is ready.",
        "finished": True,
    },
    "received_at": "2026-11-19T18:30:00+00:00",
    "due_at": "2026-11-27T10:00:00+00:00",
    "timeliness": {"code": "early", "label_vi": "Trước hạn", "label_en": "Early"},
    "steps": [
        {"name": "Tiếp nhận", "unit": "Bộ phận Một cửa", "at": "2026-11-19T18:30:00+00:00"},
        {"name": "Trình ký", "unit": "", "at": None},
    ],
    "collect_at": "Quầy số 6",
    "data_age_s": 300,
}


def test_public_answer_becomes_plain_facts_in_local_time() -> None:
    view = DossierView.from_api(ANSWER, "Asia/Ho_Chi_Minh")
    assert view.procedure == "Đăng ký khai sinh"
    assert (view.status_vi, view.status_en, view.status_code) == ("Đã xử lý xong", "Processed", 9)
    assert view.received == date(2026, 11, 20)  # 01:30 on the 20th in Hà Nội
    assert view.due == date(2026, 11, 27) and view.timeliness == "early"
    assert view.collect_vi == "Quầy số 6" and view.applicant == "Nguyễn V** A*"
    assert view.ready is True
    assert [(s.at, s.vi) for s in view.steps] == [
        ("20/11/2026 01:30", "Tiếp nhận — Bộ phận Một cửa"),
        ("", "Trình ký"),
    ]


def test_only_a_processed_dossier_offers_a_result_ticket() -> None:
    returned = {**ANSWER, "status": {**ANSWER["status"], "code": 10}}
    processing = {**ANSWER, "status": {"code": 4, "label_vi": "Đang xử lý"}}
    assert DossierView.from_api(returned).ready is False
    assert DossierView.from_api(processing).ready is False


def test_missing_fields_are_simply_absent() -> None:
    view = DossierView.from_api({"code": "H56.14-240823-0001", "status": 4})
    assert (view.procedure, view.due, view.timeliness, view.steps) == ("", None, None, ())
    assert view.status_code == 4 and not view.ready


def test_a_status_code_that_is_no_number_is_absent_not_a_crash() -> None:
    """"²" passes ``str.isdigit`` yet ``int`` refuses it."""
    odd = {**ANSWER, "status": {**ANSWER["status"], "code": "²", "finished": False}}
    view = DossierView.from_api(odd)
    assert view.status_code is None and view.ready is False
    assert view.status_vi == "Đã xử lý xong"
