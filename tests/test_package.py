"""The model folder ready to publish: its card parses with huggingface_hub's own functions
(offline), and every snippet in it runs against the folder."""

import os
import re
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def package(tiny_pipeline):
    return tiny_pipeline["package"]


def test_the_card_parses_with_huggingface_hub(package):
    from huggingface_hub import ModelCard, metadata_load

    card = ModelCard.load(package / "README.md")  # a local path: nothing is fetched
    data = card.data.to_dict()
    assert data["library_name"] == "fasttext" and data["license"] == "cc-by-4.0" and data["language"] == ["ko"]
    assert {"fasttext", "sentence-transformers", "model2vec"} <= set(data["tags"])
    results = card.data.eval_results
    rho = next(r for r in results if r.metric_type == "spearmanr" and "in-vocabulary" in r.metric_name)
    assert rho.dataset_name == "ws353_ko" and -1 <= rho.metric_value <= 1
    assert any(r.metric_type == "accuracy" and r.task_type == "text-classification" for r in results)
    assert metadata_load(package / "README.md")["model-index"][0]["name"] == "ko_tiny"
    for section in ("## How to load", "## Training", "## Provenance", "## Citations", "Park"):
        assert section in card.text


def test_the_folder_holds_every_export(package):
    for name in ("model.bin", "model.safetensors", "tokenizer.json", "config.json", "modules.json", "README.md"):
        assert (package / name).stat().st_size > 0, name
    for name in ("embeddings.safetensors", "vocab.txt", "fasttext_torch.py"):
        assert (package / "torch" / name).stat().st_size > 0, name


def snippets(card: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", card, re.DOTALL)


def test_every_snippet_of_the_card_runs_against_the_folder(package):
    blocks = snippets((package / "README.md").read_text(encoding="utf-8"))
    assert len(blocks) == 6  # splitting, fastText, gensim, torch, sentence-transformers, model2vec
    env = {**os.environ, "PYTHONPATH": os.path.join(REPO, "scripts"), "HF_HUB_OFFLINE": "1"}
    for code in blocks:
        done = subprocess.run([sys.executable, "-c", code], cwd=package, env=env, capture_output=True, text=True)
        assert done.returncode == 0, code + done.stderr[-2000:]


def test_morphvec_package_writes_a_run_into_a_folder_of_your_choice(tiny_pipeline, tmp_path):
    run_dir = tiny_pipeline["metrics"].parents[1]
    command = [os.path.join(os.path.dirname(sys.executable), "morphvec"), "package", str(run_dir)]
    done = subprocess.run(
        [*command, "--into", str(tmp_path / "mine"), "--license", "mit"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "license: mit" in (tmp_path / "mine" / "README.md").read_text(encoding="utf-8")
    assert '"package":' in done.stdout  # the result, printed after the log
