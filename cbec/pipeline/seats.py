"""Seats of government of the divisions whose own name is not a place name.

A prefecture-level city is found under its own name; an autonomous prefecture, a league or a
prefecture is governed from a city or county of another name. Used by the geocoder (zones) and
the gazetteer build (all prefecture-level divisions). Every seat found is checked to lie inside
the division's boundary before it is kept, so a wrong entry here fails loudly, not silently.
"""

SEATS: dict[str, str] = {
    # Inner Mongolia: leagues
    "兴安盟": "乌兰浩特市",
    "锡林郭勒盟": "锡林浩特市",
    "阿拉善盟": "阿拉善左旗",
    # Jilin, Hubei, Hunan
    "延边朝鲜族自治州": "延吉市",
    "恩施土家族苗族自治州": "恩施市",
    "湘西土家族苗族自治州": "吉首市",
    # Sichuan
    "阿坝藏族羌族自治州": "马尔康市",
    "甘孜藏族自治州": "康定市",
    "凉山彝族自治州": "西昌市",
    # Guizhou
    "黔西南布依族苗族自治州": "兴义市",
    "黔东南苗族侗族自治州": "凯里市",
    "黔南布依族苗族自治州": "都匀市",
    # Yunnan
    "楚雄彝族自治州": "楚雄市",
    "红河哈尼族彝族自治州": "蒙自市",
    "文山壮族苗族自治州": "文山市",
    "西双版纳傣族自治州": "景洪市",
    "大理白族自治州": "大理市",
    "德宏傣族景颇族自治州": "芒市",
    "怒江傈僳族自治州": "泸水市",
    "迪庆藏族自治州": "香格里拉市",
    # Gansu
    "临夏回族自治州": "临夏市",
    "甘南藏族自治州": "合作市",
    # Qinghai
    "海北藏族自治州": "海晏县",
    "黄南藏族自治州": "同仁市",
    "海南藏族自治州": "共和县",
    "果洛藏族自治州": "玛沁县",
    "玉树藏族自治州": "玉树市",
    "海西蒙古族藏族自治州": "德令哈市",
    # Xinjiang
    "昌吉回族自治州": "昌吉市",
    "博尔塔拉蒙古自治州": "博乐市",
    "巴音郭楞蒙古自治州": "库尔勒市",
    "克孜勒苏柯尔克孜自治州": "阿图什市",
    "伊犁哈萨克自治州": "伊宁市",
    "喀什地区": "喀什市",
}


def seat_of(name_zh: str) -> str:
    """The place to look up for a division: its seat where listed, else its own name."""
    return SEATS.get(name_zh, name_zh)
