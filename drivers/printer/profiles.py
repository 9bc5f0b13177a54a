"""Paper profiles: printable width and what the printer model can do.

Model differences (dot width, native QR, cutter, Vietnamese code page) come from
python-escpos's ``capabilities.json`` profiles, not from branches in the layout code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from escpos.capabilities import get_profile

from drivers.printer.codepage import CodePagePlan, TextMode, vietnamese_plan

#: Paper width in mm -> python-escpos model profile used by default.
DEFAULT_MODELS = {
    58: "POS-5890",  # 384 dots, no native QR, no cutter: the common cheap 58 mm printer
    80: "TM-T20II",  # 576 dots, native QR, cutter
}
#: The older 80 mm heads print 512 dots (Epson TM-T88 family).
MODEL_80_512 = "TM-T88V"


@dataclass(frozen=True, slots=True)
class PaperProfile:
    """Everything the layout needs to know about one printer model."""

    model: str
    width_dots: int
    native_qr: bool
    cutter: bool
    #: The page Vietnamese lines print in as text; None: every Vietnamese line is a raster.
    text: CodePagePlan | None = field(default=None, compare=False)

    @property
    def narrow(self) -> bool:
        """58 mm class paper: smaller fonts and QR modules."""
        return self.width_dots < 500


def paper_profile(
    paper: int = 80, model: str | None = None, text_mode: TextMode = "auto"
) -> PaperProfile:
    """The profile for ``paper`` mm (58 or 80), or for an explicit python-escpos ``model``;
    ``text_mode`` chooses code-page text or rasters (:mod:`drivers.printer.codepage`).
    A model that does not declare its dot width (``default``, ``RP326``) prints the
    width of the paper's default model."""
    if paper not in DEFAULT_MODELS:
        raise ValueError(f"paper must be one of {sorted(DEFAULT_MODELS)} mm, not {paper}")
    model = model or DEFAULT_MODELS[paper]
    escpos_profile = get_profile(model)
    width = escpos_profile.profile_data["media"]["width"].get("pixels")
    if not isinstance(width, int):
        width = paper_profile(paper).width_dots
    return PaperProfile(
        model=model,
        width_dots=width,
        native_qr=escpos_profile.supports("qrCode"),
        cutter=escpos_profile.supports("paperFullCut") or escpos_profile.supports("paperPartCut"),
        text=vietnamese_plan(model, text_mode),
    )
