"""A model folder ready to publish on the Hugging Face hub (nothing is uploaded).

``results/<run>/package/`` (or ``morphvec package RUN --into DIR``) holds:

* ``model.bin`` -- the fastText model at the root, the hub's convention for fastText
  (``library_name: fasttext``);
* ``model.safetensors``, ``tokenizer.json``, ``config.json``, ``modules.json`` -- the static
  export, so that ``SentenceTransformer(dir)`` and ``StaticModel.from_pretrained(dir)`` open the
  folder itself;
* ``torch/`` -- the torch export with its torch-only loader;
* ``README.md`` -- the model card: YAML metadata (language, license, library, tags, datasets, a
  ``model-index`` with the report's measured scores) written with ``huggingface_hub``'s own
  card classes, then how to load the vectors in each library, the training settings, the
  provenance (commit, manifest SHA-256) and the citations of the evaluation sets.
"""

import logging
import shutil
from pathlib import Path

from morphvec import provenance, render
from morphvec.hub_metadata import package_problems
from morphvec.outputs import SNAKEMAKE_MARKER
from morphvec.runtime import UserInputError, atomic_dir, read_json, require_file
from morphvec.schema import SCHEMA_DEFAULT, configured, raise_problems

log = logging.getLogger("morphvec.package")

# layout name -> name inside the package
PACKAGE_FILES = {
    "model_bin": "model.bin",
    "static_weights": "model.safetensors",
    "static_tokenizer": "tokenizer.json",
    "static_config": "config.json",
    "static_modules": "modules.json",
    "torch_weights": "torch/embeddings.safetensors",
    "torch_vocab": "torch/vocab.txt",
    "torch_loader": "torch/fasttext_torch.py",
}
# layout name -> folder inside the package (copied when the run has it: runs before v0.3 have none)
PACKAGE_FOLDERS = {"static_sif": "sif", "static_tuned": "tuned"}

# Citations of the evaluation files morphvec ships, by file name.
CITATIONS = {
    "WS353_korean.csv": (
        "Sungjoon Park, Jeongmin Byun, Sion Baek, Yongseok Cho, Alice Oh. Subword-level Word Vector "
        "Representations for Korean. ACL 2018 (Korean WordSim-353)."
    ),
    "analogy_family_ko.txt": "182 Korean family analogies written for morphvec (CC0).",
    "analogy_extra_ko.txt": "750 Korean analogy questions in six sections written for morphvec (CC0).",
    **dict.fromkeys(  # KorSTS's own file names, as bundled (gzipped) or as published
        [f"sts-{split}.tsv{gz}" for split in ("train", "dev", "test") for gz in ("", ".gz")],
        "Jiyeon Ham, Yo Joong Choe, Kyubyong Park, Ilji Choi, Hyungjoon Soh. KorNLI and KorSTS: New Benchmark "
        "Datasets for Korean Natural Language Understanding. Findings of EMNLP 2020 (KorSTS, CC BY-SA 4.0).",
    ),
}
FASTTEXT_CITATION = (
    "Piotr Bojanowski, Edouard Grave, Armand Joulin, Tomas Mikolov. Enriching Word Vectors with Subword "
    "Information. TACL 2017."
)


def _eval_results(metrics: dict) -> list:
    """The report's headline scores as ``huggingface_hub`` evaluation results (the model-index)."""
    from huggingface_hub import EvalResult

    results = []
    quality = metrics["quality"]
    for name, scores in quality["similarity"].items():
        for key, label in (("spearman", "in-vocabulary pairs"), ("spearman_all_pairs_subword", "all pairs, subword")):
            if scores.get(key) is not None:
                results.append(
                    EvalResult(
                        task_type="word-similarity",
                        dataset_type=name,
                        dataset_name=name,
                        metric_type="spearmanr",
                        metric_value=round(scores[key], 4),
                        metric_name=f"Spearman rho, {label}",
                    )
                )
        results.append(
            EvalResult(
                "word-similarity",
                name,
                name,
                "coverage",
                round(scores["coverage"], 4),
                metric_name="pairs in vocabulary",
            )
        )
    for name, scores in quality.get("analogy_subword", quality["analogy"]).items():
        if scores.get("accuracy") is not None:
            results.append(
                EvalResult(
                    "word-analogy",
                    name,
                    name,
                    "accuracy",
                    round(scores["accuracy"], 4),
                    metric_name="3CosAdd accuracy, OOV-aware",
                )
            )
    results += _sentence_results(metrics)
    probe = metrics.get("sentiment_probe")
    if probe and probe.get("accuracy") is not None:
        results.append(
            EvalResult(
                "text-classification",
                "sentiment_probe",
                "sentiment probe (logistic regression on sentence vectors)",
                "accuracy",
                round(probe["accuracy"], 4),
            )
        )
    return results


# Each sentence-pair set's scores in the model-index, as MTEB's STS results are given (Spearman ρ of
# the cosines, x 100); the model-free baseline is the card's table only: it is no result of the model.
SENTENCE_METHODS = {
    "fasttext_mean_analysed": "fastText sentence vectors, analysed input",
    "static_mean_raw": "static export, raw input",
    "static_mean_analysed": "static export, analysed input",
    "static_sif_raw": "static export's SIF flavour (sif/), raw input",
    "static_sif_analysed": "static export's SIF flavour (sif/), analysed input",
    "static_tuned_raw": "static export's tuned flavour (tuned/), raw input",
    "static_tuned_analysed": "static export's tuned flavour (tuned/), analysed input",
}


def _sentence_results(metrics: dict) -> list:
    from huggingface_hub import EvalResult

    results = []
    for name, scored in metrics.get("sentence_similarity", {}).items():
        for method, label in SENTENCE_METHODS.items():
            rho = scored["methods"].get(method, {}).get("spearman")
            if rho is not None:
                results.append(
                    EvalResult(
                        "sentence-similarity",
                        name,
                        name,
                        "cos_sim_spearman",
                        round(100 * rho, 2),
                        metric_name=f"Spearman rho x 100, {label}",
                    )
                )
    return results


EXAMPLE_SENTENCE = {"ko": "이 영화 정말 재밌다", "en": "this movie is really fun"}


def _tokens_are(tokenizer: dict) -> str:
    kind = {"mecab": "MeCab-ko morphemes", "kiwi": "Kiwi morphemes", "whitespace": "whitespace-separated words"}
    text = kind.get(tokenizer["name"], f"{tokenizer['name']} tokens")
    if tokenizer["pos"]:
        text += " with their part-of-speech tags (`영화/NNG`)"
    if tokenizer["unit"] == "jamo":
        text += ", stored as jamo"
    return text


def _example_word(vocab: Path) -> str:
    """The most frequent vocabulary token that looks like a word (the snippets look it up)."""
    from morphvec.analyses import is_word_like

    words = vocab.read_text(encoding="utf-8").split("\n")
    return next((w for w in words if w != "</s>" and len(w.split("/")[0]) > 1 and is_word_like(w)), words[0])


def _view(metrics: dict, inputs: dict, manifest_sha256: str, metadata: str) -> dict:
    """What the card shows beyond metrics.json: the example inputs, the exports' figures, provenance."""
    import yaml

    from morphvec.jamo import from_jamo
    from morphvec.tokenize import Tokenizer

    settings = metrics["settings"]
    corpus = metrics["corpus"]  # how the tokens were made (the tokenize step's statistics)
    tokenizer = {key: corpus[key] for key in ("pos", "unit", "lowercase")} | {"name": corpus["tokenizer"]}
    language = (settings.get("package", {}).get("language") or ["ko"])[0]
    sentence = EXAMPLE_SENTENCE.get(language, EXAMPLE_SENTENCE["ko"])
    split = Tokenizer(tokenizer["name"], tokenizer["pos"], "syllable", tokenizer["lowercase"])
    model_word = _example_word(Path(inputs["torch_vocab"]))
    evaluation_files = [Path(r["path"]).name for name, r in sorted(metrics["inputs"].items()) if name != "corpus"]
    cited = [FASTTEXT_CITATION, *(CITATIONS[f] for f in evaluation_files if f in CITATIONS)]
    quality = metrics["quality"]
    shown = {key: settings.get(key, {}) for key in ("tokenizer", "fasttext", "trainer", "subwords") if key in settings}
    return {
        "metadata": metadata,
        "tokens_are": _tokens_are(tokenizer),
        "ngram_units": "jamo" if tokenizer["unit"] == "jamo" else "characters",
        "park_subwords": settings.get("subwords", "fasttext") == "syllable_jamo",
        "corpus_name": Path(metrics["corpus"]["corpus"]).name,
        "fasttext": metrics["training"]["params"],
        "static": read_json(inputs["static_stats"]),
        "tokenizer": tokenizer,
        "tokenizer_package": {"mecab": "python-mecab-ko", "kiwi": "kiwipiepy"}.get(tokenizer["name"], "str.split"),
        "sentence": sentence,
        "example_text": " ".join(token for token, _ in split(sentence)),
        "model_word": model_word,
        "word": from_jamo(model_word),
        "analogies": quality.get("analogy_subword") or quality["analogy"],
        "settings_yaml": yaml.safe_dump(shown, allow_unicode=True, sort_keys=True),
        "source": provenance.source(),
        "manifest_sha256": manifest_sha256,
        "sentence_methods": SENTENCE_METHODS,
        "raw_agreement": _raw_agreement(metrics),
        "citations": list(dict.fromkeys(cited)),  # once each: KorSTS's two files share one
    }


def _raw_agreement(metrics: dict) -> dict | None:
    """The report's measure of raw text through the static export (the first sentence-pair file
    that has it): its cosine to fastText's vector of the analysed text."""
    for name, scored in metrics.get("sentence_similarity", {}).items():
        agreement = scored["methods"].get("static_mean_raw", {}).get("raw_agreement")
        if agreement:
            return {"file": name, **agreement}
    return None


def _card(metrics: dict, inputs: dict, manifest_sha256: str, metadata: dict) -> str:
    """The model card: metadata from huggingface_hub's card classes, the text from
    templates/model_card.md.j2."""
    from huggingface_hub import ModelCardData

    name = metrics["corpus"]["tokenizer"]
    tags = ["fasttext", "word-embeddings", "static-embeddings", "sentence-transformers", "model2vec", "morphvec"]
    data = ModelCardData(
        language=metadata["language"],
        license=metadata["license"],
        license_name=metadata["license_name"] or None,
        license_link=metadata["license_link"] or None,
        library_name="fasttext",
        pipeline_tag="feature-extraction",
        tags=[*tags, f"tokenizer-{name}"],
        datasets=metadata["datasets"] or None,
        model_name=metrics["run"],
        eval_results=_eval_results(metrics),
    )
    view = _view(metrics, inputs, manifest_sha256, data.to_yaml() + "\n")
    return render.render_text("model_card.md.j2", m=metrics, view=view)


def _run_directory(inputs: dict) -> str | None:
    """The run directory the given files belong to (for a message), from any of them."""
    from morphvec import layout

    for name, path in inputs.items():
        relative = layout.FILES.get(name, "")
        if isinstance(path, str) and relative and path.endswith(relative):
            return path[: -len(relative)].rstrip("/") or "."
    return None


@configured("package")
def package_model(
    inputs: dict,
    package: str | Path,
    *,
    license: str = SCHEMA_DEFAULT,
    license_name: str = SCHEMA_DEFAULT,
    license_link: str = SCHEMA_DEFAULT,
    datasets: list[str] = SCHEMA_DEFAULT,
    language: list[str] = SCHEMA_DEFAULT,
) -> dict:
    """A finished run as a model folder to publish on the Hugging Face hub (nothing is uploaded):
    model.bin, the static and torch exports and a model card whose metadata (license, datasets,
    language) is checked as the hub checks it.  An existing folder is replaced only if morphvec
    wrote it (or with --force, if it is no run's results).

    ``inputs`` are the run's files by layout name (``model_bin``, the torch and static exports,
    ``metrics``, ``manifest``); ``license`` (``license_name``, ``license_link`` with ``other``),
    ``datasets`` and ``language`` go into the card (:mod:`morphvec.hub_metadata`)."""
    metadata = {"license": license, "license_name": license_name, "license_link": license_link}
    metadata |= {"datasets": datasets, "language": language}
    raise_problems(package_problems(**metadata))
    missing = [name for name in ("metrics", "manifest", *PACKAGE_FILES, "static_stats") if not inputs.get(name)]
    if missing:
        where = _run_directory(inputs)
        raise UserInputError(
            f"{where or 'the run'} has no {', '.join(missing[:4])}{' …' if len(missing) > 4 else ''}: "
            "it is not a finished run",
            "give the results directory of a run the workflow finished (results/<run>), or run the workflow to the end",
        )
    metrics = read_json(require_file(inputs["metrics"], "the run's metrics.json", "run write_report"))
    manifest = require_file(inputs["manifest"], "the run's manifest", "run write_manifest")
    sources = {
        name: require_file(inputs[name], name, "run the workflow to the end")
        for name in [*PACKAGE_FILES, "static_stats"]
    }
    with atomic_dir(package) as tmp:
        for name, target in PACKAGE_FILES.items():  # copies: a card reader may edit the folder
            (Path(tmp) / target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sources[name], Path(tmp) / target)
        for name, target in PACKAGE_FOLDERS.items():
            if inputs.get(name) and Path(inputs[name]).is_dir():
                # without the empty marker Snakemake puts in a folder output
                shutil.copytree(inputs[name], Path(tmp) / target, ignore=shutil.ignore_patterns(SNAKEMAKE_MARKER))
        card = _card(metrics, sources, provenance.sha256(manifest), metadata)
        (Path(tmp) / "README.md").write_text(card, encoding="utf-8")
    log.info("packaged %s into %s", metrics["run"], package)
    folders = [f"{target}/" for name, target in PACKAGE_FOLDERS.items() if (Path(package) / target).is_dir()]
    return {"package": str(package), "files": sorted(["README.md", *PACKAGE_FILES.values(), *folders])}
