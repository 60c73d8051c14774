"""Reader variants real downloads need: GDC sample sheets, TIMER's own headers, staged
clinical columns, NIfTI masks, cohorts without a manifest, the cached demo cohort."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from pyradiogen.cohort import CohortError, load_cohort
from pyradiogen.cohort.clinical import read_clinical
from pyradiogen.cohort.expression import read_gene_table, read_star_matrix, star_files
from pyradiogen.cohort.manifest import read_manifest
from pyradiogen.cohort.masks import read_mask
from pyradiogen.cohort.tables import read_timer
from pyradiogen.demo.writers import write_mask
from pyradiogen.studies import liu2023


def test_gdc_sample_sheet(demo_cohort_dir, tmp_path):
    src = sorted((demo_cohort_dir / "expression" / "star_counts").iterdir())[:3]
    d = tmp_path / "star" / "uuid-folder"
    d.mkdir(parents=True)
    rows = []
    for k, f in enumerate(src):
        name = f"{k:08x}-aaaa-bbbb-cccc-000000000000.rna_seq.augmented_star_gene_counts.tsv"
        shutil.copy(f, d / name)
        rows.append({"File ID": f"id{k}", "File Name": name, "Case ID": f.name[:12],
                     "Sample ID": f.name[:16], "Sample Type": "Primary Tumor"})
    sheet = tmp_path / "gdc_sample_sheet.tsv"
    pd.DataFrame(rows).to_csv(sheet, sep="\t", index=False)
    files = star_files(tmp_path / "star", sheet)
    assert sorted(files["patient_id"]) == sorted(f.name[:12] for f in src)
    mat, genes, stats = read_star_matrix(tmp_path / "star", "tpm_unstranded", sheet,
                                         progress=False)
    assert mat.shape == (7604, 3)
    np.testing.assert_allclose(mat.sum(axis=0), 1e6, rtol=1e-3)
    assert set(stats.columns) == {"N_unmapped", "N_multimapping", "N_noFeature", "N_ambiguous"}


def test_timer_headers_and_samples(tmp_path):
    p = tmp_path / "timer.csv"
    p.write_text("sample,B_cell,CD4_Tcell,CD8_Tcell,Neutrophil,Macrophage,DC\n"
                 "TCGA-A1-A0SB-01A,0.1,0.2,0.3,0.1,0.05,0.4\n"
                 "TCGA-A1-A0SB-11A,0.9,0.9,0.9,0.9,0.9,0.9\n"
                 "TCGA.A2.A0CM.01,0.2,0.1,0.2,0.1,0.1,0.5\n")
    t = read_timer(p)
    assert list(t.index) == ["TCGA-A1-A0SB", "TCGA-A2-A0CM"]
    assert t.loc["TCGA-A1-A0SB", "CD8_T"] == pytest.approx(0.3)   # normal sample dropped


def test_clinical_stage_columns(tmp_path):
    p = tmp_path / "clinical.tsv"
    p.write_text("Complete TCGA ID\tAge at Initial Pathologic Diagnosis\tER Status\tPR Status\t"
                 "HER2 Final Status\tTumor\tNode\tPAM50 mRNA\n"
                 "TCGA-A1-A0SB\t55\tPositive\tNegative\tEquivocal\tT1\tN0\tLuminal A\n"
                 "TCGA-A2-A0CM\t\tNegative\tIndeterminate\tPositive\tT3\tN2\tHER2-enriched\n"
                 "TCGA-A2-A0CX\t70\tNot Performed\tPositive\tNegative\tTX\tN1\t\n")
    cl, raw = read_clinical(p)
    assert cl["T"].tolist()[:2] == [0, 1] and pd.isna(cl["T"].iloc[2])
    assert cl["N"].tolist() == [0, 1, 1]
    assert pd.isna(cl["HER2"].iloc[0]) and cl["HER2"].iloc[1] == 1
    assert pd.isna(cl["PR"].iloc[1]) and pd.isna(cl["ER"].iloc[2])
    assert np.isnan(cl["age"].iloc[1])
    assert cl["pam50"].tolist()[:2] == ["LumA", "Her2"] and pd.isna(cl["pam50"].iloc[2])


def test_mask_formats(tmp_path):
    m = np.zeros((40, 50), dtype=np.uint8)
    m[10:20, 5:30] = 1
    for name in ("a.nrrd", "a.nii.gz", "a.nii"):
        write_mask(tmp_path / name, m, 0.7)
        np.testing.assert_array_equal(read_mask(tmp_path / name), m)
    write_mask(tmp_path / "empty.nrrd", np.zeros((4, 4), np.uint8), 1.0)
    with pytest.raises(CohortError, match="mask is empty"):
        read_mask(tmp_path / "empty.nrrd")
    write_mask(tmp_path / "labels.nrrd", m * 3, 1.0)
    with pytest.raises(CohortError, match="not 0/1"):
        read_mask(tmp_path / "labels.nrrd")


def test_gene_table(demo_cohort_dir):
    g = read_gene_table(demo_cohort_dir / "expression" / "genes.tsv")
    assert len(g) == 7604 and g["gene_id"].is_unique
    assert g["gene_id"].str.match(r"^ENSG\d{11}\.\d+$").all()
    assert g["entrez"].notna().mean() > 0.99


def test_default_layout_without_manifest(demo_cohort_dir, tmp_path):
    d = tmp_path / "nomanifest"
    d.mkdir()
    for name in ("dicom", "clinical.tsv", "expression"):
        (d / name).symlink_to(demo_cohort_dir / name)
    m = read_manifest(d)
    assert {"dicom", "clinical", "star_counts", "matrix", "genes"} <= set(m.parts)
    c = load_cohort(d, progress=False, cache_dir=tmp_path / "cache")
    assert len(liu2023.assemble(c).patients) == 24
    with pytest.raises(CohortError, match="cohort directory not found"):
        read_manifest(tmp_path / "nowhere")


def test_study1_options(demo_cohort_dir):
    c = load_cohort(demo_cohort_dir, progress=False, validate=False)
    s = liu2023.assemble(c, post_phase="last", max_slices=1)
    per = s.images.groupby("patient_id")
    assert (per.size() == 1).all() and len(s.patients) == 24
    last = s.series.loc[s.images["patient_id"], "n_phases"].to_numpy() - 1
    np.testing.assert_array_equal(s.images["phase_used"].to_numpy(), last)  # last phase used
    s99 = liu2023.assemble(c, post_phase=99)          # no exam has it: every patient excluded, by name
    f = s99.flowchart.set_index("step")
    assert len(s99.patients) == 0 and f.loc["no post-contrast phase 99", "excluded"] == 25
    s0 = liu2023.assemble(c, post_phase=0)
    assert (s0.images["role"] == "pre").all() and len(s0.patients) == 24
    s3 = liu2023.assemble(c, manufacturer="Siemens")
    assert len(s3.patients) <= 2


def test_ensure_demo_cohort_reuses(tmp_path, monkeypatch):
    from pyradiogen.demo import ensure_demo_cohort, generate
    p = ensure_demo_cohort(tmp_path / "d", n_patients=4, seed=1)
    assert (p / "cohort.toml").exists()
    monkeypatch.setattr(generate, "make_demo_cohort",
                        lambda *a, **k: (_ for _ in ()).throw(AssertionError("regenerated")))
    assert ensure_demo_cohort(tmp_path / "d", n_patients=4, seed=1) == p


def test_liu2023_section_and_its_old_name(tmp_path):
    (tmp_path / "dicom").mkdir()
    toml = tmp_path / "cohort.toml"
    toml.write_text('[parts]\ndicom = "dicom"\n[liu2023]\npost_phase = 2\n')
    m = read_manifest(tmp_path)
    assert m.liu2023["post_phase"] == 2 and not m.notes
    toml.write_text('[parts]\ndicom = "dicom"\n[study1]\nmanufacturer = "any"\n')
    m = read_manifest(tmp_path)
    assert m.liu2023["manufacturer"] == "any" and "[study1] (old name)" in m.notes[0]
    toml.write_text('[parts]\ndicom = "dicom"\n[study1]\n[liu2023]\n')
    with pytest.raises(CohortError, match="both"):
        read_manifest(tmp_path)


def _gdc_cart(real_data, root, n_tumour=2, gz=False):
    """STAR-counts files as gdc-client writes them (``<file id>/<uuid>.rna_seq…tsv``), named as
    real TCGA-BRCA files are, holding the GDC tool's fixture; the cart's real metadata JSON.
    With ``gz`` each file is gzip-compressed (``….tsv.gz``; the JSON names the ``.tsv``)."""
    import gzip
    import json

    meta = real_data / "gdc_star_counts" / "gdc_brca_metadata"
    records = json.loads((meta / "metadata.repository.2026-07-09.json").read_text())
    manifest = pd.read_csv(meta / "gdc_manifest.txt", sep="\t").set_index("filename")["id"]
    by_barcode = {r["associated_entities"][0]["entity_submitter_id"]: r["file_name"]
                  for r in records}
    normal = sorted(b for b in by_barcode if b[13:15] == "11")[0]
    tumours = sorted(b for b in by_barcode if b[13:15] == "01" and b[:12] != normal[:12])
    chosen = tumours[:n_tumour] + [normal]
    text = gzip.open(real_data / "gdc_star_counts" / "gdc_rnaseq_tool_fixtures" /
                     "test_set_1.final.tsv.gz", "rt").read()
    for b in chosen:
        folder = root / "expression" / "star_counts" / manifest[by_barcode[b]]
        folder.mkdir(parents=True)
        if gz:
            (folder / (by_barcode[b] + ".gz")).write_bytes(gzip.compress(text.encode()))
        else:
            (folder / by_barcode[b]).write_text(text)
    (root / "expression" / "metadata.json").symlink_to(
        meta / "metadata.repository.2026-07-09.json")
    (root / "cohort.toml").write_text('[parts]\nstar_counts = "expression/star_counts"\n'
                                      'sample_sheet = "expression/metadata.json"\n')
    return chosen


def test_gdc_cart_metadata_json_names_the_files(real_data, tmp_path, capsys):
    """The GDC cart's metadata JSON maps the UUID file names to their aliquots, like the
    sample sheet (it was read as a CSV: 'line 2969: has 3 fields but the header has 1'); the
    normal-tissue file left out is named by validate."""
    import json

    from pyradiogen.cli import main

    chosen = _gdc_cart(real_data, tmp_path)
    x = load_cohort(tmp_path, progress=False).expression("unstranded")
    assert sorted(x.index) == sorted(b[:12] for b in chosen[:2])
    assert x.loc[chosen[0][:12], "TSPAN6"] == 429          # the fixture's first gene
    assert main(["validate", str(tmp_path), "--json"]) == 0
    details = [c["detail"] for c in json.loads(capsys.readouterr().out)["checks"]
               if c["part"] == "expression"]
    assert f"1 normal-tissue sample(s) left out (tumour samples are used): {chosen[2]}" \
        in details
    (tmp_path / "expression" / "metadata.json").unlink()
    (tmp_path / "expression" / "metadata.json").write_text('[{"file_name": "a.tsv"}]')
    assert main(["validate", str(tmp_path)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "metadata.json" in err and "record 1 has no file_name or no associated_entities" in err


STAR_FIXTURE = ("gdc_star_counts", "gdc_rnaseq_tool_fixtures", "test_set_1.final.tsv.gz")


def _star_folders(real_data, root):
    """The GDC tool's real STAR-counts fixture as two samples, decompressed in ``plain/``,
    gzip-compressed again (Python's gzip) in ``gz/``, the GDC file itself in ``gdc/``."""
    import gzip

    src = real_data.joinpath(*STAR_FIXTURE)
    raw = gzip.decompress(src.read_bytes())
    names = [f"TCGA-A2-A0CM-01A{liu2023_suffix}", f"TCGA-A2-A0CN-01A{liu2023_suffix}"]
    for sub in ("plain", "gz", "gdc"):
        (root / sub).mkdir(parents=True)
    for name in names:
        (root / "plain" / name).write_bytes(raw)
        (root / "gz" / (name + ".gz")).write_bytes(gzip.compress(raw))
        shutil.copy(src, root / "gdc" / (name + ".gz"))
    return names


liu2023_suffix = ".rna_seq.augmented_star_gene_counts.tsv"


def test_gzipped_star_counts_are_read(real_data, tmp_path):
    """GDC delivers STAR counts gzipped (*.tsv.gz): they are read directly and give exactly
    the matrix, genes and N_* statistics of the decompressed files (the reader used to stop
    with 'decompress them (gunzip -r …)')."""
    from pyradiogen.cohort.expression import read_star_counts

    _star_folders(real_data, tmp_path)
    plain = read_star_matrix(tmp_path / "plain", "unstranded", progress=False)
    mat, genes, stats = plain
    assert mat.shape == (96, 2) and list(mat.columns) == ["TCGA-A2-A0CM", "TCGA-A2-A0CN"]
    assert mat.loc["ENSG00000000003.15"].tolist() == [429, 429]        # TSPAN6
    assert stats["N_unmapped"].tolist() == [38463.0, 38463.0]
    for sub in ("gz", "gdc"):
        other = read_star_matrix(tmp_path / sub, "unstranded", progress=False)
        for a, b in zip(plain, other):
            pd.testing.assert_frame_equal(a, b)
    g, st = read_star_counts(tmp_path / "gz" / f"TCGA-A2-A0CM-01A{liu2023_suffix}.gz",
                             values=("tpm_unstranded",))
    g0, st0 = read_star_counts(tmp_path / "plain" / f"TCGA-A2-A0CM-01A{liu2023_suffix}",
                               values=("tpm_unstranded",))
    pd.testing.assert_frame_equal(g, g0)
    assert st == st0 and g["tpm_unstranded"].sum() == pytest.approx(1e6, rel=1e-4)
    # a folder holding both copies (gunzip -k) reads each sample once, with a warning
    shutil.copytree(tmp_path / "gz", tmp_path / "plain", dirs_exist_ok=True)
    with pytest.warns(UserWarning, match=r"2 STAR-counts file\(s\) present both gzipped and "
                                         r"decompressed .*the decompressed copy is read"):
        both = read_star_matrix(tmp_path / "plain", "unstranded", progress=False)
    pd.testing.assert_frame_equal(both[0], mat)


def test_gzipped_gdc_cart_and_sample_sheet(real_data, tmp_path):
    """A gzipped GDC cart: the metadata JSON names ``<uuid>….tsv``, the files are
    ``<uuid>….tsv.gz``; the names still match, and a gzipped JSON or sample sheet reads too."""
    import gzip

    chosen = _gdc_cart(real_data, tmp_path, gz=True)
    x = load_cohort(tmp_path, progress=False).expression("unstranded")
    assert sorted(x.index) == sorted(b[:12] for b in chosen[:2])
    assert x.loc[chosen[0][:12], "TSPAN6"] == 429
    meta = tmp_path / "expression" / "metadata.json"
    packed = tmp_path / "expression" / "metadata.json.gz"
    packed.write_bytes(gzip.compress(meta.read_bytes()))
    files = star_files(tmp_path / "expression" / "star_counts", packed)
    assert sorted(files["sample_id"]) == sorted(chosen[:2])
    from pyradiogen.cohort.expression import read_gdc_metadata

    by_name = read_gdc_metadata(meta)
    gz_names = sorted(p.name for p in (tmp_path / "expression").rglob("*.tsv.gz"))
    assert len(gz_names) == 3
    sheet = pd.DataFrame({"File Name": gz_names,      # a sheet naming the .gz files
                          "Sample ID": [by_name[n[:-3]] for n in gz_names]})
    gz_sheet = tmp_path / "gdc_sample_sheet.tsv.gz"
    gz_sheet.write_bytes(gzip.compress(sheet.to_csv(sep="\t", index=False).encode()))
    again = star_files(tmp_path / "expression" / "star_counts", gz_sheet)
    assert again["sample_id"].tolist() == files["sample_id"].tolist()


def test_gzipped_expression_matrix_reads_as_plain(real_data, tmp_path):
    """A merged matrix or an --expr table may be gzipped too (one reader for every table)."""
    import gzip

    from pyradiogen.cohort.expression import read_expression_matrix

    src = real_data / "tcga_brca_expression" / "tcga_brca_dataBRCA_rsem_20530x10.tsv"
    gz = tmp_path / "matrix.tsv.gz"
    gz.write_bytes(gzip.compress(src.read_bytes()))
    with pytest.warns(UserWarning, match="on several rows.*SLC35E2"):
        a, ga = read_expression_matrix(src)
    with pytest.warns(UserWarning, match="on several rows.*SLC35E2"):
        b, gb = read_expression_matrix(gz)
    assert a.shape == (5, 20501)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(ga, gb)


@pytest.mark.parametrize("damage", ["truncated", "corrupt"])
def test_damaged_gzip_is_named_not_a_traceback(real_data, tmp_path, capsys, damage):
    """A truncated or corrupt .tsv.gz (an interrupted download) is refused naming the file
    and the fix; the command line exits 2 without a traceback."""
    from pyradiogen.cli import main
    from pyradiogen.cohort.expression import read_star_counts

    names = _star_folders(real_data, tmp_path)
    bad = tmp_path / "gz" / (names[1] + ".gz")
    data = bad.read_bytes()
    if damage == "truncated":
        bad.write_bytes(data[: len(data) // 2])
    else:
        mid = len(data) // 2
        bad.write_bytes(data[:mid] + bytes(b ^ 0xFF for b in data[mid:mid + 64])
                        + data[mid + 64:])
    with pytest.raises(CohortError, match="damaged or truncated gzip file") as exc:
        read_star_counts(bad)
    assert str(bad) in str(exc.value) and "download the file again" in str(exc.value)
    cohort = tmp_path / "cohort"
    (cohort / "expression").mkdir(parents=True)
    (cohort / "expression" / "star_counts").symlink_to(tmp_path / "gz")
    (cohort / "cohort.toml").write_text('[parts]\nstar_counts = "expression/star_counts"\n')
    assert main(["validate", str(cohort)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert names[1] + ".gz" in err and "damaged or truncated gzip file" in err
    assert "Traceback" not in err
    # the same for any table read by read_table (an --expr file)
    expr = tmp_path / "expr.tsv.gz"
    expr.write_bytes(bad.read_bytes())
    out = tmp_path / "sig.csv"
    assert main(["signatures", "--expr", str(expr), "--out", str(out)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert str(expr) in err and "damaged or truncated gzip file" in err and not out.exists()


def test_matrix_rows_and_samples_left_out_are_named(real_data, tmp_path, capsys):
    """The real TCGAbiolinks RSEM matrix: 5 tumour and 5 normal-tissue columns, 28 rows
    '?|ENTREZ'. validate names the normal samples and counts the rows it leaves out (both were
    dropped without a word)."""
    import json

    from pyradiogen.cli import main

    (tmp_path / "expression").mkdir()
    (tmp_path / "expression" / "matrix.tsv").symlink_to(
        real_data / "tcga_brca_expression" / "tcga_brca_dataBRCA_rsem_20530x10.tsv")
    (tmp_path / "cohort.toml").write_text('[parts]\nmatrix = "expression/matrix.tsv"\n'
                                          '[expression]\nkind = "rsem"\n')
    assert main(["validate", str(tmp_path), "--json"]) == 0
    details = [c["detail"] for c in json.loads(capsys.readouterr().out)["checks"]
               if c["part"] == "expression"]
    assert "5 tumour samples × 20501 genes (matrix)" in details
    assert "28 row(s) without a gene symbol ('?|ENTREZ') left out" in details
    normal = next(d for d in details if "normal-tissue" in d)
    assert normal.startswith("5 normal-tissue sample(s) left out (tumour samples are used): "
                             "TCGA-BH-A0DK-11A-13R-A089-07, ")


def test_validate_says_no_stage_uses_the_immune_table(real_data, tmp_path, capsys):
    """The real PanImmune CIBERSORT table is read and checked, but no stage of replicate uses
    an immune table: validate says so and names what study liu2023 needs (TIMER), instead of
    listing it as an ordinary ok part."""
    import json

    from pyradiogen.cli import main

    (tmp_path / "immune.tsv").symlink_to(real_data / "tcga_brca_immune_panimmune" /
                                         "TCGA_BRCA.Kallisto.fullIDs.cibersort.relative.tsv")
    (tmp_path / "cohort.toml").write_text('[parts]\nimmune = "immune.tsv"\n'
                                          '[immune]\nduplicates = "mean"\n')
    main(["validate", str(tmp_path), "--json"])   # exit 1: no study keeps a patient
    checks = [c for c in json.loads(capsys.readouterr().out)["checks"] if c["part"] == "immune"]
    # the 22 CIBERSORT cell types; P.value, Correlation and RMSE are named, not counted
    assert checks[0]["detail"] == "1095 patients × 22 columns"
    stats = [c for c in checks if "run statistics" in c["detail"]]
    assert [(c["status"], c["detail"]) for c in stats] == [
        ("warning", "3 column(s) left out as run statistics, not cell types: P.value, "
                    "Correlation, RMSE (kept as quality control: Cohort.immune_qc)")]
    assert checks[-1]["status"] == "warning"
    assert checks[-1]["detail"].startswith("no stage of replicate uses an immune table; study "
                                           "liu2023's immune-cell classes need TIMER estimates")
