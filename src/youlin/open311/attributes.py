"""Extra questions some services ask (Open311 "attributes"): a service's ``metadata`` is true when it has any.

The answers are kept with the submission and written into the case's description, so staff read them where
they read everything else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str  # string, number, datetime, text, singlevaluelist, multivaluelist
    required: bool
    description: object
    order: int
    values: tuple[tuple[str, object], ...] = ()
    datatype_description: object = None
    variable: bool = True

    def label_of(self, key: str) -> str:
        return next((str(name) for k, name in self.values if k == key), key)


ATTRIBUTES: dict[str, tuple[Attribute, ...]] = {
    # 楼道堆物: which floor, so the property company finds it.
    "06080": (
        Attribute("floor", "number", False, _("堆物所在楼层"), 1, datatype_description=_("数字，如 3；地下层写负数")),
    ),
    # 电动自行车违规充电: where it charges decides who acts and how urgent it is.
    "10080": (
        Attribute(
            "charging_place",
            "singlevaluelist",
            True,
            _("充电位置"),
            1,
            values=(
                ("stairwell", _("楼道内")),
                ("indoor", _("室内")),
                ("entrance", _("单元门口")),
                ("other", _("其他")),
            ),
        ),
    ),
    # 居民安全隐患: the kinds of hazard the residents' hazard ledger counts.
    "10081": (
        Attribute(
            "hazard",
            "multivaluelist",
            False,
            _("隐患类型"),
            1,
            values=(
                ("gas", _("燃气")),
                ("electricity", _("用电")),
                ("fire_exit", _("消防通道堵塞")),
                ("falling", _("高空坠物")),
                ("road", _("路面破损")),
                ("other", _("其他")),
            ),
        ),
    ),
}


def attributes_of(code: str) -> tuple[Attribute, ...]:
    return ATTRIBUTES.get(code, ())
