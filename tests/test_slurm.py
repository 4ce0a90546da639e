"""The workflow through a real SLURM cluster (tests/slurm/cluster.sh), on the tiny config.

Proves that every job ran as a SLURM job (job ids in snakemake's output, COMPLETED in
`scontrol`), that tokenization was sharded into separate jobs and gathered byte-identically, that
a job the cluster killed for memory succeeds on the profile's retry, and that a failing job fails
the run with a clear message.  Skipped, with the reason, where no
SLURM cluster is up; `.ci/run` starts one and sets MORPHVEC_REQUIRE_SLURM=1, so in CI a missing
cluster is a failure, not a skip.
"""

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import tiny_config
from test_workflow import planned_jobs

pytestmark = pytest.mark.slurm

REPO = Path(__file__).resolve().parents[1]
PROFILE = REPO / "profiles" / "slurm-test"
LOCAL_RULES = re.findall(
    r"^rule (\w+):\n(?:(?!^rule ).*\n)*?    localrule: True", (REPO / "Snakefile").read_text(), re.M
)


def cluster_problem() -> str | None:
    if not shutil.which("sbatch"):
        return "SLURM is not installed (tests/slurm/cluster.sh install, then tests/slurm/cluster.sh start)"
    state = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, check=False)
    if state.returncode != 0 or not {"idle", "mixed"} & set(state.stdout.split()):
        return f"no SLURM test cluster is up (tests/slurm/cluster.sh start): {state.stderr.strip()[:200]}"
    return None


@pytest.fixture(scope="module", autouse=True)
def slurm_cluster():
    problem = cluster_problem()
    if problem and os.environ.get("MORPHVEC_REQUIRE_SLURM") == "1":
        pytest.fail(problem)
    if problem:
        pytest.skip(problem)


# Training's first attempt gets 64 MB, less than the Python process alone: the cluster kills it
# (tests/slurm/cluster.sh enforces --mem) and the profile's retry, with room, must finish the run.
UNDERSIZED = "train_fasttext"
UNDERSIZE = ["--set-resources", f"{UNDERSIZED}:mem_mb=64 if attempt == 1 else 2000"]


def snakemake_on_slurm(workdir: Path, config: Path, *extra: str) -> subprocess.CompletedProcess:
    """The README's cluster command, for the test cluster's profile."""
    command = [
        sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
        "--workflow-profile", str(PROFILE), "--directory", str(workdir), "--configfile", str(config), *extra,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=1200)


def job_state(job_id: str) -> str:
    shown = subprocess.run(["scontrol", "show", "job", job_id], capture_output=True, text=True, check=True)
    return re.search(r"JobState=(\w+)", shown.stdout).group(1)


@pytest.fixture(scope="module")
def slurm_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("slurm")
    config = workdir / "config.yaml"
    data = tiny_config(workdir)
    for local_only in ("ko_kiwi_jamo", "ko_park"):  # the Korean options are tested locally; here the cluster path
        del data["runs"][local_only]
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = snakemake_on_slurm(workdir, config, *UNDERSIZE)
    return workdir, result, result.stdout + result.stderr


def test_workflow_completes_through_slurm(slurm_run):
    workdir, result, output = slurm_run
    assert result.returncode == 0, output[-4000:]
    for run in ("ko_tiny", "en_tiny"):
        metrics = json.loads((workdir / "results" / run / "report" / "metrics.json").read_text())
        assert metrics["parity"]["passed"] and metrics["parity"]["max_abs_diff"] <= 1e-5


def submitted_jobs(output: str) -> dict[str, dict[str, Path]]:
    """Each rule's SLURM jobs (a retry is a new job): their log files by job id."""
    jobs = {}
    for job_id, log, rule in re.findall(r"submitted with SLURM jobid (\d+) \(log: (\S*?/rule_(\w+)/\S*)\)", output):
        jobs.setdefault(rule, {})[job_id] = Path(log)
    return jobs


def test_every_job_was_a_completed_slurm_job(slurm_run):
    _, _, output = slurm_run
    jobs = planned_jobs(output)
    submitted = submitted_jobs(output)
    local = {"all", *LOCAL_RULES}  # light rules run where Snakemake runs (`localrule: True`)
    retried = jobs[UNDERSIZED]  # each training job twice: killed for memory, then retried
    assert sum(len(ids) for ids in submitted.values()) == retried + sum(
        count for rule, count in jobs.items() if rule not in local
    )
    assert jobs["tokenize_corpus"] == 3  # two shards of ko_tiny, one of en_tiny
    states = {rule: [job_state(job_id) for job_id in ids] for rule, ids in submitted.items()}
    assert all(set(states[rule]) == {"COMPLETED"} for rule in states if rule != UNDERSIZED)


def test_a_job_killed_for_memory_succeeds_on_its_retry(slurm_run):
    _, result, output = slurm_run
    jobs = submitted_jobs(output)[UNDERSIZED]
    states = {job_id: job_state(job_id) for job_id in jobs}
    assert sorted(states.values()) == ["COMPLETED", "COMPLETED", "FAILED", "FAILED"]  # each run's, twice
    for job_id, state in states.items():  # the cluster's reason is in the killed job's log
        assert ("exceeded memory limit" in jobs[job_id].read_text()) == (state == "FAILED")
    assert output.count("Trying to restart job") == 2 and result.returncode == 0
    assert output.count("mem_mb=64,") == 2 and "mem_mb=2000," in output


def test_sharded_tokens_equal_unsharded(slurm_run, tmp_path):
    from morphvec.tokenize import tokenize_corpus

    workdir, _, _ = slurm_run
    tokenize_corpus(workdir / "reviews.tsv.gz", tmp_path / "whole.txt")
    gathered = workdir / "results/ko_tiny/tokenize_corpus/tokens.txt"
    assert gathered.read_bytes() == (tmp_path / "whole.txt").read_bytes()


def test_failing_job_fails_the_run_with_a_clear_message(tmp_path):
    corpus = tmp_path / "broken.tsv.gz"
    corpus.write_bytes(gzip.compress("id\ttext\n1\t좋은 영화\n".encode() + b"2\tbad \xff bytes\n"))
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"runs": {"broken": {"corpus": {"path": str(corpus)}}}}), encoding="utf-8")
    result = snakemake_on_slurm(tmp_path, config)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Error in rule tokenize_corpus" in output
    assert "broken.tsv.gz: line 3: invalid UTF-8" in output  # the rule's log, shown by the profile
    failed = re.findall(r"submitted with SLURM jobid (\d+)", output)
    assert failed and job_state(failed[0]) == "FAILED"
    assert not (tmp_path / "results/broken/tokenize_corpus/shards/0.txt").exists()
