"""The data and sources page: the whole table with its dictionary, the batches and their
replies, how the points were made, the regions, the caveats (counted from the data), and
downloads with their licences."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from cbec import data, export, i18n
from cbec.data import status_on
from cbec.ui import shared


def page(today: dt.date | None = None) -> None:
    today = today or dt.date.today()
    ds = shared.dataset()
    lang = shared.state().lang
    t = lambda key, **kw: i18n.t(lang, key, **kw)  # noqa: E731
    zones, batches = ds.zones, ds.batches
    sep = "、" if lang == "zh" else ", "
    name = i18n.name_col(lang)

    st.header(t("ds_title"), anchor=False)
    st.write(t("ds_intro"))

    st.subheader(t("ds_zones"), anchor=False)
    table = zones[export.EXPORT_COLUMNS].assign(
        status=[t(f"status_{s}") for s in status_on(zones, today)],
        source_url=[(data.sources(s) or [None])[0] for s in zones["source_url"]],
    )
    st.dataframe(
        table,
        hide_index=True,
        key="ds_zones",
        column_config={
            "approved_on": st.column_config.DateColumn(format="YYYY-MM-DD"),
            "revoked_on": st.column_config.DateColumn(format="YYYY-MM-DD"),
            "source_url": st.column_config.LinkColumn(display_text=t("c_source_link")),
            "status": t("ds_status"),
        },
    )
    with st.expander(t("ds_dictionary")):
        st.dataframe(
            pd.DataFrame(
                {
                    t("ds_column"): list(export.DICTIONARY),
                    t("ds_meaning"): [
                        v[1 if lang == "zh" else 0] for v in export.DICTIONARY.values()
                    ],
                }
            ),
            hide_index=True,
            key="ds_dictionary",
        )

    st.subheader(t("ds_batches"), anchor=False)
    st.dataframe(
        pd.DataFrame(
            {
                t("c_batch"): batches["batch"],
                t("c_approved"): batches["approved_on"].dt.date,
                t("ds_meeting"): batches["meeting_on"].dt.date,
                t("c_document"): batches["document_no"],
                t("s_count"): batches["count"],
                t("ds_title_col"): batches["title_zh" if lang == "zh" else "title_en"],
                t("c_source"): batches["source_url"],
            }
        ),
        hide_index=True,
        key="ds_batches",
        column_config={t("c_source"): st.column_config.LinkColumn(display_text=t("c_source_link"))},
    )

    st.subheader(t("ds_coords"), anchor=False)
    used = zones["geocoder"].value_counts()
    st.write(t("ds_coords_text", geocoders=sep.join(f"{g} ({n})" for g, n in used.items())))

    st.subheader(t("ds_regions"), anchor=False)
    st.write(t("ds_regions_text"))
    prov = ds.provinces
    st.dataframe(
        pd.DataFrame(
            {
                t("c_region"): [i18n.region(lang, r) for r in prov["region_en"]],
                t("c_province"): prov["province_zh" if lang == "zh" else "province_en"],
                "adcode": prov["adcode"],
            }
        ).sort_values(t("c_region"), kind="stable"),
        hide_index=True,
        key="ds_regions",
    )

    st.subheader(t("ds_caveats"), anchor=False)
    unverified = zones[zones["confidence"] == "unverified"]
    withdrawn = zones[zones["revoked_on"].notna()]
    special = zones[zones["admin_level"] != "prefecture"]
    levels = sep.join(
        f"{i18n.level(lang, lvl)}: {sep.join(g[name])}" for lvl, g in special.groupby("admin_level")
    )
    caveats = [t("ds_caveat_2015")]
    if len(unverified):
        names = sep.join(unverified[name])
        caveats.append(t("ds_caveat_unverified", n=len(unverified), names=names))
    for day, g in withdrawn.groupby("revoked_on"):
        caveats.append(
            t("ds_caveat_withdrawn", n=len(g), date=i18n.date(lang, day), names=sep.join(g[name]))
        )
    caveats += [t("ds_caveat_levels", items=levels), t("ds_caveat_dates")]
    st.markdown("\n".join(f"- {i18n.escape_md(c)}" for c in caveats))

    st.subheader(t("ds_downloads"), anchor=False)
    shared.zone_downloads(zones, lang, "cbec_pilot_zones_all", "ds_dl")
    st.download_button(
        t("ds_dl_outlines"),
        lambda: data.PROVINCE_OUTLINES.read_bytes(),
        file_name="china_provinces.geojson",
        mime="application/geo+json",
        on_click="ignore",
        key="ds_dl_outlines",
    )
    st.caption(t("ds_licences"))
