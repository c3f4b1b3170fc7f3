"""Chart parts copied from the donor: data-label flags spelled out."""
from __future__ import annotations

from addin.ooxml.xmlutil import CHART, parse, q, serialize

# the flag elements of a data label, in the order CT_DLbls / CT_DLbl require them
_FLAGS = ["showLegendKey", "showVal", "showCatName", "showSerName", "showPercent", "showBubbleSize"]
# elements that follow the flags (the flags go before the first of them present)
_AFTER = {q(CHART, t) for t in ("separator", "showLeaderLines", "leaderLines", "extLst")}


def explicit_labels(chart: bytes) -> bytes:
    """Write every data-label flag the chart leaves out as val="0".

    OOXML's defaults for an absent flag are read differently (LibreOffice shows series and
    category names too), so a label that is only `<c:showVal val="1"/>` looks different in
    each reader. Labels that are deleted (<c:delete>) are left alone; a chart without data
    labels is returned unchanged.
    """
    root = parse(chart)
    blocks = [el for tag in ("dLbls", "dLbl") for el in root.iter(q(CHART, tag))
              if el.find(q(CHART, "delete")) is None]
    if not blocks:
        return chart
    for block in blocks:
        flags = {}
        for name in _FLAGS:
            el = block.find(q(CHART, name))
            if el is not None:
                block.remove(el)
                flags[name] = el
        at = next((i for i, child in enumerate(block) if child.tag in _AFTER), len(block))
        for offset, name in enumerate(_FLAGS):
            el = flags.get(name)
            if el is None:
                el = block.makeelement(q(CHART, name), {"val": "0"})
            block.insert(at + offset, el)
    return serialize(root)
