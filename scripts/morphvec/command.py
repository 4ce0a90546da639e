"""The ``morphvec`` command: what a user does by hand, one subcommand each.

``morphvec run`` is Snakemake on morphvec's Snakefile with the config files checked first (a
missing file, a file that is not UTF-8, a YAML syntax error: one message with the file and line,
where Snakemake itself would print a traceback); every other option goes to Snakemake as it is.
The other subcommands are the library's tools, with the options their ``--help`` lists.
"""

import os
import sys
from collections.abc import Callable
from pathlib import Path

from morphvec import bundle


def _query() -> Callable:
    from morphvec.query import query_vectors

    return query_vectors


def _evaluate() -> Callable:
    from morphvec.evaluation import evaluate_vectors

    return evaluate_vectors


def _package() -> Callable:
    from morphvec.package import package_model

    return package_model


def _verify() -> Callable:
    from morphvec.manifest import verify_run

    return verify_run


# name -> (what it does, the library function it runs); `run` is handled apart
TOOLS: dict[str, tuple[str, Callable[[], Callable]]] = {
    "query": ("neighbours, analogies and similarities on any vectors morphvec writes", _query),
    "evaluate": ("score any vectors on word-similarity, analogy and sentence-similarity files", _evaluate),
    "verify": ("check a finished run against its manifest (rerun it and compare every file)", _verify),
    "package": ("a finished run as a model folder to publish: `morphvec package RUN --into DIR`", _package),
}
RUN_HELP = "the workflow (Snakemake) with the config files checked first; other options go to Snakemake"

USAGE = f"""usage: morphvec COMMAND [OPTIONS]

morphvec turns a corpus into morpheme-aware fastText vectors, exports them and reports on them.

commands:
  run       {RUN_HELP}
{"".join(f"  {name:<9} {text}{chr(10)}" for name, (text, _) in TOOLS.items())}
`morphvec COMMAND --help` lists a command's options; `morphvec --version` names the release.
In the checkout, `morphvec run` with no options runs the bundled sample (config/config.yaml);
`morphvec run --configfile my.yaml --cores 2` runs your config."""


def config_files(argv: list[str]) -> list[str]:
    """The files named by ``--configfile``/``--configfiles`` (one or more values, or ``=value``)."""
    found: list[str] = []
    taking = False
    for arg in argv:
        name, equals, value = arg.partition("=")
        if name in ("--configfile", "--configfiles"):
            taking = not equals
            if equals:
                found.append(value)
        elif taking and not arg.startswith("-"):
            found.append(arg)
        else:
            taking = False
    return found


def workflow_profile(argv: list[str]) -> tuple[list[str], str | None]:
    """``--workflow-profile NAME`` (or ``profiles/NAME``) as the path of morphvec's own profile of that
    name, wherever the command runs (Snakemake looks beside the Snakefile only for a bare name, and
    silently uses none when a path is missing); a profile that exists as given is left alone.
    Returns the arguments and a problem, if the profile is nowhere."""
    out, problem = list(argv), None
    for index, arg in enumerate(argv):
        name, equals, value = arg.partition("=")
        if name != "--workflow-profile" or (not equals and index + 1 >= len(argv)):
            continue
        given = value if equals else argv[index + 1]
        if given == "none" or Path(given).is_dir():
            continue
        bundled = bundle.PROFILES / Path(given).name
        if bundled.is_dir() and Path(given).name == Path(given).as_posix().removeprefix("profiles/"):
            out[index : index + (1 if equals else 2)] = ["--workflow-profile", str(bundled)]
        else:
            known = ", ".join(sorted(p.name for p in bundle.PROFILES.iterdir() if p.is_dir()))
            problem = f"--workflow-profile {given}: no such profile\n  fix: give a profile's folder, or one of {known}"
    return out, problem


def run(argv: list[str]) -> int:
    """``morphvec run``: check the config files, then hand over to Snakemake."""
    from morphvec.schema import config_file_problem

    if argv[:1] in (["-h"], ["--help"]):
        print(f"usage: morphvec run [--configfile FILE ...] [SNAKEMAKE OPTIONS ...]\n\n{RUN_HELP}.")
        print("Without --configfile it runs the bundled sample (config/config.yaml) into ./results.")
        print("--workflow-profile NAME takes morphvec's profile of that name (default, slurm, slurm-test)")
        print("from any directory. Snakemake's own options: `snakemake --help`.")
        return 0
    argv, profile_problem = workflow_profile(argv)
    problems = [problem for path in config_files(argv) if (problem := config_file_problem(path))]
    problems += [profile_problem] if profile_problem else []
    if problems:
        print("\n".join(f"error: {problem}" for problem in problems), file=sys.stderr)
        return 2
    snakefile = [] if "--snakefile" in argv or "-s" in argv else ["--snakefile", str(bundle.SNAKEFILE)]
    os.execv(sys.executable, [sys.executable, "-m", "snakemake", *snakefile, *argv])
    return 0  # pragma: no cover - execv does not return


def package_arguments(argv: list[str]) -> list[str]:
    """``RUN --into DIR`` as the package step's own options (``--run-dir``, ``--package``): RUN is
    a run's results directory or a run name under ``results/``."""
    from morphvec.errors import UserInputError
    from morphvec.layout import FILES, RESULTS

    if not argv or argv[0].startswith("-"):
        if argv[:1] in (["-h"], ["--help"]):
            print("morphvec package RUN --into DIR [OPTIONS]: RUN is a run's name under results/ (or its")
            print("directory); --into DIR is --package below (default: results/RUN/package).\n")
        return argv  # --help, or the step's own options
    run, rest = argv[0], argv[1:]
    run_dir = run if Path(run).is_dir() or "/" in run else str(Path(RESULTS) / run)
    if not Path(run_dir).is_dir():
        runs = sorted(p.parent.name for p in Path(RESULTS).glob(f"*/{FILES['manifest']}"))
        listed = (
            f"the finished runs under {Path(RESULTS).resolve()}: {', '.join(runs)}"
            if runs
            else (f"there are no finished runs under {Path(RESULTS).resolve()}")
        )
        raise UserInputError(
            f"no run {run!r}: {Path(run_dir).resolve()} does not exist",
            f"give a run's name or results directory ({listed}), from the folder that holds results/",
        )
    rest = ["--package" if arg == "--into" else arg.replace("--into=", "--package=") for arg in rest]
    return ["--run-dir", run_dir, *rest]


def main(argv: list[str] | None = None) -> int:
    """The entry point of the ``morphvec`` console script."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help", "help"):
        from morphvec.runtime import show

        show(print, USAGE)
        return 0 if argv else 2
    if argv[0] in ("-V", "--version"):
        from morphvec import __version__

        print(f"morphvec {__version__}")
        return 0
    command, rest = argv[0], argv[1:]
    if command == "run":
        return run(rest)
    if command not in TOOLS:
        print(f"error: unknown command {command!r}\n  fix: use one of run, {', '.join(TOOLS)}", file=sys.stderr)
        return 2
    from morphvec import runtime

    runtime.fixed_hash_seed()  # restarts this process once: nothing may be printed before it
    if command == "package":
        try:
            rest = package_arguments(rest)
        except runtime.UserInputError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    runtime.end_process(runtime.run_cli(TOOLS[command][1](), rest, prog=f"morphvec {command}"))
    return 0  # pragma: no cover - end_process does not return


if __name__ == "__main__":
    sys.exit(main())
