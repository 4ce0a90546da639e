# morphvec: `make run` runs the workflow on the bundled corpus, `make test` runs every check.
# Both create .venv and install the pinned dependencies first (once; again when they change).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CORES ?= all
CONFIG ?=
SNAKEMAKE_ARGS ?=

.PHONY: setup run test lint unit clean release

setup: $(INSTALLED)

$(INSTALLED): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --editable .
	touch $@

## run: the workflow (default config: the bundled NSMC sample); CONFIG=config/full_nsmc.yaml for more
run: $(INSTALLED)
	$(BIN)/morphvec run --cores $(CORES) $(if $(CONFIG),--configfile $(CONFIG)) $(SNAKEMAKE_ARGS)
	$(BIN)/morphvec run --cores 1 $(if $(CONFIG),--configfile $(CONFIG)) --report results/snakemake_report.html
	@echo
	@echo "Outputs are in results/<run>/<step>/. Reports:"
	@$(BIN)/python -c "import pathlib; [print('  ' + str(p)) for p in sorted(pathlib.Path('results').glob('*/report/report.html'))]"
	@echo "  results/summary.html (all runs compared), results/snakemake_report.html (Snakemake's report)"
	@echo "Manifests (one SHA-256 identifies a run; \`morphvec verify --results results/<run>\` checks it):"
	@$(BIN)/python -c "import hashlib, pathlib; [print(f'  {p}  SHA-256 {hashlib.sha256(p.read_bytes()).hexdigest()}') for p in sorted(pathlib.Path('results').glob('*/ro-crate-metadata.json'))]"

## test: lint (ruff, snakefmt, snakemake --lint) and the test suite
test: lint unit

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakefmt --check .
	$(BIN)/snakemake --lint --cores 1

unit: $(INSTALLED)
	$(BIN)/pytest

clean:
	rm -rf results .snakemake

## release: tag pyproject.toml's version as vX.Y.Z, after the checks and tests, once CHANGELOG.md has its entry
VERSION = $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
release: test
	@test -z "$$(git status --porcelain)" || { printf 'error: the tree has uncommitted changes\n  fix: commit them, then make release\n'; exit 2; }
	@grep -q '^## v$(VERSION) ' CHANGELOG.md || { printf 'error: CHANGELOG.md has no entry "## v$(VERSION) ..."\n  fix: write it, commit, then make release\n'; exit 2; }
	@! git rev-parse -q --verify 'refs/tags/v$(VERSION)' >/dev/null || { printf 'error: tag v$(VERSION) exists already\n  fix: raise the version in pyproject.toml and add its CHANGELOG.md entry\n'; exit 2; }
	git tag -a 'v$(VERSION)' -m 'morphvec $(VERSION)'
	@echo "tagged v$(VERSION); publish it with: git push origin v$(VERSION)"
