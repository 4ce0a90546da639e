"""The run manifest: a Process Run RO-Crate naming everything a run read and wrote, and the
``verify`` check that reruns it and compares artefact by artefact.

The crate is ``results/<run>/ro-crate-metadata.json`` (the run directory is the crate), written
with the ``rocrate`` package: every input (corpus, evaluation files, pretrained vectors) and every
file the run wrote, with size and SHA-256; the resolved config; the seeds; the software and its
versions (Python, fastText, gensim, python-mecab-ko and its dictionary, numpy, torch,
Snakemake); morphvec's git commit and whether the tree was dirty; the platform; the command that
reruns it.  It holds no dates or durations (``datePublished`` is the commit's date), and the
timing files (logs and benchmarks, whose own bytes are times) are listed without size or SHA-256,
so two clean single-threaded runs write the same manifest byte for byte: one SHA-256 of
``ro-crate-metadata.json`` identifies a run.

``verify`` (:func:`verify_run`) first checks every recorded file on disk against its SHA-256
(``--no-rerun`` stops there), then names the provenance that differs from now (commit, package
versions), reruns into a fresh directory and compares artefact by artefact; a page that differs
only in its provenance lines (marked in the page) is reported apart, not as a different result.
"""

import json
import logging
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from morphvec import bundle, layout, provenance
from morphvec.runtime import UserInputError, atomic_dir, atomic_open

log = logging.getLogger("morphvec.manifest")

PROFILE = "https://w3id.org/ro/wfrun/process/0.5"
MANIFEST = "ro-crate-metadata.json"
TIMING_DIRECTORIES = ("logs", "benchmarks")
# Artefacts made before training: deterministic whatever the number of training threads.
ALWAYS_DETERMINISTIC = ("tokenize_corpus/",)


def is_timing_file(relative: str) -> bool:
    """Logs, benchmarks and tracebacks: files whose purpose is timing (their bytes are times)."""
    return relative.split("/", 1)[0] in TIMING_DIRECTORIES or relative.endswith(".traceback")


def single_threaded(settings: dict) -> bool:
    """fastText (and word2vec fine-tuning) reproduce their vectors only with one thread."""
    finetune = settings.get("finetune_word2vec", {})
    return settings["fasttext"]["thread"] == 1 and (not finetune.get("activate") or finetune.get("workers") == 1)


def _seeds(settings: dict) -> dict:
    seeds = {"fasttext.seed": settings["fasttext"]["seed"], "evaluation.seed": settings["evaluation"]["seed"]}
    if settings.get("finetune_word2vec", {}).get("activate"):
        seeds["finetune_word2vec.seed"] = settings["finetune_word2vec"]["seed"]
    return seeds


def _output_files(run_dir: Path) -> list[str]:
    """Every file of the run directory (relative, sorted) but the manifest, its own log and the
    published folder (written after the manifest, whose SHA-256 its card cites)."""
    own = {MANIFEST, "logs/write_manifest.log", "logs/write_manifest.log.traceback"}
    found = (p.relative_to(run_dir).as_posix() for p in run_dir.rglob("*") if p.is_file())
    after = (f"{layout.FILES['package']}/", "logs/package_model.log")
    return sorted(
        name for name in found if name not in own and not name.startswith(after) and not Path(name).name.startswith(".")
    )


def _software(crate) -> list:
    versions = provenance.versions()
    entities = []
    for name, version in versions.items():
        entities.append(
            crate.add(_context(crate, f"#software-{name}", "SoftwareApplication", name=name, softwareVersion=version))
        )
    return entities


def _context(crate, identifier: str, kind: str, **properties):
    from rocrate.model.contextentity import ContextEntity

    return ContextEntity(crate, identifier, properties={"@type": kind, **properties})


def build_crate(run: str, run_dir: Path, settings: dict, command: str):
    """The RO-Crate of one finished run (see the module docstring)."""
    from rocrate.rocrate import ROCrate

    source = provenance.source()
    crate = ROCrate(gen_preview=False)
    crate.metadata.extra_terms = {"morphvec": "urn:morphvec:"}  # the prefix of this crate's own terms
    crate.root_dataset["name"] = f"morphvec run {run}"
    crate.root_dataset["description"] = "Inputs, outputs and provenance of one morphvec run (Process Run Crate)."
    crate.root_dataset["datePublished"] = source.get("date") or "1970-01-01"  # no clock time: reruns match
    crate.root_dataset["license"] = "https://spdx.org/licenses/CC0-1.0"
    crate.metadata["conformsTo"] = [{"@id": crate.metadata.profile}, {"@id": PROFILE}]  # RO-Crate as rocrate writes it
    crate.add(_context(crate, PROFILE, "CreativeWork", name="Process Run Crate", version="0.5"))
    software = _software(crate)
    morphvec = crate.add(
        _context(
            crate,
            "#morphvec",
            "SoftwareApplication",
            name="morphvec",
            version=source["version"],
            softwareVersion=source["commit"],
            description="the morphvec workflow at this git commit"
            + (" with uncommitted changes" if source["dirty"] else ""),
            softwareRequirements=[{"@id": entity.id} for entity in software],
        )
    )
    # Inputs live outside the crate: local identifiers, with the path as the config gives it.
    inputs = [
        crate.add(
            _context(crate, f"#input-{key}", "File", name=key, **{"morphvec:path": path}, **_file_facts(Path(path)))
        )
        for key, path in provenance.run_inputs(settings).items()
    ]
    deterministic = single_threaded(settings)
    outputs = []
    for relative in _output_files(run_dir):
        timing = is_timing_file(relative)
        facts = {} if timing else _file_facts(run_dir / relative)  # times: listed, not hashed
        facts["morphvec:role"] = "timing" if timing else "artefact"
        facts["morphvec:deterministic"] = not timing and (deterministic or relative.startswith(ALWAYS_DETERMINISTIC))
        outputs.append(crate.add_file(dest_path=relative, properties=facts))
    seeds = [
        crate.add(_context(crate, f"#seed-{key}", "PropertyValue", name=key, value=value))
        for key, value in _seeds(settings).items()
    ]
    crate.add_action(
        morphvec,
        identifier=f"#run-{run}",
        object=inputs + seeds,
        result=outputs,
        properties={
            "name": f"morphvec run {run}",
            "actionStatus": "http://schema.org/CompletedActionStatus",
            "morphvec:command": command,
            "morphvec:config": json.dumps(settings, sort_keys=True, ensure_ascii=False),
            "morphvec:platform": provenance.platform_name(),
            "morphvec:singleThreaded": deterministic,
        },
    )
    return crate


def _file_facts(path: Path) -> dict:
    return {"contentSize": os.path.getsize(path), "sha256": provenance.sha256(path)}


def write_manifest(
    metrics: str | Path,
    manifest: str | Path,
    run_files: list[str] | None = None,
    *,
    run: str,
    settings: dict,
    command: str,
) -> dict:
    """Write the run's RO-Crate manifest: every file of the run directory (``metrics`` and
    ``run_files`` are listed so that the manifest comes after them), ``settings`` the run's
    resolved config, ``command`` the command line that reruns it."""
    run_dir = Path(metrics).parents[1]
    crate = build_crate(run, run_dir, settings, command)
    with atomic_open(manifest) as out:  # rocrate's own layout of the JSON (metadata.stream)
        json.dump(crate.metadata.generate(), out, indent=4, sort_keys=True, ensure_ascii=False)
        out.write("\n")
    files = sum(1 for entity in crate.data_entities if entity.get("morphvec:role"))
    log.info("manifest of %s: %d files of the run, %d inputs", run, files, len(provenance.run_inputs(settings)))
    return {"manifest": str(manifest), "files": files}


# --- verify: rerun a recorded run into a fresh directory and compare ----------------------------


def read_manifest(path: str | Path) -> dict:
    """The facts of a manifest: run, config, inputs and the files the run wrote."""
    path = Path(path)
    try:
        graph = {entity["@id"]: entity for entity in json.loads(path.read_text(encoding="utf-8"))["@graph"]}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UserInputError(
            f"{path}: not a morphvec manifest ({error})", "give results/<run>/ro-crate-metadata.json"
        ) from None
    action = next((e for e in graph.values() if e.get("@type") == "CreateAction" and "morphvec:config" in e), None)
    if action is None:
        raise UserInputError(f"{path}: no morphvec run in this RO-Crate", "give results/<run>/ro-crate-metadata.json")
    inputs = [graph[ref["@id"]] for ref in action["object"] if ref["@id"].startswith("#input-")]
    morphvec = graph.get("#morphvec", {})
    software = {e["name"]: e["softwareVersion"] for key, e in graph.items() if key.startswith("#software-")}
    return {
        "commit": morphvec.get("softwareVersion"),
        "version": morphvec.get("version"),  # manifests from before 0.2.0 have none
        "dirty": "uncommitted" in morphvec.get("description", ""),
        "versions": software,
        "run": action["@id"].removeprefix("#run-"),
        "config": json.loads(action["morphvec:config"]),
        "command": action["morphvec:command"],
        "inputs": {e["name"]: {"path": e["morphvec:path"], "sha256": e["sha256"]} for e in inputs},
        "files": {ref["@id"]: graph[ref["@id"]] for ref in action["result"]},
        "run_dir": path.parent,
    }


def _manifests(target: Path) -> list[Path]:
    if target.is_file():
        return [target]
    if (target / MANIFEST).is_file():
        return [target / MANIFEST]
    found = sorted(target.glob(f"*/{MANIFEST}"))
    if not found:
        raise UserInputError(f"no {MANIFEST} in {target} or its run directories", "give a finished results directory")
    return found


PROVENANCE = re.compile(r"<!-- morphvec:provenance -->.*?<!-- /morphvec:provenance -->", re.DOTALL)


def without_provenance(path: Path) -> bytes | None:
    """A page's bytes without its marked provenance lines (commit, versions, platform); None for
    a file that has none."""
    if path.suffix not in (".html", ".md"):
        return None
    text = path.read_text(encoding="utf-8", errors="replace")
    return PROVENANCE.sub("", text).encode("utf-8") if PROVENANCE.search(text) else None


def check_on_disk(recorded: dict) -> list[tuple[str, str, str]]:
    """``(file, outcome, detail)`` for every recorded artefact as it is on disk now: identical,
    differs (its SHA-256 is not the recorded one) or missing.  Timing files are not hashed in the
    manifest and are not checked."""
    rows = []
    for name, facts in sorted(recorded["files"].items()):
        if facts.get("morphvec:role") == "timing":
            continue
        path = recorded["run_dir"] / name
        if not path.is_file():
            rows.append((name, "missing", "recorded in the manifest, not on disk"))
        elif provenance.sha256(path) != facts.get("sha256"):
            rows.append((name, "differs", f"SHA-256 differs from the manifest ({path.stat().st_size:,} bytes now)"))
        else:
            rows.append((name, "identical", ""))
    return rows


def provenance_changes(recorded: dict) -> list[str]:
    """What differs between the code and packages that made the run and the ones here now."""
    now = provenance.source()
    changes = []
    if recorded.get("commit") and recorded["commit"] != now["commit"]:
        here = "none (this copy is not a git checkout)" if now["commit"].startswith("unknown") else now["commit"]
        changes.append(f"morphvec commit: recorded {recorded['commit']}, here {here}")
    elif now["dirty"] and not recorded.get("dirty"):
        changes.append("morphvec: this checkout has uncommitted changes, the run's had none")
    for name, version in sorted(recorded.get("versions", {}).items()):
        current = provenance.versions().get(name, "not recorded here")
        if current != version:
            changes.append(f"{name}: recorded {version}, here {current}")
    return changes


def _check_inputs(recorded: dict, workdir: Path) -> None:
    """The inputs must be the ones the run read: a rerun on other data proves nothing."""
    for key, facts in recorded["inputs"].items():
        path = Path(facts["path"]) if Path(facts["path"]).is_absolute() else workdir / facts["path"]
        if not path.is_file():
            raise UserInputError(f"{key}: {path} is gone", "restore the input the run read, then verify again")
        if provenance.sha256(path) != facts["sha256"]:
            raise UserInputError(
                f"{key}: {path} has changed since the run (SHA-256 differs)",
                "restore the input the run read; a rerun on other data cannot verify this run",
            )


def _prepare(recorded: dict, workdir: Path, fresh: Path) -> Path:
    """A fresh working directory whose inputs resolve like the original's (relative paths are
    linked, so the rerun's files name them exactly as the run did); returns its config file."""
    import yaml

    for facts in recorded["inputs"].values():
        if not Path(facts["path"]).is_absolute():
            link = fresh / facts["path"]
            link.parent.mkdir(parents=True, exist_ok=True)
            if not link.exists():
                link.symlink_to((workdir / facts["path"]).resolve())
    config = fresh / "config.yaml"
    config.write_text(yaml.safe_dump({"runs": {recorded["run"]: recorded["config"]}}, allow_unicode=True), "utf-8")
    return config


def _rerun(recorded: dict, fresh: Path, config: Path, cores: int) -> None:
    target = layout.run_file("manifest").format(run=recorded["run"])
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(bundle.SNAKEFILE), "--directory", str(fresh)]
    command += ["--configfile", str(config), "--cores", str(cores), target]
    log_path = fresh / "verify.snakemake.log"
    print(f"rerunning {recorded['run']} in {fresh} (log: {log_path})", flush=True)
    with open(log_path, "w", encoding="utf-8") as out:
        done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        raise UserInputError(
            f"the rerun of {recorded['run']} failed: see {log_path}", "fix what the log names, then verify again"
        )


def largest_difference(first: Path, second: Path) -> float | None:
    """The largest absolute difference between the arrays of two vector files (None: not arrays)."""
    if first.suffix == ".npy":
        a, b = np.load(first, allow_pickle=False), np.load(second, allow_pickle=False)
        return float(np.max(np.abs(a - b))) if a.shape == b.shape and a.size else None
    if first.suffix == ".safetensors":
        from safetensors.numpy import load_file

        a, b = load_file(first), load_file(second)
        if a.keys() != b.keys() or any(a[k].shape != b[k].shape for k in a):
            return None
        return max((float(np.max(np.abs(a[k] - b[k]))) for k in a if a[k].size), default=0.0)
    return None


def compare_runs(original: dict, rerun: dict) -> list[tuple[str, str, str]]:
    """``(file, outcome, detail)`` for every file of the original run: identical, differs, missing,
    timing (not compared); and files only the rerun wrote."""
    rows = []
    for name, facts in sorted(original["files"].items()):
        again = rerun["files"].get(name)
        if facts.get("morphvec:role") == "timing":
            rows.append((name, "timing", "times; not compared"))
        elif again is None:
            rows.append((name, "missing", "the rerun did not write it"))
        elif again["sha256"] == facts["sha256"]:
            rows.append((name, "identical", ""))
        elif (kept := without_provenance(original["run_dir"] / name)) is not None and kept == without_provenance(
            rerun["run_dir"] / name
        ):
            rows.append((name, "provenance", "only its provenance lines differ (commit, versions, platform)"))
        else:
            diff = largest_difference(original["run_dir"] / name, rerun["run_dir"] / name)
            detail = (
                f"largest difference {diff:.3g}"
                if diff is not None
                else f"{facts['contentSize']:,} vs {again['contentSize']:,} bytes"
            )
            if not facts.get("morphvec:deterministic"):
                detail += " (not deterministic: trained with more than one thread)"
            rows.append((name, "differs", detail))
    rows += [
        (name, "extra", "only the rerun wrote it") for name in sorted(set(rerun["files"]) - set(original["files"]))
    ]
    return rows


def _print_rows(run: str, rows: list[tuple[str, str, str]], prefix: str, outcomes: dict) -> None:
    for name, outcome, detail in rows:
        print(f"{prefix}{outcome:<10} {run}/{name}{'  ' + detail if detail else ''}")
        outcomes[outcome] = outcomes.get(outcome, 0) + 1


def _verify_on_disk(recorded: dict, outcomes: dict) -> list[str]:
    """The files as they are against the manifest: the failures (a file edited, cut or gone)."""
    rows = check_on_disk(recorded)
    _print_rows(recorded["run"], [row for row in rows if row[1] != "identical"], "on disk   ", outcomes)
    identical = sum(1 for row in rows if row[1] == "identical")
    print(f"on disk    {identical} of {len(rows)} recorded files of {recorded['run']} match the manifest's SHA-256")
    return [f"{recorded['run']}/{name} ({outcome} on disk)" for name, outcome, _ in rows if outcome != "identical"]


def _verify_by_rerun(recorded: dict, manifest_path: Path, into, cores: int, outcomes: dict) -> list[str]:
    """Rerun into a fresh directory and compare: the failures (deterministic artefacts that differ).

    With ``into``, the rerun is made beside ``into/<run>`` and takes its place when it is done
    (:func:`morphvec.runtime.atomic_dir`: never over a folder morphvec did not write)."""
    workdir = manifest_path.resolve().parents[2]
    _check_inputs(recorded, workdir)
    if not into:
        fresh = Path(tempfile.mkdtemp(prefix=f"morphvec-verify-{recorded['run']}-"))
        return _rerun_and_compare(recorded, workdir, fresh, cores, outcomes)
    target = Path(into) / recorded["run"]
    with atomic_dir(target, keep_on_failure=True) as tmp:
        failures = _rerun_and_compare(recorded, workdir, Path(tmp), cores, outcomes)
    print(f"rerun      kept in {target}")
    return failures


def _rerun_and_compare(recorded: dict, workdir: Path, fresh: Path, cores: int, outcomes: dict) -> list[str]:
    _rerun(recorded, fresh, _prepare(recorded, workdir, fresh), cores)
    again = read_manifest(Path(layout.run_file("manifest", fresh / layout.RESULTS / recorded["run"])))
    rows = compare_runs(recorded, again)
    _print_rows(recorded["run"], rows, "rerun     ", outcomes)
    return [
        f"{recorded['run']}/{name}"
        for name, outcome, _ in rows
        if outcome in ("differs", "missing") and recorded["files"].get(name, {}).get("morphvec:deterministic")
    ]


def verify_run(results: str | Path, into: str | Path | None = None, *, cores: int = 2, rerun: bool = True) -> dict:
    """Check a finished run against its manifest: the files you have, then a rerun.

    ``results``: a run's ``ro-crate-metadata.json``, its run directory, or a results directory
    (every run in it).  First every recorded file on disk is checked against the manifest's
    SHA-256 (seconds); ``--no-rerun`` stops there.  Then the provenance that differs from here
    (morphvec's commit, package versions) is named, and the run is rerun into ``into`` (default:
    a new temporary directory) and compared file by file: identical, differs (for vectors, the
    largest difference), provenance (a page whose only differences are its provenance lines),
    missing, timing.  Fails when a file on disk differs from the manifest or a deterministic
    artefact of the rerun differs.
    """
    failures: list[str] = []
    outcomes: dict[str, int] = {}
    for manifest_path in _manifests(Path(results)):
        recorded = read_manifest(manifest_path)
        failures += _verify_on_disk(recorded, outcomes)
        changes = provenance_changes(recorded)
        for change in changes:
            print(f"provenance {change}")
        if not changes:
            print(f"provenance the code and packages here are the ones that made {recorded['run']}")
        if rerun:
            failures += _verify_by_rerun(recorded, manifest_path, into, cores, outcomes)
    print("; ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())))
    if failures:
        on_disk = any(failure.endswith("on disk)") for failure in failures)
        fix = (
            "restore the files from the original (or rerun the workflow to make them again)"
            if on_disk
            else "compare the provenance lines above with the run's; the rerun is in the directory printed above"
        )
        raise UserInputError(f"{len(failures)} file(s) do not match the recorded run: {', '.join(failures[:5])}", fix)
    return {"verified": True, **outcomes}
