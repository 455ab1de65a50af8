"""The demo catalogue: service items (事项) and the packages (一件事) the seed names.

Material keys are shared across items (``id_card`` is the same proof wherever it is
asked for), so a package's merged list asks for each proof once. Basic codes are
illustrative 12-character codes. Every item is written to pass the catalogue quality
checker (DOMAIN.md §2.9): phones with the 0737 area code, office hours on 工作日, a reason
whenever a visit is required, fee basis and items whenever a fee is charged, promised
limits within legal ones.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from onestop.catalog.models import (
    CaseType,
    CrossDomainScope,
    ExerciseLevel,
    FieldKind,
    HandlingForm,
    ItemType,
    MaterialForm,
    MaterialMedium,
    MaterialNecessity,
    MaterialSource,
    OnlineDepth,
    QuestionKind,
    ServiceObject,
    SubjectKind,
    VillageClass,
)
from onestop.demo.data.catalog_specs import (
    FeeSpec,
    FieldSpec,
    ItemSpec,
    MaterialSpec,
    PackageItemSpec,
    PackageSpec,
    QuestionSpec,
    StepSpec,
    when,
)
from onestop.demo.data.regions import CITY_CODE, WORKDAY_HOURS

COMPLAINT_PHONE = "0737-12345"  # 益阳市12345政务服务便民热线
CITY_HALL_PLACE = (
    "益阳市政务服务中心综合受理窗口；各区县（市）政务服务中心、乡镇（街道）党群和政务服务中心"
    "“一件事一次办”跨域通办窗口均可收件"
)
VILLAGE_PLACE = (
    "户籍所在地或居住地村（社区）便民服务站、乡镇（街道）党群和政务服务中心；"
    "试点村（社区）可当场办结"
)

ALL_FORMS = [HandlingForm.WINDOW, HandlingForm.ONLINE_PC, HandlingForm.ONLINE_MOBILE]
WITH_POST = [*ALL_FORMS, HandlingForm.POSTAL]


def _item_fields(**overrides: Any) -> dict[str, Any]:
    """The guide elements most demo items share; each item states what differs."""
    fields: dict[str, Any] = {
        "item_type": ItemType.LICENSING,
        "exercise_level": ExerciseLevel.CITY,
        "legal_limit": 20,
        "promised_days": 5,
        "case_type": CaseType.PROMISED,
        "visits": 0,
        "visit_reason": "",
        "online_depth": OnlineDepth.LEVEL_4,
        "service_object": ServiceObject.ENTERPRISE,
        "handling_forms": [*ALL_FORMS],
        "has_fee": False,
        "cross_domain_scope": CrossDomainScope.CITY_WIDE,
        "supports_appointment": True,
        "supports_postal_delivery": True,
        "supports_material_mail": True,
        "place": CITY_HALL_PLACE,
        "office_hours": WORKDAY_HOURS + "；网上申报 24 小时受理，工作日审核",
        "complaint_phone": COMPLAINT_PHONE,
        "result_delivery": "窗口领取或免费邮政双向专递寄送；电子证照同步推送至申请人证照夹",
    }
    fields.update(overrides)
    return fields


# --- materials shared across items (by key) ------------------------------------------

ID_CARD = MaterialSpec(
    "id_card",
    "居民身份证",
    medium=MaterialMedium.ELECTRONIC,
    form="",
    source=MaterialSource.LICENCE,
    licence_type="居民身份证",
    notes="调取居民身份证电子证照，无需提交；现场办理时出示原件核验。",
)
BUSINESS_LICENCE = MaterialSpec(
    "business_licence",
    "营业执照",
    medium=MaterialMedium.ELECTRONIC,
    form="",
    source=MaterialSource.LICENCE,
    licence_type="营业执照",
    notes="由登记机关核发后自动调取电子营业执照，无需提交。",
)
HOUSEHOLD_REGISTER = MaterialSpec(
    "household_register",
    "居民户口簿",
    medium=MaterialMedium.ELECTRONIC,
    form="",
    source=MaterialSource.LICENCE,
    licence_type="居民户口簿",
    notes="通过公安人口信息共享核验，无需提交。",
)
PHOTO = MaterialSpec(
    "photo",
    "近期免冠彩色证件照",
    medium=MaterialMedium.ELECTRONIC,
    form="",
    notes="白底、正面、免冠，可在窗口或便民服务站现场拍摄。",
)
BANK_ACCOUNT = MaterialSpec(
    "bank_account",
    "本人社会保障卡或银行账户信息",
    form=MaterialForm.COPY,
    notes="用于发放补助资金；已激活社会保障卡金融账户的无需提交。",
)
LEASE_CONTRACT = MaterialSpec(
    "lease_contract",
    "住所（经营场所）使用证明",
    form=MaterialForm.COPY,
    necessity=MaterialNecessity.COMMITMENT,
    notes="可签署《住所（经营场所）申报承诺书》替代房屋租赁合同或产权证明（住所申报承诺制）。",
)
MARRIAGE_CERTIFICATE = MaterialSpec(
    "marriage_certificate",
    "结婚证",
    medium=MaterialMedium.ELECTRONIC,
    form="",
    source=MaterialSource.LICENCE,
    licence_type="结婚证",
    notes="通过民政婚姻登记信息共享核验，无需提交。",
)
MARITAL_STATUS = MaterialSpec(
    "marital_status",
    "婚姻状况证明",
    form=MaterialForm.ORIGINAL,
    necessity=MaterialNecessity.COMMITMENT,
    notes="可签署《婚姻状况告知承诺书》替代。",
)
REAL_ESTATE_CERTIFICATE = MaterialSpec(
    "real_estate_certificate",
    "不动产权证书",
    medium=MaterialMedium.ELECTRONIC,
    form="",
    source=MaterialSource.LICENCE,
    licence_type="不动产权证书",
    notes="调取不动产登记电子证照；纸质证书在办结时由登记机构收回。",
)
REGISTRATION_FORM = MaterialSpec(
    "real_estate_application", "不动产登记申请书", form=MaterialForm.ORIGINAL
)


# --- items ---------------------------------------------------------------------------

MARKET, POLICE, TAX = (CITY_CODE, "market"), (CITY_CODE, "police"), (CITY_CODE, "tax")
HRSS, CIVIL, HEALTH = (CITY_CODE, "hrss"), (CITY_CODE, "civil"), (CITY_CODE, "health")
HOUSING, NATRES = (CITY_CODE, "housing"), (CITY_CODE, "natural_resources")
MEDICAL = (CITY_CODE, "medical_insurance")

STANDARD_STEPS = (
    StepSpec("受理", 1, "综合受理窗口"),
    StepSpec("审查", 1, "业务科室"),
    StepSpec("决定", 1, "业务科室"),
    StepSpec("送达", 1, "统一出件窗口"),
)
IMMEDIATE_STEPS = (
    StepSpec("受理", 0, "便民服务站（综合受理）"),
    StepSpec("审核", 0, "乡镇后台审批（授权行政审批专用章）"),
    StepSpec("办结", 0, "便民服务站当场出件"),
)

# 开办企业 --------------------------------------------------------------------------
COMPANY_REGISTRATION = "000112001000"
FOOD_LICENCE = "000112002000"
SEAL_FILING = "000108001000"
FIRST_INVOICES = "000120001000"
SOCIAL_INSURANCE_REGISTRATION = "000116006000"
# 不动产登记 ------------------------------------------------------------------------
CONTRACT_FILING = "000119001000"
DEED_TAX = "000120002000"
TRANSFER_REGISTRATION = "000113001000"
MORTGAGE_REGISTRATION = "000113002000"
# village packages ------------------------------------------------------------------
UNEMPLOYMENT_REGISTRATION = "000116001000"
UNEMPLOYMENT_BENEFIT = "000116002000"
HARDSHIP_RECOGNITION = "000116003000"
FLEXIBLE_SUBSIDY = "000116004000"
SOCIAL_SECURITY_CARD = "000116005000"
RESIDENT_MEDICAL_INSURANCE = "000136001000"
SENIOR_CARD = "000117001000"
LONGEVITY_ALLOWANCE = "000109001000"
BIRTH_REGISTRATION = "000117002000"
MIGRANT_CERTIFICATE = "000117003000"
# 复工复产 --------------------------------------------------------------------------
JOB_RETENTION_REFUND = "000116007000"
TRAINING_SUBSIDY = "000116008000"
VAT_RELIEF = "000120003000"

ITEMS: list[ItemSpec] = [
    ItemSpec(
        COMPANY_REGISTRATION,
        "企业设立登记",
        MARKET,
        _item_fields(
            legal_basis="《中华人民共和国公司法》第二十九条；《中华人民共和国市场主体登记管理条例》第十九条",
            legal_limit=3,
            promised_days=1,
            conditions="申请人具备法律法规规定的设立条件，名称经自主申报，住所（经营场所）真实有效。",
            consultation_phone="0737-4223315",
            result_name="营业执照",
            cross_domain_scope=CrossDomainScope.CROSS_COUNTY,
        ),
        (
            MaterialSpec("company_registration_form", "企业设立登记申请书"),
            MaterialSpec(
                "articles_of_association",
                "公司章程",
                condition=when("enterprise_type", "company"),
            ),
            MaterialSpec(
                "partnership_agreement",
                "全体合伙人签署的合伙协议",
                condition=when("enterprise_type", "partnership"),
            ),
            ID_CARD.but(notes="法定代表人（投资人）、股东及经办人的居民身份证，调取电子证照。"),
            LEASE_CONTRACT,
            MaterialSpec(
                "officer_appointment",
                "法定代表人、董事、监事和经理的任职文件",
                necessity=MaterialNecessity.TOLERABLE,
                notes="可容缺受理，在领取营业执照前补齐。",
                condition=when("enterprise_type", "company"),
            ),
        ),
        (
            StepSpec("受理", 0, "综合受理窗口"),
            StepSpec("审核", 1, "市场监管局登记注册科"),
            StepSpec("核准发照", 0, "市场监管局登记注册科"),
        ),
    ),
    ItemSpec(
        SEAL_FILING,
        "公章刻制备案",
        POLICE,
        _item_fields(
            item_type=ItemType.OTHER_POWER,
            legal_basis="《印铸刻字业暨印章治安管理办法》；《国务院关于第三批取消中央指定地方实施行政许可事项的决定》（国发〔2017〕7号）",
            legal_limit=1,
            promised_days=1,
            conditions="已取得营业执照的新开办企业；首套印章（公章、财务章、发票专用章等）由政府购买服务免费刻制。",
            consultation_phone="0737-4232110",
            result_name="印章及印章备案信息",
            result_delivery="与营业执照一并在统一出件窗口领取，或免费邮政寄送",
        ),
        (
            BUSINESS_LICENCE,
            ID_CARD.but(notes="经办人居民身份证，调取电子证照。"),
            MaterialSpec("seal_application", "印章刻制申请表（含法定代表人授权委托书）"),
        ),
        (StepSpec("受理", 0, "综合受理窗口"), StepSpec("备案刻制", 1, "公安局治安支队")),
    ),
    ItemSpec(
        FIRST_INVOICES,
        "首次申领发票（发票领用）",
        TAX,
        _item_fields(
            item_type=ItemType.OTHER_POWER,
            legal_basis="《中华人民共和国发票管理办法》第十五条",
            legal_limit=5,
            promised_days=1,
            conditions="已办理涉税信息确认的新办纳税人。",
            consultation_phone="0737-12366",
            result_name="发票及税务UKey",
        ),
        (
            BUSINESS_LICENCE,
            ID_CARD.but(notes="办税人员居民身份证，调取电子证照。"),
            MaterialSpec(
                "invoice_application",
                "发票领用申请（新办纳税人套餐表单）",
                medium=MaterialMedium.ELECTRONIC,
                form="",
            ),
        ),
        (StepSpec("受理", 0, "综合受理窗口"), StepSpec("核定发放", 1, "税务局纳税服务科")),
    ),
    ItemSpec(
        FOOD_LICENCE,
        "食品经营许可（新办）",
        MARKET,
        _item_fields(
            legal_basis="《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》",
            legal_limit=10,
            promised_days=1,
            conditions="具有与经营的食品品种、数量相适应的经营场所、设备设施、食品安全管理人员和管理制度。",
            online_depth=OnlineDepth.LEVEL_3,
            visits=1,
            visit_reason="领取纸质许可证时一并接受经营场所现场核查（选择邮寄的由核查人员上门）。",
            consultation_phone="0737-4223315",
            result_name="食品经营许可证",
        ),
        (
            MaterialSpec("food_licence_application", "食品经营许可申请书"),
            BUSINESS_LICENCE,
            ID_CARD,
            MaterialSpec(
                "food_safety_rules",
                "食品安全自查、从业人员健康管理、进货查验记录等保证食品安全的规章制度",
                necessity=MaterialNecessity.COMMITMENT,
                notes="可签署《食品经营许可告知承诺书》替代。",
            ),
            MaterialSpec(
                "premises_layout",
                "经营场所平面布局图及设备布局、操作流程说明",
                form=MaterialForm.COPY,
                necessity=MaterialNecessity.TOLERABLE,
                notes="可容缺受理，现场核查前补交。",
            ),
        ),
        (
            StepSpec("受理", 0, "综合受理窗口"),
            StepSpec(
                "审查决定",
                1,
                "市场监管局食品经营许可科",
                has_special_procedure=True,
                special_procedure_note="告知承诺后先证后查，现场核查在发证后进行，不计入承诺时限。",
            ),
        ),
    ),
    ItemSpec(
        SOCIAL_INSURANCE_REGISTRATION,
        "单位社会保险登记",
        HRSS,
        _item_fields(
            item_type=ItemType.CONFIRMATION,
            legal_basis="《中华人民共和国社会保险法》第五十七条",
            legal_limit=15,
            promised_days=1,
            conditions="新设立并招用职工的用人单位。",
            consultation_phone="0737-12333",
            result_name="社会保险登记信息",
            result_delivery="登记信息电子推送，不出具纸质材料",
        ),
        (
            BUSINESS_LICENCE,
            MaterialSpec(
                "employee_list", "参保职工花名册", medium=MaterialMedium.ELECTRONIC, form=""
            ),
        ),
        (StepSpec("受理", 0, "综合受理窗口"), StepSpec("登记", 1, "社会保险服务中心")),
    ),
    # --- 不动产登记 -------------------------------------------------------------------
    ItemSpec(
        CONTRACT_FILING,
        "存量房买卖合同网签备案",
        HOUSING,
        _item_fields(
            item_type=ItemType.OTHER_POWER,
            legal_basis="《中华人民共和国城市房地产管理法》；《城市房地产转让管理规定》",
            legal_limit=3,
            promised_days=0,
            case_type=CaseType.IMMEDIATE,
            service_object=ServiceObject.BOTH,
            conditions="买卖双方已协商一致，房屋无查封、无争议。",
            online_depth=OnlineDepth.LEVEL_3,
            visits=1,
            visit_reason="买卖双方需现场签字确认（或通过“湘易办”人脸识别在线签约）。",
            consultation_phone="0737-4222763",
            result_name="存量房买卖合同备案信息",
            result_delivery="备案信息推送至不动产登记，无需领取",
            place="益阳市政务服务中心不动产登记专区",
        ),
        (
            ID_CARD.but(notes="买卖双方居民身份证，调取电子证照。"),
            REAL_ESTATE_CERTIFICATE,
            MaterialSpec("sale_contract", "存量房买卖合同", copies=3),
        ),
        (
            StepSpec("受理", 0, "不动产登记专区综合窗口"),
            StepSpec("网签备案", 0, "住建局房产交易所"),
        ),
    ),
    ItemSpec(
        DEED_TAX,
        "契税申报缴纳",
        TAX,
        _item_fields(
            item_type=ItemType.LEVY,
            legal_basis="《中华人民共和国契税法》",
            legal_limit=1,
            promised_days=0,
            case_type=CaseType.IMMEDIATE,
            service_object=ServiceObject.BOTH,
            conditions="承受不动产权属的单位和个人。",
            online_depth=OnlineDepth.LEVEL_3,
            visits=1,
            visit_reason="与不动产登记在同一窗口一次完成，现场确认计税价格。",
            consultation_phone="0737-12366",
            result_name="契税完税证明",
            result_delivery="完税信息推送至不动产登记，无需领取",
            place="益阳市政务服务中心不动产登记专区",
        ),
        (
            ID_CARD,
            MaterialSpec("sale_contract", "存量房买卖合同", copies=1),
            MaterialSpec(
                "family_housing",
                "家庭住房情况（用于享受契税优惠）",
                necessity=MaterialNecessity.OPTIONAL,
                notes="申请享受契税优惠时提供；由住建部门共享家庭住房查询结果的无需提交。",
            ),
        ),
        (StepSpec("受理", 0, "不动产登记专区综合窗口"), StepSpec("核税征收", 0, "税务局")),
    ),
    ItemSpec(
        TRANSFER_REGISTRATION,
        "国有建设用地使用权及房屋所有权转移登记",
        NATRES,
        _item_fields(
            item_type=ItemType.CONFIRMATION,
            legal_basis="《不动产登记暂行条例》第二十条；《不动产登记暂行条例实施细则》",
            legal_limit=30,
            promised_days=3,
            service_object=ServiceObject.BOTH,
            conditions="已办理网签备案并完税的存量房买卖。",
            online_depth=OnlineDepth.LEVEL_3,
            visits=1,
            visit_reason="领取纸质不动产权证书（选择邮寄或电子证照的可不到现场）。",
            consultation_phone="0737-4225208",
            result_name="不动产权证书",
            place="益阳市政务服务中心不动产登记专区",
            has_fee=True,
            fee_basis="《财政部 国家发展改革委关于不动产登记收费有关政策问题的通知》（财税〔2016〕79号）；《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）",
            supports_online_payment=True,
        ),
        (
            REGISTRATION_FORM,
            ID_CARD.but(notes="买卖双方居民身份证，调取电子证照。"),
            REAL_ESTATE_CERTIFICATE,
            MaterialSpec("sale_contract", "存量房买卖合同", copies=1),
            MaterialSpec(
                "deed_tax_receipt",
                "契税完税证明",
                medium=MaterialMedium.ELECTRONIC,
                form="",
                source=MaterialSource.LICENCE,
                licence_type="契税完税证明",
                notes="由税务部门推送，无需提交。",
            ),
            MARITAL_STATUS,
        ),
        (
            StepSpec("受理", 0, "不动产登记专区综合窗口"),
            StepSpec("审核", 2, "不动产登记中心"),
            StepSpec("登簿", 1, "不动产登记中心"),
            StepSpec("缮证发证", 0, "统一出件窗口"),
        ),
        (
            FeeSpec(
                "不动产登记费（住宅）",
                "每件 80 元（含第一本证书工本费）",
                Decimal("80.00"),
                "发改价格规〔2016〕2559号",
                allows_reduction=True,
            ),
        ),
    ),
    ItemSpec(
        MORTGAGE_REGISTRATION,
        "不动产抵押权首次登记",
        NATRES,
        _item_fields(
            item_type=ItemType.CONFIRMATION,
            legal_basis="《中华人民共和国民法典》第四百零二条；《不动产登记暂行条例》",
            legal_limit=30,
            promised_days=2,
            service_object=ServiceObject.BOTH,
            conditions="以不动产设定抵押的，抵押人与抵押权人共同申请。",
            consultation_phone="0737-4225208",
            result_name="不动产登记证明（抵押权）",
            place="益阳市政务服务中心不动产登记专区；银行网点“不动产抵押登记便民服务点”",
            has_fee=True,
            fee_basis="《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）",
            supports_online_payment=True,
        ),
        (
            REGISTRATION_FORM,
            ID_CARD.but(notes="抵押人居民身份证，调取电子证照。"),
            REAL_ESTATE_CERTIFICATE,
            MaterialSpec("mortgage_contract", "抵押合同"),
            MaterialSpec("loan_contract", "主债权合同（借款合同）"),
        ),
        (
            StepSpec("受理", 0, "不动产登记专区综合窗口"),
            StepSpec("审核登簿", 2, "不动产登记中心"),
            StepSpec("发证", 0, "统一出件窗口"),
        ),
        (
            FeeSpec(
                "不动产抵押权登记费（住宅）",
                "每件 80 元；小微企业（含个体工商户）申请的免收",
                Decimal("80.00"),
                "发改价格规〔2016〕2559号；财税〔2019〕53号",
                allows_reduction=True,
            ),
        ),
    ),
]


def _village_item(
    basic_code: str,
    name: str,
    department: tuple[str, str],
    materials: tuple[MaterialSpec, ...],
    **overrides: Any,
) -> ItemSpec:
    """An item the seed's six village packages use: decided online by the township back
    office under an authorised approval seal and completed on the spot (≤30 minutes)."""
    fields = _item_fields(
        item_type=ItemType.PUBLIC_SERVICE,
        exercise_level=ExerciseLevel.TOWNSHIP,
        legal_limit=15,
        promised_days=0,
        case_type=CaseType.IMMEDIATE,
        online_depth=OnlineDepth.LEVEL_4,
        service_object=ServiceObject.PERSON,
        handling_forms=[*WITH_POST],
        place=VILLAGE_PLACE,
        office_hours=WORKDAY_HOURS,
        result_delivery="村（社区）便民服务站当场出件（30分钟内立等可取），或免费邮寄",
    )
    fields.update(overrides)
    return ItemSpec(basic_code, name, department, fields, materials, IMMEDIATE_STEPS)


ITEMS += [
    _village_item(
        UNEMPLOYMENT_REGISTRATION,
        "失业登记",
        HRSS,
        (
            ID_CARD,
            MaterialSpec(
                "unemployment_form", "失业登记表", medium=MaterialMedium.ELECTRONIC, form=""
            ),
            MaterialSpec(
                "termination_proof",
                "解除或终止劳动关系证明",
                necessity=MaterialNecessity.COMMITMENT,
                notes="可签署承诺书替代，由人社部门通过参保信息核查。",
            ),
        ),
        legal_basis="《就业服务与就业管理规定》第六十三条",
        conditions="法定劳动年龄内、有劳动能力、有就业要求、处于无业状态的城乡劳动者。",
        consultation_phone="0737-12333",
        result_name="就业创业证（失业登记）",
    ),
    _village_item(
        UNEMPLOYMENT_BENEFIT,
        "失业保险金申领",
        HRSS,
        (ID_CARD, BANK_ACCOUNT),
        item_type=ItemType.BENEFIT,
        legal_basis="《中华人民共和国社会保险法》第四十五条；《失业保险条例》",
        conditions="失业前用人单位和本人已缴纳失业保险费满一年，非因本人意愿中断就业，已办理失业登记。",
        consultation_phone="0737-12333",
        result_name="失业保险金核定结果",
    ),
    _village_item(
        HARDSHIP_RECOGNITION,
        "就业困难人员认定",
        HRSS,
        (
            ID_CARD,
            MaterialSpec(
                "hardship_form", "就业困难人员认定申请表", medium=MaterialMedium.ELECTRONIC, form=""
            ),
            MaterialSpec(
                "disability_certificate",
                "残疾人证",
                medium=MaterialMedium.ELECTRONIC,
                form="",
                source=MaterialSource.LICENCE,
                licence_type="中华人民共和国残疾人证",
                condition=when("hardship_kind", "disabled"),
            ),
            MaterialSpec(
                "subsistence_certificate",
                "最低生活保障证明",
                medium=MaterialMedium.ELECTRONIC,
                form="",
                source=MaterialSource.LICENCE,
                licence_type="最低生活保障证",
                condition=when("hardship_kind", "subsistence"),
            ),
        ),
        item_type=ItemType.CONFIRMATION,
        legal_basis="《中华人民共和国就业促进法》第五十二条；《湖南省就业困难人员认定办法》",
        conditions="已办理失业登记，属于大龄、残疾、低保家庭、零就业家庭等就业困难情形之一。",
        consultation_phone="0737-12333",
        result_name="就业困难人员认定结果",
    ),
    _village_item(
        FLEXIBLE_SUBSIDY,
        "灵活就业人员社会保险补贴申领",
        HRSS,
        (ID_CARD, BANK_ACCOUNT),
        item_type=ItemType.BENEFIT,
        legal_basis="《就业补助资金管理办法》（财社〔2017〕164号）",
        conditions="已认定为就业困难人员并以灵活就业方式缴纳社会保险费。",
        consultation_phone="0737-12333",
        result_name="社会保险补贴核定结果",
    ),
    _village_item(
        SOCIAL_SECURITY_CARD,
        "社会保障卡申领",
        HRSS,
        (
            ID_CARD,
            PHOTO,
            MaterialSpec(
                "guardian_id_card",
                "监护人居民身份证",
                medium=MaterialMedium.ELECTRONIC,
                form="",
                source=MaterialSource.LICENCE,
                licence_type="居民身份证",
                condition=when("is_minor", True),
            ),
            HOUSEHOLD_REGISTER.but(condition=when("is_minor", True)),
        ),
        legal_basis="《社会保障卡管理办法》（人社部发〔2011〕47号）",
        conditions="参加本市社会保险的人员；未满16周岁的由监护人代为申领。",
        consultation_phone="0737-12333",
        result_name="社会保障卡（即时制卡）",
    ),
    _village_item(
        RESIDENT_MEDICAL_INSURANCE,
        "城乡居民基本医疗保险参保登记",
        MEDICAL,
        (ID_CARD, HOUSEHOLD_REGISTER),
        item_type=ItemType.CONFIRMATION,
        legal_basis="《中华人民共和国社会保险法》第二十五条",
        conditions="未参加职工基本医疗保险的本市城乡居民。",
        consultation_phone="0737-4226033",
        result_name="参保登记信息",
    ),
    _village_item(
        SENIOR_CARD,
        "老年人优待证办理",
        HEALTH,
        (ID_CARD, PHOTO),
        legal_basis="《中华人民共和国老年人权益保障法》；《湖南省实施〈中华人民共和国老年人权益保障法〉办法》",
        conditions="年满60周岁的本市户籍老年人及常住本市的外地老年人。",
        consultation_phone="0737-4223651",
        result_name="湖南省老年人优待证",
    ),
    _village_item(
        LONGEVITY_ALLOWANCE,
        "高龄津贴申领",
        CIVIL,
        (ID_CARD, BANK_ACCOUNT),
        item_type=ItemType.BENEFIT,
        legal_basis="《湖南省民政厅 湖南省财政厅关于建立经济困难的高龄、失能等老年人补贴制度的通知》",
        conditions="年满80周岁的本市户籍老年人。",
        consultation_phone="0737-4224312",
        result_name="高龄津贴发放核定",
    ),
    _village_item(
        BIRTH_REGISTRATION,
        "生育服务登记",
        HEALTH,
        (
            ID_CARD.but(notes="夫妻双方居民身份证，调取电子证照。"),
            MARRIAGE_CERTIFICATE,
            HOUSEHOLD_REGISTER,
            MaterialSpec(
                "birth_certificate",
                "已有子女的出生医学证明",
                medium=MaterialMedium.ELECTRONIC,
                form="",
                source=MaterialSource.LICENCE,
                licence_type="出生医学证明",
                condition=when("child_order", "second"),
            ),
        ),
        legal_basis="《中华人民共和国人口与计划生育法》；《湖南省人口与计划生育条例》",
        conditions="依法登记结婚的夫妻，生育一孩、二孩的均可登记。",
        consultation_phone="0737-4223651",
        result_name="生育服务登记信息（生育服务证）",
    ),
    _village_item(
        MIGRANT_CERTIFICATE,
        "流动人口婚育证明办理",
        HEALTH,
        (
            ID_CARD,
            PHOTO,
            MaterialSpec(
                "marital_commitment",
                "婚育情况声明",
                necessity=MaterialNecessity.COMMITMENT,
                notes="本人签署婚育情况告知承诺书即可，不再开具证明。",
            ),
        ),
        legal_basis="《流动人口计划生育工作条例》第七条",
        conditions="离开户籍所在地外出务工、经商的育龄人员。",
        consultation_phone="0737-4223651",
        result_name="流动人口婚育证明",
    ),
]

# 复工复产 policy items (the green-channel window; 一次告知、一次申报 … 一次兑现) ----------
ITEMS += [
    ItemSpec(
        JOB_RETENTION_REFUND,
        "失业保险稳岗返还",
        HRSS,
        _item_fields(
            item_type=ItemType.BENEFIT,
            legal_basis="《人力资源社会保障部 财政部 国家发展改革委 国家市场监督管理总局关于失业保险支持企业稳定就业岗位的通知》（人社部发〔2019〕23号）",
            legal_limit=20,
            promised_days=10,
            conditions="依法参加失业保险并足额缴费、上年度未裁员或裁员率不高于规定标准的企业。",
            consultation_phone="0737-12333",
            result_name="稳岗返还资金拨付",
            result_delivery="资金直接拨付至企业对公账户",
        ),
        (
            BUSINESS_LICENCE,
            MaterialSpec(
                "refund_application", "稳岗返还申请表", medium=MaterialMedium.ELECTRONIC, form=""
            ),
            MaterialSpec(
                "corporate_account",
                "企业对公银行账户信息",
                form=MaterialForm.COPY,
                necessity=MaterialNecessity.TOLERABLE,
                notes="可容缺受理，资金拨付前补交。",
            ),
        ),
        (
            StepSpec("受理", 0, "政策兑现专窗"),
            StepSpec("审核公示", 7, "人社局失业保险科"),
            StepSpec("拨付", 3, "社会保险服务中心"),
        ),
    ),
    ItemSpec(
        TRAINING_SUBSIDY,
        "以工代训职业培训补贴",
        HRSS,
        _item_fields(
            item_type=ItemType.BENEFIT,
            legal_basis="《湖南省人力资源和社会保障厅 湖南省财政厅关于做好2020年以工代训工作的通知》",
            legal_limit=20,
            promised_days=10,
            conditions="2020年新吸纳就业或受疫情影响生产经营困难、组织职工以工代训的中小微企业。",
            consultation_phone="0737-12333",
            result_name="以工代训补贴拨付",
            result_delivery="资金直接拨付至企业对公账户",
        ),
        (
            BUSINESS_LICENCE,
            MaterialSpec(
                "trainee_list", "以工代训人员花名册", medium=MaterialMedium.ELECTRONIC, form=""
            ),
            MaterialSpec(
                "corporate_account",
                "企业对公银行账户信息",
                form=MaterialForm.COPY,
                necessity=MaterialNecessity.TOLERABLE,
                notes="可容缺受理，资金拨付前补交。",
            ),
        ),
        (
            StepSpec("受理", 0, "政策兑现专窗"),
            StepSpec("审核公示", 7, "人社局职业能力建设科"),
            StepSpec("拨付", 3, "就业服务中心"),
        ),
    ),
    ItemSpec(
        VAT_RELIEF,
        "小规模纳税人增值税减免",
        TAX,
        _item_fields(
            item_type=ItemType.OTHER_POWER,
            legal_basis="《财政部 税务总局关于支持个体工商户复工复业增值税政策的公告》（2020年第13号）",
            legal_limit=5,
            promised_days=1,
            conditions="增值税小规模纳税人。",
            consultation_phone="0737-12366",
            result_name="减免税申报确认",
            result_delivery="电子税务局推送确认信息",
        ),
        (
            BUSINESS_LICENCE,
            MaterialSpec(
                "vat_relief_form",
                "增值税减免税申报明细表",
                medium=MaterialMedium.ELECTRONIC,
                form="",
            ),
        ),
        (StepSpec("受理", 0, "政策兑现专窗"), StepSpec("确认", 1, "税务局纳税服务科")),
    ),
]


# --- packages ------------------------------------------------------------------------

YES_NO = QuestionKind.YES_NO
CHOICE = QuestionKind.CHOICE
NUMBER = QuestionKind.NUMBER


def _package_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "summary": "",
        "subject_kind": SubjectKind.PERSON,
        "promised_days": 0,
        "life_event": "",
        "keywords": "",
        "is_policy_package": False,
    }
    fields.update(overrides)
    return fields


OPEN_BUSINESS = PackageSpec(
    "4309YJS0101",
    "我要开办企业",
    MARKET,
    _package_fields(
        summary=(
            "企业设立登记、公章刻制、首次申领发票一表申请、一窗受理，"
            "2个工作日内办结；经营食品的同时办理食品经营许可，招用职工的同时办理社会保险登记。"
        ),
        subject_kind=SubjectKind.ENTERPRISE,
        promised_days=2,
        sla_days=2,  # "2、5、6": 企业开办 2 个工作日
        life_event="企业开办",
        keywords="开公司 开办企业 注册公司 办营业执照 刻章 领发票 开饭店 开超市",
    ),
    (
        PackageItemSpec(COMPANY_REGISTRATION, handling_note="全程电子化登记，当日核准发照。"),
        PackageItemSpec(SEAL_FILING, when("needs_seal", True), "首套印章免费刻制。"),
        PackageItemSpec(
            FIRST_INVOICES, when("needs_invoices", True), "新办纳税人套餐，同步发放税务UKey。"
        ),
        PackageItemSpec(FOOD_LICENCE, when("sells_food", True), "经营食品（含餐饮）的需办理。"),
        PackageItemSpec(SOCIAL_INSURANCE_REGISTRATION, when("hires_staff", True)),
    ),
    dependencies=(
        (COMPANY_REGISTRATION, SEAL_FILING),
        (COMPANY_REGISTRATION, FIRST_INVOICES),
        (COMPANY_REGISTRATION, FOOD_LICENCE),
        (COMPANY_REGISTRATION, SOCIAL_INSURANCE_REGISTRATION),
    ),
    questions=(
        QuestionSpec(
            "enterprise_type",
            "您要开办的企业类型是？",
            CHOICE,
            (("company", "有限责任公司"), ("sole", "个人独资企业"), ("partnership", "合伙企业")),
        ),
        QuestionSpec("needs_seal", "是否需要刻制公章？"),
        QuestionSpec("needs_invoices", "是否需要申领发票？"),
        QuestionSpec("sells_food", "是否经营食品（含餐饮服务）？"),
        QuestionSpec("hires_staff", "是否招用职工？"),
    ),
    form_fields=(
        FieldSpec(
            "enterprise_name",
            "企业名称",
            items=(COMPANY_REGISTRATION, SEAL_FILING, FIRST_INVOICES, FOOD_LICENCE),
            help_text="自主申报的企业名称",
            max_length=100,
        ),
        FieldSpec(
            "registered_capital",
            "注册资本（万元）",
            FieldKind.MONEY,
            items=(COMPANY_REGISTRATION,),
            condition=when("enterprise_type", "company"),
        ),
        FieldSpec(
            "business_scope",
            "经营范围",
            FieldKind.TEXTAREA,
            items=(COMPANY_REGISTRATION, FOOD_LICENCE),
        ),
        FieldSpec(
            "business_address",
            "住所（经营场所）",
            FieldKind.ADDRESS,
            items=(COMPANY_REGISTRATION, FOOD_LICENCE, FIRST_INVOICES),
        ),
        FieldSpec(
            "legal_representative",
            "法定代表人（投资人）姓名",
            items=(COMPANY_REGISTRATION, SEAL_FILING, FIRST_INVOICES, FOOD_LICENCE),
        ),
        FieldSpec(
            "legal_representative_id_number",
            "法定代表人身份证号码",
            FieldKind.ID_NUMBER,
            items=(COMPANY_REGISTRATION, SEAL_FILING, FIRST_INVOICES, FOOD_LICENCE),
        ),
        FieldSpec(
            "contact_phone",
            "联系电话",
            FieldKind.PHONE,
            items=(COMPANY_REGISTRATION, SEAL_FILING, FIRST_INVOICES, FOOD_LICENCE),
        ),
        FieldSpec(
            "seal_kinds",
            "刻制印章种类",
            FieldKind.CHOICE,
            items=(SEAL_FILING,),
            choices=(("basic", "公章、财务章、发票专用章"), ("full", "另加合同章、法定代表人名章")),
            condition=when("needs_seal", True),
        ),
        FieldSpec(
            "invoice_kind",
            "申领发票种类",
            FieldKind.CHOICE,
            items=(FIRST_INVOICES,),
            choices=(("ordinary", "增值税普通发票"), ("special", "增值税专用发票")),
            condition=when("needs_invoices", True),
        ),
        FieldSpec(
            "food_business_kind",
            "食品经营项目",
            FieldKind.CHOICE,
            items=(FOOD_LICENCE,),
            choices=(("retail", "食品销售"), ("catering", "餐饮服务"), ("canteen", "单位食堂")),
            condition=when("sells_food", True),
        ),
        FieldSpec(
            "employee_count",
            "招用职工人数",
            FieldKind.NUMBER,
            items=(SOCIAL_INSURANCE_REGISTRATION,),
            condition=when("hires_staff", True),
        ),
    ),
)

REAL_ESTATE = PackageSpec(
    "4309YJS0201",
    "不动产登记（二手房转移登记及抵押登记）",
    NATRES,
    _package_fields(
        summary=(
            "存量房网签备案、契税缴纳、转移登记“一窗受理、集成服务”，贷款购房的同步办理抵押登记，"
            "5个工作日内办结；只办理抵押登记的选“仅抵押登记”。"
        ),
        subject_kind=SubjectKind.PERSON,
        promised_days=5,
        sla_days=5,  # "2、5、6": 不动产登记 5 个工作日
        life_event="不动产",
        keywords="二手房过户 房产证 不动产权证 抵押登记 按揭 买房",
    ),
    (
        PackageItemSpec(CONTRACT_FILING, when("registration_kind", "transfer")),
        PackageItemSpec(DEED_TAX, when("registration_kind", "transfer")),
        PackageItemSpec(TRANSFER_REGISTRATION, when("registration_kind", "transfer")),
        PackageItemSpec(
            MORTGAGE_REGISTRATION,
            {
                "any": [
                    when("registration_kind", "mortgage_only"),
                    when("has_loan", True),
                ]
            },
        ),
    ),
    dependencies=(
        (CONTRACT_FILING, DEED_TAX),
        (DEED_TAX, TRANSFER_REGISTRATION),
        (TRANSFER_REGISTRATION, MORTGAGE_REGISTRATION),
    ),
    questions=(
        QuestionSpec(
            "registration_kind",
            "您要办理哪类登记？",
            CHOICE,
            (("transfer", "二手房买卖转移登记（一般登记）"), ("mortgage_only", "仅抵押登记")),
        ),
        QuestionSpec("has_loan", "是否贷款（按揭）购房？"),
    ),
    form_fields=(
        FieldSpec(
            "property_address",
            "不动产坐落",
            FieldKind.ADDRESS,
            items=(CONTRACT_FILING, DEED_TAX, TRANSFER_REGISTRATION, MORTGAGE_REGISTRATION),
        ),
        FieldSpec(
            "certificate_number",
            "不动产权证书号",
            items=(CONTRACT_FILING, TRANSFER_REGISTRATION, MORTGAGE_REGISTRATION),
        ),
        FieldSpec(
            "buyer_name",
            "权利人（买受人）姓名",
            items=(CONTRACT_FILING, DEED_TAX, TRANSFER_REGISTRATION),
            condition=when("registration_kind", "transfer"),
        ),
        FieldSpec(
            "buyer_id_number",
            "权利人（买受人）身份证号码",
            FieldKind.ID_NUMBER,
            items=(CONTRACT_FILING, DEED_TAX, TRANSFER_REGISTRATION),
            condition=when("registration_kind", "transfer"),
        ),
        FieldSpec(
            "price",
            "成交价格（元）",
            FieldKind.MONEY,
            items=(CONTRACT_FILING, DEED_TAX),
            condition=when("registration_kind", "transfer"),
        ),
        FieldSpec(
            "mortgagee",
            "抵押权人（贷款银行）",
            items=(MORTGAGE_REGISTRATION,),
            required=False,
        ),
        FieldSpec(
            "loan_amount",
            "被担保主债权数额（元）",
            FieldKind.MONEY,
            items=(MORTGAGE_REGISTRATION,),
            required=False,
        ),
        FieldSpec("contact_phone", "联系电话", FieldKind.PHONE, items=(TRANSFER_REGISTRATION,)),
    ),
)


def _person_fields(*items: str) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("applicant_name", "申请人姓名", items=items),
        FieldSpec("applicant_id_number", "申请人身份证号码", FieldKind.ID_NUMBER, items=items),
        FieldSpec("contact_phone", "联系电话", FieldKind.PHONE, items=items),
        FieldSpec("address", "居住地址", FieldKind.ADDRESS, items=items),
    )


# 办事不出村: "不超过30分钟立等可取" at the village centre.
VILLAGE_MINUTES = 30


def _village_package(code: str, name: str, lead: tuple[str, str], **kwargs: Any) -> PackageSpec:
    """One of the six packages completed at the village centre within 30 minutes (村级直办:
    the back office approves online, the result is issued at the centre)."""
    fields = _package_fields(
        promised_days=0,
        village_class=VillageClass.DIRECT,
        promised_minutes=VILLAGE_MINUTES,
        life_event=kwargs.pop("life_event"),
        summary=kwargs.pop("summary"),
        keywords=kwargs.pop("keywords", ""),
    )
    return PackageSpec(code, name, lead, fields, **kwargs)


VILLAGE_PACKAGES = [
    _village_package(
        "4309YJS0301",
        "我要办理失业登记",
        HRSS,
        summary="在村（社区）便民服务站即可办理失业登记，符合条件的同时申领失业保险金，30分钟内办结。",
        life_event="就业创业",
        keywords="失业 下岗 失业金 失业保险金",
        items=(
            PackageItemSpec(UNEMPLOYMENT_REGISTRATION),
            PackageItemSpec(UNEMPLOYMENT_BENEFIT, when("insured_one_year", True)),
        ),
        dependencies=((UNEMPLOYMENT_REGISTRATION, UNEMPLOYMENT_BENEFIT),),
        questions=(QuestionSpec("insured_one_year", "失业前是否已缴纳失业保险费满一年？"),),
        form_fields=(
            *_person_fields(UNEMPLOYMENT_REGISTRATION, UNEMPLOYMENT_BENEFIT),
            FieldSpec(
                "last_employer",
                "原工作单位",
                items=(UNEMPLOYMENT_REGISTRATION,),
                required=False,
            ),
        ),
    ),
    _village_package(
        "4309YJS0302",
        "我要申请认定就业困难人员补助",
        HRSS,
        summary="就业困难人员认定与灵活就业社会保险补贴一次申请，村（社区）便民服务站当场办结。",
        life_event="就业创业",
        keywords="就业困难 社保补贴 灵活就业",
        items=(
            PackageItemSpec(HARDSHIP_RECOGNITION),
            PackageItemSpec(FLEXIBLE_SUBSIDY, when("flexible_employment", True)),
        ),
        dependencies=((HARDSHIP_RECOGNITION, FLEXIBLE_SUBSIDY),),
        questions=(
            QuestionSpec(
                "hardship_kind",
                "属于哪类就业困难情形？",
                CHOICE,
                (
                    ("older", "女40周岁、男50周岁以上"),
                    ("disabled", "残疾人"),
                    ("subsistence", "城乡低保家庭成员"),
                    ("zero_employment", "零就业家庭成员"),
                ),
            ),
            QuestionSpec("flexible_employment", "是否以灵活就业方式缴纳社会保险费？"),
        ),
        form_fields=_person_fields(HARDSHIP_RECOGNITION, FLEXIBLE_SUBSIDY),
    ),
    _village_package(
        "4309YJS0303",
        "我要办理社保卡",
        HRSS,
        summary="社会保障卡申领即时制卡，未参加医保的同时办理城乡居民医保参保登记。",
        life_event="社会保障",
        keywords="社保卡 医保卡 制卡",
        items=(
            PackageItemSpec(SOCIAL_SECURITY_CARD),
            PackageItemSpec(RESIDENT_MEDICAL_INSURANCE, when("has_medical_insurance", False)),
        ),
        questions=(
            QuestionSpec("is_minor", "申领人是否未满16周岁？"),
            QuestionSpec("has_medical_insurance", "申领人是否已参加基本医疗保险？"),
        ),
        form_fields=_person_fields(SOCIAL_SECURITY_CARD, RESIDENT_MEDICAL_INSURANCE),
    ),
    _village_package(
        "4309YJS0304",
        "我要办理老年优待证",
        HEALTH,
        summary="老年人优待证当场制证；年满80周岁的同时申领高龄津贴。",
        life_event="养老服务",
        keywords="老年证 优待证 高龄津贴 老人",
        items=(
            PackageItemSpec(SENIOR_CARD),
            PackageItemSpec(LONGEVITY_ALLOWANCE, when("age", 80, ">=")),
        ),
        questions=(QuestionSpec("age", "申请人年龄", NUMBER, unit="周岁"),),
        form_fields=_person_fields(SENIOR_CARD, LONGEVITY_ALLOWANCE),
    ),
    _village_package(
        "4309YJS0305",
        "我要办理生育服务登记（含一孩、二孩）",
        HEALTH,
        summary="一孩、二孩生育服务登记在村（社区）便民服务站当场办结，结婚证、户口簿信息共享免提交。",
        life_event="生育收养",
        keywords="准生证 生育证 生育登记 一孩 二孩",
        items=(PackageItemSpec(BIRTH_REGISTRATION),),
        questions=(
            QuestionSpec(
                "child_order",
                "本次登记的是第几个孩子？",
                CHOICE,
                (("first", "一孩"), ("second", "二孩")),
            ),
        ),
        form_fields=(
            *_person_fields(BIRTH_REGISTRATION),
            FieldSpec("spouse_name", "配偶姓名", items=(BIRTH_REGISTRATION,)),
            FieldSpec(
                "spouse_id_number",
                "配偶身份证号码",
                FieldKind.ID_NUMBER,
                items=(BIRTH_REGISTRATION,),
            ),
        ),
    ),
    _village_package(
        "4309YJS0306",
        "我要办理流动人口婚育证明",
        HEALTH,
        summary="外出务工、经商人员婚育证明凭承诺当场办结。",
        life_event="生育收养",
        keywords="婚育证明 流动人口 外出务工",
        items=(PackageItemSpec(MIGRANT_CERTIFICATE),),
        form_fields=(
            *_person_fields(MIGRANT_CERTIFICATE),
            FieldSpec("destination", "流入地", FieldKind.ADDRESS, items=(MIGRANT_CERTIFICATE,)),
        ),
    ),
]

WORK_RESUMPTION = PackageSpec(
    "4309ZCDX0101",
    "我要申请复工复产稳岗政策兑现",
    HRSS,
    _package_fields(
        summary=(
            "复工复产政策兑现“一次告知、一次申报、一次受理、一次办好、一次兑现”："
            "稳岗返还、以工代训补贴、小规模纳税人增值税减免一表申报，政策兑现专窗绿色通道办理。"
        ),
        subject_kind=SubjectKind.ENTERPRISE,
        promised_days=10,
        life_event="复工复产",
        keywords="复工复产 稳岗返还 以工代训 减税 政策兑现 惠企政策",
        is_policy_package=True,
    ),
    (
        PackageItemSpec(JOB_RETENTION_REFUND),
        PackageItemSpec(TRAINING_SUBSIDY, when("has_trainees", True)),
        PackageItemSpec(VAT_RELIEF, when("is_small_taxpayer", True)),
    ),
    questions=(
        QuestionSpec("has_trainees", "是否组织职工以工代训？"),
        QuestionSpec("is_small_taxpayer", "是否为增值税小规模纳税人？"),
    ),
    form_fields=(
        FieldSpec(
            "enterprise_name",
            "企业名称",
            items=(JOB_RETENTION_REFUND, TRAINING_SUBSIDY, VAT_RELIEF),
        ),
        FieldSpec(
            "enterprise_uscc",
            "统一社会信用代码",
            FieldKind.USCC,
            items=(JOB_RETENTION_REFUND, TRAINING_SUBSIDY, VAT_RELIEF),
        ),
        FieldSpec("insured_count", "参保职工人数", FieldKind.NUMBER, items=(JOB_RETENTION_REFUND,)),
        FieldSpec(
            "trainee_count",
            "以工代训人数",
            FieldKind.NUMBER,
            items=(TRAINING_SUBSIDY,),
            condition=when("has_trainees", True),
        ),
        FieldSpec(
            "contact_phone",
            "联系电话",
            FieldKind.PHONE,
            items=(JOB_RETENTION_REFUND, TRAINING_SUBSIDY, VAT_RELIEF),
        ),
    ),
)

PACKAGES: list[PackageSpec] = [OPEN_BUSINESS, REAL_ESTATE, *VILLAGE_PACKAGES, WORK_RESUMPTION]
