"""Dossier domain (hồ sơ): plain Python, no Flask, Kivy, SQLAlchemy or drivers.

What to call from the lookup API, the kiosk and the SMS service:

Codes, payloads and their refusals live in the wire contract, because the kiosk
parses them too (:mod:`device_kit.contract`): ``qr_payload.extract(text) ->
Payload(code, secret)`` for anything a person typed or a scanner read,
``dossier_codes.parse_code`` / ``find_codes``, and ``errors.InvalidDossierCode``
with its subclasses. ``qr_payload.redact(text)`` hides ID-like digit runs: use it
on any payload before logging; log ``str(code)``, never the payload.

Errors (``errors``)
    Every server-side refusal is a ``DossierError`` with ``code``, ``status``
    (HTTP-like), ``message`` (English) and ``message_vi``; none echoes the input:
    ``UnknownStatus``, ``InvalidCalendar``, ``InvalidRating``, ``UnknownDossier``...

Statuses (``status``)
    ``DossierStatus`` (IntEnum 1-10, the national portal codes) with
    ``label_vi``, ``label_en``, ``explain_vi``/``explain_en`` (what it means for
    the visitor, what to do), ``needs_visitor``, ``is_finished``, ``is_closed``.
    ``StatusMapping.build(extra).map(word)`` maps an upstream word
    (accent/case/underscore-insensitive, or the number) to a status; ``extra``
    comes from the site file as ``{word: code or name}``.

Working calendar (``calendar``)
    ``WorkingCalendar(overrides, hours, national_day_extra)``:
    ``is_working_day(d)``, ``holidays(year) -> {date: name}``,
    ``due_date(received, working_days)``, ``add_working_time(start, hours)``,
    ``working_time_between(a, b)``, ``classify(due, finished=None, now=None) ->
    Timeliness`` (Trước hạn / Đúng hạn / Trễ hạn). Datetimes must be aware.
    ``parse_overrides(rows)`` reads the admin's table:
    ``[{"date": "2025-04-26", "working": true, "note": "Làm bù"}]``.
    ``SiteHours.parse("07:00-11:30,13:30-17:00")`` reads the site's hours.

SMS (``sms``)
    ``parse_sms(text) -> DossierCode`` (``HS``/``TC``/``Tra cuu``/bare code) or
    ``InvalidDossierCode``; replies ``status_reply(code, status, due,
    collect_at)``, ``unknown_reply(code, hotline)``, ``malformed_reply()``,
    ``too_many_reply()`` — one GSM-7 SMS (no diacritics, at most 160 characters)
    unless ``single_sms=False``.

Ratings (``rating``)
    ``INDICATORS`` (Circular 01/2018 art. 13, nine, scored 2/1/0),
    ``citizen_indicators()`` for the kiosk, ``DetailedRating(scores)`` with
    ``total``/``maximum``, ``summarise(ratings)`` for reports;
    ``QuickRating.from_codes(level, reasons, comment)``; the levels and reasons
    themselves are in ``device_kit.contract.rating_levels``.

Shared text helpers (``queue_server.text``): ``nfc``, ``fold`` (search key),
``folded_contains``, ``strip_accents``, ``mask_name`` (``Nguyễn V** A*``) for
the applicant's name in any public response.
"""
