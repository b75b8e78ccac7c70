# Two commands on a fresh machine: `make demo` runs the app, `make test` runs every test.
.PHONY: demo team-demo test bench lint venv

venv:
	@bash scripts/venv.sh

demo: venv
	@mkdir -p .demo && chmod 700 .demo
	.venv/bin/audit-tui --db .demo/audits.db demo

team-demo:
	@bash scripts/team-demo.sh

test:
	@bash scripts/test.sh

bench:
	@bash scripts/bench.sh

lint: venv
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy && .venv/bin/lint-imports
