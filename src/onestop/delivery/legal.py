"""The free-post authorisation an applicant signs (《政务服务专递免费寄递委托书》), as data.

Yuanjiang (益阳沅江) has mailed results free of charge since 2021 under an agreement with
China Post; the applicant signs an authorisation naming who may receive the parcel and that
the department hands the result over to the post in their name (DOMAIN.md §4.2). The text
is versioned: a signature records the version it was given, so a later wording does not
change what an applicant agreed to. Add a version here; never edit a published one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class AuthorisationText:
    version: str
    title: Promise
    body: Promise


AUTHORISATIONS: dict[str, AuthorisationText] = {
    "2021-01": AuthorisationText(
        "2021-01",
        _("政务服务专递免费寄递委托书"),
        _(
            "本人（本单位）自愿选择以邮政双向专递方式送达本办件的办理结果，委托办理部门将办理结果"
            "（证照、批文等，居民身份证除外）交由中国邮政免费寄递至本人填写的收件地址。"
            "收件人或其委托的代收人签收即视为办理结果已送达。因收件地址、联系电话填写错误或"
            "无人签收导致邮件退回的，本人可改为窗口领取或重新申请寄递。"
        ),
    ),
}
CURRENT_AUTHORISATION = "2021-01"


def authorisation_current() -> AuthorisationText:
    return AUTHORISATIONS[CURRENT_AUTHORISATION]
