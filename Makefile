# Two commands on a fresh machine: `make demo` runs the app, `make test` runs every test.
# `make demo` installs the app alone (seconds); `make test` adds the test tools to the same .venv.
.PHONY: demo team-demo team-demo-join team-demo-stop test bench lint venv

venv:
	@bash scripts/venv.sh test

demo:
	@bash scripts/venv.sh app
	@mkdir -p .demo && chmod 700 .demo
	.venv/bin/audit-tui --db .demo/audits.db demo

# The team demo's server runs until team-demo-stop, whoever closes an app. AS=NAME picks the
# person (make's own AS, the assembler, is not one).
PERSON = $(if $(filter default,$(origin AS)),,$(AS))

team-demo:
	@bash scripts/team-demo.sh start $(PERSON)

team-demo-join:
	@bash scripts/team-demo.sh join $(PERSON)

team-demo-stop:
	@bash scripts/team-demo.sh stop

# ARGS go to pytest: make test ARGS='-m "not slow"'
test:
	@bash scripts/test.sh $(ARGS)

bench:
	@bash scripts/bench.sh

lint: venv
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy && .venv/bin/lint-imports
