"""Refusals both sides of the wire raise and show: the server in its answers, the
device before it asks (a dossier code is parsed on the kiosk, so that a raw QR
payload, which may hold a citizen ID number, never leaves it).

Messages never echo the caller's input: a scanned payload may hold a citizen ID
number, and an error text ends up on screens and in logs.
"""

from __future__ import annotations


class Refusal(Exception):
    """Base of every refusal a person is shown: a stable ``code``, an HTTP-like
    ``status`` and the words in English and Vietnamese."""

    code = "refused"
    status = 409
    message = "The request cannot be carried out."
    message_vi = "Không thể thực hiện yêu cầu."

    def __init__(self, message: str | None = None, message_vi: str | None = None) -> None:
        if message is not None:
            self.message = message
        if message_vi is not None:
            self.message_vi = message_vi
        super().__init__(self.message)


CODE_HINT_VI = "Mã hồ sơ in trên giấy tiếp nhận, dạng 000.00.06.H56-231027-0361."
CODE_HINT_EN = "The dossier code is printed on the receipt, like 000.00.06.H56-231027-0361."


class DossierError(Refusal):
    """Base of every dossier refusal."""

    code = "dossier_error"
    status = 400
    message = "The request about a dossier cannot be carried out."
    message_vi = "Không thể thực hiện yêu cầu về hồ sơ."


class InvalidDossierCode(DossierError):
    """The text is not a dossier code; subclasses say which part is wrong."""

    code = "invalid_dossier_code"
    message = f"This is not a dossier code. {CODE_HINT_EN}"
    message_vi = f"Đây không phải mã hồ sơ. {CODE_HINT_VI}"


class EmptyDossierCode(InvalidDossierCode):
    code = "dossier_code_empty"
    message = f"Please enter the dossier code. {CODE_HINT_EN}"
    message_vi = f"Vui lòng nhập mã hồ sơ. {CODE_HINT_VI}"


class DossierCodeBadDate(InvalidDossierCode):
    code = "dossier_code_bad_date"
    message = (
        "The middle part of a dossier code is the date received as YYMMDD, "
        f"and this one is not a real date. {CODE_HINT_EN}"
    )
    message_vi = (
        "Phần giữa của mã hồ sơ là ngày tiếp nhận dạng NămThángNgày (YYMMDD) "
        f"nhưng ngày này không có thật. {CODE_HINT_VI}"
    )


class DossierCodeBadAgency(InvalidDossierCode):
    code = "dossier_code_bad_agency"
    message = (
        "The first part of a dossier code is the receiving agency's code: groups of "
        "digits and capital letters separated by dots, one of them the province code "
        f"such as H56. {CODE_HINT_EN}"
    )
    message_vi = (
        "Phần đầu của mã hồ sơ là mã cơ quan tiếp nhận: các nhóm chữ số và chữ in hoa "
        f"cách nhau bằng dấu chấm, trong đó có mã tỉnh như H56. {CODE_HINT_VI}"
    )


class NoCodeInPayload(InvalidDossierCode):
    code = "dossier_qr_no_code"
    message = (
        "No dossier code was found in this QR code. Scan the QR code on the dossier "
        f"receipt, or type the code. {CODE_HINT_EN}"
    )
    message_vi = (
        "Không tìm thấy mã hồ sơ trong mã QR này. Hãy quét mã QR trên giấy tiếp nhận "
        f"hồ sơ hoặc nhập mã hồ sơ. {CODE_HINT_VI}"
    )
