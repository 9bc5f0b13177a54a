"""Time parked is reported apart, on SQLite and PostgreSQL: a visitor served three
minutes around a twelve-minute trip to pay a fee counts three minutes of service,
their wait is not stretched, and the report says how many were parked and for how long."""

from __future__ import annotations

from datetime import date

from server_fixtures import Api

from queue_server.dossiers.calendar import WorkingCalendar
from queue_server.reports.layout import summary_lines
from queue_server.reports.periods import PeriodKind, ReportPeriod
from queue_server.reports.queries import ReportFilter, collect_report
from queue_server.services.clock import local_day


def test_service_time_leaves_out_the_time_parked_and_parked_time_is_its_own_figure(
    api: Api,
) -> None:
    clock = api.runtime.clock
    day = local_day(clock(), "Asia/Ho_Chi_Minh")
    api.issue("ho-tich")
    clock.advance(minutes=4)  # waited four minutes
    assert api.desk(3, "call-next").status_code == 200
    assert api.desk(3, "start").status_code == 200
    clock.advance(minutes=1)
    assert api.desk(3, "park", json={"reason": "pay_fee"}).status_code == 200
    clock.advance(minutes=12)  # away paying the fee
    assert api.desk(4, "resume-parked", json={"number": "B001"}).status_code == 200
    clock.advance(minutes=2)
    assert api.desk(4, "finish").status_code == 200
    api.issue("ho-tich")  # parked, and still away when the report is made
    assert api.desk(3, "call-next").status_code == 200
    assert api.desk(3, "park", json={"reason": "fill_form"}).status_code == 200

    with api.runtime.uow(readonly=True) as uow:
        site = uow.repo.site("default")
        assert site is not None and site.id is not None
        period = ReportPeriod(PeriodKind.DAY, date.fromisoformat(day), date.fromisoformat(day))
        report = collect_report(
            uow.session, ReportFilter((site.id,)), period, WorkingCalendar(), clock()
        )

    totals = report.to_dict()["totals"]
    assert (totals["served"], totals["parked"]) == (1, 2)
    assert totals["service"]["mean_s"] == 3 * 60
    assert totals["wait"]["count"] == 2 and totals["wait"]["mean_s"] == 4 * 60 / 2
    assert (totals["parked_time"]["count"], totals["parked_time"]["mean_s"]) == (1, 12 * 60)
    [counter4] = [g for g in report.groups["counter"] if g.label == "Quầy 4"]
    assert counter4.service.mean_s == 3 * 60 and counter4.counts.served == 1
    lines = dict(summary_lines(report))
    assert lines["Lượt tạm chờ / Parked"] == 2
    assert lines["Thời gian tạm chờ TB (phút) / Mean time parked (min)"] == 12.0
