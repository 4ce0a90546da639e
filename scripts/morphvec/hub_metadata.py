"""The model card's metadata as the Hugging Face hub accepts it, checked before anything is written.

The hub validates a card's YAML when it is uploaded, far from the config key that caused a
rejection; these rules run when the config is checked and when ``morphvec package`` starts (the
same functions, through :func:`morphvec.schema.run_problems` and :func:`package_problems`):

* ``license``: one of the hub's license identifiers; ``other`` needs ``license_name`` and
  ``license_link`` (huggingface_hub ships no list of them and validates cards online only);
* ``datasets``: dataset ids in the hub's repository-id syntax (huggingface_hub's own check);
* ``language``: ISO 639-1 or 639-3 codes (pycountry's ISO 639-3 table, which lists both).
"""

from morphvec.errors import Problem

# The hub's license identifiers, as its documentation lists them
# (huggingface/hub-docs, docs/hub/repositories-licenses.md, region "licenses").
HUB_LICENSES = [
    "apache-2.0",
    "mit",
    "openrail",
    "bigscience-openrail-m",
    "creativeml-openrail-m",
    "bigscience-bloom-rail-1.0",
    "bigcode-openrail-m",
    "afl-3.0",
    "artistic-2.0",
    "bsl-1.0",
    "bsd",
    "bsd-2-clause",
    "bsd-3-clause",
    "bsd-3-clause-clear",
    "c-uda",
    "cc",
    "cc0-1.0",
    "cc-by-2.0",
    "cc-by-2.5",
    "cc-by-3.0",
    "cc-by-4.0",
    "cc-by-sa-3.0",
    "cc-by-sa-4.0",
    "cc-by-nc-2.0",
    "cc-by-nc-3.0",
    "cc-by-nc-4.0",
    "cc-by-nd-4.0",
    "cc-by-nc-nd-3.0",
    "cc-by-nc-nd-4.0",
    "cc-by-nc-sa-2.0",
    "cc-by-nc-sa-3.0",
    "cc-by-nc-sa-4.0",
    "cdla-sharing-1.0",
    "cdla-permissive-1.0",
    "cdla-permissive-2.0",
    "wtfpl",
    "ecl-2.0",
    "epl-1.0",
    "epl-2.0",
    "etalab-2.0",
    "eupl-1.1",
    "agpl-3.0",
    "gfdl",
    "gpl",
    "gpl-2.0",
    "gpl-3.0",
    "lgpl",
    "lgpl-2.1",
    "lgpl-3.0",
    "isc",
    "lppl-1.3c",
    "ms-pl",
    "mpl-2.0",
    "odc-by",
    "odbl",
    "openrail++",
    "osl-3.0",
    "postgresql",
    "ofl-1.1",
    "ncsa",
    "unlicense",
    "zlib",
    "pddl",
    "lgpl-lr",
    "deepfloyd-if-license",
    "llama2",
    "gemma",
    "unknown",
    "other",
]


def license_problems(license: str, license_name: str, license_link: str) -> list[Problem]:
    if license not in HUB_LICENSES:
        near = [known for known in HUB_LICENSES if known.startswith(license.lower().strip()[:5])][:6]
        return [
            Problem(
                "package.license",
                f"{license!r} is not a license identifier the Hugging Face hub accepts",
                f"use an identifier such as {', '.join(near or ['cc-by-4.0', 'mit', 'apache-2.0'])} "
                "(the hub's list: huggingface.co/docs/hub/repositories-licenses), or license: other with "
                "license_name and license_link",
            )
        ]
    if license == "other" and not (license_name and license_link):
        return [
            Problem(
                "package.license_name",
                "license: other needs the license's name and a link to its text",
                "set package.license_name (a short id, e.g. my-lab-license-1.0) and package.license_link "
                "(a URL, or LICENSE for a file you add to the folder)",
            )
        ]
    if license != "other" and (license_name or license_link):
        return [
            Problem(
                "package.license_name",
                f"license_name and license_link go with license: other, not {license}",
                "remove them, or set license: other",
            )
        ]
    return []


def dataset_problems(datasets: list[str]) -> list[Problem]:
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    for number, dataset in enumerate(datasets):
        try:
            validate_repo_id(dataset)
        except HFValidationError as error:
            reason = " ".join(str(error).split())[:200]
            return [
                Problem(
                    f"package.datasets[{number}]",
                    f"{dataset!r} is not a Hugging Face dataset id ({reason})",
                    "give ids as the hub writes them, e.g. e9t/nsmc (owner/name: letters, digits, - _ .)",
                )
            ]
    return []


def language_problems(language: list[str]) -> list[Problem]:
    import pycountry

    for number, code in enumerate(language):
        known = (len(code) == 2 and pycountry.languages.get(alpha_2=code)) or (
            len(code) == 3 and pycountry.languages.get(alpha_3=code)
        )
        if not known:
            return [
                Problem(
                    f"package.language[{number}]",
                    f"{code!r} is not an ISO 639-1 or 639-3 language code",
                    "use the lower-case code, e.g. ko (Korean), en (English), kor",
                )
            ]
    return []


def package_problems(
    license: str, datasets: list[str], language: list[str], license_name: str = "", license_link: str = ""
) -> list[Problem]:
    """Every problem of a run's ``package`` settings (the config keys, defaults filled)."""
    return [
        *license_problems(license, license_name, license_link),
        *dataset_problems(datasets),
        *language_problems(language),
    ]
