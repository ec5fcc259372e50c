"""The one catalogue of UI strings, English and Chinese, and language-aware number/date formats.

Pages never hold literal UI text: they call `t(lang, key, **values)`. A test checks that both
languages have exactly the same keys and placeholders.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

LANGS = ("en", "zh")
LANG_NAMES = {"en": "English", "zh": "中文"}

STRINGS: dict[str, dict[str, str]] = {
    "app_title": {
        "en": "China's cross-border e-commerce pilot zones",
        "zh": "中国跨境电子商务综合试验区",
    },
    "language": {"en": "Language", "zh": "语言"},
    "nav_map": {"en": "Map", "zh": "地图"},
    "data_error": {
        "en": "The data files have problems, so nothing can be shown. Each line names the file, "
        "the line and the field:",
        "zh": "数据文件有问题，无法显示。每一行列出文件、行号和字段：",
    },
    "url_ignored": {
        "en": "Some parts of the link were not understood and were ignored: {items}",
        "zh": "链接中的部分参数无法识别，已忽略：{items}",
    },
    # map page: header
    "intro": {
        "en": "Cross-border e-commerce comprehensive pilot zones are cities and areas where "
        "China's State Council lets local governments try out simpler customs, tax, payment "
        "and logistics rules for online trade across borders. Since Hangzhou in 2015 the "
        "programme has grown batch by batch; the map shows the zones as they stood on the "
        "chosen date.",
        "zh": "跨境电子商务综合试验区是国务院批准设立、在跨境电子商务的通关、税收、支付和物流等方面"
        "先行先试的城市和地区。自2015年杭州起分批扩围；地图显示所选日期时的综试区。",
    },
    "m_zones": {"en": "Zones shown", "zh": "显示的综试区"},
    "m_provinces": {"en": "Provinces covered", "zh": "覆盖省份"},
    "m_provinces_value": {"en": "{n} of 31", "zh": "{n} / 31"},
    "m_priority": {"en": "In priority regions", "zh": "位于重点地区"},
    "m_priority_help": {
        "en": "Share of the zones shown that lie in the Central, West or Northeast regions, "
        "which the July 2018 announcement said get priority.",
        "zh": "显示的综试区中位于中部、西部和东北地区（2018年7月公告提出倾斜的地区）的比例。",
    },
    "m_newest": {"en": "Newest approval", "zh": "最近批复"},
    # filters
    "filters": {"en": "Filters", "zh": "筛选"},
    "f_batch": {"en": "Batch", "zh": "批次"},
    "f_batch_option": {
        "en": "Batch {batch} · {year} · {count}",
        "zh": "第{batch}批 · {year} · {count}个",
    },
    "f_all_batches": {"en": "All batches", "zh": "全部批次"},
    "f_region": {"en": "Region", "zh": "地区"},
    "f_region_placeholder": {"en": "All regions", "zh": "全部地区"},
    "f_province": {"en": "Province", "zh": "省份"},
    "f_province_placeholder": {"en": "All provinces", "zh": "全部省份"},
    "f_search": {"en": "Search names", "zh": "搜索名称"},
    "f_search_placeholder": {"en": "e.g. Xi'an, 西安", "zh": "如 西安、Xi'an"},
    "f_date": {"en": "Approved by", "zh": "截至日期"},
    "f_date_help": {
        "en": "The map as it stood on this date: zones approved by then and not yet withdrawn.",
        "zh": "显示该日期时的状态：已批复且未撤销的综试区。",
    },
    "f_basemap": {"en": "Online basemap (CARTO)", "zh": "在线底图（CARTO）"},
    "f_basemap_help": {
        "en": "Streets and place names from CARTO; needs internet. Off, the map uses the "
        "project's own province outlines.",
        "zh": "使用CARTO在线底图，需要联网；关闭时使用本项目自带的省界。",
    },
    "f_reset": {"en": "Reset filters", "zh": "重置筛选"},
    "default_view_note": {
        "en": "Default view: the July 2018 announcement, the 13 earlier zones and the 22 new ones.",
        "zh": "默认视图：2018年7月公告，即此前的13个和新增的22个综试区。",
    },
    # map
    "legend": {"en": "Legend", "zh": "图例"},
    "legend_row": {
        "en": "Batch {batch} · {year} · {count}",
        "zh": "第{batch}批 · {year} · {count}个",
    },
    "legend_approx": {
        "en": "Faded point: approximate position (no geocoder found the city seat).",
        "zh": "浅色点：近似位置（未能定位到政府驻地）。",
    },
    "no_zones": {
        "en": "No zone matches these filters.",
        "zh": "没有符合筛选条件的综试区。",
    },
    "tt_batch": {"en": "Batch", "zh": "批次"},
    "tt_approved": {"en": "approved", "zh": "批复"},
    # details
    "details": {"en": "Selected zone", "zh": "所选综试区"},
    "details_hint": {
        "en": "Click a point on the map to see its facts, sources and nearest zones.",
        "zh": "点击地图上的点，查看详情、来源和最近的综试区。",
    },
    "d_batch": {"en": "Batch {batch} ({year})", "zh": "第{batch}批（{year}年）"},
    "d_province": {"en": "Province", "zh": "省份"},
    "d_region": {"en": "Region", "zh": "地区"},
    "d_level": {"en": "Level", "zh": "级别"},
    "d_approved": {"en": "Approved", "zh": "批复日期"},
    "d_document": {"en": "State Council reply", "zh": "国务院批复"},
    "d_confidence": {"en": "Confidence of the source", "zh": "来源可信度"},
    "d_withdrawn": {
        "en": "Withdrawn on {date}. {note}",
        "zh": "已于{date}撤销。{note}",
    },
    "d_not_in_view": {
        "en": "This zone is not among the zones shown with the current filters.",
        "zh": "该综试区不在当前筛选结果中。",
    },
    "d_sources": {"en": "Sources", "zh": "来源"},
    "d_note": {"en": "Note", "zh": "说明"},
    "d_nearest": {"en": "Nearest other zones", "zh": "最近的其他综试区"},
    "d_km": {"en": "{km:,.0f} km", "zh": "{km:,.0f} 公里"},
    "d_point_area": {
        "en": "Approximate point: inside the zone's area, not its city seat.",
        "zh": "近似位置：位于该区域内，并非政府驻地。",
    },
    "d_clear": {"en": "Clear selection", "zh": "取消选择"},
    # summary
    "summary": {"en": "Regional priorities by batch", "zh": "各批次的地区分布"},
    "summary_caption": {
        "en": "Zones of the selected batches approved by the chosen date, by region (zones later "
        "withdrawn still count in their batch). The 13 zones of 2015–16 are shown as the 2015 "
        "group that the July 2018 announcement speaks of. Region and search filters do not "
        "apply here.",
        "zh": "所选批次中截至所选日期已批复的综试区按地区分布（后来撤销的仍计入其批次）。"
        "2015–2016年的13个综试区合并为2018年7月公告所说的首批。地区和搜索筛选不适用于此处。",
    },
    "group_2015": {"en": "2015 group (13 first)", "zh": "首批13个（2015）"},
    "group_batch": {"en": "Batch {batch} · {year}", "zh": "第{batch}批 · {year}"},
    "s_priority_share": {"en": "Priority regions: {group}", "zh": "重点地区占比：{group}"},
    "s_delta_help": {
        "en": "Change from the previous group, in percentage points.",
        "zh": "与上一组相比的变化（百分点）。",
    },
    "s_pp": {"en": "{pp:+.1f} pp", "zh": "{pp:+.1f} 个百分点"},
    "s_group": {"en": "Group", "zh": "分组"},
    "s_region": {"en": "Region", "zh": "地区"},
    "s_count": {"en": "Zones", "zh": "数量"},
    "s_share": {"en": "Share", "zh": "占比"},
    "s_total": {"en": "Total", "zh": "合计"},
    "s_priority": {"en": "Priority regions", "zh": "重点地区"},
    "s_batch_summary": {"en": "What each batch did", "zh": "各批次概要"},
    # table
    "table": {"en": "Zones in view", "zh": "当前综试区列表"},
    "c_name_en": {"en": "Name", "zh": "英文名"},
    "c_name_zh": {"en": "Chinese name", "zh": "名称"},
    "c_province": {"en": "Province", "zh": "省份"},
    "c_region": {"en": "Region", "zh": "地区"},
    "c_batch": {"en": "Batch", "zh": "批次"},
    "c_approved": {"en": "Approved", "zh": "批复日期"},
    "c_document": {"en": "Document", "zh": "批复文号"},
    "c_confidence": {"en": "Confidence", "zh": "可信度"},
    "c_source": {"en": "Source", "zh": "来源"},
    "c_source_link": {"en": "source", "zh": "来源"},
    "download_csv": {"en": "Download CSV", "zh": "下载 CSV"},
    "download_geojson": {"en": "Download GeoJSON", "zh": "下载 GeoJSON"},
}

REGION_ZH = {"East": "东部", "Central": "中部", "West": "西部", "Northeast": "东北"}
LEVEL_ZH = {
    "prefecture": "地级市",
    "county-level city": "县级市",
    "autonomous prefecture": "自治州",
    "new area": "新区",
    "province-wide": "全省",
}
CONFIDENCE_ZH = {"high": "高", "medium": "中", "low": "低", "unverified": "未核实"}


def t(lang: str, key: str, **values) -> str:
    text = STRINGS[key].get(lang) or STRINGS[key]["en"]
    return text.format(**values) if values else text


def region(lang: str, region_en: str) -> str:
    return REGION_ZH.get(region_en, region_en) if lang == "zh" else region_en


def level(lang: str, level_en: str) -> str:
    return LEVEL_ZH.get(level_en, level_en) if lang == "zh" else level_en


def confidence(lang: str, value: str) -> str:
    return CONFIDENCE_ZH.get(value, value) if lang == "zh" else value


def date(lang: str, value: dt.date | pd.Timestamp) -> str:
    if lang == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {value:%b} {value.year}"


def pct(lang: str, share: float) -> str:
    return f"{share * 100:.1f}%"


def name_col(lang: str) -> str:
    """The column holding a zone's or province's name in this language."""
    return "name_zh" if lang == "zh" else "name_en"
