"""The data and sources page: the whole table (headers in the reader's language, blanks for
missing values), its dictionary, the batches and their replies, how the points were made, the
regions, the caveats (counted from the data), and downloads with their licences."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cbec import colors, export, i18n, paths, vocab
from cbec.data import status_on
from cbec.ui import shared
from cbec.ui.shared import Run


def reader_table(zones: pd.DataFrame, tr: i18n.For, today) -> pd.DataFrame:
    """Every zone with every exported column, labelled for readers: the interface language's
    name first, blanks for missing values, levels and regions translated."""
    other, first = tr.other_colname("name"), tr.colname("name")
    status = status_on(zones, today)
    out = pd.DataFrame(
        {
            "zone_id": zones["zone_id"],
            first: zones[first],
            other: zones[other],
            "province": tr.col(zones, "province"),
            "region": [tr.region(r) for r in zones["region_en"]],
            "batch": zones["batch"],
            "admin_level": [tr.level(v) for v in zones["admin_level"]],
            "approved_on": _day(zones["approved_on"]),
            "revoked_on": _day(zones["revoked_on"]),
            "status": [tr.text(f"status_{s.replace(' ', '_')}") for s in status],
            "document_no": zones["document_no"],
            "confidence": [tr.confidence(c) for c in zones["confidence"]],
            "lat": zones["lat"],
            "lon": zones["lon"],
            "precision": [tr.text(f"precision_{p}") for p in zones["precision"]],
            "note": zones[tr.textcol("note")],
            "source_url": [next(iter(vocab.sources(s)), None) for s in zones["source_url"]],
        }
    )
    out["note"] = out["note"].fillna("")
    return out


def _day(values: pd.Series) -> list[str]:
    """Dates as text, a blank where there is none (a table would show "None")."""
    return [d.strftime("%Y-%m-%d") if pd.notna(d) else "" for d in values]


def _columns(tr: i18n.For) -> dict:
    label = {c: tr.text(f"h_{c}") for c in export.EXPORT_COLUMNS}
    label |= {
        tr.colname("name"): tr.text("c_name"),
        tr.other_colname("name"): tr.text("c_name_other"),
        "province": tr.text("c_province"),
        "region": tr.text("c_region"),
        "status": tr.text("ds_status"),
    }
    config: dict[str, object] = dict(label)
    config |= {
        "batch": st.column_config.NumberColumn(label["batch"], format="%d"),
        "lat": st.column_config.NumberColumn(label["lat"], format="%.4f"),
        "lon": st.column_config.NumberColumn(label["lon"], format="%.4f"),
        "source_url": st.column_config.LinkColumn(
            label["source_url"], display_text=tr.text("c_source_link")
        ),
    }
    return config


def provenance(zones: pd.DataFrame, tr: i18n.For) -> str:
    """How the points were made, for readers: which source gave how many points."""
    used = zones["geocoder"].map(vocab.provider_key).value_counts()
    return tr.join(f"{tr.text(f'provider_{k}')}: {n}" for k, n in used.items())


def page(run: Run) -> None:
    _tables(run, run.tr.lang)
    downloads(run)


@shared.per_view(16)
def _tables(run: Run, lang: str) -> None:
    """Everything but the downloads, per data version and language: drawn once, replayed."""
    ds, tr, today = run.ds, i18n.tr(lang), run.today
    zones, batches = ds.zones, ds.batches
    name = tr.colname("name")

    st.header(tr("ds_title"), anchor=False)
    st.write(tr("ds_intro"))

    st.subheader(tr("ds_zones"), anchor=False)
    st.dataframe(reader_table(zones, tr, today), hide_index=True, column_config=_columns(tr))
    with st.expander(tr("ds_dictionary")):
        st.dataframe(
            pd.DataFrame(
                {
                    tr.text("ds_column"): [tr.text(f"h_{c}") for c in export.EXPORT_COLUMNS],
                    tr.text("ds_file_column"): list(export.EXPORT_COLUMNS),
                    tr.text("ds_meaning"): [tr.meaning(c) for c in export.EXPORT_COLUMNS],
                }
            ),
            hide_index=True,
        )

    st.subheader(tr("ds_batches"), anchor=False)
    st.dataframe(
        pd.DataFrame(
            {
                tr.text("c_batch"): batches["batch"],
                tr.text("c_approved"): _day(batches["approved_on"]),
                tr.text("ds_meeting"): _day(batches["meeting_on"]),
                tr.text("c_document"): batches["document_no"],
                tr.text("s_count"): batches["count"],
                tr.text("ds_title_col"): tr.col(batches, "title"),
                tr.text("c_source"): [
                    next(iter(vocab.sources(s)), None) for s in batches["source_url"]
                ],
            }
        ),
        hide_index=True,
        column_config={
            tr.text("c_batch"): st.column_config.NumberColumn(format="%d"),
            tr.text("c_source"): st.column_config.LinkColumn(display_text=tr.text("c_source_link")),
        },
    )

    st.subheader(tr("ds_confidence"), anchor=False)
    counts = export.confidence_counts(zones)
    st.dataframe(
        pd.DataFrame(
            {
                tr.text("ds_confidence_level"): [tr.confidence(c) for c in counts["confidence"]],
                tr.text("ds_confidence_meaning"): [
                    tr.text(f"confidence_meaning.{c}") for c in counts["confidence"]
                ],
                tr.text("ds_confidence_zones"): counts["zones"],
            }
        ),
        hide_index=True,
    )

    st.subheader(tr("ds_coords"), anchor=False)
    st.markdown(tr("ds_coords_text", providers=provenance(zones, tr)))
    _points(zones, tr)

    st.subheader(tr("ds_regions"), anchor=False)
    st.write(tr("ds_regions_text"))
    prov = ds.provinces.assign(order=ds.provinces["region_en"].map(colors.REGION_ORDER.index))
    prov = prov.sort_values(["order", "province_en"], kind="stable")
    st.dataframe(
        pd.DataFrame(
            {
                tr.text("c_region"): [tr.region(r) for r in prov["region_en"]],
                tr.text("c_province"): tr.col(prov, "province"),
                tr.text("h_adcode"): prov["adcode"],
            }
        ),
        hide_index=True,
    )

    st.subheader(tr("ds_caveats"), anchor=False)
    unverified = zones[zones["confidence"] == "unverified"]
    withdrawn = zones[zones["revoked_on"].notna()]
    special = zones[zones["admin_level"] != "prefecture"]
    levels = tr.join(
        f"{tr.level(lvl)}: {tr.join(g[name])}" for lvl, g in special.groupby("admin_level")
    )
    caveats = [tr("ds_caveat_2015")]
    if len(unverified):
        caveats.append(
            tr("ds_caveat_unverified", n=len(unverified), names=tr.join(unverified[name]))
        )
    for day, g in withdrawn.groupby("revoked_on"):
        caveats.append(
            tr("ds_caveat_withdrawn", n=len(g), date=tr.date(day), names=tr.join(g[name]))
        )
    caveats += [tr("ds_caveat_levels", items=levels), tr("ds_caveat_dates")]
    st.markdown("\n".join(f"- {c}" for c in caveats))


def _points(zones: pd.DataFrame, tr: i18n.For) -> None:
    """How sure each point is: the checks against the second provider counted, and the points
    no source settles listed with the distance between the providers and what is known."""
    st.subheader(tr("ds_points"), anchor=False)
    st.write(tr("ds_points_text"))
    counts = export.point_check_counts(zones)
    st.dataframe(
        pd.DataFrame(
            {
                tr.text("ds_points_check"): [tr.text(f"point_check.{c}") for c in counts["check"]],
                tr.text("ds_points_meaning"): [
                    tr.text(f"point_check_meaning.{c}") for c in counts["check"]
                ],
                tr.text("ds_points_zones"): counts["zones"],
            }
        ),
        hide_index=True,
    )
    unresolved = zones[zones["point_check"] == "unresolved"].sort_values(
        "tencent_km", ascending=False
    )
    if len(unresolved):
        st.write(tr("ds_points_unresolved", n=len(unresolved)))
        st.dataframe(
            pd.DataFrame(
                {
                    tr.text("c_name"): unresolved[tr.colname("name")],
                    tr.text("c_province"): tr.col(unresolved, "province"),
                    tr.text("ds_points_km"): unresolved["tencent_km"],
                    tr.text("ds_points_note"): unresolved[tr.textcol("point_note")],
                }
            ),
            hide_index=True,
            column_config={
                tr.text("ds_points_km"): st.column_config.NumberColumn(format="%.1f"),
            },
        )


def downloads(run: Run) -> None:
    """The whole table, the outlines and the dictionary as files (widgets: drawn each run)."""
    zones, tr = run.ds.zones, run.tr
    st.subheader(tr("ds_downloads"), anchor=False)
    shared.zone_downloads(zones, tr, "cbec_pilot_zones_all", "ds_dl")
    meanings = {
        lang: {c: i18n.tr(lang).meaning(c) for c in export.EXPORT_COLUMNS} for lang in i18n.LANGS
    }
    st.download_button(
        tr("ds_dl_dictionary"),
        lambda: export.dictionary_csv(meanings),
        file_name="cbec_pilot_zones_dictionary.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
    )
    st.download_button(
        tr("ds_dl_outlines"),
        lambda: paths.PROVINCE_OUTLINES.read_bytes(),
        file_name="china_provinces.geojson",
        mime="application/geo+json",
        on_click="ignore",
        icon=":material/download:",
    )
    st.caption(tr("ds_licences"))
