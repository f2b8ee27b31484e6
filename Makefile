# Two commands for a fresh machine: `make demo` (the main job) and `make test` (the whole suite).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Test processes (pytest-xdist): a number, or auto (one per CPU); each gets its own PostgreSQL database.
# A file's tests stay in one process (--dist loadfile): module fixtures (rehearsals, servers) run once.
TEST_WORKERS ?= 2

.PHONY: demo test typecheck lint bench clean

$(BIN)/cutover-bot: pyproject.toml constraints.txt
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

demo: $(BIN)/cutover-bot
	$(BIN)/cutover-bot plan check runbooks/nxop-region-switch.yaml --roster runbooks/roster.example.yaml
	$(BIN)/cutover-bot rehearse --scenario happy
	$(BIN)/cutover-bot rehearse --scenario phase1b-fails-after-failover
	@echo
	@echo "Reports: rehearsal-happy/report.html and rehearsal-phase1b-fails-after-failover/report.html"
	@echo "(also report.md, timeline.png, transcript.jsonl and rehearsal.db in each folder)"

test: $(BIN)/cutover-bot
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python scripts/import_cycles.py
	$(BIN)/mypy
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

# The type checker alone (bot/, commands/, cutover/, storage/; pyproject [tool.mypy]); `test` runs it too.
typecheck: $(BIN)/cutover-bot
	$(BIN)/mypy

bench: $(BIN)/cutover-bot
	for b in bench/bench_*.py; do PYTHONPATH=. $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
